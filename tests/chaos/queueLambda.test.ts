// The serial queue-backed Lambda (local/queueLambda.ts) keeps the SQS event source mapping's contract: a success
// deletes the batch, the records named in batchItemFailures come back after the visibility timeout, a throw or a
// timeout returns the whole batch, a message past maxReceiveCount goes to the DLQ, a repeated body within 5 minutes
// is dropped; and the bus hands it each rule, whose message group and input transformer it sends with.

import { LocalEventBus } from "../../local/eventBus";
import type { LambdaHandlerFn } from "../../local/lambdaHost";
import { LocalQueueLambda } from "../../local/queueLambda";
import { clusterSweepTransformer } from "../../rebalancer/eventPatterns";

const VISIBILITY_MS = 1_800_000;
const CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/chaos";

class Clock {
    t = Date.parse("2026-01-01T00:00:00Z");
    now(): number {
        return this.t;
    }
    advance(ms: number): void {
        this.t += ms;
    }
}

interface Batch {
    Records: { messageId: string; body: string; attributes: Record<string, string> }[];
}

function setup(handler: (batch: Batch) => unknown, options: { maxReceiveCount?: number; logs?: { record: unknown }[] } = {}) {
    const clock = new Clock();
    const seen: Batch[] = [];
    const fn: LambdaHandlerFn = async (event) => {
        seen.push(event as Batch);
        return handler(event as Batch);
    };
    const lambda = new LocalQueueLambda(fn, clock, {
        timeoutMs: 300_000, functionName: "rebalancer", batchSize: 10, visibilityTimeoutMs: VISIBILITY_MS,
        maxReceiveCount: options.maxReceiveCount ?? 5, queueArn: "arn:aws:sqs:us-east-1:123456789012:events.fifo", region: "us-east-1",
    }, options.logs);
    return { clock, lambda, seen };
}

const bodies = (b: Batch) => b.Records.map((r) => r.body);

test("a success deletes the batch: nothing is left to receive", async () => {
    const { lambda, seen } = setup(() => ({ batchItemFailures: [] }));
    lambda.send("a1", "A");
    lambda.send("b1", "B");
    const record = (await lambda.runNext())!;
    expect(bodies(seen[0]!)).toEqual(["a1", "b1"]);
    expect(record.failed).toEqual([]);
    expect([lambda.queued, lambda.nextDueAt(), await lambda.runNext()]).toEqual([0, undefined, undefined]);
});

test("records named in batchItemFailures come back after the visibility timeout; their group waits, another does not", async () => {
    const { clock, lambda, seen } = setup((b) => ({ batchItemFailures: b.Records.filter((r) => r.body === "a1").map((r) => ({ itemIdentifier: r.messageId })) }));
    lambda.send("a1", "A");
    lambda.send("b1", "B");
    const start = clock.now();
    const first = (await lambda.runNext())!;
    expect(first.failed).toEqual([first.messages[0]]);
    // A later message of group A waits behind the returned one; group B's goes at once.
    lambda.send("a2", "A");
    lambda.send("b2", "B");
    expect(lambda.nextDueAt()).toBe(clock.now());
    await lambda.runNext();
    expect(bodies(seen[1]!)).toEqual(["b2"]);
    expect(lambda.nextDueAt()).toBe(start + VISIBILITY_MS);
    clock.advance(VISIBILITY_MS - 1);
    expect(await lambda.runNext()).toBeUndefined();
    clock.advance(1);
    await lambda.runNext();
    expect(bodies(seen[2]!)).toEqual(["a1", "a2"]);
    expect(seen[2]!.Records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(["2", "1"]);
});

test("a thrown error returns the whole batch, visible again after the visibility timeout", async () => {
    let calls = 0;
    const { clock, lambda, seen } = setup(() => {
        if (++calls === 1) throw new Error("killed");
        return { batchItemFailures: [] };
    });
    lambda.send("a1", "A");
    lambda.send("b1", "B");
    const failed = (await lambda.runNext())!;
    expect(failed.error).toBe("Error: killed");
    expect(failed.failed).toEqual(failed.messages);
    expect(lambda.queued).toBe(2);
    expect(await lambda.runNext()).toBeUndefined();
    clock.advance(VISIBILITY_MS);
    await lambda.runNext();
    expect(bodies(seen[1]!)).toEqual(["a1", "b1"]);
    expect(lambda.queued).toBe(0);
});

test("an invocation past the function's timeout fails and returns its batch", async () => {
    let clock!: Clock;
    const s = setup(() => {
        clock.advance(300_001);
        return { batchItemFailures: [] };
    });
    clock = s.clock;
    s.lambda.send("a1", "A");
    const record = (await s.lambda.runNext())!;
    expect(record.error).toBe("Task timed out");
    expect(s.lambda.queued).toBe(1);
});

test("a partial batch response naming no record of the batch fails the whole batch", async () => {
    const { lambda } = setup(() => ({ batchItemFailures: [{ itemIdentifier: "not-in-this-batch" }] }));
    lambda.send("a1", "A");
    lambda.send("b1", "B");
    const record = (await lambda.runNext())!;
    expect(record.failed).toEqual(record.messages);
    expect(lambda.queued).toBe(2);
});

test("past maxReceiveCount the message goes to the DLQ instead of the function", async () => {
    const { clock, lambda, seen } = setup(() => {
        throw new Error("always");
    }, { maxReceiveCount: 2 });
    lambda.send("a1", "A");
    await lambda.runNext();
    clock.advance(VISIBILITY_MS);
    await lambda.runNext();
    clock.advance(VISIBILITY_MS);
    expect(await lambda.runNext()).toBeUndefined();
    expect(seen.length).toBe(2);
    expect(lambda.deadLetters.map((m) => m.body)).toEqual(["a1"]);
    expect([lambda.queued, lambda.nextDueAt()]).toEqual([0, undefined]);
});

test("a body sent again within 5 minutes is dropped (content-based deduplication); after that it is delivered", async () => {
    const { clock, lambda, seen } = setup(() => ({ batchItemFailures: [] }));
    expect(lambda.send("same", "A")).toBe(true);
    clock.advance(299_999);
    expect(lambda.send("same", "A")).toBe(false);
    expect(lambda.send("same", "B")).toBe(false);
    await lambda.runNext();
    clock.advance(1);
    expect(lambda.send("same", "A")).toBe(true);
    await lambda.runNext();
    expect(seen.map(bodies)).toEqual([["same"], ["same"]]);
    expect(lambda.queue.duplicatesDropped).toBe(2);
});

test("the record carries the cluster summaries of the invocation's own \"queue batch\" log record", async () => {
    const logs: { record: unknown }[] = [{ record: { message: "queue batch", clusters: [{ outcome: "stale" }] } }];
    const { lambda } = setup(() => {
        logs.push({ record: { message: "rebalancer pass" } }, { record: { message: "queue batch", clusters: [{ outcome: "completed", writes: 0 }] } });
        return { batchItemFailures: [] };
    }, { logs });
    lambda.send("a1", "A");
    const record = (await lambda.runNext())!;
    expect(record.clusters).toEqual([{ outcome: "completed", writes: 0 }]);
    expect(record.result).toEqual({ batchItemFailures: [] });
});

test("the bus sends each rule's events with its message group; the sweep rule sends its input transformer's output", async () => {
    const { clock, lambda, seen } = setup(() => ({ batchItemFailures: [] }));
    const pattern = { source: ["aws.ecs"] };
    const bus = new LocalEventBus([
        { name: "ic", arn: "arn:aws:events:us-east-1:123456789012:rule/ic", eventPattern: pattern, messageGroupId: "group-chaos", inputTransformer: undefined },
        { name: "sw", arn: "arn:aws:events:us-east-1:123456789012:rule/sw", scheduleExpression: "rate(5 minutes)", messageGroupId: "group-chaos", inputTransformer: clusterSweepTransformer(CLUSTER) },
    ] as never, lambda, clock);
    const event = { id: "e-1", source: "aws.ecs", "detail-type": "ECS Container Instance State Change", detail: {} };
    bus.publish(event);
    clock.advance(300_000);
    bus.fireDueSchedules();
    await lambda.runNext();
    const [instance, sweep] = seen[0]!.Records;
    expect(JSON.parse(instance!.body)).toEqual(event);
    expect(JSON.parse(sweep!.body)).toMatchObject({ source: "ecs-rebalancer", "detail-type": "Cluster Sweep", detail: { clusterArn: CLUSTER } });
    expect(seen[0]!.Records.map((r) => r.attributes.MessageGroupId)).toEqual(["group-chaos", "group-chaos"]);
    // A rule that does not target the queue has no message group to send with.
    expect(() => lambda.enqueue(event, { name: "direct", arn: "x", eventPattern: pattern })).toThrow(/no message group/);
});
