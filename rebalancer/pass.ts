// One pass over one cluster: observe → plan (with the reads the plan asks for) → act → one log record and one
// set of metrics. Never throws: a failed pass is logged and reported, and the next pass starts from a fresh read.
// Out of Lambda time before it starts, or while it reads (readDeadline.ts), it ends with outcome "deadline" and
// writes nothing.
import type { AwsClients } from "./awsClients";
import type { ApiCalls } from "./apiCalls";
import { clusterNameOf } from "./arns";
import type { ActResult, Deadline } from "./act";
import { act } from "./act";
import type { ErrorSummary } from "./errors";
import { summarizeError } from "./errors";
import type { ClusterSnapshot, ObserveFailure } from "./model";
import type { PassOutcome, PassRecord } from "./passLog";
import { buildPassRecord, PASS_LOG_MESSAGE, splitForLog } from "./passLog";
import { passMetrics } from "./passMetrics";
import type { Plan } from "./plan/types";
import type { PlanFunction } from "./planRounds";
import { observeAndPlan } from "./planRounds";
import type { Clock } from "./rateLimiter";
import type { Settings } from "./settings";
import { isReadDeadline } from "./readDeadline";
import type { TaskCache } from "./taskCache";
import type { TaskDefinitionCache } from "./taskDefinitions";
import type { LogSink, MetricsSink } from "./telemetry";
import { liveRecheck } from "./recheck";
import { dryRunWriter, liveWriter } from "./writers";

/** A pass does not start with less Lambda time left than this: reading a large cluster takes seconds. */
export const PASS_START_MARGIN_MS = 20_000;

export interface PassDeps {
    clients: AwsClients;
    cache: TaskDefinitionCache;
    /** Tasks a warm container need not describe again (taskCache.ts). */
    taskCache: TaskCache;
    plan: PlanFunction;
    log: LogSink;
    metrics: MetricsSink;
    clock: Clock;
}

export interface PassRequest {
    clusterArn: string;
    /** What started the invocation, for the log ("schedule", "container-instance", …). */
    trigger: string;
    settings: Settings;
    dryRun: boolean;
    deadline: Deadline;
}

export interface PassResult {
    record: PassRecord;
    /** When the pass started (its read of the cluster is from then on). */
    startedAt: number;
    /** Set when the pass read the cluster and completed with every planned write made (or none planned). */
    seenInstances?: Array<{ arn: string; version: number }>;
}

export async function runPass(deps: PassDeps, req: PassRequest): Promise<PassResult> {
    const started = deps.clock.now();
    const calls: ApiCalls = {};
    const throttledBefore = deps.clients.throttledAttempts?.() ?? 0;
    const settings: Settings = { ...req.settings, dryRun: req.dryRun };
    let outcome: PassOutcome = "completed";
    let snapshot: ClusterSnapshot | undefined;
    let plan: Plan | undefined;
    let acted: ActResult | undefined;
    let planRounds = 0;
    let failure: ErrorSummary | undefined;
    let readStoppedBefore: string | undefined;
    if (req.deadline.remainingMs() < PASS_START_MARGIN_MS) {
        outcome = "deadline";
    } else {
        try {
            const planned = await observeAndPlan(deps, req.clusterArn, settings, started, calls, req.deadline);
            snapshot = planned.snapshot;
            plan = planned.plan;
            planRounds = planned.planRounds;
            const writer = req.dryRun ? dryRunWriter() : liveWriter(deps.clients, calls);
            // Reads only: a dry run takes the same last look, so what it reports is what a live pass would write.
            acted = await act(plan, writer, settings, req.deadline, deps.clock, liveRecheck(deps.clients, planned.snapshot, calls, deps.taskCache));
        } catch (err) {
            if (isReadDeadline(err)) {
                // Between two reads, before any write: the next pass starts from a fresh read.
                outcome = "deadline";
                readStoppedBefore = err.before;
            } else {
                outcome = "failed";
                failure = summarizeError(err);
            }
        }
    }
    const observeFailures: ObserveFailure[] = snapshot?.failures ?? [];
    const record = buildPassRecord({
        trigger: req.trigger,
        clusterArn: req.clusterArn,
        clusterName: clusterNameOf(req.clusterArn),
        dryRun: req.dryRun,
        strategy: settings.strategy,
        durationMs: Math.max(0, deps.clock.now() - started),
        calls,
        apiThrottles: (deps.clients.throttledAttempts?.() ?? 0) - throttledBefore,
        surgeTimeoutSeconds: settings.surgeTimeoutSeconds,
        planRounds,
        ...(plan ? { plan } : {}),
        ...(acted ? { acted } : {}),
        observeFailures,
        ...(failure ? { failure } : {}),
        ...(readStoppedBefore !== undefined ? { readStoppedBefore } : {}),
        outcome,
    });
    const parts = splitForLog(record);
    for (const part of parts) {
        if (outcome === "completed") deps.log.info(PASS_LOG_MESSAGE, part);
        else if (outcome === "deadline") deps.log.warn(PASS_LOG_MESSAGE, part);
        else deps.log.error(PASS_LOG_MESSAGE, part);
    }
    try {
        deps.metrics.publish(record.cluster, passMetrics(record));
    } catch (err) {
        // Metrics are for people; losing them must not turn a pass into a failed invocation.
        deps.log.warn("metrics not published", { cluster: record.cluster, failure: summarizeError(err) });
    }
    // A pass whose writes were all made has acted on what it saw; one that skipped or failed a write has not.
    const settled = outcome === "completed" && plan !== undefined && observeFailures.length === 0 && snapshot !== undefined &&
        (acted?.services.every((s) => s.outcome === "done") ?? plan.actions.length === 0);
    return { record, startedAt: started, ...(settled ? { seenInstances: snapshot!.instances.map((i) => ({ arn: i.arn, version: i.version })) } : {}) };
}
