// Delivery `queue`: the handler given SQS batches (rebalancer/queueDelivery.ts). One pass per cluster per batch,
// records grouped by the cluster their event names, malformed or foreign bodies logged and dropped, and only the
// records whose pass lacked time returned for redelivery (with a FIFO queue, every record after them too).
import containerInstance from "../fixtures/events/container-instance-state-change.json";
import serviceAction from "../fixtures/events/service-action-steady-state.json";
import { createHandler } from "../../rebalancer/handler";
import type { HandlerOverrides } from "../../rebalancer/handler";
import { clusterSweepTransformer } from "../../rebalancer/eventPatterns";
import { classifyEvent } from "../../rebalancer/events";
import { PASS_START_MARGIN_MS } from "../../rebalancer/pass";
import { isQueueEvent, type QueueEvent } from "../../rebalancer/queueDelivery";
import { defaultSettings, SETTING_FIELDS, SettingsError } from "../../rebalancer/settings";
import { applyInputTransformer } from "../../local/inputTransformer";
import { createFakeEcs, EcsApiError } from "./support/fakeEcs";
import type { FakeClusterState } from "./support/fakeEcs";
import { SAMPLE_CLUSTERS } from "./support/badEvents";
import { instanceArn, sdkInstance, sdkService, sdkTask, taskArn } from "./support/sdkShapes";
import { decision, fakeClock, planOf, quietPlanner, recordingPlanner } from "./support/plans";

const [EAST, WEST] = SAMPLE_CLUSTERS;
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
        services: [sdkService(name, "web", { desiredCount: 3, runningCount: 3 })],
        tasks: ["w1", "w2", "w3"].map((id) => sdkTask(name, id, "web", instances[0].containerInstanceArn!)),
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
    const handler = createHandler({
        clients: fake.clients,
        clock: fakeClock(),
        log: {
            info: (message, fields) => logs.push({ level: "info", message, fields }),
            warn: (message, fields) => logs.push({ level: "warn", message, fields }),
            error: (message, fields) => logs.push({ level: "error", message, fields }),
        },
        metrics: { publish: () => undefined, publishFunction: () => undefined },
        plan: quietPlanner,
        ...overrides,
    });
    const passes = () => logs.filter((l) => l.message === "rebalancer pass").map((l) => ({ clusterArn: l.fields.clusterArn, trigger: l.fields.trigger, outcome: l.fields.outcome }));
    const dropped = () => logs.filter((l) => l.message === "queued message dropped").map((l) => l.fields.why as string);
    return { fake, logs, handler, passes, dropped };
}

/** The scheduled event EventBridge fires for a sweep rule. */
function scheduleEvent(id: string): Record<string, unknown> {
    return {
        version: "0", id, "detail-type": "Scheduled Event", source: "aws.events", account: "111122223333", time: "2026-03-01T00:15:00Z",
        region: "us-east-1", resources: ["arn:aws:events:us-east-1:111122223333:rule/sweep"], detail: {},
    };
}

/** A cluster's sweep message, as its sweep rule's input transformer writes it. */
const sweepOf = (clusterArn: string, id = `sweep-${clusterArn.length}`) => applyInputTransformer(clusterSweepTransformer(clusterArn), scheduleEvent(id));

let sequence = 0;
/** An SQS batch as the event source mapping hands it over; bodies are sent as given (objects as JSON). */
function batch(...bodies: unknown[]): QueueEvent {
    return {
        Records: bodies.map((body) => ({
            messageId: `m-${++sequence}`,
            receiptHandle: `handle-${sequence}`,
            body: typeof body === "string" ? body : JSON.stringify(body),
            attributes: { ApproximateReceiveCount: "1", MessageGroupId: "g", MessageDeduplicationId: "d" },
            messageAttributes: {},
            md5OfBody: "x",
            eventSource: "aws:sqs" as const,
            eventSourceARN: "arn:aws:sqs:us-east-1:111122223333:events.fifo",
            awsRegion: "us-east-1",
        })),
    };
}
const ids = (b: QueueEvent) => b.Records.map((r) => r.messageId);
const failures = (r: { batchItemFailures: Array<{ itemIdentifier: string }> }) => r.batchItemFailures.map((f) => f.itemIdentifier);
const withTime = (ms: () => number) => ({ getRemainingTimeInMillis: ms });

const saved = { ...process.env };
beforeEach(() => {
    process.env = { ...saved, REBALANCER_CLUSTERS: SAMPLE_CLUSTERS.join(",") };
    for (const f of SETTING_FIELDS) if (f.env !== "REBALANCER_CLUSTERS") delete process.env[f.env];
});
afterAll(() => {
    process.env = saved;
});

describe("recognising an SQS batch", () => {
    test.each([
        ["an SQS batch", batch(containerInstance), true],
        ["an empty Records list", { Records: [] }, false],
        ["a record of another source", { Records: [{ ...batch(containerInstance).Records[0], eventSource: "aws:kinesis" }] }, false],
        ["an EventBridge event", containerInstance, false],
        ["an operator request", { dryRun: true }, false],
        ["null", null, false],
    ])("%s: %s", (_name, event, expected) => {
        expect(isQueueEvent(event)).toBe(expected);
    });

    test("a Records event that is not all SQS goes the direct way and is ignored there", async () => {
        const { fake, handler } = harness();
        const summary = await handler({ Records: [{ eventSource: "aws:s3" }] });
        expect(summary).toMatchObject({ trigger: "ignored", clusters: [] });
        expect(fake.calls).toEqual([]);
    });
});

describe("the sweep message", () => {
    test("what the sweep rule writes is a sweep of that cluster only, never of every cluster", () => {
        const body = JSON.parse(sweepOf(WEST, "e-1"));
        expect(body).toMatchObject({ id: "e-1", time: "2026-03-01T00:15:00Z", detail: { clusterArn: WEST } });
        expect(classifyEvent(body, defaultSettings(SAMPLE_CLUSTERS))).toEqual({ accepted: true, trigger: { kind: "schedule", clusterArn: WEST } });
    });

    test("a sweep message naming a cluster that is not a target is refused", () => {
        const body = JSON.parse(sweepOf("arn:aws:ecs:us-east-1:111122223333:cluster/other"));
        expect(classifyEvent(body, defaultSettings(SAMPLE_CLUSTERS))).toMatchObject({ accepted: false, why: expect.stringMatching(/not a target/) });
    });

    test("two schedule events give two different bodies (content-based deduplication keeps both)", () => {
        expect(sweepOf(EAST, "e-1")).not.toEqual(sweepOf(EAST, "e-2"));
        expect(sweepOf(EAST, "e-1")).toEqual(sweepOf(EAST, "e-1"));
    });
});

describe("one pass per cluster per batch", () => {
    test("events of two clusters: one pass each, in order of arrival, and no record redelivered", async () => {
        const { handler, passes } = harness();
        const b = batch(containerInstance, serviceAction, sweepOf(EAST), sweepOf(WEST));
        const response = await handler(b);
        expect(response).toEqual({ batchItemFailures: [] });
        expect(passes()).toEqual([
            { clusterArn: EAST, trigger: "container-instance", outcome: "completed" },
            { clusterArn: WEST, trigger: "service-action", outcome: "completed" },
        ]);
    });

    test("the batch is summarised in one log record", async () => {
        const { handler, logs } = harness();
        await handler(batch(sweepOf(EAST), "not json"));
        const summary = logs.filter((l) => l.message === "queue batch");
        expect(summary).toHaveLength(1);
        expect(summary[0].fields).toMatchObject({ records: 2, dropped: 1, redelivered: 0, clusters: [{ clusterArn: EAST, outcome: "completed" }] });
    });

    test("one sweep message reads only its cluster", async () => {
        const { fake, handler, passes } = harness();
        await handler(batch(sweepOf(WEST)));
        expect(passes()).toEqual([{ clusterArn: WEST, trigger: "schedule", outcome: "completed" }]);
        expect(fake.callsOf("ListServices").map((c) => c.input.cluster)).toEqual([WEST]);
    });

    test("duplicates: the same event twice in a batch is one pass; delivered again later, no pass and no ECS call", async () => {
        const { fake, handler, passes } = harness();
        expect(await handler(batch(containerInstance, containerInstance))).toEqual({ batchItemFailures: [] });
        expect(passes()).toHaveLength(1);
        const calls = fake.calls.length;
        expect(await handler(batch(containerInstance))).toEqual({ batchItemFailures: [] });
        expect(passes()).toHaveLength(1);
        expect(fake.calls.length).toBe(calls);
    });

    test("an already-covered event beside a sweep of the same cluster: the sweep still passes", async () => {
        const { handler, passes } = harness();
        await handler(batch(containerInstance));
        await handler(batch(containerInstance, sweepOf(EAST)));
        expect(passes().map((p) => p.trigger)).toEqual(["container-instance", "schedule"]);
    });
});

describe("malformed and foreign bodies: logged once each and dropped, never redelivered", () => {
    const notInScope = { ...containerInstance, detail: { ...containerInstance.detail, clusterArn: "arn:aws:ecs:us-east-1:111122223333:cluster/other" } };
    const cases: Array<[string, unknown, RegExp]> = [
        ["not JSON", "{ not json", /not JSON/],
        ["an empty body", "", /not JSON/],
        ["a JSON string", JSON.stringify("look now"), /not an EventBridge event/],
        // Accepted when invoked directly (a sweep of every cluster); from the queue it is not a rule's message.
        ["an operator request", { dryRun: false }, /not an EventBridge event/],
        ["a foreign source", { source: "aws.ec2", "detail-type": "EC2 Instance State-change Notification", detail: {} }, /source aws.ec2/],
        ["a cluster that is not a target", notInScope, /not a target/],
        ["a plain scheduled event (names no cluster)", scheduleEvent("s"), /names no cluster/],
        ["another detail-type of our source", { source: "ecs-rebalancer", "detail-type": "Sweep Everything", detail: { clusterArn: EAST } }, /not handled/],
    ];

    test.each(cases)("%s", async (_name, body, why) => {
        const { fake, handler, dropped } = harness();
        expect(await handler(batch(body))).toEqual({ batchItemFailures: [] });
        expect(dropped()).toEqual([expect.stringMatching(why)]);
        expect(fake.calls).toEqual([]);
    });

    test("bad records beside good ones: the good ones pass, the bad ones are dropped", async () => {
        const { handler, passes, dropped } = harness();
        const response = await handler(batch("nope", sweepOf(WEST), { source: "aws.ec2", "detail-type": "x", detail: {} }));
        expect(response).toEqual({ batchItemFailures: [] });
        expect(passes().map((p) => p.clusterArn)).toEqual([WEST]);
        expect(dropped()).toHaveLength(2);
    });

    test("a record without a messageId cannot be reported: dropped", async () => {
        const { fake, handler, dropped } = harness();
        const b = batch(containerInstance);
        (b.Records[0] as { messageId?: string }).messageId = undefined;
        expect(await handler(b)).toEqual({ batchItemFailures: [] });
        expect(dropped()).toEqual(["record has no messageId"]);
        expect(fake.calls).toEqual([]);
    });
});

describe("partial batch failures", () => {
    test("too little time to start: every cluster's records are redelivered, the malformed one is not, and ECS is not called", async () => {
        const { fake, handler, passes } = harness();
        const b = batch(sweepOf(EAST), containerInstance, sweepOf(WEST), "garbage");
        const response = await handler(b, withTime(() => PASS_START_MARGIN_MS - 1));
        const [east1, east2, west] = ids(b);
        expect(failures(response).sort()).toEqual([east1, east2, west].sort());
        expect(passes().map((p) => [p.clusterArn, p.outcome]).sort()).toEqual([[EAST, "deadline"], [WEST, "deadline"]].sort());
        expect(fake.calls).toEqual([]);
    });

    test("the batch's clusters pass side by side; a cluster out of time gets its own records back, and only those", async () => {
        const { fake, handler, passes } = harness();
        const b = batch(sweepOf(EAST), sweepOf(WEST), containerInstance);
        // Both passes start at once: EAST asks for the time first and has plenty; by WEST's turn less is left than a
        // pass needs to start (though more than EAST's reads need to go on).
        let started = 0;
        const response = await handler(b, withTime(() => (started++ < 1 ? 300_000 : fake.calls.length === 0 ? 300_000 : PASS_START_MARGIN_MS - 1)));
        const [east1, west, east2] = ids(b);
        expect(failures(response)).toEqual([west]);
        expect(failures(response)).not.toContain(east1);
        expect(failures(response)).not.toContain(east2);
        expect(passes().map((p) => [p.clusterArn, p.outcome]).sort()).toEqual([[EAST, "completed"], [WEST, "deadline"]].sort());
    });

    test("a pass whose writes were stopped by the deadline: its records are redelivered", async () => {
        let remaining = 60_000;
        const plan = recordingPlanner((s) =>
            planOf(
                s.clusterArn,
                [decision("web", s.services[0].arn, "move", { moves: 2 })],
                ["w1", "w2"].map((id) => ({ kind: "stop-task" as const, service: "web", serviceArn: s.services[0].arn, taskArn: taskArn("default", id), containerInstanceArn: instanceArn("default", "i1"), reason: "r" })),
            ),
        ).plan;
        const { fake, handler } = harness({ plan });
        fake.ecsMock.on(require("@aws-sdk/client-ecs").StopTaskCommand).callsFake(async (input: Record<string, unknown>) => {
            fake.calls.push({ operation: "StopTask", input });
            remaining = 5_000;
            return {};
        });
        const b = batch(containerInstance);
        const response = await handler(b, withTime(() => remaining));
        expect(fake.callsOf("StopTask")).toHaveLength(1);
        expect(failures(response)).toEqual(ids(b));
    });

    test("a pass that failed on an ECS error is not redelivered (the next event or sweep looks again)", async () => {
        const { fake, handler, passes } = harness();
        fake.failNext("ListServices", new EcsApiError("AccessDeniedException", "no"), Infinity);
        const response = await handler(batch(sweepOf(EAST)));
        expect(passes()).toEqual([{ clusterArn: EAST, trigger: "schedule", outcome: "failed" }]);
        expect(response).toEqual({ batchItemFailures: [] });
    });

    test("a bad setting throws before any record is read: Lambda returns the whole batch", async () => {
        const { fake, handler } = harness();
        process.env.REBALANCER_MAX_MOVES_PER_PASS = "many";
        await expect(handler(batch(sweepOf(EAST)))).rejects.toBeInstanceOf(SettingsError);
        expect(fake.calls).toEqual([]);
    });
});
