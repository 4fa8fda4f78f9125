// Delivery `queue`: unwraps a batch from the SQS FIFO queue the EventBridge rules write to, and answers with Lambda's
// partial batch response. Each body is an EventBridge event (or a cluster's sweep message), classified as a direct
// invocation's event is; records are grouped by cluster and each cluster gets at most one pass for the whole batch
// (a pass reads the whole cluster, so it covers every event of that cluster). A body that is not a target cluster's
// event is logged and dropped (redelivering it would never help). Only records whose pass did not run, or stopped,
// for lack of time are returned for redelivery.
// Lambda's rules for SQS batches (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html):
// `{ batchItemFailures: [{ itemIdentifier: <messageId> }] }` names the records to redeliver, and with a FIFO queue
// a function returns, after a failed record, every later record of the same message group (the order SQS keeps is
// per group). Here a cluster is a group and all its records share one pass, so they are returned together or not.
import type { ClusterSummary } from "./handler";
import type { PassRecord } from "./passLog";
import type { Classification, Trigger } from "./events";
import { classifyEvent, describeEventBriefly } from "./events";
import type { Settings } from "./settings";
import type { LogSink } from "./telemetry";

export interface QueueRecord {
    messageId: string;
    body: string;
    eventSource: "aws:sqs";
    attributes?: Record<string, string>;
}

export interface QueueEvent {
    Records: QueueRecord[];
}

export interface QueueBatchResponse {
    batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** A trigger that names its cluster: the only kind a queued message may carry. */
export type ClusterTrigger = Extract<Trigger, { clusterArn: string }> | { kind: "schedule"; clusterArn: string };

/** What one cluster's pass (or its absence) meant for the batch. */
export interface QueuedPassOutcome {
    /** The pass did not start, or stopped before its writes, for lack of time: redeliver the cluster's records. */
    stoppedForTime: boolean;
    summary?: ClusterSummary;
    /** Why no pass was needed (every event of the cluster already covered by an earlier pass). */
    skipped?: string;
}

export interface QueueBatchDeps {
    settings: Settings;
    log: LogSink;
    /** One pass over the cluster for these triggers (in arrival order). */
    passCluster(clusterArn: string, triggers: ClusterTrigger[]): Promise<QueuedPassOutcome>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True for an invocation by an SQS event source mapping (every record from SQS). */
export function isQueueEvent(event: unknown): event is QueueEvent {
    if (!isRecord(event) || !Array.isArray(event.Records) || event.Records.length === 0) return false;
    return event.Records.every((r) => isRecord(r) && r.eventSource === "aws:sqs");
}

/** True when a pass did not do what it planned for lack of time (a fresh invocation would). */
export function stoppedForTime(record: PassRecord): boolean {
    return record.outcome === "deadline" || record.services.some((s) => s.act?.outcome === "deadline");
}

/** A queued body as a trigger of one target cluster, or why it is dropped. */
export function classifyQueuedBody(body: unknown, settings: Settings): { trigger: ClusterTrigger; event: unknown } | { why: string; event: unknown } {
    if (typeof body !== "string") return { why: "body is not a string", event: undefined };
    let event: unknown;
    try {
        event = JSON.parse(body);
    } catch {
        return { why: "body is not JSON", event: undefined };
    }
    // Only the rules write to the queue: an operator request (no envelope) is not a queued message.
    if (!isRecord(event) || !("source" in event || "detail-type" in event)) return { why: "body is not an EventBridge event", event };
    const classified: Classification = classifyEvent(event, settings);
    if (!classified.accepted) return { why: classified.why, event };
    const trigger = classified.trigger;
    if (!("clusterArn" in trigger) || typeof trigger.clusterArn !== "string") return { why: `a ${trigger.kind} event names no cluster`, event };
    return { trigger: trigger as ClusterTrigger, event };
}

/** Handles one SQS batch; never throws but what `passCluster` throws. */
export async function handleQueueBatch(batch: QueueEvent, deps: QueueBatchDeps): Promise<QueueBatchResponse> {
    const groups = new Map<string, { triggers: ClusterTrigger[]; messageIds: string[] }>();
    let dropped = 0;
    for (const record of batch.Records) {
        const messageId = typeof record.messageId === "string" ? record.messageId : "";
        const classified = classifyQueuedBody(record.body, deps.settings);
        if ("why" in classified || messageId === "") {
            dropped++;
            const why = "why" in classified ? classified.why : "record has no messageId";
            deps.log.warn("queued message dropped", { why, messageId: messageId.slice(0, 100), event: describeEventBriefly(classified.event) });
            continue;
        }
        const clusterArn = classified.trigger.clusterArn;
        const group = groups.get(clusterArn) ?? { triggers: [], messageIds: [] };
        group.triggers.push(classified.trigger);
        group.messageIds.push(messageId);
        groups.set(clusterArn, group);
    }

    // The clusters of one batch pass side by side: at a sweep every cluster's message arrives at once and Lambda puts
    // messages of several groups in one batch, so passing them one after the other would serialize the sweep again.
    // Order matters within a group only (one cluster): each cluster's records share its pass's fate, so returning one
    // cluster's records and deleting another's keeps every group's order.
    // allSettled: a throw (only bad settings throw) fails the invocation once every pass has ended, never while
    // another cluster's pass is still writing.
    const settled = await Promise.allSettled([...groups].map(async ([clusterArn, group]) => ({ clusterArn, group, outcome: await deps.passCluster(clusterArn, group.triggers) })));
    const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (rejected) throw rejected.reason;
    const outcomes = settled.map((s) => (s as PromiseFulfilledResult<{ clusterArn: string; group: { triggers: ClusterTrigger[]; messageIds: string[] }; outcome: QueuedPassOutcome }>).value);
    const failures: string[] = [];
    const clusters: Array<ClusterSummary | { clusterArn: string; skipped: string }> = [];
    for (const { clusterArn, group, outcome } of outcomes) {
        if (outcome.summary) clusters.push(outcome.summary);
        else if (outcome.skipped) clusters.push({ clusterArn, skipped: outcome.skipped });
        if (outcome.stoppedForTime) failures.push(...group.messageIds);
    }
    deps.log.info("queue batch", { records: batch.Records.length, dropped, redelivered: failures.length, clusters });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
