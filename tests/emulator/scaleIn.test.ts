// Scale-in: what every profile shares — spread on the AZ keeps the AZs balanced (both the service-scheduler and the
// placement-strategy pages), binpack stops where the most resources remain, protected tasks are never chosen, the
// stops follow from the desiredCount change — and what each reading of the rest does: the service pages' instance
// with the most tasks, the placement page's random task inside the AZ, the adversary's least even outcome.

import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { EcsProfileName, TaskChange } from "../../local/emulator";
import { addInstances, ecsClient, offlineEmulator, PROFILE, SETTLE_MS, startHarness, taskDefinition } from "./helpers";

function cluster(profile: EcsProfileName, placement: Record<string, number>, extra: Record<string, unknown> = {}, seed = 1) {
    const { emulator, clock } = offlineEmulator({ profile, seed });
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "a1", az: "us-east-1a" },
        { id: "a2", az: "us-east-1a" },
        { id: "b1", az: "us-east-1b" },
    ]);
    taskDefinition(emulator, "app", { cpu: 10, memory: 10 });
    const desired = Object.values(placement).reduce((a, b) => a + b, 0);
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: desired, availabilityZoneRebalancing: "DISABLED", initialPlacement: placement, ...extra });
    clock.advance(SETTLE_MS);
    const scaleTo = (n: number) => {
        emulator.control.setDesiredCount("c", "app", n);
        clock.advance(SETTLE_MS);
        return emulator.control.tasksPerInstance("c", "app");
    };
    const perAz = () => emulator.control.tasksPerAvailabilityZone("c", "app");
    return { emulator, clock, scaleTo, perAz };
}

describe(`under the ${PROFILE} profile (every profile: jest.config.js)`, () => {
    const profile = PROFILE;
    test("spread on the AZ: the task goes from the AZ with the most tasks", () => {
        const { scaleTo, perAz } = cluster(profile, { a1: 3, a2: 1, b1: 2 });
        scaleTo(5);
        expect(perAz()).toEqual({ "us-east-1a": 3, "us-east-1b": 2 });
        scaleTo(4);
        expect(perAz()).toEqual({ "us-east-1a": 2, "us-east-1b": 2 });
    });

    test("binpack: the task goes where the most resources remain after it stops", () => {
        const { emulator, clock } = offlineEmulator({ profile });
        emulator.control.createCluster("c");
        addInstances(emulator, "c", [
            { id: "big", az: "us-east-1a", memory: 8192 },
            { id: "small", az: "us-east-1a", memory: 2048 },
        ]);
        taskDefinition(emulator, "app", { cpu: 10, memory: 512 });
        emulator.control.createService({
            cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 4,
            placementStrategy: [{ type: "binpack", field: "memory" }], initialPlacement: { big: 2, small: 2 },
        });
        clock.advance(SETTLE_MS);
        emulator.control.setDesiredCount("c", "app", 3);
        clock.advance(SETTLE_MS);
        expect(emulator.control.tasksPerInstance("c", "app")).toEqual({ big: 1, small: 2 });
    });

    test("protected tasks are never chosen for scale-in", () => {
        const { emulator, scaleTo } = cluster(profile, { a1: 3, a2: 1, b1: 2 });
        for (const t of emulator.control.snapshot("c").tasks.filter((t) => t.ec2InstanceId === "a1")) {
            emulator.control.setTaskProtection("c", t.taskArn, true);
        }
        // AZ a holds the most, and only a2's task there may go.
        expect(scaleTo(5)).toEqual({ a1: 3, b1: 2 });
        expect(scaleTo(3)).toEqual({ a1: 3 });
        // Only protected tasks left: the service stays above its desired count.
        expect(scaleTo(1)).toEqual({ a1: 3 });
    });

    test("scale-in stops follow from the UpdateService call that lowered desiredCount", async () => {
        const h = await startHarness({ profile });
        const owner = ecsClient(h.endpoint, "OWNERKEY");
        try {
            h.emulator.control.createCluster("c");
            addInstances(h.emulator, "c", [
                { id: "a1", az: "us-east-1a" },
                { id: "b1", az: "us-east-1b" },
            ]);
            taskDefinition(h.emulator, "app", { cpu: 10, memory: 10 });
            h.emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 4, initialPlacement: { a1: 2, b1: 2 } });
            h.clock.advance(SETTLE_MS);
            const stops: TaskChange[] = [];
            h.emulator.onTaskChange((c) => c.to === "STOPPING" && stops.push(c));
            const out = await owner.send(new UpdateServiceCommand({ cluster: "c", service: "app", desiredCount: 2 }));
            h.clock.advance(SETTLE_MS);
            expect(stops).toHaveLength(2);
            for (const s of stops) {
                expect(s.cause.step).toBe("scale-in");
                expect(s.cause.root).toMatchObject({ type: "api", operation: "UpdateService", requestId: out.$metadata.requestId, accessKeyId: "OWNERKEY" });
            }
            expect(h.emulator.control.tasksPerInstance("c", "app")).toEqual({ a1: 1, b1: 1 });
        } finally {
            owner.destroy();
            await h.close();
        }
    });
});

describe("service-page reading: every spread level narrows (the instance with the most tasks)", () => {
    test("spread AZ → instance: the AZ with the most, then the instance with the most", () => {
        const { scaleTo } = cluster("service-page", { a1: 3, a2: 1, b1: 2 });
        expect(scaleTo(5)).toEqual({ a1: 2, a2: 1, b1: 2 });
        expect(scaleTo(4)).toEqual({ a1: 1, a2: 1, b1: 2 });
        // AZs tie at 2: the instance with the most of them is b1.
        expect(scaleTo(3)).toEqual({ a1: 1, a2: 1, b1: 1 });
    });

    test("spread on instanceId alone: the instance with the most tasks, whatever its AZ", () => {
        const { scaleTo } = cluster("service-page", { a1: 1, a2: 1, b1: 3 }, { placementStrategy: [{ type: "spread", field: "instanceId" }] });
        expect(scaleTo(4)).toEqual({ a1: 1, a2: 1, b1: 2 });
    });

    test("tasks not yet RUNNING are stopped before running ones (the emulator's choice among equals)", () => {
        const { emulator, clock } = offlineEmulator({ profile: "service-page" });
        emulator.control.createCluster("c");
        addInstances(emulator, "c", [{ id: "only", az: "us-east-1a" }]);
        taskDefinition(emulator, "app", { cpu: 10, memory: 10 });
        emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 2, initialPlacement: { only: 2 } });
        clock.advance(SETTLE_MS);
        const running = new Set(emulator.control.snapshot("c").tasks.map((t) => t.taskArn));
        emulator.control.setDesiredCount("c", "app", 4);
        clock.advance(2_000); // the two new tasks are placed and still PENDING
        expect(emulator.control.snapshot("c").tasks.filter((t) => t.lastStatus === "PENDING")).toHaveLength(2);
        emulator.control.setDesiredCount("c", "app", 2);
        clock.advance(SETTLE_MS);
        expect(new Set(emulator.control.snapshot("c").tasks.map((t) => t.taskArn))).toEqual(running);
    });
});

test("placement-page reading: inside the AZ the task is chosen at random, whichever instance holds it", () => {
    // AZ a holds a1: 3, a2: 1; one task of AZ a goes. Over seeds, a2's single task goes sometimes (never under the
    // service-page reading).
    const lastOnA2 = new Set<boolean>();
    for (let seed = 1; seed <= 30; seed++) {
        const { scaleTo, perAz } = cluster("placement-page", { a1: 3, a2: 1, b1: 2 }, {}, seed);
        const after = scaleTo(5);
        expect(perAz()).toEqual({ "us-east-1a": 3, "us-east-1b": 2 });
        lastOnA2.add((after.a2 ?? 0) === 0);
    }
    expect(lastOnA2).toEqual(new Set([true, false]));
});

describe("adversarial reading: inside the documented AZ rule, the loss that leaves the service least evenly spread", () => {
    test("the single task of the emptier instance goes, not one of the three on the fuller", () => {
        const { scaleTo } = cluster("adversarial", { a1: 3, a2: 1, b1: 2 });
        expect(scaleTo(5)).toEqual({ a1: 3, b1: 2 });
    });

    test("a surge undone: ECS starts the task on the empty instance, and the scale-in takes that one back", () => {
        const { emulator, scaleTo } = cluster("adversarial", { a1: 2, b1: 2 });
        const before = new Set(emulator.control.snapshot("c").tasks.map((t) => t.taskArn));
        expect(scaleTo(5)).toEqual({ a1: 2, a2: 1, b1: 2 });
        expect(scaleTo(4)).toEqual({ a1: 2, b1: 2 });
        expect(new Set(emulator.control.snapshot("c").tasks.map((t) => t.taskArn))).toEqual(before);
    });
});
