// `delivery: queue` in the fleet simulation: EventBridge sends each matched event to the SQS FIFO queue (message
// group = its cluster, deduplication id = the event's id), and Lambda's event source mapping invokes the function
// with batches, at most `maximumConcurrency` at a time ("Configuring scaling behavior for SQS event source
// mappings"). A batch's messages named in batchItemFailures return to the queue; a thrown error returns them all.

import type { VirtualClock } from "../emulator";
import { FifoQueue, sqsEvent, type QueueMessage } from "./fifoQueue";
import type { FleetContainers } from "./fleetContainers";

export interface QueueDeliveryOptions {
    maximumConcurrency: number;
    batchSize: number;
    visibilityTimeoutMs: number;
    maxReceiveCount: number;
    queueArn: string;
    region: string;
}

export class QueueDelivery {
    readonly queue: FifoQueue;
    private running = 0;
    /** Messages each invocation received, and what it answered. */
    readonly batches: { startedAt: number; endedAt: number; messages: string[]; failed: string[]; error?: string }[] = [];

    constructor(
        private readonly containers: FleetContainers,
        private readonly clock: VirtualClock,
        private readonly options: QueueDeliveryOptions,
    ) {
        this.queue = new FifoQueue({ visibilityTimeoutMs: options.visibilityTimeoutMs, maxReceiveCount: options.maxReceiveCount });
    }

    send(body: string, groupId: string, deduplicationId: string): void {
        this.queue.send(body, groupId, deduplicationId, this.clock.now());
        this.pump();
    }

    /** Starts invocations while a batch is receivable and the maximum concurrency allows. */
    pump(): void {
        const now = this.clock.now();
        while (this.running < this.options.maximumConcurrency && this.queue.hasReceivable(now)) {
            const batch = this.queue.receive(now, this.options.batchSize);
            if (batch.length === 0) break;
            this.running++;
            void this.invoke(batch).finally(() => {
                this.running--;
                this.pump();
            });
        }
        const next = this.queue.nextVisibleAt(now);
        if (next !== undefined) this.clock.schedule(next, () => this.pump());
    }

    private async invoke(batch: QueueMessage[]): Promise<void> {
        const record = { startedAt: this.clock.now(), endedAt: 0, messages: batch.map((m) => m.messageId), failed: [] as string[], error: undefined as string | undefined };
        let failed: Set<string>;
        try {
            const answer = (await this.containers.invoke(sqsEvent(batch, this.options.queueArn, this.options.region))) as { batchItemFailures?: { itemIdentifier?: string }[] } | undefined;
            failed = new Set((answer?.batchItemFailures ?? []).map((f) => String(f.itemIdentifier)));
        } catch (err) {
            record.error = err instanceof Error ? err.message : String(err);
            failed = new Set(batch.map((m) => m.messageId));
        }
        record.failed = [...failed];
        record.endedAt = this.clock.now();
        this.batches.push(record);
        this.queue.settle(batch, failed);
    }

    get lost(): number {
        return this.queue.deadLetters.length;
    }

    get backlog(): number {
        return this.queue.depth;
    }
}
