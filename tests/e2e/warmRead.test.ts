// A warm container's read is a cold read, with fewer describes: over passes on the emulator with tasks starting
// and stopping, health checks turning HEALTHY and UNHEALTHY, a restart-policy service and instances leaving, observe()
// with the container's task cache gives, at the same emulated moment, the snapshot observe() without it gives — and
// once warm it made fewer DescribeTasks calls. The emulator charges no time per call here, so both reads see one moment.

import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { ECSClient } from "@aws-sdk/client-ecs";
import { EcsEmulator, VirtualClock } from "../../local/emulator";
import type { ApiCalls } from "../../rebalancer/apiCalls";
import type { ClusterSnapshot } from "../../rebalancer/model";
import { observe } from "../../rebalancer/observe";
import { createTaskCache } from "../../rebalancer/taskCache";
import { createTaskDefinitionCache } from "../../rebalancer/taskDefinitions";

const CLUSTER = "warm";
const INSTANCES = ["i-a1", "i-a2", "i-a3", "i-b1", "i-b2", "i-b3"];

function definition(emulator: EcsEmulator, family: string, extra: Record<string, unknown> = {}): string {
    return emulator.control.registerTaskDefinition({
        family,
        networkMode: "bridge",
        containerDefinitions: [{ name: family, image: `example/${family}:1`, cpu: 16, memory: 32, portMappings: [{ containerPort: 80, hostPort: 0 }], ...extra }],
    });
}

describe("warm and cold reads under churn", () => {
    let emulator: EcsEmulator;
    let clock: VirtualClock;
    let clients: { ecs: ECSClient; autoScaling: ApplicationAutoScalingClient };

    beforeAll(async () => {
        clock = new VirtualClock();
        emulator = new EcsEmulator({ clock, seed: 11, timing: { apiLatencyMs: 0 } });
        const endpoint = await emulator.listen();
        const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIDWARMREAD", secretAccessKey: "x" }, maxAttempts: 1 };
        clients = { ecs: new ECSClient(config), autoScaling: new ApplicationAutoScalingClient(config) };
        emulator.control.createCluster(CLUSTER);
        for (const id of INSTANCES) emulator.control.registerInstance({ cluster: CLUSTER, ec2InstanceId: id, az: id.startsWith("i-a") ? "us-east-1a" : "us-east-1b", cpu: 8192, memory: 16384 });
        const services: Array<[string, string, number]> = [
            // Enough plain tasks that the describes saved are whole batches of 100.
            ["plain", definition(emulator, "plain"), 240],
            ["checked", definition(emulator, "checked", { healthCheck: { command: ["CMD-SHELL", "true"], interval: 10, retries: 3 } }), 30],
            ["restarting", definition(emulator, "restarting", { restartPolicy: { enabled: true, restartAttemptPeriod: 60 } }), 20],
        ];
        for (const [name, taskDefinition, desiredCount] of services) {
            emulator.control.createService({ cluster: CLUSTER, serviceName: name, taskDefinition, desiredCount, launchType: "EC2" });
        }
        emulator.control.registerScalableTarget(CLUSTER, "plain", 1, 500);
        clock.advance(60_000);
    });

    afterAll(async () => {
        clients.ecs.destroy();
        clients.autoScaling.destroy();
        await emulator.close();
        clock.dispose();
    });

    test("every pass: the same snapshot; warm passes describe fewer tasks", async () => {
        const clusterArn = `arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`;
        // One container's knowledge: its task-definition cache is shared, so only the task cache tells the reads apart.
        const definitions = createTaskDefinitionCache();
        const taskCache = createTaskCache();
        const seen = { pending: 0, healthy: 0, unhealthy: 0, unknownChecked: 0, restartingRunning: 0 };
        const describes: Array<{ cold: number; warm: number }> = [];

        const pass = async (why: string): Promise<ClusterSnapshot> => {
            const coldCalls: ApiCalls = {};
            const warmCalls: ApiCalls = {};
            const before = clock.now();
            // Cold first: the warm read then learns definitions only after its own snapshot, so both see the same ones.
            const cold = await observe(clients, clusterArn, definitions, before, coldCalls);
            const warm = await observe(clients, clusterArn, definitions, before, warmCalls, { taskCache });
            expect(clock.now()).toBe(before);
            expect({ why, snapshot: warm }).toEqual({ why, snapshot: cold });
            describes.push({ cold: coldCalls.DescribeTasks ?? 0, warm: warmCalls.DescribeTasks ?? 0 });
            expect(warmCalls.ListTasks).toBe(coldCalls.ListTasks);
            for (const t of cold.tasks) {
                if (t.lastStatus === "PENDING") seen.pending++;
                if (t.healthStatus === "HEALTHY") seen.healthy++;
                if (t.healthStatus === "UNHEALTHY") seen.unhealthy++;
                if (t.serviceName === "checked" && t.lastStatus === "RUNNING" && t.healthStatus === "UNKNOWN") seen.unknownChecked++;
                if (t.serviceName === "restarting" && t.lastStatus === "RUNNING") seen.restartingRunning++;
            }
            // The cache holds listed tasks only.
            expect(taskCache.size).toBeLessThanOrEqual(cold.tasks.length);
            return cold;
        };

        await pass("settled cluster, cold container");
        await pass("nothing changed");
        // Scale out: new tasks PENDING (placed, not started) at the next read.
        emulator.control.setDesiredCount(CLUSTER, "plain", 300);
        emulator.control.setDesiredCount(CLUSTER, "checked", 45);
        clock.advance(2_000);
        await pass("tasks starting");
        // Started, the checked ones still UNKNOWN (their health check not yet evaluated).
        clock.advance(5_000);
        await pass("tasks running, health not yet checked");
        clock.advance(12_000);
        await pass("health checks passed");
        // A bad host: its checked tasks turn UNHEALTHY, then are replaced.
        emulator.control.setHealthChecksFailing("i-a1", true);
        clock.advance(11_000);
        await pass("tasks unhealthy on i-a1");
        emulator.control.setHealthChecksFailing("i-a1", false);
        // An instance leaves: its tasks stop and are replaced elsewhere; scale in too.
        const goneArn = String(emulator.control.snapshot(CLUSTER).instances.find((i) => i.ec2InstanceId === "i-b3")?.containerInstanceArn);
        emulator.control.terminateInstance("i-b3");
        emulator.control.setDesiredCount(CLUSTER, "plain", 200);
        clock.advance(3_000);
        await pass("instance gone, scale-in, replacements starting");
        clock.advance(120_000);
        const last = await pass("settled again");

        // The churn happened: otherwise equal snapshots would prove little.
        expect(seen.pending).toBeGreaterThan(0);
        expect(seen.healthy).toBeGreaterThan(0);
        expect(seen.unhealthy).toBeGreaterThan(0);
        expect(seen.unknownChecked).toBeGreaterThan(0);
        expect(seen.restartingRunning).toBeGreaterThan(0);
        expect(goneArn).toMatch(/^arn:aws:ecs:/);
        expect(last.tasks.some((t) => t.containerInstanceArn === goneArn)).toBe(false);
        // The first warm pass has nothing cached yet; every later one describes fewer tasks than the cold read.
        expect(describes[0].warm).toBe(describes[0].cold);
        for (const d of describes.slice(1)) expect(d.warm).toBeLessThan(d.cold);
        // Settled, only the checked and restarting services' tasks (at most 65) are described again: one batch.
        expect(describes[describes.length - 1]).toEqual({ cold: Math.ceil(last.tasks.length / 100), warm: 1 });
        // Nothing the cache holds can change: tasks of the checked and restarting definitions are never in it.
        expect(taskCache.size).toBe(last.tasks.filter((t) => t.serviceName === "plain").length);
    });
});
