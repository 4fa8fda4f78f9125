// `delivery: queue` for the serial runners (scenario and chaos): EventBridge rules send to an SQS FIFO queue and
// Lambda's event source mapping invokes the function with batches, one invocation at a time (the runners play one
// invocation at a time; the concurrent counterpart is fleet/queueDelivery.ts). The queue itself is fleet/fifoQueue.ts.
// What it follows (AWS documentation):
// - EventBridge "Target.SqsParameters": a rule's SQS target sends with the target's MessageGroupId and no
//   deduplication id, so the queue has content-based deduplication: the id is the SHA-256 of the body
//   (SQS developer guide, "Using the message deduplication ID"); a repeat within 5 minutes is not delivered.
// - Lambda developer guide, "Implementing partial batch responses": the records named in batchItemFailures return to
//   the queue, the rest are deleted; an error (a throw, a timeout, a killed runtime) returns the whole batch; so does
//   an itemIdentifier that is empty or names no record of the batch. Returned messages are visible again after the
//   queue's visibility timeout, and their group waits meanwhile ("Using the message group ID").
// - SQS "Using dead-letter queues": past maxReceiveCount receives a message moves to the DLQ.

import { createHash } from "node:crypto";
import type { BusRule } from "./eventBus";
import { FifoQueue, FIFO_MAX_BATCH, sqsEvent, type QueueMessage } from "./fleet/fifoQueue";
import { applyInputTransformer } from "./inputTransformer";
import type { LambdaContext, LambdaHandlerFn } from "./lambdaHost";
import type { ClockLike, InvocationRecord, SerialLambda } from "./lambdaRuntime";
import type { InputTransformer } from "../rebalancer/eventPatterns";

export interface QueueLambdaOptions {
    timeoutMs: number;
    functionName: string;
    batchSize: number;
    visibilityTimeoutMs: number;
    maxReceiveCount: number;
    queueArn: string;
    region: string;
}

export interface QueueInvocationRecord extends InvocationRecord {
    /** The batch's message ids, and those that returned to the queue. */
    messages: string[];
    failed: string[];
}

/** Captured log lines of the function (in order): where a queue invocation's "queue batch" record is read from. */
export type LogLines = readonly { record: unknown }[];

export class LocalQueueLambda implements SerialLambda {
    readonly queue: FifoQueue;
    readonly invocations: QueueInvocationRecord[] = [];
    readonly options: QueueLambdaOptions;
    private running = false;
    private sequence = 0;

    constructor(private handler: LambdaHandlerFn, private readonly clock: ClockLike, options: QueueLambdaOptions, private readonly logs?: LogLines) {
        this.options = { ...options, batchSize: Math.min(options.batchSize, FIFO_MAX_BATCH) };
        this.queue = new FifoQueue({ visibilityTimeoutMs: options.visibilityTimeoutMs, maxReceiveCount: options.maxReceiveCount });
    }

    /** Replaces the container (e.g. after a crash): later invocations run on the new one. */
    replaceHandler(handler: LambdaHandlerFn): void {
        this.handler = handler;
    }

    /** What a rule's SQS target sends: the event, or its input transformer's output, in the rule's message group. */
    enqueue(event: unknown, rule?: BusRule): void {
        const target = rule as (BusRule & { messageGroupId?: string; inputTransformer?: InputTransformer }) | undefined;
        if (!target?.messageGroupId) throw new Error(`rule ${target?.name ?? "(none)"} has no message group: it does not target the FIFO queue`);
        this.send(target.inputTransformer ? applyInputTransformer(target.inputTransformer, event) : JSON.stringify(event), target.messageGroupId);
    }

    /** SendMessage with content-based deduplication; false when a repeat was dropped. */
    send(body: string, groupId: string): boolean {
        return this.queue.send(body, groupId, createHash("sha256").update(body).digest("hex"), this.clock.now());
    }

    get busy(): boolean {
        return this.running;
    }

    /** Messages in the queue, visible or not. */
    get queued(): number {
        return this.queue.depth;
    }

    get deadLetters(): readonly QueueMessage[] {
        return this.queue.deadLetters;
    }

    /** Now when a batch can be received, else when a returned message becomes visible (undefined: queue empty). */
    nextDueAt(): number | undefined {
        const now = this.clock.now();
        return this.queue.hasReceivable(now) ? now : this.queue.nextVisibleAt(now);
    }

    /** Receives one batch and invokes the function with it, if a batch is receivable and nothing runs. */
    async runNext(): Promise<QueueInvocationRecord | undefined> {
        if (this.running) return undefined;
        const startedAt = this.clock.now();
        const batch = this.queue.receive(startedAt, this.options.batchSize);
        // Nothing receivable, or what was went to the DLQ.
        if (batch.length === 0) return undefined;
        this.running = true;
        const context: LambdaContext = {
            functionName: this.options.functionName,
            awsRequestId: `local-queue-${++this.sequence}`,
            getRemainingTimeInMillis: () => Math.max(0, startedAt + this.options.timeoutMs - this.clock.now()),
        };
        const ids = batch.map((m) => m.messageId);
        const record: QueueInvocationRecord = {
            event: sqsEvent(batch, this.options.queueArn, this.options.region),
            startedAt, endedAt: startedAt,
            attempt: Math.max(...batch.map((m) => m.receiveCount)) - 1,
            messages: ids, failed: [],
        };
        const logMark = this.logs?.length ?? 0;
        try {
            record.result = await this.handler(record.event, context);
        } catch (e) {
            record.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        } finally {
            this.running = false;
            record.endedAt = this.clock.now();
        }
        if (record.endedAt - startedAt > this.options.timeoutMs && !record.error) record.error = "Task timed out";
        const failed = record.error ? new Set(ids) : failedItems(record.result, ids);
        record.failed = ids.filter((id) => failed.has(id));
        const clusters = this.logs ? batchClusters(this.logs.slice(logMark)) : undefined;
        if (clusters) record.clusters = clusters;
        this.invocations.push(record);
        this.queue.settle(batch, failed);
        return record;
    }
}

/** The records a partial batch response names; all of them when the response is malformed. */
function failedItems(result: unknown, ids: string[]): Set<string> {
    const failures = (result as { batchItemFailures?: unknown } | undefined)?.batchItemFailures;
    if (failures === undefined) return new Set();
    if (!Array.isArray(failures)) return new Set(ids);
    const named = failures.map((f) => (f as { itemIdentifier?: unknown } | null)?.itemIdentifier);
    if (named.some((id) => typeof id !== "string" || !ids.includes(id))) return new Set(ids);
    return new Set(named as string[]);
}

/** The per-cluster summaries of the invocation's "queue batch" log record (rebalancer/queueDelivery.ts). */
function batchClusters(lines: LogLines): unknown[] | undefined {
    for (const line of lines) {
        const r = line.record as { message?: unknown; clusters?: unknown } | null;
        if (typeof r === "object" && r !== null && r.message === "queue batch" && Array.isArray(r.clusters)) return r.clusters;
    }
    return undefined;
}
