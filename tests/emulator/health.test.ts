// Task health and the healthy floor: a task with no container health check counts toward minimumHealthyPercent 40 s
// after it is RUNNING (API reference, DeploymentConfiguration); a task whose container health check fails is
// UNHEALTHY and ECS replaces it — a healthy replacement first where maximumPercent allows (What's New, 2023-10-23),
// else the unhealthy tasks one by one within minimumHealthyPercent.

import type { EcsEmulator, EcsEvent, TaskChange } from "../../local/emulator";
import type { VirtualClock } from "../../local/emulator";
import { addInstances, offlineEmulator, SETTLE_MS, taskDefinition } from "./helpers";

const ECS = "AmazonEC2ContainerServiceV20141113";

function cluster(): { emulator: EcsEmulator; clock: VirtualClock; changes: TaskChange[]; events: EcsEvent[] } {
    const { emulator, clock } = offlineEmulator({ timing: { taskStartMs: 5_000, healthCheckMs: 20_000 } });
    const changes: TaskChange[] = [];
    const events: EcsEvent[] = [];
    emulator.onTaskChange((c) => changes.push(c));
    emulator.onEvent((e) => events.push(e));
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "i-a", az: "us-east-1a" },
        { id: "i-b", az: "us-east-1b" },
    ]);
    return { emulator, clock, changes, events };
}

function checked(emulator: EcsEmulator): void {
    emulator.control.registerTaskDefinition({
        family: "checked",
        containerDefinitions: [{ name: "app", image: "x", cpu: 10, memory: 10, essential: true, healthCheck: { command: ["CMD-SHELL", "true"] } }],
    });
}

test("without a health check a new task counts toward the floor only 40 s after RUNNING: a 100 % deployment waits for it", () => {
    const { emulator, clock, changes, events } = cluster();
    taskDefinition(emulator, "plain", { cpu: 10, memory: 10 });
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "plain", desiredCount: 2, availabilityZoneRebalancing: "DISABLED", initialPlacement: { "i-a": 1, "i-b": 1 } });
    clock.advance(SETTLE_MS);
    const old = new Set(emulator.control.snapshot("c").tasks.map((t) => t.taskArn));
    emulator.call(`${ECS}.UpdateService`, { cluster: "c", service: "app", forceNewDeployment: true });
    clock.advance(SETTLE_MS);
    const firstNewRunning = Math.min(...changes.filter((c) => !old.has(c.taskArn) && c.to === "RUNNING").map((c) => c.time));
    const firstOldStopping = Math.min(...changes.filter((c) => old.has(c.taskArn) && c.to === "STOPPING").map((c) => c.time));
    expect(firstOldStopping - firstNewRunning).toBeGreaterThanOrEqual(40_000);
    expect(firstOldStopping - firstNewRunning).toBeLessThan(45_000);
    // Steady state, too, comes once every task counts as healthy.
    const lastRunning = Math.max(...changes.filter((c) => c.to === "RUNNING").map((c) => c.time));
    const steady = events.filter((e) => e.detail.eventName === "SERVICE_STEADY_STATE").map((e) => Date.parse(e.time));
    expect(steady.at(-1)! - lastRunning).toBeGreaterThanOrEqual(39_000);
});

test("an UNHEALTHY task is replaced by a healthy one first (maximumPercent 200), then stopped, with ECS's reason", () => {
    const { emulator, clock, changes } = cluster();
    checked(emulator);
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "checked", desiredCount: 2, availabilityZoneRebalancing: "DISABLED", initialPlacement: { "i-a": 1, "i-b": 1 } });
    clock.advance(SETTLE_MS);
    const onA = emulator.control.snapshot("c").tasks.find((t) => t.ec2InstanceId === "i-a")!.taskArn;
    const failingFrom = clock.now();
    emulator.control.setHealthChecksFailing("i-a", true);
    clock.advance(SETTLE_MS);
    const unhealthyAt = changes.find((c) => c.taskArn === onA && c.to === "STOPPING")!.time;
    const replacement = changes.find((c) => c.from === undefined && c.time > failingFrom && c.time < unhealthyAt)!;
    expect(replacement.cause.root).toEqual({ type: "scheduler", reason: "replace unhealthy task" });
    const replacementHealthyBy = changes.find((c) => c.taskArn === replacement.taskArn && c.to === "RUNNING")!.time + 20_000;
    expect(unhealthyAt).toBeGreaterThanOrEqual(replacementHealthyBy);
    const stopped = (emulator.call(`${ECS}.DescribeTasks`, { cluster: "c", tasks: [onA] }).body as { tasks: { stoppedReason: string; healthStatus: string }[] }).tasks[0]!;
    expect(stopped).toMatchObject({ stoppedReason: "Task failed container health checks", healthStatus: "UNHEALTHY" });
    // Every healthy task the service had stayed until a healthy replacement ran.
    expect(emulator.control.snapshot("c").tasks.filter((t) => t.healthStatus === "HEALTHY")).toHaveLength(2);
});

test("with no room to start first (maximumPercent 100), the unhealthy task stops first, within minimumHealthyPercent", () => {
    const { emulator, clock, changes } = cluster();
    checked(emulator);
    emulator.control.createService({
        cluster: "c", serviceName: "app", taskDefinition: "checked", desiredCount: 2, availabilityZoneRebalancing: "DISABLED",
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100 }, initialPlacement: { "i-a": 1, "i-b": 1 },
    });
    clock.advance(SETTLE_MS);
    const onA = emulator.control.snapshot("c").tasks.find((t) => t.ec2InstanceId === "i-a")!.taskArn;
    const failingFrom = clock.now();
    emulator.control.setHealthChecksFailing("i-a", true);
    clock.advance(SETTLE_MS);
    const stoppedAt = changes.find((c) => c.taskArn === onA && c.to === "STOPPING")!.time;
    const started = changes.filter((c) => c.from === undefined && c.time > failingFrom);
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(started[0]!.time).toBeGreaterThanOrEqual(stoppedAt);
});

test("minimumHealthyPercent 100 and maximumPercent 100: an unhealthy task still goes (stopping it costs no healthy task)", () => {
    const { emulator, clock } = cluster();
    checked(emulator);
    emulator.control.createService({
        cluster: "c", serviceName: "app", taskDefinition: "checked", desiredCount: 2, availabilityZoneRebalancing: "DISABLED",
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 100 }, initialPlacement: { "i-a": 1, "i-b": 1 },
    });
    clock.advance(SETTLE_MS);
    emulator.control.setHealthChecksFailing("i-a", true);
    emulator.control.setHealthChecksFailing("i-b", true);
    clock.advance(20_001);
    expect(emulator.control.snapshot("c").tasks.map((t) => t.healthStatus)).toEqual(["UNHEALTHY", "UNHEALTHY"]);
    clock.advance(SETTLE_MS);
    // Both hosts are bad: every replacement fails its check in turn; the service keeps replacing, never above desired.
    expect(emulator.control.snapshot("c").tasks.length).toBeLessThanOrEqual(2);
    emulator.control.setHealthChecksFailing("i-a", false);
    emulator.control.setHealthChecksFailing("i-b", false);
    clock.advance(SETTLE_MS);
    expect(emulator.control.snapshot("c").tasks.map((t) => t.healthStatus)).toEqual(["HEALTHY", "HEALTHY"]);
});
