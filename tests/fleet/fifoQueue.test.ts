import { DEDUPLICATION_INTERVAL_MS, FifoQueue, sqsEvent } from "../../local/fleet/fifoQueue";

const options = { visibilityTimeoutMs: 60_000, maxReceiveCount: 3 };

describe("the local SQS FIFO queue", () => {
    test("a deduplication id seen within 5 minutes is accepted and not delivered; after that it is delivered", () => {
        const q = new FifoQueue(options);
        expect(q.send("a", "g", "id-1", 0)).toBe(true);
        expect(q.send("a again", "g", "id-1", DEDUPLICATION_INTERVAL_MS - 1)).toBe(false);
        expect(q.duplicatesDropped).toBe(1);
        expect(q.send("a later", "g", "id-1", DEDUPLICATION_INTERVAL_MS)).toBe(true);
        expect(q.depth).toBe(2);
    });

    test("a batch takes several groups in queue order; a group with a message in flight gives nothing more", () => {
        const q = new FifoQueue(options);
        q.send("a1", "a", "1", 0);
        q.send("b1", "b", "2", 0);
        q.send("a2", "a", "3", 0);
        const first = q.receive(0, 2);
        expect(first.map((m) => m.body)).toEqual(["a1", "b1"]);
        // a1 and b1 are in flight: a2 waits although it is visible.
        expect(q.hasReceivable(0)).toBe(false);
        expect(q.receive(0)).toEqual([]);
        q.settle(first, new Set());
        expect(q.receive(0).map((m) => m.body)).toEqual(["a2"]);
    });

    test("a failed message returns after the visibility timeout and blocks its group until then; others go on", () => {
        const q = new FifoQueue(options);
        q.send("a1", "a", "1", 0);
        q.send("a2", "a", "2", 0);
        q.send("b1", "b", "3", 0);
        const batch = q.receive(0, 1);
        q.settle(batch, new Set([batch[0].messageId]));
        expect(q.receive(1_000).map((m) => m.body)).toEqual(["b1"]);
        expect(q.nextVisibleAt(1_000)).toBe(60_000);
        expect(q.receive(59_999)).toEqual([]);
        const again = q.receive(60_000);
        expect(again.map((m) => [m.body, m.receiveCount])).toEqual([["a1", 2], ["a2", 1]]);
    });

    test("a message received maxReceiveCount times goes to the dead-letter queue on the next receive", () => {
        const q = new FifoQueue(options);
        q.send("poison", "a", "1", 0);
        q.send("next", "a", "2", 0);
        let now = 0;
        for (let i = 0; i < 3; i++) {
            const batch = q.receive(now, 1);
            expect(batch.map((m) => m.body)).toEqual(["poison"]);
            q.settle(batch, new Set([batch[0].messageId]));
            now += options.visibilityTimeoutMs;
        }
        expect(q.receive(now, 1).map((m) => m.body)).toEqual(["next"]);
        expect(q.deadLetters.map((m) => m.body)).toEqual(["poison"]);
    });

    test("the Lambda event carries each message's id, body and group, marked as from SQS", () => {
        const q = new FifoQueue(options);
        q.send('{"x":1}', "cluster-a", "evt-1", 5);
        const event = sqsEvent(q.receive(5), "arn:aws:sqs:us-east-1:123456789012:q.fifo", "us-east-1");
        expect(event.Records).toEqual([
            expect.objectContaining({
                body: '{"x":1}',
                eventSource: "aws:sqs",
                eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:q.fifo",
                attributes: expect.objectContaining({ MessageGroupId: "cluster-a", MessageDeduplicationId: "evt-1", ApproximateReceiveCount: "1" }),
            }),
        ]);
    });
});
