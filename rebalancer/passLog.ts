// The record of one pass, for people (one structured log line) and for the metrics. Pure.
import type { ApiCalls } from "./apiCalls";
import { totalCalls } from "./apiCalls";
import type { ActResult, ServiceActOutcome } from "./act";
import type { ErrorSummary } from "./errors";
import type { ObserveFailure } from "./model";
import type { Plan, ServiceDecision } from "./plan/types";

/** The message of every pass record (the dashboard's decisions query selects on it). */
export const PASS_LOG_MESSAGE = "rebalancer pass";

export type PassOutcome =
    | "completed" // observed, planned, acted (or recorded, in a dry run); a service's write may still have failed
    | "failed" // observe or plan failed: nothing was written
    | "deadline"; // too little Lambda time left to start, or to finish reading (readStoppedBefore): nothing was written

export interface ServiceLogEntry {
    service: string;
    outcome: ServiceDecision["outcome"];
    reason?: string;
    detail: string;
    /** Settings the service's tags override, and whether its writes were only recorded (its dryRun=true tag). */
    overrides?: ServiceDecision["overrides"];
    dryRunOnly?: true;
    azLevelTakenBack?: string;
    skewBefore: number;
    skewAfter: number;
    lowerBound: number;
    moves: number;
    /** What act did with this service's actions, when it had any. */
    act?: { outcome: ServiceActOutcome; planned: number; written: number; failure?: ErrorSummary & { operation: string }; changed?: string };
}

export interface PassRecord {
    trigger: string;
    cluster: string;
    clusterArn: string;
    dryRun: boolean;
    strategy: string;
    outcome: PassOutcome;
    durationMs: number;
    apiCalls: ApiCalls;
    apiCallsTotal: number;
    /** Requests of this pass that AWS throttled (the SDK retried them). */
    apiThrottles: number;
    /** Plans computed (1 + one per round of task-definition / protection reads). */
    planRounds: number;
    totals: {
        services: number;
        balanced: number;
        unbalanced: number;
        skipped: number;
        surgesInProgress: number;
        /** Surges open once the pass's writes are done (waiting ones, new ones made, restores not made). */
        surgesOpen: number;
        /** Of those, the ones older than surgeTimeoutSeconds. */
        surgesOverdue: number;
        /**
         * Services in scope (judged, so not skipped by a filter) and not dry-run, still unbalanced once the pass's
         * writes are done: held back, writes not made, or more surplus than one pass moves.
         */
        servicesLeftUnbalanced: number;
        lowerBound: number;
        worstSkewBefore: number;
        worstSkewAfter: number;
        /** Tasks the plan moves this pass. */
        movesPlanned: number;
        /** Tasks actually moved: services whose writes all succeeded, live passes only (not dryRun-tagged services). */
        tasksMoved: number;
        writes: number;
        serviceErrors: number;
        skipReasons: Record<string, number>;
    };
    /** Every service that is not simply balanced, with its decision; balanced services by name only. */
    services: ServiceLogEntry[];
    balancedServices: string[];
    stoppedByDeadline: boolean;
    pacedMs: number;
    /** The plan's revisitAt (ISO): a decision changes by time alone then (an AZ level left to ECS, taken back). */
    revisitAt?: string;
    /** What observe could not see (first few), and how many there were. */
    observeFailures: ObserveFailure[];
    observeFailureCount: number;
    failure?: ErrorSummary;
    /** The pass ran out of time while reading: the read it did not make (outcome "deadline", nothing written). */
    readStoppedBefore?: string;
}

const OBSERVE_FAILURES_LOGGED = 20;

export interface PassFacts {
    trigger: string;
    clusterArn: string;
    clusterName: string;
    dryRun: boolean;
    strategy: string;
    durationMs: number;
    calls: ApiCalls;
    apiThrottles: number;
    surgeTimeoutSeconds: number;
    planRounds: number;
    plan?: Plan;
    acted?: ActResult;
    observeFailures: ObserveFailure[];
    failure?: ErrorSummary;
    readStoppedBefore?: string;
    outcome: PassOutcome;
}

function serviceEntry(d: ServiceDecision, acted: ActResult | undefined): ServiceLogEntry {
    const a = acted?.services.find((s) => s.serviceArn === d.serviceArn);
    return {
        service: d.service,
        outcome: d.outcome,
        ...(d.reason ? { reason: d.reason } : {}),
        detail: d.detail,
        ...(d.overrides ? { overrides: d.overrides } : {}),
        ...(d.dryRunOnly ? { dryRunOnly: true as const } : {}),
        ...(d.azLevelTakenBack ? { azLevelTakenBack: d.azLevelTakenBack } : {}),
        skewBefore: d.skewBefore,
        skewAfter: d.skewAfter,
        lowerBound: d.lowerBound,
        moves: d.moves,
        ...(a ? { act: { outcome: a.outcome, planned: a.planned, written: a.written, ...(a.error ? { failure: a.error } : {}), ...(a.changed ? { changed: a.changed } : {}) } } : {}),
    };
}

/** Whether the service's writes were made (true when it had none): live, not dryRun-tagged, every write done. */
function writesMade(d: ServiceDecision, acted: ActResult | undefined, dryRun: boolean): boolean {
    if (dryRun || d.dryRunOnly) return false;
    const a = acted?.services.find((s) => s.serviceArn === d.serviceArn);
    return a === undefined ? !(d.moves > 0 || d.outcome === "restore") : a.outcome === "done";
}

/** Whether the service still has a surge open once the pass's writes are done. */
function surgeOpenAfter(d: ServiceDecision, made: boolean): boolean {
    if (d.outcome === "waiting") return true;
    if (d.outcome === "restore") return !made;
    if (d.outcome === "surge") return made;
    return false;
}

interface AfterPass {
    surgesOpen: number;
    surgesOverdue: number;
    servicesLeftUnbalanced: number;
}

function afterPass(decisions: readonly ServiceDecision[], f: PassFacts): AfterPass {
    const out: AfterPass = { surgesOpen: 0, surgesOverdue: 0, servicesLeftUnbalanced: 0 };
    for (const d of decisions) {
        const made = writesMade(d, f.acted, f.dryRun);
        if (surgeOpenAfter(d, made)) {
            out.surgesOpen++;
            if ((d.surgeAgeSeconds ?? 0) >= f.surgeTimeoutSeconds) out.surgesOverdue++;
        }
        const dryRun = f.dryRun || d.dryRunOnly === true;
        if (!dryRun && d.lowerBound > 0 && (!made || d.lowerBoundAfter > 0)) out.servicesLeftUnbalanced++;
    }
    return out;
}

export function buildPassRecord(f: PassFacts): PassRecord {
    const decisions = f.plan?.decisions ?? [];
    const acted = f.acted;
    const after = afterPass(decisions, f);
    const serviceErrors = acted?.services.filter((s) => s.outcome === "failed" || s.outcome === "invalid").length ?? 0;
    let tasksMoved = 0;
    if (acted && !acted.dryRun) {
        for (const d of decisions) {
            const a = acted.services.find((s) => s.serviceArn === d.serviceArn);
            if (a?.outcome === "done" && !a.dryRun) tasksMoved += d.moves;
        }
    }
    const skipReasons: Record<string, number> = {};
    for (const d of decisions) if (d.outcome === "skipped" && d.reason) skipReasons[d.reason] = (skipReasons[d.reason] ?? 0) + 1;
    const m = f.plan?.metrics;
    return {
        trigger: f.trigger,
        cluster: f.clusterName,
        clusterArn: f.clusterArn,
        dryRun: f.dryRun,
        strategy: f.strategy,
        outcome: f.outcome,
        durationMs: f.durationMs,
        apiCalls: { ...f.calls },
        apiCallsTotal: totalCalls(f.calls),
        apiThrottles: f.apiThrottles,
        planRounds: f.planRounds,
        totals: {
            services: decisions.length,
            balanced: m?.servicesBalanced ?? 0,
            unbalanced: m?.servicesUnbalanced ?? 0,
            skipped: m?.servicesSkipped ?? 0,
            surgesInProgress: m?.surgesInProgress ?? 0,
            ...after,
            lowerBound: m?.lowerBound ?? 0,
            worstSkewBefore: m?.worstSkewBefore ?? 0,
            worstSkewAfter: m?.worstSkewAfter ?? 0,
            movesPlanned: decisions.reduce((n, d) => n + d.moves, 0),
            tasksMoved,
            writes: acted?.writes.length ?? 0,
            serviceErrors,
            skipReasons,
        },
        services: decisions.filter((d) => d.outcome !== "balanced").map((d) => serviceEntry(d, acted)),
        balancedServices: decisions.filter((d) => d.outcome === "balanced").map((d) => d.service),
        stoppedByDeadline: acted?.stoppedByDeadline ?? false,
        pacedMs: acted?.pacedMs ?? 0,
        ...(f.plan?.revisitAt !== undefined ? { revisitAt: new Date(f.plan.revisitAt).toISOString() } : {}),
        observeFailures: f.observeFailures.slice(0, OBSERVE_FAILURES_LOGGED),
        observeFailureCount: f.observeFailures.length,
        ...(f.failure ? { failure: f.failure } : {}),
        ...(f.readStoppedBefore !== undefined ? { readStoppedBefore: f.readStoppedBefore } : {}),
    };
}

/** CloudWatch Logs takes events up to 256 KB; a pass over thousands of services is split into parts below that. */
export const LOG_RECORD_MAX_BYTES = 200 * 1024;

export function splitForLog(r: PassRecord, maxBytes = LOG_RECORD_MAX_BYTES): Array<Record<string, unknown>> {
    if (Buffer.byteLength(JSON.stringify(r)) <= maxBytes) return [r as unknown as Record<string, unknown>];
    const head = { ...r, services: [] as ServiceLogEntry[], balancedServices: [] as string[] };
    const parts: Array<Record<string, unknown>> = [];
    let current: ServiceLogEntry[] = [];
    let currentBalanced: string[] = [];
    let size = 0;
    const flush = () => {
        parts.push({ cluster: r.cluster, clusterArn: r.clusterArn, trigger: r.trigger, services: current, balancedServices: currentBalanced });
        current = [];
        currentBalanced = [];
        size = 0;
    };
    for (const s of r.services) {
        const n = Buffer.byteLength(JSON.stringify(s)) + 1;
        if (size + n > maxBytes / 2 && (current.length || currentBalanced.length)) flush();
        current.push(s);
        size += n;
    }
    for (const name of r.balancedServices) {
        const n = Buffer.byteLength(name) + 3;
        if (size + n > maxBytes / 2 && (current.length || currentBalanced.length)) flush();
        currentBalanced.push(name);
        size += n;
    }
    if (current.length || currentBalanced.length) flush();
    return [{ ...head, parts: parts.length }, ...parts.map((p, i) => ({ ...p, part: i + 1, parts: parts.length }))];
}
