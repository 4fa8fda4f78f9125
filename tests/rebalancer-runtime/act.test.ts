import { act, stopReason, STOP_REASON_MAX, WRITE_DEADLINE_MARGIN_MS } from "../../rebalancer/act";
import { dryRunWriter, liveWriter } from "../../rebalancer/writers";
import { defaultSettings } from "../../rebalancer/settings";
import type { Action } from "../../rebalancer/plan/types";
import type { ApiCalls } from "../../rebalancer/apiCalls";
import { clusterArn, createFakeEcs, EcsApiError } from "./support/fakeEcs";
import { instanceArn, sdkInstance, sdkService, sdkTask, serviceArn, taskArn } from "./support/sdkShapes";
import { decision, fakeClock, planOf } from "./support/plans";

const C = "prod";
const CLUSTER = clusterArn(C);
const settings = defaultSettings([CLUSTER]);
const i1 = instanceArn(C, "i1");

function cluster() {
    return {
        arn: CLUSTER,
        instances: [sdkInstance(C, "i1", "us-east-1a"), sdkInstance(C, "i2", "us-east-1b")],
        services: ["web", "api", "worker", "batch"].map((n) => sdkService(C, n, n === "worker" ? { desiredCount: 6, tags: [{ key: "ecs-rebalancer:surge", value: "owner=4" }] } : {})),
        tasks: ["w1", "w2", "w3", "a1"].map((id) => sdkTask(C, id, id.startsWith("w") ? "web" : "api", i1)),
    };
}

const stop = (svc: string, id: string): Action => ({
    kind: "stop-task",
    service: svc,
    serviceArn: serviceArn(C, svc),
    taskArn: taskArn(C, id),
    containerInstanceArn: i1,
    reason: `ecs-rebalancer: move ${svc} off i1 (3 > target 2)`,
});

/** Every action kind, four services, in the order a planner would emit them. */
function fullPlan() {
    const actions: Action[] = [
        stop("web", "w1"),
        stop("web", "w2"),
        { kind: "record-move", service: "web", serviceArn: serviceArn(C, "web"), tag: { key: "ecs-rebalancer:last-move", value: "skew=2;lb=2" } },
        { kind: "surge", service: "api", serviceArn: serviceArn(C, "api"), ownerDesired: 2, desiredCount: 3, markerTag: { key: "ecs-rebalancer:surge", value: "owner=2" } },
        { kind: "restore-desired", service: "worker", serviceArn: serviceArn(C, "worker"), desiredCount: 4, why: "surge done" },
        { kind: "clear-marker", service: "worker", serviceArn: serviceArn(C, "worker"), tagKeys: ["ecs-rebalancer:surge"] },
        { kind: "redeploy", service: "batch", serviceArn: serviceArn(C, "batch") },
    ];
    const decisions = [
        decision("web", serviceArn(C, "web"), "move", { moves: 2 }),
        decision("api", serviceArn(C, "api"), "surge", { moves: 1 }),
        decision("worker", serviceArn(C, "worker"), "restore"),
        decision("batch", serviceArn(C, "batch"), "redeploy", { moves: 2 }),
    ];
    return planOf(CLUSTER, decisions, actions);
}

const EXPECTED_WRITES = [
    { operation: "StopTask", input: { cluster: CLUSTER, task: taskArn(C, "w1"), reason: "ecs-rebalancer: move web off i1 (3 > target 2)" } },
    { operation: "StopTask", input: { cluster: CLUSTER, task: taskArn(C, "w2"), reason: "ecs-rebalancer: move web off i1 (3 > target 2)" } },
    { operation: "TagResource", input: { resourceArn: serviceArn(C, "web"), tags: [{ key: "ecs-rebalancer:last-move", value: "skew=2;lb=2" }] } },
    // The marker goes on before desiredCount goes up.
    { operation: "TagResource", input: { resourceArn: serviceArn(C, "api"), tags: [{ key: "ecs-rebalancer:surge", value: "owner=2" }] } },
    { operation: "UpdateService", input: { cluster: CLUSTER, service: "api", desiredCount: 3 } },
    { operation: "UpdateService", input: { cluster: CLUSTER, service: "worker", desiredCount: 4 } },
    { operation: "UntagResource", input: { resourceArn: serviceArn(C, "worker"), tagKeys: ["ecs-rebalancer:surge"] } },
    { operation: "UpdateService", input: { cluster: CLUSTER, service: "batch", forceNewDeployment: true } },
];

describe("act", () => {
    test("live: exactly the planned writes, in order, with nothing but desiredCount or forceNewDeployment on UpdateService", async () => {
        const fake = createFakeEcs([cluster()]);
        const calls: ApiCalls = {};
        const result = await act(fullPlan(), liveWriter(fake.clients, calls), settings, undefined, fakeClock());
        expect(fake.writes()).toEqual(EXPECTED_WRITES);
        for (const u of fake.callsOf("UpdateService")) {
            const keys = Object.keys(u.input).sort();
            expect([["cluster", "desiredCount", "service"], ["cluster", "forceNewDeployment", "service"]]).toContainEqual(keys);
        }
        expect(result.services.map((s) => [s.service, s.outcome, s.planned, s.written, s.stopped])).toEqual([
            ["web", "done", 3, 3, 2],
            ["api", "done", 2, 2, 0],
            ["worker", "done", 2, 2, 0],
            ["batch", "done", 1, 1, 0],
        ]);
        expect(calls).toEqual({ StopTask: 2, TagResource: 2, UpdateService: 3, UntagResource: 1 });
        // The writes took effect on the fake: stopped tasks, counts, tags.
        const state = fake.clusters.get(CLUSTER)!;
        expect(state.tasks.filter((t) => t.desiredStatus === "STOPPED").map((t) => t.taskArn)).toEqual([taskArn(C, "w1"), taskArn(C, "w2")]);
        expect(state.services.find((s) => s.serviceName === "api")!.desiredCount).toBe(3);
        expect(state.services.find((s) => s.serviceName === "worker")!.tags).toEqual([]);
    });

    test("dry-run: the same path records the same writes and sends none", async () => {
        const fake = createFakeEcs([cluster()]);
        const writer = dryRunWriter();
        const result = await act(fullPlan(), writer, settings, undefined, fakeClock());
        expect(fake.calls).toEqual([]);
        expect(writer.recorded).toEqual(EXPECTED_WRITES);
        expect(result.dryRun).toBe(true);
        expect(result.services.every((s) => s.outcome === "done")).toBe(true);
    });

    test("a service tagged dryRun=true in a live pass: its writes go the same path and are recorded, the others' are sent", async () => {
        const fake = createFakeEcs([cluster()]);
        const plan = fullPlan();
        plan.decisions[0] = { ...plan.decisions[0], dryRunOnly: true };
        const rechecked: string[] = [];
        const recheck = async (serviceArn: string) => {
            rechecked.push(serviceArn);
            return undefined;
        };
        const result = await act(plan, liveWriter(fake.clients, {}), { ...settings, maxWritesPerSecond: 1 }, undefined, fakeClock(), recheck);
        const webWrites = EXPECTED_WRITES.slice(0, 3);
        expect(fake.writes()).toEqual(EXPECTED_WRITES.slice(3));
        // Recorded in the result apart from the writes made; and the service had its last look like the others.
        expect(result.recordedOnly).toEqual(webWrites);
        expect(result.writes).toEqual(EXPECTED_WRITES.slice(3));
        expect(rechecked[0]).toBe(serviceArn(C, "web"));
        expect(result.services[0]).toEqual({ service: "web", serviceArn: serviceArn(C, "web"), outcome: "done", planned: 3, written: 3, stopped: 2, dryRun: true });
        expect(result.services.slice(1).every((s) => s.dryRun === undefined)).toBe(true);
        // Only the five sent writes are paced (a burst of 1, then 1 per second).
        expect(result.pacedMs).toBe(4000);
        expect(fake.clusters.get(CLUSTER)!.tasks.filter((t) => t.desiredStatus === "STOPPED")).toEqual([]);
    });

    test("a failed write ends that service's actions only", async () => {
        const fake = createFakeEcs([cluster()]);
        fake.failNext("StopTask", new EcsApiError("InvalidParameterException", "The referenced task was not found."));
        fake.failNext("TagResource", new EcsApiError("AccessDeniedException", "no"), 1, (input) => input.resourceArn === serviceArn(C, "api"));
        const result = await act(fullPlan(), liveWriter(fake.clients, {}), settings, undefined, fakeClock());
        const web = result.services[0];
        expect(web).toMatchObject({ outcome: "failed", written: 0, error: { operation: "StopTask", name: "InvalidParameterException" } });
        // api's surge failed at the marker: desiredCount was never raised without it.
        expect(result.services[1]).toMatchObject({ outcome: "failed", written: 0, error: { operation: "TagResource", name: "AccessDeniedException" } });
        expect(fake.callsOf("UpdateService").map((c) => c.input.service)).toEqual(["worker", "batch"]);
        expect(fake.callsOf("StopTask")).toHaveLength(1);
        expect(result.services.slice(2).map((s) => s.outcome)).toEqual(["done", "done"]);
    });

    test("the deadline: no write starts with less than the margin left; later services are reported, not attempted", async () => {
        const fake = createFakeEcs([cluster()]);
        let remaining = WRITE_DEADLINE_MARGIN_MS + 2_500;
        const deadline = { remainingMs: () => remaining };
        const writer = liveWriter(fake.clients, {});
        const slow = { dryRun: false, write: async (w: Parameters<typeof writer.write>[0]) => { await writer.write(w); remaining -= 1_000; } };
        const result = await act(fullPlan(), slow, settings, deadline, fakeClock());
        expect(fake.writes()).toHaveLength(3);
        expect(result.stoppedByDeadline).toBe(true);
        expect(result.services.map((s) => s.outcome)).toEqual(["done", "deadline", "deadline", "deadline"]);
    });

    test("writes are paced by maxWritesPerSecond (token bucket); the default caps need no wait for a small pass", async () => {
        const fake = createFakeEcs([cluster()]);
        const clock = fakeClock();
        const result = await act(fullPlan(), liveWriter(fake.clients, {}), { ...settings, maxWritesPerSecond: 2 }, undefined, clock);
        // 8 writes, a burst of 2, then 2 per second: 3 s of waiting.
        expect(result.pacedMs).toBe(3000);
        expect(clock.slept).toBe(3000);

        const unpaced = await act(fullPlan(), dryRunWriter(), settings, undefined, fakeClock());
        expect(unpaced.pacedMs).toBe(0);
    });

    test("dry-run: recorded writes are not paced (none reaches ECS), however low the rate", async () => {
        const clock = fakeClock();
        const writer = dryRunWriter();
        const result = await act(fullPlan(), writer, { ...settings, maxWritesPerSecond: 1 }, undefined, clock);
        expect(writer.recorded).toEqual(EXPECTED_WRITES);
        expect(result.pacedMs).toBe(0);
        expect(clock.slept).toBe(0);
    });

    test("an action this code refuses (a surge that does not raise the count) skips its service, not the others", async () => {
        const fake = createFakeEcs([cluster()]);
        const plan = fullPlan();
        plan.actions[3] = { ...(plan.actions[3] as Extract<Action, { kind: "surge" }>), desiredCount: 2 };
        const result = await act(plan, liveWriter(fake.clients, {}), settings, undefined, fakeClock());
        expect(result.services[1]).toMatchObject({ service: "api", outcome: "invalid", written: 0 });
        expect(fake.writes().some((w) => w.input.resourceArn === serviceArn(C, "api") || w.input.service === "api")).toBe(false);
        expect(fake.writes()).toHaveLength(EXPECTED_WRITES.length - 2);
    });

    test("stop reasons carry the prefix and fit ECS's 255 characters", () => {
        expect(stopReason("move web")).toBe("ecs-rebalancer: move web");
        expect(stopReason("ecs-rebalancer: move web")).toBe("ecs-rebalancer: move web");
        const long = stopReason("x".repeat(400));
        expect(long.length).toBe(STOP_REASON_MAX);
        expect(long.startsWith("ecs-rebalancer: ")).toBe(true);
    });
});
