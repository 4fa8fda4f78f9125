// Balanced scale-in: with spread strategies the task goes from the AZ with the most of the service's tasks,
// then from the instance with the most; binpack stops where most resources remain; protected tasks are
// never chosen; tasks not yet RUNNING go first; the stops follow from the desiredCount change.

import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { TaskChange } from "../../local/emulator";
import { addInstances, ecsClient, offlineEmulator, SETTLE_MS, startHarness, taskDefinition } from "./helpers";

function cluster(placement: Record<string, number>, extra: Record<string, unknown> = {}) {
    const { emulator, clock } = offlineEmulator();
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
    return { emulator, clock, scaleTo };
}

test("spread AZ → instance: the AZ with the most tasks first, then the instance with the most", () => {
    const { scaleTo } = cluster({ a1: 3, a2: 1, b1: 2 });
    // AZ a holds 4, AZ b 2: from AZ a, and there from a1 (3).
    expect(scaleTo(5)).toEqual({ a1: 2, a2: 1, b1: 2 });
    // AZ a 3, AZ b 2: from AZ a again, a1 (2) over a2 (1).
    expect(scaleTo(4)).toEqual({ a1: 1, a2: 1, b1: 2 });
    // AZs tie at 2: the instance with the most of them is b1.
    expect(scaleTo(3)).toEqual({ a1: 1, a2: 1, b1: 1 });
});

test("spread on instanceId alone: the instance with the most tasks, whatever its AZ", () => {
    const { scaleTo } = cluster({ a1: 1, a2: 1, b1: 3 }, { placementStrategy: [{ type: "spread", field: "instanceId" }] });
    expect(scaleTo(4)).toEqual({ a1: 1, a2: 1, b1: 2 });
});

test("binpack: the task goes where the most resources remain after it stops", () => {
    const { emulator, clock } = offlineEmulator();
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "big", az: "us-east-1a", memory: 8192 },
        { id: "small", az: "us-east-1a", memory: 2048 },
    ]);
    taskDefinition(emulator, "app", { cpu: 10, memory: 512 });
    emulator.control.createService({
        cluster: "c",
        serviceName: "app",
        taskDefinition: "app",
        desiredCount: 4,
        placementStrategy: [{ type: "binpack", field: "memory" }],
        initialPlacement: { big: 2, small: 2 },
    });
    clock.advance(SETTLE_MS);
    emulator.control.setDesiredCount("c", "app", 3);
    clock.advance(SETTLE_MS);
    expect(emulator.control.tasksPerInstance("c", "app")).toEqual({ big: 1, small: 2 });
});

test("protected tasks are never chosen for scale-in", () => {
    const { emulator, scaleTo } = cluster({ a1: 3, a2: 1, b1: 2 });
    for (const t of emulator.control.snapshot("c").tasks.filter((t) => t.ec2InstanceId === "a1")) {
        emulator.control.setTaskProtection("c", t.taskArn, true);
    }
    // a1 would be first choice; its tasks are protected, so the next most loaded instance of AZ a goes.
    expect(scaleTo(5)).toEqual({ a1: 3, b1: 2 });
    expect(scaleTo(3)).toEqual({ a1: 3 });
    // Only protected tasks left: the service stays above its desired count.
    expect(scaleTo(1)).toEqual({ a1: 3 });
});

test("tasks not yet RUNNING are stopped before running ones", () => {
    const { emulator, clock } = offlineEmulator();
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

test("scale-in stops follow from the UpdateService call that lowered desiredCount", async () => {
    const h = await startHarness();
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
