// Delivery `queue` as the program declares it under Pulumi mocks: the FIFO event queue and its FIFO dead-letter queue,
// the per-cluster rules writing to the queue in the cluster's own message group (sweeps as the cluster's sweep
// message), the queue policy (these rules only), the function's extra permissions (exactly what the event source
// mapping polls with), the event source mapping itself, no reserved concurrency, and the queue's alarms.
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID, json, REGION, runProgram, settle, type ProgramRun, type RecordedResource } from "../../local/pulumiMocks";
import { applyInputTransformer } from "../../local/inputTransformer";
import { QueueDelivery, type QueueDeliveryArgs } from "../../infra/rebalancer/queueDelivery";
import { TaskRebalancer } from "../../infra/rebalancer/taskRebalancer";
import { MAX_RECEIVE_COUNT, messageGroupIdFor } from "../../infra/rebalancer/queuePlan";
import { classifyEvent } from "../../rebalancer/events";
import { containerInstancePattern, serviceSteadyStatePattern } from "../../rebalancer/eventPatterns";
import { defaultSettings, parseSettings } from "../../rebalancer/settings";
import { policyAllows, type Statement } from "./support/iamEvaluation";

const PROD = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/prod`;
// A name of 100 characters (the longest TaskRebalancer takes as a cluster key): its ARN is over SQS's 128-character
// message group id.
const LONG_NAME = `c${"x".repeat(99)}`;
const LONG = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${LONG_NAME}`;
const BATCH = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/batch`;
const CLUSTERS = [PROD, LONG, BATCH];

let run: ProgramRun;
let fn: RecordedResource;
let queue: RecordedResource;
let dlq: RecordedResource;
let rules: RecordedResource[];
let targets: RecordedResource[];

beforeAll(async () => {
    run = await runProgram(pulumi, {
        createDemo: "false",
        targetClusters: JSON.stringify(["prod", LONG, "batch"]),
        delivery: "queue",
        queueMaxConcurrency: "7",
        lambdaTimeoutSeconds: "120",
        schedule: "rate(10 minutes)",
    });
    fn = run.rec.one("aws:lambda/function:Function");
    queue = run.rec.one("aws:sqs/queue:Queue", "rebalancer-events");
    dlq = run.rec.one("aws:sqs/queue:Queue", "rebalancer-events-dlq");
    rules = run.rec.ofType("aws:cloudwatch/eventRule:EventRule");
    targets = run.rec.ofType("aws:cloudwatch/eventTarget:EventTarget");
});

const ruleOf = (target: RecordedResource) => rules.find((r) => r.state.name === target.inputs.rule)!;

describe("the queues", () => {
    it("the event queue is FIFO, deduplicates by content, and hides a batch for six function timeouts", () => {
        expect(queue.inputs).toMatchObject({ fifoQueue: true, contentBasedDeduplication: true, visibilityTimeoutSeconds: 6 * 120, sqsManagedSseEnabled: true });
        // The provider appends .fifo to the prefix; the prefix leaves room for its unique suffix (80 characters in all).
        expect(queue.inputs.namePrefix).toBe("rebalancer-events-");
    });

    it(`redrives to a FIFO dead-letter queue after ${MAX_RECEIVE_COUNT} receives`, () => {
        expect(json(queue.inputs.redrivePolicy)).toEqual({ deadLetterTargetArn: dlq.state.arn, maxReceiveCount: MAX_RECEIVE_COUNT });
        expect(dlq.inputs).toMatchObject({ fifoQueue: true, sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 });
    });

    it("the async-invocation dead-letter queue is still there (operators may invoke the function asynchronously)", () => {
        const queues = run.rec.ofType("aws:sqs/queue:Queue").map((q) => q.name).sort();
        expect(queues).toEqual(["rebalancer-dlq", "rebalancer-events", "rebalancer-events-dlq"]);
        expect(fn.inputs.deadLetterConfig.targetArn).toBe(run.rec.one("aws:sqs/queue:Queue", "rebalancer-dlq").state.arn);
    });

    it("the stack outputs the event queue and its dead-letter queue", () => {
        expect(run.outputs.eventQueueUrl).toBe(queue.state.url);
        expect(run.outputs.eventDeadLetterQueueUrl).toBe(dlq.state.url);
    });
});

describe("the function and its event source mapping", () => {
    it("has no reserved concurrency: the message groups and the mapping's maximum concurrency bound the passes", () => {
        expect(fn.inputs.reservedConcurrentExecutions).toBeUndefined();
    });

    it("polls the event queue for the function: 10 records, partial batch responses, maximum concurrency 7", () => {
        const mapping = run.rec.one("aws:lambda/eventSourceMapping:EventSourceMapping");
        expect(mapping.inputs).toMatchObject({
            eventSourceArn: queue.state.arn,
            functionName: fn.state.name,
            batchSize: 10,
            functionResponseTypes: ["ReportBatchItemFailures"],
            scalingConfig: { maximumConcurrency: 7 },
        });
        // FIFO queues take no batching window.
        expect(mapping.inputs.maximumBatchingWindowInSeconds).toBeUndefined();
    });

    it("the role gains exactly receive, delete and get-attributes on the event queue, before the mapping is created", () => {
        const consumer = run.rec.one("aws:iam/rolePolicy:RolePolicy", "rebalancer-events-consumer");
        const role = run.rec.one("aws:iam/role:Role");
        expect(consumer.inputs.role).toBe("rebalancer-role-id");
        expect(role.name).toBe("rebalancer-role");
        const statements = json(consumer.inputs.policy).Statement as Statement[];
        expect(statements).toEqual([
            { Sid: "PollOwnEventQueue", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: queue.state.arn },
        ]);
        expect(policyAllows(statements, { action: "sqs:ReceiveMessage", resource: dlq.state.arn, context: {} })).toBe(false);
        expect(policyAllows(statements, { action: "sqs:SendMessage", resource: queue.state.arn, context: {} })).toBe(false);
        const mapping = run.rec.one("aws:lambda/eventSourceMapping:EventSourceMapping");
        expect(mapping.dependsOn).toContain(consumer.urn);
    });

    it("the function's own policy is unchanged: it may not read the event queue", () => {
        const own = json(run.rec.one("aws:iam/rolePolicy:RolePolicy", "rebalancer-policy").inputs.policy).Statement as Statement[];
        expect(policyAllows(own, { action: "sqs:ReceiveMessage", resource: queue.state.arn, context: {} })).toBe(false);
    });
});

describe("the rules: per cluster, into the queue, in the cluster's own message group", () => {
    it("three rules per cluster (instance change, steady state, sweep); none targets the function, none may invoke it", () => {
        expect(rules).toHaveLength(3 * CLUSTERS.length);
        expect(targets).toHaveLength(rules.length);
        for (const t of targets) expect(t.inputs.arn).toBe(queue.state.arn);
        expect(run.rec.ofType("aws:lambda/permission:Permission")).toEqual([]);
    });

    it("rule names fit EventBridge's 64 characters whatever the cluster key's length: a prefix of at most 38", () => {
        for (const r of rules) expect(r.inputs.namePrefix.length).toBeLessThanOrEqual(38);
        expect(rules.filter((r) => r.name.includes(LONG_NAME)).map((r) => r.inputs.namePrefix).sort())
            .toEqual(["rebalancer-cxxxxxxxxxxxxxx-ic-", "rebalancer-cxxxxxxxxxxxxxx-ss-", "rebalancer-cxxxxxxxxxxxxxx-sw-"]);
    });

    it("each cluster's events go to one message group of its own, within SQS's 128 characters", () => {
        const groupsByCluster = new Map<string, Set<string>>();
        for (const t of targets) {
            const rule = ruleOf(t);
            const cluster = rule.inputs.scheduleExpression
                ? JSON.parse(applyInputTransformer(t.inputs.inputTransformer, { id: "e", time: "t" })).detail.clusterArn
                : json(rule.inputs.eventPattern).detail.clusterArn[0];
            const group = t.inputs.sqsTarget.messageGroupId as string;
            expect(group.length).toBeLessThanOrEqual(128);
            expect(group).toMatch(/^[A-Za-z0-9_-]+$/);
            groupsByCluster.set(cluster, new Set([...(groupsByCluster.get(cluster) ?? []), group]));
        }
        expect([...groupsByCluster.keys()].sort()).toEqual([...CLUSTERS].sort());
        const groups = [...groupsByCluster.values()].map((s) => [...s]);
        for (const g of groups) expect(g).toHaveLength(1);
        expect(new Set(groups.flat()).size).toBe(CLUSTERS.length);
        expect(groupsByCluster.get(PROD)).toEqual(new Set([messageGroupIdFor(PROD)]));
    });

    it("the event patterns are the direct delivery's, narrowed to the rule's cluster", () => {
        for (const arn of CLUSTERS) {
            const patterns = rules.filter((r) => r.inputs.eventPattern && json(r.inputs.eventPattern).detail.clusterArn[0] === arn).map((r) => json(r.inputs.eventPattern));
            expect(patterns).toEqual([containerInstancePattern([arn]), serviceSteadyStatePattern([arn])]);
        }
    });

    it("each sweep writes its cluster's sweep message, which the deployed handler reads as a sweep of that cluster only", () => {
        const settings = parseSettings(fn.inputs.environment.variables);
        const sweeps = targets.filter((t) => ruleOf(t).inputs.scheduleExpression);
        expect(sweeps.map((t) => ruleOf(t).inputs.scheduleExpression)).toEqual(CLUSTERS.map(() => "rate(10 minutes)"));
        const scheduled = { version: "0", id: "ev-1", "detail-type": "Scheduled Event", source: "aws.events", account: ACCOUNT_ID, time: "2026-03-01T00:00:00Z", region: REGION, resources: [], detail: {} };
        const swept = sweeps.map((t) => {
            const c = classifyEvent(JSON.parse(applyInputTransformer(t.inputs.inputTransformer, scheduled)), settings);
            expect(c.accepted).toBe(true);
            return c.accepted && c.trigger.kind === "schedule" ? c.trigger.clusterArn : undefined;
        });
        expect(swept.sort()).toEqual([...CLUSTERS].sort());
    });
});

describe("the queue policy: EventBridge may send, for these rules only", () => {
    let statements: Array<Statement & { Principal?: unknown }>;
    beforeAll(() => {
        const policy = run.rec.one("aws:sqs/queuePolicy:QueuePolicy");
        expect(policy.inputs.queueUrl).toBe(queue.state.url);
        statements = json(policy.inputs.policy).Statement;
    });

    it("one statement: events.amazonaws.com, SendMessage, on the event queue, with aws:SourceArn the rules' ARNs", () => {
        expect(statements).toHaveLength(1);
        expect(statements[0]).toMatchObject({ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["sqs:SendMessage"], Resource: queue.state.arn });
        expect([...(statements[0].Condition!.ArnEquals["aws:SourceArn"] as string[])].sort()).toEqual(rules.map((r) => r.state.arn).sort());
    });

    it("a rule of this rebalancer may send; another rule, or none, may not", () => {
        const send = (sourceArn: string | undefined) => policyAllows(statements, { action: "sqs:SendMessage", resource: queue.state.arn, context: { "aws:SourceArn": sourceArn } });
        expect(send(rules[0].state.arn)).toBe(true);
        expect(send(`arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/someone-else`)).toBe(false);
        expect(send(undefined)).toBe(false);
        expect(policyAllows(statements, { action: "sqs:ReceiveMessage", resource: queue.state.arn, context: { "aws:SourceArn": rules[0].state.arn } })).toBe(false);
    });
});

describe("the queue's alarms", () => {
    it("the dead-letter alarm pattern covers the event dead-letter queue, and the oldest event's age is watched", () => {
        const alarms = run.rec.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
        const byName = (n: string) => alarms.find((a) => a.name === n)!;
        expect(byName("rebalancer-queue-dlq-depth").inputs).toMatchObject({
            namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: dlq.state.name }, statistic: "Maximum", threshold: 1,
        });
        expect(byName("rebalancer-queue-age").inputs).toMatchObject({
            namespace: "AWS/SQS", metricName: "ApproximateAgeOfOldestMessage", dimensions: { QueueName: queue.state.name }, statistic: "Maximum", threshold: 900,
        });
        // The async dead-letter queue keeps its own alarm.
        expect(byName("rebalancer-dlq-depth").inputs.dimensions).toEqual({ QueueName: run.rec.one("aws:sqs/queue:Queue", "rebalancer-dlq").state.name });
    });
});

describe("used on their own: bad args refused by name before anything is declared", () => {
    const { clusters: _c, ...settings } = defaultSettings([]);
    const queueArgs = (extra: Partial<QueueDeliveryArgs>): QueueDeliveryArgs => ({
        clusters: [{ key: "prod", arn: PROD }], functionName: "f", role: "r", functionTimeoutSeconds: 300, schedule: "rate(15 minutes)", maxConcurrency: 5, ...extra,
    });

    it.each([
        ["maxConcurrency below 2", { maxConcurrency: 1 }, /maxConcurrency: expected an integer from 2 to 1000/],
        ["no cluster", { clusters: [] }, /clusters: expected at least one cluster/],
        ["a bad schedule", { schedule: "every minute" }, /schedule: /],
    ] as const)("QueueDelivery: %s", async (_name, extra, message) => {
        const before = run.rec.resources.length;
        expect(() => new QueueDelivery(`bad-${before}`, queueArgs(extra as Partial<QueueDeliveryArgs>))).toThrow(message);
        await settle(pulumi);
        expect(run.rec.resources.slice(before).filter((r) => r.type !== "ecs-rebalancer:rebalancer:QueueDelivery")).toEqual([]);
    });

    it.each([
        ["delivery", { delivery: "sqs" }, /delivery: expected direct or queue/],
        ["queueMaxConcurrency", { delivery: "queue", queueMaxConcurrency: 1001 }, /queueMaxConcurrency: expected an integer from 2 to 1000/],
    ] as const)("TaskRebalancer: %s", async (_name, extra, message) => {
        const before = run.rec.resources.length;
        expect(() => new TaskRebalancer(`bad-${before}`, { clusters: [{ key: "prod", arn: PROD }], settings, ...(extra as object) })).toThrow(message);
        await settle(pulumi);
        expect(run.rec.resources.slice(before).filter((r) => r.type !== "ecs-rebalancer:rebalancer:TaskRebalancer")).toEqual([]);
    });

    it("with the schedule off, no sweep rules: two per cluster", async () => {
        const before = run.rec.resources.length;
        new QueueDelivery("nosweep", queueArgs({ schedule: "off", clusters: [{ key: "prod", arn: PROD }, { key: "batch", arn: BATCH }] }));
        await settle(pulumi);
        const added = run.rec.resources.slice(before).filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule");
        expect(added.map((r) => r.name).sort()).toEqual(["nosweep-batch-instance-change", "nosweep-batch-steady-state", "nosweep-prod-instance-change", "nosweep-prod-steady-state"]);
    });
});
