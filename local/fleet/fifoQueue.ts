// An SQS FIFO queue as Lambda's event source mapping reads it, on the emulated clock. What it follows:
// - SQS developer guide, "Exactly-once processing in Amazon SQS" / "Using the message deduplication ID": a message
//   whose deduplication id was sent in the last 5 minutes is accepted and not delivered again.
// - "Using the message group ID": messages of one group are received in order; while a group's message is in flight
//   (received, not deleted, visibility timeout running) no later message of that group is received.
// - Lambda developer guide, "Configuring scaling behavior for SQS event source mappings": for FIFO queues "each
//   batch may contain messages from more than one message group, but the order of the messages is maintained";
//   concurrent invocations are at most the number of message groups or the maximum concurrency, the lower.
// - "Lambda parameters for Amazon SQS event source mappings": a FIFO batch holds at most 10 messages.
// - "Implementing partial batch responses": the messages named in batchItemFailures return to the queue (visible
//   again after the visibility timeout), the rest are deleted; a thrown error returns the whole batch.
// - SQS "Using dead-letter queues": a message received more than maxReceiveCount times moves to the DLQ.

export const DEDUPLICATION_INTERVAL_MS = 5 * 60_000;
export const FIFO_MAX_BATCH = 10;

export interface QueueMessage {
    messageId: string;
    body: string;
    groupId: string;
    deduplicationId: string;
    sentAt: number;
    receiveCount: number;
    /** Invisible until then (received and in flight, or returned after a failure). */
    visibleAt: number;
    inFlight: boolean;
}

export interface FifoQueueOptions {
    visibilityTimeoutMs: number;
    maxReceiveCount: number;
}

export class FifoQueue {
    private readonly messages: QueueMessage[] = [];
    private readonly recentDeduplicationIds = new Map<string, number>();
    private sequence = 0;
    readonly deadLetters: QueueMessage[] = [];
    duplicatesDropped = 0;

    constructor(private readonly options: FifoQueueOptions) {}

    /** SendMessage; false when the deduplication id was seen within the interval (accepted, not delivered). */
    send(body: string, groupId: string, deduplicationId: string, now: number): boolean {
        for (const [id, at] of this.recentDeduplicationIds) {
            if (now - at >= DEDUPLICATION_INTERVAL_MS) this.recentDeduplicationIds.delete(id);
            else break;
        }
        if (this.recentDeduplicationIds.has(deduplicationId)) {
            this.duplicatesDropped++;
            return false;
        }
        this.recentDeduplicationIds.set(deduplicationId, now);
        this.messages.push({ messageId: `msg-${++this.sequence}`, body, groupId, deduplicationId, sentAt: now, receiveCount: 0, visibleAt: now, inFlight: false });
        return true;
    }

    get depth(): number {
        return this.messages.length;
    }

    /** Groups with a message in flight or returned and not yet visible: nothing later of theirs can be received. */
    private blockedGroups(now: number): Set<string> {
        const blocked = new Set<string>();
        for (const m of this.messages) if (m.inFlight || m.visibleAt > now) blocked.add(m.groupId);
        return blocked;
    }

    /**
     * ReceiveMessage for one batch: up to `max` messages in queue order from groups with nothing in flight, each
     * group's messages in order. Messages received more than maxReceiveCount times go to the DLQ instead.
     */
    receive(now: number, max = FIFO_MAX_BATCH): QueueMessage[] {
        const blocked = this.blockedGroups(now);
        const batch: QueueMessage[] = [];
        for (const m of [...this.messages]) {
            if (batch.length >= max) break;
            if (blocked.has(m.groupId)) continue;
            if (m.receiveCount >= this.options.maxReceiveCount) {
                this.remove(m);
                this.deadLetters.push(m);
                continue;
            }
            m.receiveCount++;
            m.inFlight = true;
            m.visibleAt = now + this.options.visibilityTimeoutMs;
            batch.push(m);
        }
        return batch;
    }

    /** Whether a batch could be received now (some visible message of a group with nothing in flight). */
    hasReceivable(now: number): boolean {
        const blocked = this.blockedGroups(now);
        return this.messages.some((m) => !blocked.has(m.groupId));
    }

    /** Groups that have messages waiting, in flight or not. */
    activeGroups(): number {
        return new Set(this.messages.map((m) => m.groupId)).size;
    }

    /** When a returned message becomes visible next (undefined when none waits for its timeout). */
    nextVisibleAt(now: number): number | undefined {
        let next: number | undefined;
        for (const m of this.messages) if (!m.inFlight && m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
        return next;
    }

    /** The invocation ended: failed messages return (visible after their timeout), the rest are deleted. */
    settle(batch: QueueMessage[], failedIds: ReadonlySet<string>): void {
        for (const m of batch) {
            if (failedIds.has(m.messageId)) m.inFlight = false;
            else this.remove(m);
        }
    }

    private remove(m: QueueMessage): void {
        const i = this.messages.indexOf(m);
        if (i >= 0) this.messages.splice(i, 1);
    }
}

/** The Lambda event for a batch ("Using Lambda with Amazon SQS": an SQS message event), as the function gets it. */
export function sqsEvent(batch: QueueMessage[], queueArn: string, region: string): { Records: unknown[] } {
    return {
        Records: batch.map((m) => ({
            messageId: m.messageId,
            receiptHandle: `receipt-${m.messageId}-${m.receiveCount}`,
            body: m.body,
            attributes: {
                ApproximateReceiveCount: String(m.receiveCount),
                SentTimestamp: String(m.sentAt),
                MessageGroupId: m.groupId,
                MessageDeduplicationId: m.deduplicationId,
                SequenceNumber: String(m.messageId.slice("msg-".length)).padStart(20, "0"),
                ApproximateFirstReceiveTimestamp: String(m.sentAt),
                SenderId: "AIDAEVENTBRIDGE",
            },
            messageAttributes: {},
            md5OfBody: "",
            eventSource: "aws:sqs",
            eventSourceARN: queueArn,
            awsRegion: region,
        })),
    };
}
