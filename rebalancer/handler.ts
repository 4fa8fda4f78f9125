// Lambda entry point: classify the event, skip it when an earlier pass already covered it, then one pass per
// target cluster, one after the other. Only bad settings throw (EventBridge retries a throw and the DLQ catches
// what keeps failing); everything else is logged and answered with a small summary. An SQS batch (delivery
// `queue`) is unwrapped by queueDelivery.ts and gets one pass per cluster it names, through the same passes.
import type { AwsClients } from "./awsClients";
import { createAwsClients } from "./awsClients";
import { clusterNameOf } from "./arns";
import type { Deadline } from "./act";
import { NO_DEADLINE } from "./act";
import type { Trigger } from "./events";
import { classifyEvent, clustersFor, describeEventBriefly } from "./events";
import { createInstanceEventMemory } from "./eventMemory";
import { createSweepOrder } from "./sweepOrder";
import { summarizeError } from "./errors";
import type { PassRecord } from "./passLog";
import type { PassDeps } from "./pass";
import { runPass } from "./pass";
import { plan as planCluster } from "./plan";
import type { ClusterTrigger, QueueBatchResponse, QueueEvent, QueuedPassOutcome } from "./queueDelivery";
import { handleQueueBatch, isQueueEvent, stoppedForTime } from "./queueDelivery";
import type { PlanFunction } from "./planRounds";
import type { Clock } from "./rateLimiter";
import { systemClock } from "./rateLimiter";
import type { Settings } from "./settings";
import { parseSettings } from "./settings";
import { createTaskCache } from "./taskCache";
import { createTaskDefinitionCache } from "./taskDefinitions";
import type { LogSink, MetricsSink } from "./telemetry";
import { createPowertoolsTelemetry } from "./telemetry";
import type { Tracing } from "./tracing";
import { createTracing, NO_TRACING } from "./tracing";

export interface LambdaHandler {
    /** An SQS batch (delivery `queue`): Lambda's partial batch response. */
    (event: QueueEvent, context?: unknown): Promise<QueueBatchResponse>;
    /** An EventBridge event or an operator request. (An SQS batch typed `unknown` still gets the batch response.) */
    (event: unknown, context?: unknown): Promise<InvocationSummary>;
}

/** For tests only: replace what the container would build. */
export interface HandlerOverrides {
    clients?: AwsClients;
    /** Time and sleeping (the write rate limiter); `now()` is also the snapshot's clock. */
    clock?: Clock;
    log?: LogSink;
    metrics?: MetricsSink;
    plan?: PlanFunction;
    tracing?: Tracing;
}

export interface ClusterSummary {
    cluster: string;
    clusterArn: string;
    outcome: PassRecord["outcome"];
    services: number;
    balanced: number;
    unbalanced: number;
    skipped: number;
    /** Surges still open (the next pass finishes or undoes them). */
    surgesInProgress: number;
    skipReasons: Record<string, number>;
    movesPlanned: number;
    tasksMoved: number;
    writes: number;
    apiCalls: number;
    errors: string[];
    /** A decision changes by time alone then (ISO; the plan's revisitAt): a later pass may act without any event. */
    revisitAt?: string;
}

export interface InvocationSummary {
    /** What the event was ("schedule", "container-instance", …), or "ignored" / "redundant". */
    trigger: string;
    why?: string;
    dryRun?: boolean;
    unknownClusters?: string[];
    clusters: ClusterSummary[];
}

function summarize(r: PassRecord): ClusterSummary {
    const errors: string[] = [];
    if (r.failure) errors.push(`${r.failure.name}: ${r.failure.message}`);
    if (r.outcome === "deadline") {
        errors.push(r.readStoppedBefore !== undefined
            ? `stopped reading before ${r.readStoppedBefore}: too little time left in this invocation; nothing written`
            : "not started: too little time left in this invocation");
    }
    for (const s of r.services) {
        if (s.act?.failure) errors.push(`${s.service}: ${s.act.failure.operation} ${s.act.failure.name}: ${s.act.failure.message}`);
        else if (s.act?.outcome === "deadline") errors.push(`${s.service}: writes not made, too little time left`);
    }
    return {
        cluster: r.cluster,
        clusterArn: r.clusterArn,
        outcome: r.outcome,
        services: r.totals.services,
        balanced: r.totals.balanced,
        unbalanced: r.totals.unbalanced,
        skipped: r.totals.skipped,
        surgesInProgress: r.totals.surgesInProgress,
        skipReasons: r.totals.skipReasons,
        movesPlanned: r.totals.movesPlanned,
        tasksMoved: r.totals.tasksMoved,
        writes: r.totals.writes,
        apiCalls: r.apiCallsTotal,
        errors,
        ...(r.revisitAt !== undefined ? { revisitAt: r.revisitAt } : {}),
    };
}

function deadlineOf(context: unknown): Deadline {
    const c = context as { getRemainingTimeInMillis?: unknown } | undefined;
    if (c && typeof c.getRemainingTimeInMillis === "function") {
        const remaining = c.getRemainingTimeInMillis.bind(c) as () => number;
        return { remainingMs: () => remaining() };
    }
    return NO_DEADLINE;
}

/** Builds the handler once per container (Pulumi's callbackFactory); settings are re-read on every invocation. */
export function createHandler(overrides: HandlerOverrides = {}): LambdaHandler {
    const telemetry = overrides.log && overrides.metrics ? undefined : createPowertoolsTelemetry();
    // Read once: a container's environment never changes (the per-invocation parse below still checks the value).
    const tracing = overrides.tracing ?? (process.env.REBALANCER_TRACING === "true" ? createTracing() : NO_TRACING);
    const deps: PassDeps = {
        clients: tracing.traceClients(overrides.clients ?? createAwsClients()),
        // Task-definition revisions are immutable: a read is good for the container's life.
        cache: createTaskDefinitionCache(),
        // Tasks never change instance, and a RUNNING task without health checks or restarts stops changing: a warm
        // container describes only the tasks it has not seen settled (taskCache.ts).
        taskCache: createTaskCache(),
        plan: overrides.plan ?? planCluster,
        log: overrides.log ?? telemetry!.log,
        metrics: overrides.metrics ?? telemetry!.metrics,
        clock: overrides.clock ?? systemClock,
    };
    const memory = createInstanceEventMemory();
    const sweepOrder = createSweepOrder();
    let coldStart = true;

    /** Why a pass for this event would find nothing an earlier pass of this container did not (or undefined). */
    const redundancy = (trigger: Trigger): string | undefined => {
        if (trigger.kind === "container-instance") return memory.redundant(trigger.containerInstanceArn, trigger.version);
        if (trigger.kind === "service-action") return memory.redundantServiceEvent(trigger.clusterArn, trigger.emittedAt);
        return undefined;
    };

    /** One pass for a cluster's queued events (queueDelivery.ts), remembered as a direct event's pass is. */
    const passQueued = async (clusterArn: string, triggers: ClusterTrigger[], settings: Settings, deadline: Deadline): Promise<QueuedPassOutcome> => {
        const needed = triggers.filter((t) => redundancy(t) === undefined);
        if (needed.length === 0) return { stoppedForTime: false, skipped: redundancy(triggers[0]) };
        const result = await tracing.pass(
            clusterNameOf(clusterArn),
            () => runPass(deps, { clusterArn, trigger: needed[0].kind, settings, dryRun: settings.dryRun, deadline }),
            (r) => ({ cluster: r.record.cluster, outcome: r.record.outcome, tasksMoved: r.record.totals.tasksMoved, dryRun: settings.dryRun }),
        );
        if (result.seenInstances) {
            memory.noteSeen(result.seenInstances);
            memory.noteSettledPass(clusterArn, result.startedAt);
        }
        if (result.record.outcome === "completed") {
            for (const t of needed) if (t.kind === "container-instance") memory.noteHandled(t.containerInstanceArn, t.version);
        }
        return { stoppedForTime: stoppedForTime(result.record), summary: summarize(result.record) };
    };

    return ((event: unknown, context?: unknown): Promise<InvocationSummary | QueueBatchResponse> => tracing.invocation(async () => {
        if (coldStart) {
            coldStart = false;
            publishColdStart(deps);
        }
        // Before anything else, and on every invocation: a bad variable names itself and nothing is called.
        const settings = parseSettings(process.env);
        telemetry?.addContext(context);
        if (isQueueEvent(event)) {
            const deadline = deadlineOf(context);
            return handleQueueBatch(event, { settings, log: deps.log, passCluster: (arn, triggers) => passQueued(arn, triggers, settings, deadline) });
        }
        const classified = classifyEvent(event, settings);
        if (!classified.accepted) {
            deps.log.warn("event ignored", { why: classified.why, event: describeEventBriefly(event) });
            return { trigger: "ignored", why: classified.why, clusters: [] };
        }
        const trigger: Trigger = classified.trigger;
        if (trigger.kind === "container-instance" || trigger.kind === "service-action") {
            const redundant = redundancy(trigger);
            if (redundant) {
                deps.log.info("event skipped", {
                    why: redundant,
                    cluster: clusterNameOf(trigger.clusterArn),
                    ...(trigger.kind === "container-instance" ? { containerInstanceArn: trigger.containerInstanceArn } : { eventName: trigger.eventName }),
                });
                return { trigger: "redundant", why: redundant, clusters: [] };
            }
        }
        const dryRun = trigger.kind === "operator" ? trigger.dryRun : settings.dryRun;
        const deadline = deadlineOf(context);
        const summary: InvocationSummary = { trigger: trigger.kind, dryRun, clusters: [] };
        if (trigger.kind === "operator" && trigger.unknownClusters.length > 0) {
            summary.unknownClusters = trigger.unknownClusters;
            deps.log.warn("unknown clusters requested", { unknownClusters: trigger.unknownClusters, targets: settings.clusters.map(clusterNameOf) });
        }
        let allCompleted = true;
        const clusters = clustersFor(trigger, settings);
        for (const clusterArn of trigger.kind === "schedule" ? sweepOrder.order(clusters) : clusters) {
            const result = await tracing.pass(
                clusterNameOf(clusterArn),
                () => runPass(deps, { clusterArn, trigger: trigger.kind, settings, dryRun, deadline }),
                (r) => ({ cluster: r.record.cluster, outcome: r.record.outcome, tasksMoved: r.record.totals.tasksMoved, dryRun }),
            );
            summary.clusters.push(summarize(result.record));
            if (result.record.outcome !== "deadline") sweepOrder.notePassStarted(clusterArn, result.startedAt);
            if (result.record.outcome !== "completed") allCompleted = false;
            if (result.seenInstances) {
                memory.noteSeen(result.seenInstances);
                memory.noteSettledPass(clusterArn, result.startedAt);
            }
        }
        if (trigger.kind === "container-instance" && allCompleted) memory.noteHandled(trigger.containerInstanceArn, trigger.version);
        if (trigger.kind === "schedule") logSweepNotReached(deps, summary);
        return summary;
    })) as LambdaHandler;
}

/**
 * One line when a sweep ran out of time before some clusters (each also has its pass record and a
 * PassesStoppedByDeadline metric): the sign that one function no longer serves every cluster in its timeout.
 */
function logSweepNotReached(deps: PassDeps, summary: InvocationSummary): void {
    const notReached = summary.clusters.filter((c) => c.outcome === "deadline").map((c) => c.clusterArn);
    if (notReached.length === 0) return;
    deps.log.warn("sweep did not reach every cluster", {
        notReached,
        reached: summary.clusters.length - notReached.length,
        why: "too little time left in this invocation: the next sweep starts with these clusters; raise timeoutSeconds or deliver through a queue (delivery: queue)",
    });
}

/** The container's first invocation (metrics are for people: losing them never fails an invocation). */
function publishColdStart(deps: PassDeps): void {
    try {
        deps.metrics.publishFunction([{ name: "ColdStart", value: 1 }]);
    } catch (err) {
        deps.log.warn("metrics not published", { failure: summarizeError(err) });
    }
}

let defaultHandler: LambdaHandler | undefined;

/** The handler as a plain export, for direct use (tests, local runs): the same code as the deployed closure. */
export function handler(event: QueueEvent, context?: unknown): Promise<QueueBatchResponse>;
export function handler(event: unknown, context?: unknown): Promise<InvocationSummary>;
export async function handler(event: unknown, context?: unknown): Promise<InvocationSummary | QueueBatchResponse> {
    defaultHandler ??= createHandler();
    return defaultHandler(event, context);
}
