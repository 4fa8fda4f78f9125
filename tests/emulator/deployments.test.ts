// Rolling deployments: minimumHealthyPercent (rounded up) and maximumPercent (rounded down) hold at every
// moment, new tasks are placed counting the old ones (the documented "flip"), rollout states and the circuit breaker.

import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { EcsEmulator, EcsEvent, TaskChange } from "../../local/emulator";
import { addInstances, offlineEmulator, SETTLE_MS, startHarness, taskDefinition } from "./helpers";

/** Tracks a service's tasks by state through task changes, checking the deployment bounds after each one. */
function watchBounds(emulator: EcsEmulator, service: string, desired: number, minPercent: number, maxPercent: number) {
    const state = new Map<string, Pick<TaskChange, "to" | "desiredStatus">>();
    for (const t of emulator.control.snapshot("c").tasks) {
        if (t.serviceName === service) state.set(t.taskArn, { to: t.lastStatus as TaskChange["to"], desiredStatus: "RUNNING" });
    }
    const violations: string[] = [];
    let maxActive = 0;
    let minRunning = Infinity;
    emulator.onTaskChange((c) => {
        if (c.service !== service) return;
        state.set(c.taskArn, c);
        const all = [...state.values()];
        const active = all.filter((t) => t.desiredStatus === "RUNNING").length;
        const running = all.filter((t) => t.to === "RUNNING" && t.desiredStatus === "RUNNING").length;
        maxActive = Math.max(maxActive, active);
        minRunning = Math.min(minRunning, running);
        if (active > Math.floor((desired * maxPercent) / 100)) violations.push(`${active} active at ${c.time}`);
        if (running < Math.ceil((desired * minPercent) / 100)) violations.push(`${running} running at ${c.time}`);
    });
    return { violations, stats: () => ({ maxActive, minRunning }) };
}

function fourInstances(emulator: EcsEmulator) {
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "a1", az: "us-east-1a" },
        { id: "a2", az: "us-east-1a" },
        { id: "b1", az: "us-east-1b" },
        { id: "b2", az: "us-east-1b" },
    ]);
    taskDefinition(emulator, "app", { cpu: 256, memory: 256 });
}

test.each([
    [100, 200],
    [50, 100],
    [50, 150],
    [75, 125],
])("forceNewDeployment with min %i%% / max %i%% replaces every task within the bounds", async (minPercent, maxPercent) => {
    const h = await startHarness();
    try {
        fourInstances(h.emulator);
        h.emulator.control.createService({
            cluster: "c",
            serviceName: "app",
            taskDefinition: "app",
            desiredCount: 4,
            availabilityZoneRebalancing: "DISABLED",
            deploymentConfiguration: { minimumHealthyPercent: minPercent, maximumPercent: maxPercent },
            initialPlacement: { a1: 1, a2: 1, b1: 1, b2: 1 },
        });
        h.clock.advance(SETTLE_MS);
        const before = new Set(h.emulator.control.snapshot("c").tasks.map((t) => t.taskArn));
        const bounds = watchBounds(h.emulator, "app", 4, minPercent, maxPercent);
        await h.ecs.send(new UpdateServiceCommand({ cluster: "c", service: "app", forceNewDeployment: true }));
        const during = (await h.ecs.send(new DescribeServicesCommand({ cluster: "c", services: ["app"] }))).services![0]!;
        expect(during.deployments!.map((d) => [d.status, d.rolloutState])).toEqual([
            ["PRIMARY", "IN_PROGRESS"],
            ["ACTIVE", "COMPLETED"],
        ]);
        h.clock.advance(SETTLE_MS);
        expect(bounds.violations).toEqual([]);
        const after = h.emulator.control.snapshot("c").tasks;
        expect(after).toHaveLength(4);
        expect(after.every((t) => !before.has(t.taskArn) && t.lastStatus === "RUNNING")).toBe(true);
        const svc = (await h.ecs.send(new DescribeServicesCommand({ cluster: "c", services: ["app"] }))).services![0]!;
        expect(svc.deployments!.map((d) => [d.status, d.rolloutState])).toEqual([["PRIMARY", "COMPLETED"]]);
        // The bounds were reached, not just respected: the deployment used its room.
        const { maxActive, minRunning } = bounds.stats();
        expect(maxActive).toBe(Math.floor((4 * maxPercent) / 100));
        expect(minRunning).toBe(Math.ceil((4 * minPercent) / 100));
    } finally {
        await h.close();
    }
});

test("new tasks are placed counting the old ones: a redeploy flips a two-AZ imbalance", () => {
    const { emulator, clock } = offlineEmulator();
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "a1", az: "us-east-1a" },
        { id: "b1", az: "us-east-1b" },
    ]);
    taskDefinition(emulator, "app");
    emulator.control.createService({
        cluster: "c",
        serviceName: "web",
        taskDefinition: "app",
        desiredCount: 2,
        availabilityZoneRebalancing: "DISABLED",
        initialPlacement: { a1: 2 },
    });
    clock.advance(SETTLE_MS);
    expect(emulator.control.tasksPerInstance("c", "web")).toEqual({ a1: 2 });
    emulator.call("AmazonEC2ContainerServiceV20141113.UpdateService", { cluster: "c", service: "web", forceNewDeployment: true });
    clock.advance(SETTLE_MS);
    // AZ a held both old tasks, so both new ones went to AZ b; then the old ones were stopped.
    expect(emulator.control.tasksPerInstance("c", "web")).toEqual({ b1: 2 });
});

test("a new task definition starts a deployment; a desiredCount change alone does not", async () => {
    const { emulator, clock } = offlineEmulator();
    fourInstances(emulator);
    const events: EcsEvent[] = [];
    emulator.onEvent((e) => events.push(e));
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 2 });
    clock.advance(SETTLE_MS);
    const firstDeployment = (emulator.control.service("c", "app").deployments as { id: string }[])[0]!.id;
    emulator.control.setDesiredCount("c", "app", 3);
    clock.advance(SETTLE_MS);
    expect((emulator.control.service("c", "app").deployments as { id: string }[]).map((d) => d.id)).toEqual([firstDeployment]);
    const v2 = taskDefinition(emulator, "app", { cpu: 128, memory: 128 });
    emulator.call("AmazonEC2ContainerServiceV20141113.UpdateService", { cluster: "c", service: "app", taskDefinition: "app:2" });
    clock.advance(SETTLE_MS);
    const svc = emulator.control.service("c", "app");
    expect(svc.taskDefinition).toBe(v2);
    expect(emulator.control.snapshot("c").tasks.map((t) => t.taskDefinitionArn)).toEqual([v2, v2, v2]);
    const deploymentEvents = events.filter((e) => e["detail-type"] === "ECS Deployment State Change").map((e) => e.detail.eventName);
    expect(deploymentEvents).toEqual(["SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED"]);
});

test("the circuit breaker fails a deployment whose tasks cannot be placed, and rolls back", () => {
    const { emulator, clock } = offlineEmulator();
    fourInstances(emulator);
    const events: EcsEvent[] = [];
    emulator.onEvent((e) => events.push(e));
    emulator.control.createService({
        cluster: "c",
        serviceName: "app",
        taskDefinition: "app",
        desiredCount: 2,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    clock.advance(SETTLE_MS);
    const good = emulator.control.service("c", "app").taskDefinition;
    taskDefinition(emulator, "app", { cpu: 99_999, memory: 256 });
    emulator.call("AmazonEC2ContainerServiceV20141113.UpdateService", { cluster: "c", service: "app", taskDefinition: "app:2" });
    clock.advance(SETTLE_MS);
    const names = events.filter((e) => e["detail-type"] === "ECS Deployment State Change").map((e) => [e.detail.eventName, e.detail.eventType]);
    expect(names).toEqual([
        ["SERVICE_DEPLOYMENT_IN_PROGRESS", "INFO"],
        ["SERVICE_DEPLOYMENT_COMPLETED", "INFO"],
        ["SERVICE_DEPLOYMENT_IN_PROGRESS", "INFO"],
        ["SERVICE_DEPLOYMENT_FAILED", "ERROR"],
        ["SERVICE_DEPLOYMENT_IN_PROGRESS", "INFO"],
        ["SERVICE_DEPLOYMENT_COMPLETED", "INFO"],
    ]);
    expect(String(events.filter((e) => e.detail.eventName === "SERVICE_DEPLOYMENT_IN_PROGRESS")[2]!.detail.reason)).toMatch(/^ECS deployment circuit breaker: rolling back to deploymentId ecs-svc\/\d+\.$/);
    const svc = emulator.control.service("c", "app");
    expect(svc.taskDefinition).toBe(good);
    expect(svc.runningCount).toBe(2);
});

test("without rollback a failed deployment launches nothing more and keeps the old tasks", () => {
    const { emulator, clock } = offlineEmulator();
    fourInstances(emulator);
    emulator.control.createService({
        cluster: "c",
        serviceName: "app",
        taskDefinition: "app",
        desiredCount: 2,
        deploymentConfiguration: { minimumHealthyPercent: 50, deploymentCircuitBreaker: { enable: true, rollback: false } },
    });
    clock.advance(SETTLE_MS);
    taskDefinition(emulator, "app", { cpu: 99_999, memory: 256 });
    emulator.call("AmazonEC2ContainerServiceV20141113.UpdateService", { cluster: "c", service: "app", taskDefinition: "app:2" });
    clock.advance(SETTLE_MS);
    const svc = emulator.control.service("c", "app");
    const deployments = svc.deployments as { status: string; rolloutState: string; failedTasks: number }[];
    expect(deployments[0]).toMatchObject({ status: "PRIMARY", rolloutState: "FAILED" });
    expect(deployments[0]!.failedTasks).toBeGreaterThanOrEqual(10);
    expect(deployments[1]).toMatchObject({ status: "ACTIVE" });
    // minimumHealthyPercent 50 allowed one old task to go before the new ones could not be placed.
    expect(svc.runningCount).toBeGreaterThanOrEqual(1);
    expect(clock.runUntilIdle()).toBe(true);
});

test("with a container health check, replaced tasks stop only once the new ones are HEALTHY", () => {
    const { emulator, clock } = offlineEmulator({ timing: { taskStartMs: 5_000, healthCheckMs: 60_000 } });
    fourInstances(emulator);
    emulator.control.registerTaskDefinition({
        family: "checked",
        containerDefinitions: [{ name: "app", image: "x", cpu: 10, memory: 10, healthCheck: { command: ["CMD-SHELL", "true"] } }],
    });
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "checked", desiredCount: 2, availabilityZoneRebalancing: "DISABLED" });
    clock.advance(SETTLE_MS);
    expect(emulator.control.snapshot("c").tasks.map((t) => t.healthStatus)).toEqual(["HEALTHY", "HEALTHY"]);
    const old = new Set(emulator.control.snapshot("c").tasks.map((t) => t.taskArn));
    emulator.call("AmazonEC2ContainerServiceV20141113.UpdateService", { cluster: "c", service: "app", forceNewDeployment: true });
    clock.advance(30_000); // new tasks RUNNING but not yet HEALTHY
    const midway = emulator.control.snapshot("c").tasks;
    expect(midway.filter((t) => old.has(t.taskArn))).toHaveLength(2);
    expect(midway.filter((t) => !old.has(t.taskArn)).map((t) => [t.lastStatus, t.healthStatus])).toEqual([
        ["RUNNING", "UNKNOWN"],
        ["RUNNING", "UNKNOWN"],
    ]);
    clock.advance(SETTLE_MS);
    expect(emulator.control.snapshot("c").tasks.every((t) => !old.has(t.taskArn) && t.healthStatus === "HEALTHY")).toBe(true);
});

test("changing the placement strategy starts a deployment that re-places every task", () => {
    const { emulator, clock } = offlineEmulator();
    fourInstances(emulator);
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 4, availabilityZoneRebalancing: "DISABLED" });
    clock.advance(SETTLE_MS);
    expect(emulator.control.tasksPerInstance("c", "app")).toEqual({ a1: 1, a2: 1, b1: 1, b2: 1 });
    emulator.call("AmazonEC2ContainerServiceV20141113.UpdateService", { cluster: "c", service: "app", placementStrategy: [{ type: "binpack", field: "memory" }] });
    clock.advance(SETTLE_MS);
    // Binpack keeps filling the instance the first new task landed on.
    expect(Object.values(emulator.control.tasksPerInstance("c", "app"))).toEqual([4]);
    expect((emulator.control.service("c", "app").deployments as unknown[]).length).toBe(1);
});

// Chaos (seeds 502361220, 1727426696, 397187172): an owner lowered desiredCount 4 → 1 during a redeploy (min 50 %,
// max 100 %); the new task already PENDING became RUNNING beside the old one still serving: 2 running, the new
// ceiling 1. maximumPercent is "an upper limit on the number of your service's tasks that are allowed in the RUNNING
// or PENDING state during a deployment": from its next look the scheduler stops what is still starting above it.
test("desiredCount lowered mid-deployment: tasks still starting above the new maximumPercent are stopped, the floor kept", () => {
    const { emulator, clock } = offlineEmulator();
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [{ id: "a1", az: "us-east-1a", cpu: 4096, memory: 8192 }]);
    taskDefinition(emulator, "app", { cpu: 256, memory: 256 });
    emulator.control.createService({
        cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 4, availabilityZoneRebalancing: "DISABLED",
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100 }, initialPlacement: { a1: 4 },
    });
    clock.advance(SETTLE_MS);
    emulator.call("AmazonEC2ContainerServiceV20141113.UpdateService", { cluster: "c", service: "app", forceNewDeployment: true });
    clock.advance(1_500);
    // Two old tasks stopping (the floor of 2 allows it), two new ones PENDING.
    expect(emulator.control.snapshot("c").tasks.map((t) => t.lastStatus).sort()).toEqual(["PENDING", "PENDING", "RUNNING", "RUNNING"]);
    const bounds = watchBounds(emulator, "app", 1, 50, 100);
    const startedAbove: string[] = [];
    let running = 2;
    emulator.onTaskChange((c) => {
        if (c.service !== "app") return;
        if (c.to === "RUNNING" && c.desiredStatus === "RUNNING" && ++running > 1) startedAbove.push(c.taskArn);
        if (c.from === "RUNNING" && c.to === "STOPPING") running--;
    });
    emulator.control.setDesiredCount("c", "app", 1);
    clock.advance(SETTLE_MS);
    expect(startedAbove).toEqual([]);
    expect(bounds.stats().minRunning).toBeGreaterThanOrEqual(1);
    expect(emulator.control.snapshot("c").tasks.filter((t) => t.lastStatus === "RUNNING")).toHaveLength(1);
});
