// ECS's own Availability Zone rebalancing (service-rebalancing.md): ENABLED by default on CreateService for
// services whose first strategy spreads on AZ; once steady, ECS starts a task in the AZ with the fewest and
// then stops one in the AZ with the most.

import type { EcsEvent, TaskChange } from "../../local/emulator";
import { addInstances, offlineEmulator, SETTLE_MS, taskDefinition } from "./helpers";

function seedScenario(azRebalancing?: "ENABLED" | "DISABLED") {
    const { emulator, clock } = offlineEmulator();
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
    clock.advance(SETTLE_MS);
    return { emulator, events, changes };
}

test("the default (ENABLED) moves a task to the AZ that has none, surge first", () => {
    const { emulator, events, changes } = seedScenario();
    expect(emulator.control.service("demo", "web").availabilityZoneRebalancing).toBe("ENABLED");
    expect(emulator.control.tasksPerInstance("demo", "web")).toEqual({ "i-a": 1, "i-c": 1 });
    const actions = events.filter((e) => e["detail-type"] === "ECS Service Action").map((e) => e.detail.eventName);
    expect(actions.slice(-3)).toEqual(["SERVICE_REBALANCING_STARTED", "SERVICE_STEADY_STATE", "SERVICE_REBALANCING_COMPLETED"]);
    const moves = changes.filter((c) => c.cause.root.type === "scheduler");
    expect(moves.map((c) => [c.ec2InstanceId, c.from ?? "new", c.to])).toEqual([
        ["i-c", "new", "PENDING"],
        ["i-c", "PENDING", "RUNNING"],
        ["i-a", "RUNNING", "STOPPING"],
        ["i-a", "STOPPING", "STOPPED"],
    ]);
    expect(moves[0]!.cause.root).toEqual({ type: "scheduler", reason: "AZ rebalancing" });
});

test("DISABLED leaves what the replacements made: both tasks in one AZ", () => {
    const { emulator } = seedScenario("DISABLED");
    expect(emulator.control.tasksPerInstance("demo", "web")).toEqual({ "i-a": 2 });
});

test("services that spread on instances first, or binpack, default to DISABLED", () => {
    const { emulator } = offlineEmulator();
    emulator.control.createCluster("c");
    taskDefinition(emulator, "app");
    emulator.control.createService({ cluster: "c", serviceName: "spread", taskDefinition: "app", desiredCount: 0, placementStrategy: [{ type: "spread", field: "instanceId" }] });
    emulator.control.createService({ cluster: "c", serviceName: "pack", taskDefinition: "app", desiredCount: 0, placementStrategy: [{ type: "binpack", field: "memory" }] });
    emulator.control.createService({ cluster: "c", serviceName: "no-surge", taskDefinition: "app", desiredCount: 0, deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 50 } });
    for (const name of ["spread", "pack", "no-surge"]) expect(emulator.control.service("c", name).availabilityZoneRebalancing).toBe("DISABLED");
});
