// Carries out a plan's actions, service by service, through a writer (live or dry-run: the same path).
// A failed write ends that service's actions for this pass and no other's; the next pass re-reads and repairs.
import type { Action, Plan } from "./plan/types";
import type { Settings } from "./settings";
import type { EcsWrite, EcsWriter } from "./writers";
import { dryRunWriter } from "./writers";
import type { Clock } from "./rateLimiter";
import { createTokenBucket, systemClock } from "./rateLimiter";
import type { ErrorSummary } from "./errors";
import { summarizeError } from "./errors";
import type { Recheck } from "./recheck";

/** No write starts with less Lambda time left than this: one throttled write can retry for many seconds. */
export const WRITE_DEADLINE_MARGIN_MS = 10_000;
export const STOP_REASON_PREFIX = "ecs-rebalancer: ";
/** StopTask's reason is at most 255 characters. */
export const STOP_REASON_MAX = 255;
/** UpdateTaskProtection takes "a list of up to 10 task IDs or full ARN entries" (API reference). */
export const UPDATE_TASK_PROTECTION_BATCH = 10;

export interface Deadline {
    /** Milliseconds left before the invocation is killed (Infinity outside Lambda). */
    remainingMs(): number;
}

export const NO_DEADLINE: Deadline = { remainingMs: () => Number.POSITIVE_INFINITY };

export type ServiceActOutcome =
    | "done" // every planned write made (or recorded, in a dry run)
    | "failed" // a write failed; the service's later writes were not attempted
    | "deadline" // not (fully) attempted: too little time left
    | "changed" // the service (or a victim) changed since it was observed: no write, the next pass re-plans
    | "invalid"; // the plan asked for a write this code refuses to make

export interface ServiceActResult {
    service: string;
    serviceArn: string;
    outcome: ServiceActOutcome;
    /** Writes planned for this service and writes made (recorded, in a dry run). */
    planned: number;
    written: number;
    /** Tasks stopped (recorded, in a dry run) for this service. */
    stopped: number;
    /** The service's writes were only recorded in a live pass (its dryRun=true tag). */
    dryRun?: true;
    error?: ErrorSummary & { operation: string };
    /** What changed since the snapshot, when the last look before writing found a change. */
    changed?: string;
}

export interface ActResult {
    dryRun: boolean;
    services: ServiceActResult[];
    /** Every write made (or recorded, in a dry run), in order. */
    writes: EcsWrite[];
    /** In a live pass, the writes of services tagged dryRun=true: recorded, not made. */
    recordedOnly: EcsWrite[];
    stoppedByDeadline: boolean;
    /** Time spent waiting for the write rate limit. */
    pacedMs: number;
}

export function stopReason(reason: string): string {
    const text = reason.startsWith(STOP_REASON_PREFIX.trim()) ? reason : STOP_REASON_PREFIX + reason;
    return text.length <= STOP_REASON_MAX ? text : text.slice(0, STOP_REASON_MAX - 1) + "…";
}

function isCount(n: unknown): n is number {
    return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

/**
 * The requests one action makes, in order. A surge tags the service with its marker before raising desiredCount,
 * so a pass that dies between the two leaves a marker that names the owner's count, never a raised count unmarked.
 */
export function writesFor(action: Action, clusterArn: string): EcsWrite[] | { invalid: string } {
    switch (action.kind) {
        case "stop-task":
            return [{ operation: "StopTask", input: { cluster: clusterArn, task: action.taskArn, reason: stopReason(action.reason) } }];
        case "surge":
            if (!isCount(action.desiredCount) || !isCount(action.ownerDesired) || action.desiredCount <= action.ownerDesired) {
                return { invalid: `surge to ${action.desiredCount} from ${action.ownerDesired} is not an increase` };
            }
            return [
                { operation: "TagResource", input: { resourceArn: action.serviceArn, tags: [{ key: action.markerTag.key, value: action.markerTag.value }] } },
                { operation: "UpdateService", input: { cluster: clusterArn, service: action.service, desiredCount: action.desiredCount } },
            ];
        case "restore-desired":
            if (!isCount(action.desiredCount)) return { invalid: `restore to ${action.desiredCount} is not a task count` };
            return [{ operation: "UpdateService", input: { cluster: clusterArn, service: action.service, desiredCount: action.desiredCount } }];
        case "clear-marker":
            if (!Array.isArray(action.tagKeys) || action.tagKeys.some((k) => typeof k !== "string" || k.length === 0)) {
                return { invalid: "clear-marker without tag keys" };
            }
            return action.tagKeys.length === 0 ? [] : [{ operation: "UntagResource", input: { resourceArn: action.serviceArn, tagKeys: [...action.tagKeys] } }];
        case "protect-tasks":
        case "unprotect-tasks": {
            if (!Array.isArray(action.taskArns) || action.taskArns.length === 0 || action.taskArns.some((a) => typeof a !== "string" || a.length === 0)) {
                return { invalid: `${action.kind} without tasks` };
            }
            const enabled = action.kind === "protect-tasks";
            if (enabled && !(Number.isInteger(action.expiresInMinutes) && action.expiresInMinutes >= 1 && action.expiresInMinutes <= 2880)) {
                return { invalid: `protection for ${action.expiresInMinutes} minutes is outside 1–2880` };
            }
            const writes: EcsWrite[] = [];
            for (let i = 0; i < action.taskArns.length; i += UPDATE_TASK_PROTECTION_BATCH) {
                const tasks = action.taskArns.slice(i, i + UPDATE_TASK_PROTECTION_BATCH);
                writes.push({ operation: "UpdateTaskProtection", input: enabled ? { cluster: clusterArn, tasks, protectionEnabled: true, expiresInMinutes: action.expiresInMinutes } : { cluster: clusterArn, tasks, protectionEnabled: false } });
            }
            return writes;
        }
        case "mark-surge":
            return [{ operation: "TagResource", input: { resourceArn: action.serviceArn, tags: [{ key: action.markerTag.key, value: action.markerTag.value }] } }];
        case "redeploy":
            return [{ operation: "UpdateService", input: { cluster: clusterArn, service: action.service, forceNewDeployment: true } }];
        case "record-move":
            return [{ operation: "TagResource", input: { resourceArn: action.serviceArn, tags: [{ key: action.tag.key, value: action.tag.value }] } }];
        default:
            return { invalid: `unknown action ${(action as { kind?: unknown }).kind}` };
    }
}

/** Actions grouped per service, services in the order the plan first names them. */
export function groupByService(actions: readonly Action[]): Array<{ service: string; serviceArn: string; actions: Action[] }> {
    const groups = new Map<string, { service: string; serviceArn: string; actions: Action[] }>();
    for (const a of actions) {
        let g = groups.get(a.serviceArn);
        if (!g) groups.set(a.serviceArn, (g = { service: a.service, serviceArn: a.serviceArn, actions: [] }));
        g.actions.push(a);
    }
    return [...groups.values()];
}

/** `recheck`, when given, is asked right before each service's writes whether they still make sense. */
export async function act(
    plan: Plan,
    writer: EcsWriter,
    settings: Settings,
    deadline: Deadline = NO_DEADLINE,
    clock: Clock = systemClock,
    recheck?: Recheck,
): Promise<ActResult> {
    const bucket = createTokenBucket(settings.maxWritesPerSecond, settings.maxWritesPerSecond, clock);
    const result: ActResult = { dryRun: writer.dryRun, services: [], writes: [], recordedOnly: [], stoppedByDeadline: false, pacedMs: 0 };
    // A service whose tag says dryRun=true goes through every step below with a writer that only records.
    const dryRunOnly = new Set(plan.decisions.filter((d) => d.dryRunOnly).map((d) => d.serviceArn));
    const recorder = dryRunWriter();
    for (const group of groupByService(plan.actions)) {
        const serviceWriter = !writer.dryRun && dryRunOnly.has(group.serviceArn) ? recorder : writer;
        const planned: EcsWrite[] = [];
        let invalid: string | undefined;
        for (const action of group.actions) {
            const w = writesFor(action, plan.clusterArn);
            if ("invalid" in w) {
                invalid = w.invalid;
                break;
            }
            planned.push(...w);
        }
        const service: ServiceActResult = {
            service: group.service, serviceArn: group.serviceArn, outcome: "done", planned: planned.length, written: 0, stopped: 0,
            ...(serviceWriter !== writer ? { dryRun: true as const } : {}),
        };
        result.services.push(service);
        if (invalid !== undefined) {
            // Refuse the whole service rather than make half of a sequence.
            service.outcome = "invalid";
            service.error = { operation: "plan", name: "InvalidAction", message: invalid };
            continue;
        }
        if (result.stoppedByDeadline) {
            service.outcome = "deadline";
            continue;
        }
        if (recheck && planned.length > 0) {
            let changed: string | undefined;
            try {
                changed = await recheck(group.serviceArn, group.actions);
            } catch (err) {
                service.outcome = "failed";
                service.error = { operation: "recheck", ...summarizeError(err) };
                continue;
            }
            if (changed !== undefined) {
                service.outcome = "changed";
                service.changed = changed;
                continue;
            }
        }
        for (const w of planned) {
            // The rate bounds ECS writes; a dry run sends none, and waiting would only spend Lambda time.
            if (!serviceWriter.dryRun) result.pacedMs += await bucket.take();
            if (deadline.remainingMs() < WRITE_DEADLINE_MARGIN_MS) {
                result.stoppedByDeadline = true;
                service.outcome = "deadline";
                break;
            }
            try {
                await serviceWriter.write(w);
            } catch (err) {
                service.outcome = "failed";
                service.error = { operation: w.operation, ...summarizeError(err) };
                break;
            }
            (serviceWriter === writer ? result.writes : result.recordedOnly).push(w);
            service.written += 1;
            if (w.operation === "StopTask") service.stopped += 1;
        }
    }
    return result;
}
