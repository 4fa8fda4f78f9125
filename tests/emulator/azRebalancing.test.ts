// ECS's own Availability Zone rebalancing (service-rebalancing.html): ENABLED by default on CreateService for
// services whose first strategy spreads on AZ; once steady, ECS starts a task in the AZ with the fewest and then
// stops one in the AZ with the most (SERVICE_REBALANCING_STARTED, TASKS_STARTED, TASKS_STOPPED, …_COMPLETED,
// track-service-rebalancing.html). What the page leaves open is each profile's reading: whether maximumPercent must
// leave room for the extra task, whether another AZ is tried, how soon ECS acts.

import type { EcsEvent, EcsProfileName, TaskChange } from "../../local/emulator";
import { addInstances, offlineEmulator, PROFILE, SETTLE_MS, taskDefinition } from "./helpers";

/** Longer than any profile's delay before ECS acts on an imbalance (the adversary waits up to 40 minutes). */
const REBALANCING_MS = 60 * 60_000;

function seedScenario(profile: EcsProfileName, azRebalancing?: "ENABLED" | "DISABLED") {
    const { emulator, clock } = offlineEmulator({ profile });
    const events: EcsEvent[] = [];
    const changes: TaskChange[] = [];
    emulator.onEvent((e) => events.push(e));
    emulator.onTaskChange((c) => changes.push(c));
    emulator.control.createCluster("demo");
    addInstances(emulator, "demo", [
        { id: "i-a", az: "us-east-1a" },
        { id: "i-b", az: "us-east-1b" },
    ]);
    taskDefinition(emulator, "web");
    emulator.control.createService({ cluster: "demo", serviceName: "web", taskDefinition: "web", desiredCount: 2, availabilityZoneRebalancing: azRebalancing });
    clock.advance(SETTLE_MS);
    emulator.control.terminateInstance("i-b");
    clock.advance(SETTLE_MS);
    emulator.control.registerInstance({ cluster: "demo", ec2InstanceId: "i-c", az: "us-east-1b" });
    clock.advance(REBALANCING_MS);
    return { emulator, events, changes };
}

const serviceActions = (events: EcsEvent[]) => events.filter((e) => e["detail-type"] === "ECS Service Action").map((e) => String(e.detail.eventName));

describe(`under the ${PROFILE} profile (every profile: jest.config.js)`, () => {
    const profile = PROFILE;
    test("the default (ENABLED) moves a task to the AZ that has none, surge first", () => {
        const { emulator, events, changes } = seedScenario(profile);
        expect(emulator.control.service("demo", "web").availabilityZoneRebalancing).toBe("ENABLED");
        expect(emulator.control.tasksPerInstance("demo", "web")).toEqual({ "i-a": 1, "i-c": 1 });
        expect(serviceActions(events).slice(-5)).toEqual(["SERVICE_REBALANCING_STARTED", "TASKS_STARTED", "TASKS_STOPPED", "SERVICE_STEADY_STATE", "SERVICE_REBALANCING_COMPLETED"]);
        const moves = changes.filter((c) => c.cause.root.type === "scheduler");
        expect(moves.map((c) => [c.ec2InstanceId, c.from ?? "new", c.to])).toEqual([
            ["i-c", "new", "PENDING"],
            ["i-c", "PENDING", "RUNNING"],
            ["i-a", "RUNNING", "STOPPING"],
            ["i-a", "STOPPING", "STOPPED"],
        ]);
        expect(moves[0]!.cause.root).toEqual({ type: "scheduler", reason: "AZ rebalancing" });
        const messages = (emulator.control.service("demo", "web").events as { message: string }[]).map((e) => e.message);
        expect(messages).toEqual(expect.arrayContaining([
            expect.stringMatching(/has started 1 tasks in Availability Zone us-east-1b to AZ Rebalance: \(task /),
            expect.stringMatching(/has stopped 1 running tasks in Availability Zone us-east-1a due to AZ rebalancing: \(task /),
        ]));
    });

    test("DISABLED leaves what the replacements made: both tasks in one AZ", () => {
        const { emulator } = seedScenario(profile, "DISABLED");
        expect(emulator.control.tasksPerInstance("demo", "web")).toEqual({ "i-a": 2 });
    });

    test("services that spread on instances first, or binpack, default to DISABLED", () => {
        const { emulator } = offlineEmulator({ profile });
        emulator.control.createCluster("c");
        taskDefinition(emulator, "app");
        emulator.control.createService({ cluster: "c", serviceName: "spread", taskDefinition: "app", desiredCount: 0, placementStrategy: [{ type: "spread", field: "instanceId" }] });
        emulator.control.createService({ cluster: "c", serviceName: "pack", taskDefinition: "app", desiredCount: 0, placementStrategy: [{ type: "binpack", field: "memory" }] });
        emulator.control.createService({ cluster: "c", serviceName: "no-surge", taskDefinition: "app", desiredCount: 0, deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 50 } });
        for (const name of ["spread", "pack", "no-surge"]) expect(emulator.control.service("c", name).availabilityZoneRebalancing).toBe("DISABLED");
    });
});

/** A service of 4 tasks at 50 % / 120 %: maximumPercent leaves no room for a fifth task (floor(4 × 1.2) = 4). */
function noRoomToStart(profile: EcsProfileName) {
    const { emulator, clock } = offlineEmulator({ profile });
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "a1", az: "us-east-1a" },
        { id: "b1", az: "us-east-1b" },
    ]);
    taskDefinition(emulator, "app", { cpu: 10, memory: 10 });
    emulator.control.createService({
        cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 4, availabilityZoneRebalancing: "ENABLED",
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 120 }, initialPlacement: { a1: 4 },
    });
    clock.advance(REBALANCING_MS);
    return emulator.control.tasksPerAvailabilityZone("c", "app");
}

test("service-page and adversarial readings: with no room under maximumPercent for one more task, ECS never acts", () => {
    expect(noRoomToStart("service-page")).toEqual({ "us-east-1a": 4 });
    expect(noRoomToStart("adversarial")).toEqual({ "us-east-1a": 4 });
});

test("placement-page reading: without room to start first, ECS stops first within minimumHealthyPercent", () => {
    expect(noRoomToStart("placement-page")).toEqual({ "us-east-1a": 2, "us-east-1b": 2 });
});

/** AZ c (no tasks) is full; AZ b (1 task) has room; AZ a holds 4. */
function emptiestAzFull(profile: EcsProfileName) {
    const { emulator, clock } = offlineEmulator({ profile });
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "a1", az: "us-east-1a" },
        { id: "b1", az: "us-east-1b" },
        { id: "c1", az: "us-east-1c", cpu: 100 },
    ]);
    taskDefinition(emulator, "app", { cpu: 200, memory: 10 });
    emulator.control.createService({
        cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 5, availabilityZoneRebalancing: "ENABLED", initialPlacement: { a1: 4, b1: 1 },
    });
    clock.advance(REBALANCING_MS);
    return emulator.control.tasksPerAvailabilityZone("c", "app");
}

test("when the emptiest AZ has no room: only the placement-page reading tries the next emptiest", () => {
    expect(emptiestAzFull("service-page")).toEqual({ "us-east-1a": 4, "us-east-1b": 1 });
    expect(emptiestAzFull("adversarial")).toEqual({ "us-east-1a": 4, "us-east-1b": 1 });
    expect(emptiestAzFull("placement-page")).toEqual({ "us-east-1a": 3, "us-east-1b": 2 });
});

test("adversarial reading: ECS acts on the imbalance only 10 to 40 minutes after the service is steady", () => {
    const { emulator, clock } = offlineEmulator({ profile: "adversarial" });
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "a1", az: "us-east-1a" },
        { id: "b1", az: "us-east-1b" },
    ]);
    taskDefinition(emulator, "app", { cpu: 10, memory: 10 });
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 2, availabilityZoneRebalancing: "ENABLED", initialPlacement: { a1: 2 } });
    clock.advance(10 * 60_000 - 1);
    expect(emulator.control.tasksPerAvailabilityZone("c", "app")).toEqual({ "us-east-1a": 2 });
    clock.advance(REBALANCING_MS);
    expect(emulator.control.tasksPerAvailabilityZone("c", "app")).toEqual({ "us-east-1a": 1, "us-east-1b": 1 });
});
