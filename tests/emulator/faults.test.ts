// Fault injection: ECS's throttling buckets (burst, then the sustained rate on the emulated clock), server
// errors and latency, duplicated and delayed events; all off by default, counted, and reproducible per seed.

import { DescribeServicesCommand, ECSClient, ListServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { THROTTLE_CATEGORIES, type EcsEvent } from "../../local/emulator";
import { AUTOSCALING_OPERATIONS, ECS_OPERATIONS } from "../../local/emulator/operations";
import { addInstances, CREDENTIALS, SETTLE_MS, startHarness, taskDefinition, type Harness } from "./helpers";

async function outcome(p: Promise<unknown>): Promise<string> {
    try {
        await p;
        return "ok";
    } catch (e) {
        return (e as Error).name;
    }
}

async function withHarness(options: Parameters<typeof startHarness>[0], body: (h: Harness) => Promise<void>): Promise<void> {
    const h = await startHarness(options);
    try {
        h.emulator.control.createCluster("c");
        await body(h);
    } finally {
        await h.close();
    }
}

test("faults are off by default", async () => {
    await withHarness({ timing: { apiLatencyMs: 0 } }, async (h) => {
        const results = await Promise.all(Array.from({ length: 150 }, () => outcome(h.ecs.send(new ListServicesCommand({ cluster: "c" })))));
        expect(new Set(results)).toEqual(new Set(["ok"]));
        expect(h.emulator.faultsInjected).toEqual({ throttled: 0, serverErrors: 0, latency: 0, eventDuplicates: 0, eventDelays: 0, agentReconnects: 0 });
    });
});

test("throttling: the service-read bucket allows a burst of 100, then refills at 20 per second", async () => {
    await withHarness({ faults: { throttling: true }, timing: { apiLatencyMs: 0 } }, async (h) => {
        const burst: string[] = [];
        for (let i = 0; i < 101; i++) burst.push(await outcome(h.ecs.send(new ListServicesCommand({ cluster: "c" }))));
        expect(burst.slice(0, 100).every((r) => r === "ok")).toBe(true);
        expect(burst[100]).toBe("ThrottlingException");
        // Other categories have their own bucket.
        expect(await outcome(h.ecs.send(new ListTasksCommand({ cluster: "c" })))).toBe("ok");
        h.clock.advance(1_000);
        const refill: string[] = [];
        for (let i = 0; i < 21; i++) refill.push(await outcome(h.ecs.send(new DescribeServicesCommand({ cluster: "c", services: ["x"] }))));
        expect(refill.filter((r) => r === "ok")).toHaveLength(20);
        expect(refill[20]).toBe("ThrottlingException");
        expect(h.emulator.faultsInjected.throttled).toBe(2);
        expect(h.emulator.apiCalls).toEqual({ ListServices: 101, ListTasks: 1, DescribeServices: 21 });
    });
});

test("throttled calls carry ECS's error shape", async () => {
    await withHarness({ faults: { throttling: true }, timing: { apiLatencyMs: 0 } }, async (h) => {
        for (let i = 0; i < 50; i++) h.emulator.call("AmazonEC2ContainerServiceV20141113.CreateService", { cluster: "c" });
        const r = h.emulator.call("AmazonEC2ContainerServiceV20141113.UpdateService", { cluster: "c", service: "x" });
        expect(r.status).toBe(400);
        expect(r.body).toEqual({ __type: "ThrottlingException", message: "Rate exceeded" });
    });
});

test("every emulated operation has a throttling bucket; tag writes and DescribeScalableTargets included", async () => {
    const operations = [...Object.keys(ECS_OPERATIONS), ...Object.keys(AUTOSCALING_OPERATIONS)];
    const throttled = new Set(THROTTLE_CATEGORIES.flatMap((c) => c.operations));
    expect(operations.filter((op) => !throttled.has(op))).toEqual([]);
    await withHarness({ faults: { throttling: true }, timing: { apiLatencyMs: 0 } }, async (h) => {
        const arn = "arn:aws:ecs:us-east-1:123456789012:cluster/c";
        const tag = () => h.emulator.call("AmazonEC2ContainerServiceV20141113.TagResource", { resourceArn: arn, tags: [{ key: "k", value: "v" }] });
        const untag = () => h.emulator.call("AmazonEC2ContainerServiceV20141113.UntagResource", { resourceArn: arn, tagKeys: ["k"] });
        const statuses = Array.from({ length: 51 }, (_, i) => (i % 2 ? untag() : tag()).status);
        // TagResource and UntagResource share one bucket of 50
        expect(statuses.slice(0, 50).every((s) => s === 200)).toBe(true);
        expect(h.emulator.call("AmazonEC2ContainerServiceV20141113.TagResource", { resourceArn: arn, tags: [{ key: "k" }] }).body).toEqual({
            __type: "ThrottlingException",
            message: "Rate exceeded",
        });
        const scalable = () => h.emulator.call("AnyScaleFrontendService.DescribeScalableTargets", { ServiceNamespace: "ecs" }).status;
        const answers = Array.from({ length: 51 }, scalable);
        expect(answers.filter((s) => s === 400)).toHaveLength(1);
        expect(answers[50]).toBe(400);
    });
});

async function errorPattern(seed: number): Promise<string[]> {
    const results: string[] = [];
    await withHarness({ seed, faults: { serverErrorRate: 0.3 } }, async (h) => {
        for (let i = 0; i < 40; i++) results.push(await outcome(h.ecs.send(new ListServicesCommand({ cluster: "c" }))));
        expect(h.emulator.faultsInjected.serverErrors).toBe(results.filter((r) => r === "ServerException").length);
    });
    return results;
}

test("server errors are injected at the configured rate, the same way for the same seed", async () => {
    const a = await errorPattern(11);
    expect(await errorPattern(11)).toEqual(a);
    const failures = a.filter((r) => r === "ServerException").length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(25);
    expect(await errorPattern(12)).not.toEqual(a);
});

test("latency: emulated time moves, and a real delay makes a client time out", async () => {
    await withHarness({ faults: { latency: { rate: 1, emulatedMs: 2_000, realMs: 300 }, operations: ["ListTasks"] } }, async (h) => {
        const start = h.clock.now();
        await h.ecs.send(new ListServicesCommand({ cluster: "c" }));
        expect(h.clock.now() - start).toBe(10);
        const impatient = new ECSClient({ endpoint: h.endpoint, region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1, requestHandler: { requestTimeout: 100, throwOnRequestTimeout: true } });
        try {
            const before = h.clock.now();
            expect(await outcome(impatient.send(new ListTasksCommand({ cluster: "c" })))).toBe("TimeoutError");
            expect(h.clock.now() - before).toBe(2_010);
        } finally {
            impatient.destroy();
        }
        expect(h.emulator.faultsInjected.latency).toBe(1);
    });
});

function collectEvents(h: Harness): EcsEvent[] {
    const events: EcsEvent[] = [];
    h.emulator.onEvent((e) => events.push(e));
    addInstances(h.emulator, "c", [
        { id: "i-1", az: "us-east-1a" },
        { id: "i-2", az: "us-east-1b" },
    ]);
    taskDefinition(h.emulator, "app");
    h.emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 4 });
    h.clock.advance(SETTLE_MS);
    return events;
}

test("duplicated events arrive twice with the same id and version", async () => {
    await withHarness({ faults: { eventDuplicateRate: 1, eventDelayMs: 1_000 } }, async (h) => {
        const events = collectEvents(h);
        const emitted = Object.values(h.emulator.eventsEmitted).reduce((a, b) => a + b, 0);
        expect(events).toHaveLength(2 * emitted);
        const ids = new Map<string, number>();
        for (const e of events) ids.set(e.id, (ids.get(e.id) ?? 0) + 1);
        expect(new Set(ids.values())).toEqual(new Set([2]));
        expect(h.emulator.faultsInjected.eventDuplicates).toBe(emitted);
    });
});

test("delayed events arrive out of order, all of them eventually", async () => {
    await withHarness({ seed: 3, faults: { eventDelayRate: 0.5, eventDelayMs: 3_000 } }, async (h) => {
        const events = collectEvents(h);
        const emitted = Object.values(h.emulator.eventsEmitted).reduce((a, b) => a + b, 0);
        expect(events).toHaveLength(emitted);
        const versions = new Map<string, number[]>();
        for (const e of events) if (typeof e.detail.version === "number") versions.set(e.resources[0]!, [...(versions.get(e.resources[0]!) ?? []), e.detail.version]);
        const outOfOrder = [...versions.values()].filter((v) => v.some((x, i) => i > 0 && x < v[i - 1]!));
        expect(outOfOrder.length).toBeGreaterThan(0);
        expect(h.emulator.faultsInjected.eventDelays).toBeGreaterThan(0);
    });
});
