import containerInstance from "../fixtures/events/container-instance-state-change.json";
import serviceAction from "../fixtures/events/service-action-steady-state.json";
import taskStateChange from "../fixtures/events/task-state-change-fargate.json";
import deploymentStateChange from "../fixtures/events/deployment-state-change.json";
import { createHandler } from "../../rebalancer/handler";
import type { HandlerOverrides, InvocationSummary } from "../../rebalancer/handler";
import { SETTING_FIELDS, SettingsError } from "../../rebalancer/settings";
import type { Action } from "../../rebalancer/plan/types";
import type { MetricValue } from "../../rebalancer/telemetry";
import { PASS_START_MARGIN_MS } from "../../rebalancer/pass";
import { createFakeEcs, EcsApiError } from "./support/fakeEcs";
import type { FakeClusterState } from "./support/fakeEcs";
import { BAD_EVENTS, SAMPLE_CLUSTERS } from "./support/badEvents";
import { instanceArn, sdkInstance, sdkService, sdkTask, sdkTaskDefinition, serviceArn, taskArn, taskDefinitionArn } from "./support/sdkShapes";
import { decision, fakeClock, planOf, quietPlanner, recordingPlanner } from "./support/plans";

const [EAST, WEST] = SAMPLE_CLUSTERS;
const scheduled = { version: "0", id: "x", "detail-type": "Scheduled Event", source: "aws.events", account: "111122223333", time: "2026-03-01T00:00:00Z", region: "us-east-1", resources: [], detail: {} };
const CI_ARN = containerInstance.detail.containerInstanceArn;

function clusterState(arn: string): FakeClusterState {
    const name = "default";
    const instances = [
        sdkInstance(name, "i1", "us-east-1a", { version: 20 }),
        sdkInstance(name, "i2", "us-east-1b", { version: 30 }),
        { ...sdkInstance(name, "sample", "us-east-1a", { version: 14805 }), containerInstanceArn: CI_ARN },
    ];
    return {
        arn,
        instances,
        services: [sdkService(name, "web", { desiredCount: 3, runningCount: 3 }), sdkService(name, "api")],
        tasks: [
            sdkTask(name, "w1", "web", instances[0].containerInstanceArn!),
            sdkTask(name, "w2", "web", instances[0].containerInstanceArn!),
            sdkTask(name, "w3", "web", instances[0].containerInstanceArn!),
            sdkTask(name, "a1", "api", instances[1].containerInstanceArn!),
        ],
    };
}

interface LogLine {
    level: "info" | "warn" | "error";
    message: string;
    fields: Record<string, any>;
}

function harness(overrides: Partial<HandlerOverrides> = {}) {
    const fake = createFakeEcs([clusterState(EAST), clusterState(WEST)]);
    const logs: LogLine[] = [];
    const metrics: Array<{ cluster: string; values: MetricValue[] }> = [];
    const functionMetrics: MetricValue[][] = [];
    const clock = fakeClock();
    const handler = createHandler({
        clients: fake.clients,
        clock,
        log: {
            info: (message, fields) => logs.push({ level: "info", message, fields }),
            warn: (message, fields) => logs.push({ level: "warn", message, fields }),
            error: (message, fields) => logs.push({ level: "error", message, fields }),
        },
        metrics: {
            publish: (cluster, values) => metrics.push({ cluster, values: [...values] }),
            publishFunction: (values) => functionMetrics.push([...values]),
        },
        plan: quietPlanner,
        ...overrides,
    });
    return { fake, logs, metrics, functionMetrics, handler, clock };
}

/** Stops the first web task on i1 whenever web has more than one task there. */
const stopOneWebTask = recordingPlanner((s) => {
    const web = s.services.find((x) => x.name === "web")!;
    const onI1 = s.tasks.filter((t) => t.serviceName === "web" && t.containerInstanceArn === instanceArn("default", "i1"));
    const actions: Action[] =
        onI1.length > 1
            ? [{ kind: "stop-task", service: "web", serviceArn: web.arn, taskArn: onI1[0].arn, containerInstanceArn: onI1[0].containerInstanceArn!, reason: "move web off i1" }]
            : [];
    return planOf(
        s.clusterArn,
        s.services.map((svc) => (svc.name === "web" && actions.length ? decision("web", svc.arn, "move", { moves: 1, skewBefore: 3, skewAfter: 1, lowerBound: 2 }) : decision(svc.name, svc.arn, "balanced"))),
        actions,
    );
}).plan;

const saved = { ...process.env };
beforeEach(() => {
    process.env = { ...saved, REBALANCER_CLUSTERS: SAMPLE_CLUSTERS.join(",") };
    for (const f of SETTING_FIELDS) if (f.env !== "REBALANCER_CLUSTERS") delete process.env[f.env];
});
afterAll(() => {
    process.env = saved;
});

describe("settings", () => {
    const invalid: Record<string, string> = {
        REBALANCER_CLUSTERS: "default",
        REBALANCER_STRATEGY: "shuffle",
        REBALANCER_SERVICE_SELECTION: "opted-in",
        REBALANCER_DRY_RUN: "yes",
        REBALANCER_SKEW_THRESHOLD: "0",
        REBALANCER_MAX_MOVES_PER_PASS: "-3",
        REBALANCER_MAX_MOVES_PER_SERVICE: "ten",
        REBALANCER_SKIP_TAG: "aws:skip",
        REBALANCER_MIN_TASK_AGE_SECONDS: "1.5",
        REBALANCER_SURGE_TIMEOUT_SECONDS: "5",
        REBALANCER_AZ_REBALANCING_GRACE_SECONDS: "59",
        REBALANCER_MAX_WRITES_PER_SECOND: "400",
        REBALANCER_MOVES_WITHOUT_IMPROVEMENT: "0",
        REBALANCER_TRACING: "yes",
    };

    test("every variable is covered by this test", () => {
        expect(Object.keys(invalid).sort()).toEqual(SETTING_FIELDS.map((f) => f.env).sort());
    });

    test.each(Object.entries(invalid))("%s invalid: throws a SettingsError naming it, before any ECS call", async (name, value) => {
        const { fake, handler } = harness();
        process.env[name] = value;
        const err = await handler(scheduled).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(SettingsError);
        expect((err as SettingsError).field).toBe(name);
        expect((err as Error).message).toContain(name);
        expect(fake.calls).toEqual([]);
    });

    test("REBALANCER_CLUSTERS missing: throws naming it", async () => {
        const { fake, handler } = harness();
        delete process.env.REBALANCER_CLUSTERS;
        await expect(handler(scheduled)).rejects.toThrow(/REBALANCER_CLUSTERS/);
        expect(fake.calls).toEqual([]);
    });

    test("settings are read on every invocation", async () => {
        const { fake, handler } = harness();
        await handler(scheduled);
        const callsBefore = fake.calls.length;
        process.env.REBALANCER_CLUSTERS = WEST;
        const summary = await handler(scheduled);
        expect(summary.clusters.map((c) => c.clusterArn)).toEqual([WEST]);
        expect(fake.calls.length).toBeGreaterThan(callsBefore);
    });
});

describe("sample events", () => {
    test("container-instance event: one pass over its cluster, one log record, metrics with the cluster name", async () => {
        const { fake, logs, metrics, handler } = harness();
        const summary = await handler(containerInstance);
        expect(summary).toMatchObject({ trigger: "container-instance", dryRun: false, clusters: [{ clusterArn: EAST, cluster: "default", outcome: "completed", services: 2, balanced: 2 }] });
        expect(logs).toHaveLength(1);
        expect(logs[0]).toMatchObject({ level: "info", message: "rebalancer pass", fields: { trigger: "container-instance", clusterArn: EAST, dryRun: false, outcome: "completed" } });
        expect(logs[0].fields.apiCalls).toMatchObject({ ListServices: 1, DescribeServices: 1, ListTasks: 1, DescribeTasks: 1 });
        expect(metrics).toHaveLength(1);
        expect(metrics[0].cluster).toBe("default");
        expect(metrics[0].values.map((v) => v.name).sort()).toEqual([
            "ApiCalls", "ApiThrottles", "Errors", "PassDurationMs", "PassesStoppedByDeadline", "ServicesLeftUnbalanced", "ServicesSkipped",
            "ServicesUnbalanced", "SurgesOpen", "SurgesOverdue", "TasksMoved", "TasksPlanned", "WorstSkewAfter", "WorstSkewBefore",
        ]);
        expect(fake.writes()).toEqual([]);
    });

    test("the container's first invocation publishes one cold-start metric; later ones none", async () => {
        const { functionMetrics, handler } = harness();
        await handler(scheduled);
        await handler(containerInstance);
        expect(functionMetrics).toEqual([[{ name: "ColdStart", value: 1 }]]);
    });

    test("service steady state: one pass over its cluster", async () => {
        const { handler } = harness();
        const summary = await handler(serviceAction);
        expect(summary.clusters.map((c) => c.clusterArn)).toEqual([WEST]);
    });

    test("scheduled event: every target cluster, one after the other", async () => {
        const { handler, logs } = harness();
        const summary = await handler(scheduled);
        expect(summary.clusters.map((c) => c.clusterArn)).toEqual([EAST, WEST]);
        expect(logs.map((l) => l.fields.clusterArn)).toEqual([EAST, WEST]);
    });

    test.each([
        ["task state change", taskStateChange],
        ["deployment state change", deploymentStateChange],
    ])("%s: ignored, logged once, no ECS call", async (_name, event) => {
        const { fake, logs, handler } = harness();
        const summary = await handler(event);
        expect(summary).toMatchObject({ trigger: "ignored", clusters: [] });
        expect(logs).toHaveLength(1);
        expect(fake.calls).toEqual([]);
    });
});

describe("malformed and foreign events", () => {
    test(`${BAD_EVENTS.length} bad events: each logged exactly once, ignored, no ECS call, nothing thrown`, async () => {
        const { fake, logs, metrics, handler } = harness();
        for (const [name, event] of BAD_EVENTS) {
            const before = logs.length;
            let summary: InvocationSummary | undefined;
            await expect(
                (async () => {
                    summary = await handler(event);
                })(),
            ).resolves.toBeUndefined();
            expect({ name, trigger: summary!.trigger }).toEqual({ name, trigger: "ignored" });
            expect({ name, logged: logs.length - before }).toEqual({ name, logged: 1 });
            expect(logs[logs.length - 1]).toMatchObject({ level: "warn", message: "event ignored" });
            expect(typeof logs[logs.length - 1].fields.why).toBe("string");
        }
        expect(fake.calls).toEqual([]);
        expect(metrics).toEqual([]);
    });

    test("an ignored event's log names it briefly and never holds its payload", async () => {
        const { logs, handler } = harness();
        const huge = BAD_EVENTS.find(([n]) => n === "huge payload")![1];
        await handler(huge);
        const line = JSON.stringify(logs[0]);
        expect(line.length).toBeLessThan(1000);
        expect(logs[0].fields.event).toMatchObject({ source: "aws.ecs", "detail-type": "ECS Container Instance State Change" });
    });
});

describe("redundant container-instance events", () => {
    test("duplicates, stale versions and versions a completed pass already saw: no pass, no ECS call, one log record each", async () => {
        const { fake, logs, handler } = harness();
        const at = (version: number) => ({ ...containerInstance, detail: { ...containerInstance.detail, version } });

        expect((await handler(at(14801))).trigger).toBe("container-instance");
        const afterFirst = fake.calls.length;
        expect(afterFirst).toBeGreaterThan(0);
        // The pass planned nothing and saw the instance at version 14805.
        for (const v of [14801, 14800, 14805]) {
            const before = logs.length;
            const s = await handler(at(v));
            expect(s.trigger).toBe("redundant");
            expect(logs.length - before).toBe(1);
        }
        expect(fake.calls.length).toBe(afterFirst);

        expect((await handler(at(14806))).trigger).toBe("container-instance");
        expect(fake.calls.length).toBeGreaterThan(afterFirst);
    });

    test("a pass that made the moves it planned covers what it saw; one whose write failed does not", async () => {
        const at = (version: number) => ({ ...containerInstance, detail: { ...containerInstance.detail, version } });
        const done = harness({ plan: stopOneWebTask });
        await done.handler(at(14801));
        expect(done.fake.callsOf("StopTask")).toHaveLength(1);
        expect((await done.handler(at(14801))).trigger).toBe("redundant");
        // 14802 ≤ 14805: that pass saw it and acted; the stop's own events come with higher versions.
        expect((await done.handler(at(14802))).trigger).toBe("redundant");
        expect((await done.handler(at(14806))).trigger).toBe("container-instance");

        const failed = harness({ plan: stopOneWebTask });
        failed.fake.failNext("StopTask", new EcsApiError("ServerException", "try again"), 1);
        await failed.handler(at(14801));
        // The planned stop was not made: a later event of what that pass saw is a reason to look again.
        expect((await failed.handler(at(14802))).trigger).toBe("container-instance");
    });

    test("the schedule is never skipped; a service event is, once a completed pass started after it", async () => {
        const { handler, fake } = harness();
        for (let i = 0; i < 3; i++) expect((await handler(scheduled)).trigger).toBe("schedule");
        // The sample's steady-state event is from 2019: every pass above started after it.
        const before = fake.calls.length;
        expect(await handler(serviceAction)).toMatchObject({ trigger: "redundant", why: expect.stringMatching(/already covered by a pass that started/) });
        expect(fake.calls.length).toBe(before);
        // One emitted after the last pass started is a reason to look; so is one without a readable time.
        expect((await handler({ ...serviceAction, time: new Date(Date.now() + 60_000).toISOString() })).trigger).toBe("service-action");
        expect((await handler({ ...serviceAction, time: "not a time" })).trigger).toBe("service-action");
    });
});

describe("passes", () => {
    test("live: the plan's stop is made, logged per service with its outcome, counted in the metrics", async () => {
        const { fake, logs, metrics, handler } = harness({ plan: stopOneWebTask });
        const summary = await handler(containerInstance);
        expect(fake.writes()).toEqual([
            { operation: "StopTask", input: { cluster: EAST, task: taskArn("default", "w1"), reason: "ecs-rebalancer: move web off i1" } },
        ]);
        expect(summary.clusters[0]).toMatchObject({ tasksMoved: 1, movesPlanned: 1, writes: 1, unbalanced: 1, errors: [] });
        const record = logs[0].fields;
        expect(record.services).toEqual([
            { service: "web", outcome: "move", detail: "web: move", skewBefore: 3, skewAfter: 1, lowerBound: 2, moves: 1, act: { outcome: "done", planned: 1, written: 1 } },
        ]);
        expect(record.balancedServices).toEqual(["api"]);
        expect(record.apiCalls.StopTask).toBe(1);
        expect(metrics[0].values.find((v) => v.name === "TasksMoved")!.value).toBe(1);
    });

    test("dry-run from the settings: the same plan, zero writes, the log says dry-run", async () => {
        process.env.REBALANCER_DRY_RUN = "true";
        const { fake, logs, metrics, handler } = harness({ plan: stopOneWebTask });
        const summary = await handler(scheduled);
        expect(fake.writes()).toEqual([]);
        expect(summary.dryRun).toBe(true);
        expect(summary.clusters.map((c) => [c.movesPlanned, c.writes, c.tasksMoved])).toEqual([[1, 1, 0], [1, 1, 0]]);
        expect(logs.every((l) => l.fields.dryRun === true)).toBe(true);
        expect(logs[0].fields.services[0].act).toEqual({ outcome: "done", planned: 1, written: 1 });
        expect(metrics[0].values.find((v) => v.name === "TasksMoved")!.value).toBe(0);
        expect(metrics[0].values.find((v) => v.name === "TasksPlanned")!.value).toBe(1);
    });

    test("operator dry-run on live settings: zero writes; named clusters only; unknown names reported", async () => {
        const { fake, logs, handler } = harness({ plan: stopOneWebTask });
        const summary = await handler({ dryRun: true, clusters: [WEST, "nope"] });
        expect(fake.writes()).toEqual([]);
        expect(summary).toMatchObject({ trigger: "operator", dryRun: true, unknownClusters: ["nope"] });
        expect(summary.clusters.map((c) => c.clusterArn)).toEqual([WEST]);
        expect(logs.map((l) => l.message)).toEqual(["unknown clusters requested", "rebalancer pass"]);
    });

    test("an operator request for unknown clusters only: reported, no ECS call", async () => {
        const { fake, handler } = harness();
        const summary = await handler({ clusters: ["staging"] });
        expect(summary).toMatchObject({ trigger: "operator", unknownClusters: ["staging"], clusters: [] });
        expect(fake.calls).toEqual([]);
    });

    test("a cluster not targeted: zero ECS calls", async () => {
        process.env.REBALANCER_CLUSTERS = WEST;
        const { fake, handler } = harness();
        const summary = await handler(containerInstance);
        expect(summary.trigger).toBe("ignored");
        expect(fake.calls).toEqual([]);
    });

    test("an ECS failure in one cluster is logged and reported; the next cluster still gets its pass; nothing thrown", async () => {
        const { fake, logs, metrics, handler } = harness({ plan: stopOneWebTask });
        fake.failNext("DescribeServices", new EcsApiError("ThrottlingException", "Rate exceeded"), Infinity, (input) => input.cluster === EAST);
        const summary = await handler(scheduled);
        expect(summary.clusters.map((c) => [c.clusterArn, c.outcome])).toEqual([[EAST, "failed"], [WEST, "completed"]]);
        expect(summary.clusters[0].errors).toEqual(["ThrottlingException: Rate exceeded"]);
        expect(logs.map((l) => l.level)).toEqual(["error", "info"]);
        expect(logs[0].fields.failure).toMatchObject({ name: "ThrottlingException", httpStatusCode: 400 });
        // No write in the failed cluster; the other moved its task.
        expect(fake.writes().map((w) => w.input.cluster)).toEqual([WEST]);
        expect(metrics.map((m) => m.values.find((v) => v.name === "Errors")!.value)).toEqual([1, 0]);
    });

    test("a failed write in one service leaves the others' writes made", async () => {
        const plan = recordingPlanner((s) =>
            planOf(
                s.clusterArn,
                [decision("web", s.services[0].arn, "move", { moves: 1 }), decision("api", s.services[1].arn, "redeploy", { moves: 2 })],
                [
                    { kind: "stop-task", service: "web", serviceArn: s.services[0].arn, taskArn: taskArn("default", "w1"), containerInstanceArn: "x", reason: "r" },
                    { kind: "record-move", service: "web", serviceArn: s.services[0].arn, tag: { key: "ecs-rebalancer:last-move", value: "v" } },
                    { kind: "redeploy", service: "api", serviceArn: s.services[1].arn },
                ],
            ),
        ).plan;
        const { fake, logs, handler } = harness({ plan });
        fake.failNext("StopTask", new EcsApiError("AccessDeniedException", "not authorized"));
        const summary = await handler(containerInstance);
        expect(fake.writes().map((w) => w.operation)).toEqual(["StopTask", "UpdateService"]);
        expect(summary.clusters[0]).toMatchObject({ outcome: "completed", tasksMoved: 2 });
        expect(summary.clusters[0].errors).toEqual(["web: StopTask AccessDeniedException: not authorized"]);
        expect(logs[0].fields.services[0].act).toMatchObject({ outcome: "failed", failure: { operation: "StopTask", name: "AccessDeniedException" } });
    });

    test("the plan asks for task definitions and protection: read, then planned again; unread protection counts as protected at the end", async () => {
        // The planner wants web's task definition first, then the protection of w1 and w2 (w2's is never answered).
        const planner = recordingPlanner((s, options) => {
            const needsTd = !(taskDefinitionArn("web") in s.taskDefinitions);
            const unread = s.tasks.filter((t) => t.serviceName === "web" && t.arn !== taskArn("default", "w3") && t.protectionEnabled === undefined).map((t) => t.arn);
            return planOf(s.clusterArn, [], [], {
                unreadTaskDefinitions: needsTd ? [taskDefinitionArn("web")] : [],
                unreadProtection: needsTd || options?.unreadProtectionIsProtected ? [] : unread,
            });
        });
        const { fake, handler } = harness({ plan: planner.plan });
        fake.taskDefinitions.set(taskDefinitionArn("web"), sdkTaskDefinition("web", { containerDefinitions: [{ name: "a", cpu: 256, memory: 512, portMappings: [{ containerPort: 80, hostPort: 8080 }] }] }));
        fake.protection.set(taskArn("default", "w1"), true);
        await handler(containerInstance);
        expect(fake.callsOf("DescribeTaskDefinition").map((c) => c.input.taskDefinition)).toEqual([taskDefinitionArn("web")]);
        // Asked once: w2's missing answer is not asked for again.
        expect(fake.callsOf("GetTaskProtection").map((c) => c.input.tasks)).toEqual([[taskArn("default", "w1"), taskArn("default", "w2")]]);
        const last = planner.seen[planner.seen.length - 1];
        expect(last.options).toEqual({ unreadProtectionIsProtected: true });
        expect(last.snapshot.taskDefinitions[taskDefinitionArn("web")].staticHostPorts).toEqual([8080]);
        expect(last.snapshot.tasks.find((t) => t.arn === taskArn("default", "w1"))!.protectionEnabled).toBe(true);
        expect(last.snapshot.tasks.find((t) => t.arn === taskArn("default", "w2"))!.protectionEnabled).toBeUndefined();
        // The task definition is cached for the container's life: the next pass does not read it again.
        await handler(scheduled);
        expect(fake.callsOf("DescribeTaskDefinition")).toHaveLength(1);
    });

    test("a planner that throws fails the pass cleanly: logged, reported, nothing written, nothing thrown", async () => {
        const { fake, logs, handler } = harness({
            plan: () => {
                throw new Error("planner bug");
            },
        });
        const summary = await handler(containerInstance);
        expect(summary.clusters[0]).toMatchObject({ outcome: "failed", errors: ["Error: planner bug"] });
        expect(logs[0].level).toBe("error");
        expect(fake.writes()).toEqual([]);
    });

    test("too little Lambda time left: no pass starts, no ECS call", async () => {
        const { fake, handler } = harness();
        const summary = await handler(scheduled, { getRemainingTimeInMillis: () => PASS_START_MARGIN_MS - 1 });
        expect(summary.clusters.map((c) => c.outcome)).toEqual(["deadline", "deadline"]);
        expect(fake.calls).toEqual([]);
    });

    test("a sweep that runs out of time says which clusters it did not reach, and the next sweep starts with them", async () => {
        const { fake, handler, logs } = harness();
        // Time for the first cluster's pass only: it falls under the margin once that pass has read something.
        let remaining = PASS_START_MARGIN_MS + 1;
        const context = { getRemainingTimeInMillis: () => (fake.calls.length > 0 ? PASS_START_MARGIN_MS - 1 : remaining) };
        const first = await handler(scheduled, context);
        expect(first.clusters.map((c) => [c.clusterArn, c.outcome])).toEqual([[EAST, "completed"], [WEST, "deadline"]]);
        const warning = logs.find((l) => l.message === "sweep did not reach every cluster");
        expect(warning?.level).toBe("warn");
        expect(warning?.fields).toMatchObject({ notReached: [WEST], reached: 1 });

        // The next sweep (same container) starts with the cluster the last one did not reach.
        fake.calls.length = 0;
        remaining = 60_000;
        const second = await handler(scheduled, { getRemainingTimeInMillis: () => remaining });
        expect(second.clusters.map((c) => c.clusterArn)).toEqual([WEST, EAST]);
        expect(second.clusters.every((c) => c.outcome === "completed")).toBe(true);
        expect(logs.filter((l) => l.message === "sweep did not reach every cluster")).toHaveLength(1);
    });

    test("the Lambda deadline stops writes mid-pass", async () => {
        let remaining = 60_000;
        const plan = recordingPlanner((s) =>
            planOf(
                s.clusterArn,
                [decision("web", s.services[0].arn, "move", { moves: 2 })],
                ["w1", "w2"].map((id) => ({ kind: "stop-task" as const, service: "web", serviceArn: s.services[0].arn, taskArn: taskArn("default", id), containerInstanceArn: "x", reason: "r" })),
            ),
        ).plan;
        const { fake, handler } = harness({ plan });
        const context = { getRemainingTimeInMillis: () => remaining };
        // Time runs out while the first stop is in flight.
        fake.ecsMock.on(require("@aws-sdk/client-ecs").StopTaskCommand).callsFake(async (input: Record<string, unknown>) => {
            fake.calls.push({ operation: "StopTask", input });
            remaining = 5_000;
            return {};
        });
        const summary = await handler(containerInstance, context);
        expect(fake.callsOf("StopTask")).toHaveLength(1);
        expect(summary.clusters[0].errors).toEqual(["web: writes not made, too little time left"]);
    });
});

describe("logs never carry credentials or the environment", () => {
    test("no log record holds a secret from the environment, whatever happens in the pass", async () => {
        process.env.AWS_SECRET_ACCESS_KEY = "SECRET-7f3a9c";
        process.env.AWS_SESSION_TOKEN = "TOKEN-51bd22";
        process.env.DATABASE_PASSWORD = "PASSWORD-c0ffee";
        const { fake, logs, handler } = harness({ plan: stopOneWebTask });
        fake.failNext("StopTask", new EcsApiError("AccessDeniedException", "User is not authorized"));
        await handler(containerInstance);
        await handler(scheduled);
        await handler({ clusters: ["nope"] });
        await handler(BAD_EVENTS[10][1]);
        const text = JSON.stringify(logs);
        for (const secret of ["SECRET-7f3a9c", "TOKEN-51bd22", "PASSWORD-c0ffee", "AKIDEXAMPLE", "not-a-secret"]) expect(text).not.toContain(secret);
    });
});

test("a plan that waits on time says when in the pass log and the invocation summary (the chaos driver reads it)", async () => {
    const revisitAt = Date.parse("2026-03-01T00:30:00Z");
    const { handler, logs } = harness({ plan: (s, settings, options) => ({ ...quietPlanner(s, settings, options), revisitAt }) });
    const summary = await handler(scheduled);
    expect(summary.clusters.map((c) => c.revisitAt)).toEqual(summary.clusters.map(() => "2026-03-01T00:30:00.000Z"));
    const passes = logs.filter((l) => l.message === "rebalancer pass");
    expect(passes.length).toBeGreaterThan(0);
    for (const p of passes) expect(p.fields.revisitAt).toBe("2026-03-01T00:30:00.000Z");
    // Without one, neither carries the field.
    const plain = harness();
    expect((await plain.handler(scheduled)).clusters.every((c) => c.revisitAt === undefined)).toBe(true);
});
