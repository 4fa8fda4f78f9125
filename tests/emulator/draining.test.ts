// Draining (UpdateContainerInstancesState DRAINING) replaces the instance's service tasks within each service's
// minimumHealthyPercent and maximumPercent: surge first when maximumPercent allows, no progress at min = max = 100.

import { UpdateContainerInstancesStateCommand } from "@aws-sdk/client-ecs";
import type { EcsEmulator, TaskChange } from "../../local/emulator";
import { addInstances, offlineEmulator, SETTLE_MS, startHarness, taskDefinition } from "./helpers";

function setUp(emulator: EcsEmulator, deploymentConfiguration: Record<string, number>) {
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "old", az: "us-east-1a" },
        { id: "new-1", az: "us-east-1a" },
        { id: "new-2", az: "us-east-1b" },
    ]);
    taskDefinition(emulator, "app", { cpu: 10, memory: 10 });
    emulator.control.createService({
        cluster: "c",
        serviceName: "app",
        taskDefinition: "app",
        desiredCount: 4,
        availabilityZoneRebalancing: "DISABLED",
        deploymentConfiguration,
        initialPlacement: { old: 4 },
    });
}

function countsOverTime(emulator: EcsEmulator) {
    const status = new Map<string, TaskChange>();
    for (const t of emulator.control.snapshot("c").tasks) status.set(t.taskArn, { to: "RUNNING", desiredStatus: "RUNNING" } as TaskChange);
    let minRunning = Infinity;
    let maxActive = 0;
    emulator.onTaskChange((c) => {
        status.set(c.taskArn, c);
        const all = [...status.values()];
        minRunning = Math.min(minRunning, all.filter((t) => t.to === "RUNNING" && t.desiredStatus === "RUNNING").length);
        maxActive = Math.max(maxActive, all.filter((t) => t.desiredStatus === "RUNNING").length);
    });
    return () => ({ minRunning, maxActive });
}

test("default 100/200: replacements run before the draining tasks stop", async () => {
    const h = await startHarness();
    try {
        setUp(h.emulator, {});
        h.clock.advance(SETTLE_MS);
        const stats = countsOverTime(h.emulator);
        const stops: TaskChange[] = [];
        h.emulator.onTaskChange((c) => c.to === "STOPPING" && stops.push(c));
        const old = h.emulator.control.snapshot("c").instances.find((i) => i.ec2InstanceId === "old")!.containerInstanceArn as string;
        const r = await h.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: "c", containerInstances: [old], status: "DRAINING" }));
        expect(r.containerInstances![0]!.status).toBe("DRAINING");
        h.clock.advance(SETTLE_MS);
        // The draining tasks still count for AZ a while the replacements are placed, so all four go to AZ b.
        expect(h.emulator.control.tasksPerInstance("c", "app")).toEqual({ "new-2": 4 });
        expect(stats()).toEqual({ minRunning: 4, maxActive: 8 });
        expect(stops).toHaveLength(4);
        expect(stops.every((s) => s.cause.step === "drain instance" && s.cause.root.type === "api")).toBe(true);
        const task = h.emulator.control.taskView(stops[0]!.taskArn, "c");
        expect(task).toMatchObject({ stopCode: "ServiceSchedulerInitiated", stoppedReason: "Task stopped during instance draining" });
    } finally {
        await h.close();
    }
});

test("min 50 / max 100: half the tasks stop first, then replacements start", () => {
    const { emulator, clock } = offlineEmulator();
    setUp(emulator, { minimumHealthyPercent: 50, maximumPercent: 100 });
    clock.advance(SETTLE_MS);
    const stats = countsOverTime(emulator);
    emulator.control.drainInstance("old");
    clock.advance(SETTLE_MS);
    expect(emulator.control.tasksPerInstance("c", "app")).toEqual({ "new-1": 2, "new-2": 2 });
    expect(stats()).toEqual({ minRunning: 2, maxActive: 4 });
});

test("min = max = 100: draining cannot make progress", () => {
    const { emulator, clock } = offlineEmulator();
    setUp(emulator, { minimumHealthyPercent: 100, maximumPercent: 100 });
    clock.advance(SETTLE_MS);
    emulator.control.drainInstance("old");
    expect(clock.runUntilIdle()).toBe(true);
    expect(emulator.control.tasksPerInstance("c", "app")).toEqual({ old: 4 });
});

test("back to ACTIVE: the instance counts again and nothing more moves", () => {
    const { emulator, clock } = offlineEmulator();
    setUp(emulator, { minimumHealthyPercent: 100, maximumPercent: 100 });
    clock.advance(SETTLE_MS);
    emulator.control.drainInstance("old");
    clock.advance(SETTLE_MS);
    emulator.control.activateInstance("old");
    clock.advance(SETTLE_MS);
    const svc = emulator.control.service("c", "app");
    expect(svc.runningCount).toBe(4);
    expect((svc.events as { message: string }[])[0]!.message).toBe("(service app) has reached a steady state.");
});
