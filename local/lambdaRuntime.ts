// The Lambda service's contract for asynchronous invocations (how EventBridge invokes a function), on a clock:
// reserved concurrency 1 (one invocation at a time; events that arrive meanwhile wait in the queue), retries of
// a failed invocation after a delay (twice by default), a maximum event age, and a dead-letter list for events
// that exhausted their retries.

import type { BusRule } from "./eventBus";
import type { LambdaContext, LambdaHandlerFn } from "./lambdaHost";

export interface ClockLike {
    now(): number;
}

export interface AsyncInvokeOptions {
    timeoutMs: number;
    maximumRetryAttempts: number;
    maximumEventAgeMs: number;
    /** Delay before each retry (Lambda backs off from about a minute to a few). */
    retryDelaysMs: number[];
    functionName: string;
}

export const DEFAULT_ASYNC_INVOKE: AsyncInvokeOptions = {
    timeoutMs: 300_000,
    maximumRetryAttempts: 2,
    maximumEventAgeMs: 6 * 3600_000,
    retryDelaysMs: [60_000, 120_000],
    functionName: "rebalancer",
};

interface Queued {
    event: unknown;
    receivedAt: number;
    dueAt: number;
    attempt: number;
}

export interface InvocationRecord {
    event: unknown;
    startedAt: number;
    endedAt: number;
    attempt: number;
    result?: unknown;
    error?: string;
    /**
     * The per-cluster summaries of the invocation when its answer does not carry them (a queue batch answers with
     * batchItemFailures only; queueLambda.ts reads them from its "queue batch" log record).
     */
    clusters?: unknown[];
}

/** What the serial runners drive: this asynchronous invocation, or delivery through the queue (queueLambda.ts). */
export interface SerialLambda {
    readonly options: { timeoutMs: number; functionName: string };
    readonly invocations: readonly InvocationRecord[];
    readonly deadLetters: readonly unknown[];
    readonly busy: boolean;
    readonly queued: number;
    /** An event a rule sends (the queue needs the rule: its message group and input transformer). */
    enqueue(event: unknown, rule?: BusRule): void;
    nextDueAt(): number | undefined;
    runNext(): Promise<InvocationRecord | undefined>;
    replaceHandler(handler: LambdaHandlerFn): void;
}

export class LocalAsyncLambda implements SerialLambda {
    private readonly queue: Queued[] = [];
    private running = false;
    private sequence = 0;
    readonly invocations: InvocationRecord[] = [];
    readonly deadLetters: { event: unknown; error: string }[] = [];
    readonly options: AsyncInvokeOptions;

    constructor(private handler: LambdaHandlerFn, private readonly clock: ClockLike, options: Partial<AsyncInvokeOptions> = {}) {
        this.options = { ...DEFAULT_ASYNC_INVOKE, ...options };
    }

    /** Replaces the container (e.g. after a crash): later invocations run on the new one. */
    replaceHandler(handler: LambdaHandlerFn): void {
        this.handler = handler;
    }

    /** An asynchronous invocation, as EventBridge makes one. */
    enqueue(event: unknown): void {
        const now = this.clock.now();
        this.queue.push({ event, receivedAt: now, dueAt: now, attempt: 0 });
    }

    get busy(): boolean {
        return this.running;
    }

    /** When the next queued event can run (undefined when the queue is empty). */
    nextDueAt(): number | undefined {
        let next: number | undefined;
        for (const q of this.queue) if (next === undefined || q.dueAt < next) next = q.dueAt;
        return next;
    }

    get queued(): number {
        return this.queue.length;
    }

    /** Runs the next due event, if any and if no invocation is running; resolves when it ends. */
    async runNext(): Promise<InvocationRecord | undefined> {
        if (this.running) return undefined;
        const now = this.clock.now();
        this.queue.sort((a, b) => a.dueAt - b.dueAt || a.receivedAt - b.receivedAt);
        const index = this.queue.findIndex((q) => q.dueAt <= now);
        if (index < 0) return undefined;
        const [item] = this.queue.splice(index, 1);
        if (now - item.receivedAt > this.options.maximumEventAgeMs) {
            this.deadLetters.push({ event: item.event, error: "maximum event age exceeded" });
            return this.runNext();
        }
        this.running = true;
        const startedAt = now;
        const context: LambdaContext = {
            functionName: this.options.functionName,
            awsRequestId: `local-${++this.sequence}`,
            getRemainingTimeInMillis: () => Math.max(0, startedAt + this.options.timeoutMs - this.clock.now()),
        };
        const record: InvocationRecord = { event: item.event, startedAt, endedAt: startedAt, attempt: item.attempt };
        try {
            record.result = await this.handler(item.event, context);
        } catch (e) {
            record.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        } finally {
            this.running = false;
            record.endedAt = this.clock.now();
            this.invocations.push(record);
        }
        if (record.endedAt - startedAt > this.options.timeoutMs && !record.error) record.error = "Task timed out";
        if (record.error) {
            if (item.attempt < this.options.maximumRetryAttempts) {
                const delay = this.options.retryDelaysMs[Math.min(item.attempt, this.options.retryDelaysMs.length - 1)] ?? 60_000;
                this.queue.push({ ...item, attempt: item.attempt + 1, dueAt: record.endedAt + delay });
            } else {
                this.deadLetters.push({ event: item.event, error: record.error });
            }
        }
        return record;
    }
}
