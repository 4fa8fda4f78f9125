// The invariants of DESIGN.md checked once a chaos run is over and its faults have stopped. Each check reads
// the world (through the control API, never faulted), the rebalancer's calls as ECS received them, or what the
// function printed, and returns how many times the invariant was broken, with a line per breach. None of them
// shares code with the rebalancer: the tag keys and rules are written out here from DESIGN.md.

import type { CapturedLog } from "../scenario/rebalancers";
import type { ScenarioWorld } from "../scenario/world";
import { HARNESS_ERROR_PREFIX } from "./containers";
import type { RebalancerCall } from "./rebalancerCalls";

export interface CheckResult {
    count: number;
    details: string[];
}

export const SURGE_TAG = "ecs-rebalancer:surge";
/** The only keys the rebalancer may write: its surge marker and its last-move record (never a team's tags). */
const MARKER_KEYS = [SURGE_TAG, "ecs-rebalancer:last-move"];

function result(details: string[]): CheckResult {
    return { count: details.length, details };
}

interface ServiceView {
    desiredCount?: number;
    tags?: { key?: string; value?: string }[];
}

function serviceView(world: ScenarioWorld, name: string): ServiceView {
    return world.control.service(world.scenario.cluster, name) as ServiceView;
}

/** REPLICA services whose desiredCount is not their owner's value (the owner's or Service Auto Scaling's last). */
export function desiredBreaches(world: ScenarioWorld): { service: string; desired: number; owner: number }[] {
    const out: { service: string; desired: number; owner: number }[] = [];
    for (const s of world.scenario.services) {
        if (s.schedulingStrategy !== "REPLICA") continue;
        const owner = world.ownerDesired.get(s.name);
        const desired = serviceView(world, s.name).desiredCount;
        if (desired !== owner) out.push({ service: s.name, desired: Number(desired), owner: Number(owner) });
    }
    return out;
}

export function desiredBreachLine(b: { service: string; desired: number; owner: number }): string {
    return `${b.service}: desiredCount ${b.desired}, its owner's value is ${b.owner}`;
}

/** Every REPLICA service's desiredCount is its owner's value (the owner's or Service Auto Scaling's last). */
export function checkDesiredCounts(world: ScenarioWorld): CheckResult {
    return result(desiredBreaches(world).map(desiredBreachLine));
}

/** No service carries the surge marker. */
export function checkMarkers(world: ScenarioWorld): CheckResult {
    const details: string[] = [];
    for (const s of world.scenario.services) {
        const tag = serviceView(world, s.name).tags?.find((t) => t.key === SURGE_TAG);
        if (tag) details.push(`${s.name}: ${SURGE_TAG}=${JSON.stringify(tag.value)} left behind`);
    }
    return result(details);
}

/** The rebalancer registered no task definition: none by its calls, and none in ECS that the harness did not register. */
export function checkTaskDefinitions(calls: readonly RebalancerCall[], inEcs: readonly string[], registeredByHarness: ReadonlySet<string>): CheckResult {
    const details = calls.filter((c) => c.operation === "RegisterTaskDefinition").map((c) => `call ${c.index}: RegisterTaskDefinition by the rebalancer`);
    for (const arn of inEcs) if (!registeredByHarness.has(arn)) details.push(`${arn} exists but the harness never registered it`);
    return result(details);
}

const READ = /^(Describe|List|Get)/;

/** Why a write is outside what DESIGN.md lets the rebalancer change, or undefined when it is allowed. */
export function forbiddenWrite(call: Pick<RebalancerCall, "operation" | "input">): string | undefined {
    const input = call.input as Record<string, unknown>;
    switch (call.operation) {
        case "StopTask":
            return undefined;
        case "UpdateService": {
            const keys = Object.keys(input).filter((k) => k !== "cluster" && k !== "service").sort().join(",");
            if (keys === "desiredCount" || (keys === "forceNewDeployment" && input.forceNewDeployment === true)) return undefined;
            return `UpdateService changes ${keys || "nothing"} (only desiredCount or forceNewDeployment are allowed)`;
        }
        case "TagResource":
        case "UntagResource": {
            const keys = call.operation === "TagResource"
                ? ((input.tags as { key?: unknown }[] | undefined) ?? []).map((t) => t.key)
                : ((input.tagKeys as unknown[] | undefined) ?? []);
            const foreign = keys.filter((k) => typeof k !== "string" || !MARKER_KEYS.includes(k));
            const onService = typeof input.resourceArn === "string" && /:service\//.test(input.resourceArn);
            if (foreign.length === 0 && onService) return undefined;
            return `${call.operation} on ${String(input.resourceArn)} with key(s) ${JSON.stringify(foreign)} (only ${MARKER_KEYS.join(" and ")} on services are allowed)`;
        }
        case "UpdateTaskProtection": {
            // A surge's restore: protection for a few minutes (the rebalancer's is 5), or clearing it.
            const minutes = input.expiresInMinutes;
            if (input.protectionEnabled === false || (input.protectionEnabled === true && typeof minutes === "number" && minutes <= 10)) return undefined;
            return `UpdateTaskProtection ${JSON.stringify({ protectionEnabled: input.protectionEnabled, expiresInMinutes: minutes })} (only clearing, or protection for at most 10 minutes)`;
        }
        default:
            return READ.test(call.operation) ? undefined : `${call.operation} is not a write the rebalancer may make`;
    }
}

/**
 * Every call that reached ECS is a read or an allowed write, and no protection write names a task its owner
 * protected (`ownerProtected`: task ARN → when that protection lapses, epoch ms).
 */
export function checkWrites(calls: readonly RebalancerCall[], ownerProtected: ReadonlyMap<string, number> = new Map()): CheckResult {
    const details: string[] = [];
    for (const c of calls) {
        const why = forbiddenWrite(c);
        if (why) details.push(`call ${c.index}: ${why}`);
        if (c.operation !== "UpdateTaskProtection") continue;
        const named = ((c.input as { tasks?: unknown[] }).tasks ?? []).map(String);
        const owners = named.filter((arn) => (ownerProtected.get(arn) ?? 0) > c.time);
        if (owners.length > 0) details.push(`call ${c.index}: UpdateTaskProtection on ${owners.length} task(s) their owner protected (${owners.map((a) => a.split("/").pop()).join(", ")})`);
    }
    return result(details);
}

/** What the function printed that was not its structured JSON: a stack trace, a console.log, a crash. */
function unstructured(record: CapturedLog["record"]): record is string {
    return typeof record === "string";
}

/** An error summary from the function's logs (`{ name, message, httpStatusCode? }`). */
interface Failure {
    name?: unknown;
    message?: unknown;
    httpStatusCode?: unknown;
}

/**
 * Expected: an AWS service's answer (it has an HTTP status): throttling, 5xx, or ECS refusing a write whose target
 * vanished mid-pass. Anything else (TypeError, a bare Error) is the function's own failure.
 */
export function isServiceFailure(f: Failure): boolean {
    return typeof f.httpStatusCode === "number";
}

function failuresIn(record: Record<string, unknown>): Failure[] {
    const out: Failure[] = [];
    if (record.failure && typeof record.failure === "object") out.push(record.failure as Failure);
    for (const s of (record.services as { act?: { failure?: Failure } }[] | undefined) ?? []) if (s.act?.failure) out.push(s.act.failure);
    if (record.error && typeof record.error === "object") out.push(record.error as Failure);
    return out;
}

/**
 * No unhandled error: every invocation ended without an error of its own (harness kills excepted), nothing was
 * printed outside the structured log, and every failure a log record reports is an AWS service's answer.
 */
export function checkErrors(invocations: readonly { error?: string; startedAt: number }[], logs: readonly CapturedLog[]): CheckResult {
    const details: string[] = [];
    for (const i of invocations) {
        if (i.error && !i.error.startsWith(HARNESS_ERROR_PREFIX)) details.push(`invocation at ${new Date(i.startedAt).toISOString()} failed: ${i.error}`);
    }
    for (const log of logs) {
        if (unstructured(log.record)) {
            details.push(`invocation ${log.invocation} printed outside its structured log: ${log.record.slice(0, 200)}`);
            continue;
        }
        for (const f of failuresIn(log.record)) {
            if (!isServiceFailure(f)) details.push(`invocation ${log.invocation} logged ${String(f.name)}: ${String(f.message).slice(0, 200)}`);
        }
    }
    return result(details);
}

interface PassRecordView {
    message?: unknown;
    parts?: unknown;
    part?: unknown;
    totals?: { services?: unknown };
    services?: { service?: unknown; outcome?: unknown; reason?: unknown; detail?: unknown }[];
    balancedServices?: unknown[];
}

/** Every service a pass skipped is logged with a reason and a detail, and every service it saw is in the log. */
export function checkSkipReasons(logs: readonly CapturedLog[]): CheckResult {
    const details: string[] = [];
    for (const log of logs) {
        const r = log.record as PassRecordView;
        if (typeof r !== "object" || r.message !== "rebalancer pass") continue;
        for (const s of r.services ?? []) {
            if (s.outcome !== "skipped") continue;
            if (typeof s.reason !== "string" || s.reason === "" || typeof s.detail !== "string" || s.detail === "") {
                details.push(`invocation ${log.invocation}: ${String(s.service)} skipped without a reason`);
            }
        }
        // A record split in parts lists its services in the parts; a whole one lists every service it saw.
        if (r.parts === undefined && typeof r.totals?.services === "number") {
            const listed = (r.services?.length ?? 0) + (r.balancedServices?.length ?? 0);
            if (listed !== r.totals.services) details.push(`invocation ${log.invocation}: ${r.totals.services} service(s) seen, ${listed} in the log`);
        }
    }
    return result(details);
}

/** No credential or environment secret appears anywhere in what the function printed. */
export function checkSecrets(logs: readonly CapturedLog[], secrets: readonly string[]): CheckResult {
    const details: string[] = [];
    for (const log of logs) {
        const text = typeof log.record === "string" ? log.record : JSON.stringify(log.record);
        for (const secret of secrets) if (secret.length >= 8 && text.includes(secret)) details.push(`invocation ${log.invocation} printed a secret (${secret.slice(0, 4)}…)`);
    }
    return result(details);
}
