// What woke the rebalancer, and which clusters to look at. Pure: no I/O, no clock.
// Level-triggered: an event only says "look now, at this cluster". Nothing else in it is trusted for decisions;
// the container-instance version is used only to skip passes that an earlier pass already covered.
import type { Settings } from "./settings";
import { clusterNameOf, parseEcsArn } from "./arns";
import { CLUSTER_SWEEP, CLUSTER_SWEEP_SOURCE, CONTAINER_INSTANCE_STATE_CHANGE, SCHEDULED_EVENT, SERVICE_ACTION, SERVICE_STEADY_STATE } from "./eventPatterns";

export type Trigger =
    | { kind: "container-instance"; clusterArn: string; containerInstanceArn: string; version: number }
    | { kind: "service-action"; clusterArn: string; eventName: string; /** The event's `time` (epoch ms), when readable. */ emittedAt?: number }
    /** A sweep: of every target cluster, or of one (delivery `queue` sweeps each cluster in its own message). */
    | { kind: "schedule"; clusterArn?: string }
    | { kind: "operator"; clusters: string[]; unknownClusters: string[]; dryRun: boolean };

export type Classification = { accepted: true; trigger: Trigger } | { accepted: false; why: string };

/** EventBridge refuses events above 256 KB; anything larger did not come from it. */
export const MAX_EVENT_BYTES = 256 * 1024;
/** An operator asking for more clusters than this is not asking for a plan. */
const MAX_OPERATOR_CLUSTERS = 100;
const OPERATOR_FIELDS = ["dryRun", "clusters"];

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * True when `value` would serialize to more than `limit` bytes (roughly: strings count their length, every
 * other leaf a few bytes). Stops as soon as the budget is spent, so a giant payload costs little to reject,
 * and treats very deep or cyclic values as too large.
 */
export function exceedsSize(value: unknown, limit: number): boolean {
    let budget = limit;
    const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
    while (stack.length > 0) {
        const { v, depth } = stack.pop()!;
        if (depth > 64) return true;
        if (typeof v === "string") budget -= v.length + 2;
        else if (Array.isArray(v)) {
            budget -= 2 + v.length;
            if (budget < 0) return true;
            for (const item of v) stack.push({ v: item, depth: depth + 1 });
        } else if (isRecord(v)) {
            const keys = Object.keys(v);
            budget -= 2 + keys.length;
            if (budget < 0) return true;
            for (const key of keys) {
                budget -= key.length + 3;
                stack.push({ v: v[key], depth: depth + 1 });
            }
        } else budget -= 8;
        if (budget < 0) return true;
    }
    return false;
}

/** The target cluster an event's `detail.clusterArn` names, or why it is not one. */
function targetCluster(event: Record<string, unknown>, detail: Record<string, unknown>, settings: Settings): { clusterArn: string } | { why: string } {
    const raw = detail.clusterArn;
    if (typeof raw !== "string") return { why: "detail.clusterArn is missing or not a string" };
    const arn = parseEcsArn(raw);
    if (!arn || !arn.resource.startsWith("cluster/")) return { why: "detail.clusterArn is not an ECS cluster ARN" };
    if (!settings.clusters.includes(raw)) {
        const partitions = new Set(settings.clusters.map((c) => parseEcsArn(c)?.partition));
        if (!partitions.has(arn.partition)) return { why: `cluster is in partition ${arn.partition}, not a target partition` };
        return { why: `cluster ${clusterNameOf(raw)} (${arn.region}, ${arn.account}) is not a target` };
    }
    // A real event's envelope agrees with the ARN it carries; one that does not was not sent by ECS.
    if (typeof event.region === "string" && event.region !== arn.region) return { why: "event region does not match the cluster ARN" };
    if (typeof event.account === "string" && event.account !== arn.account) return { why: "event account does not match the cluster ARN" };
    return { clusterArn: raw };
}

function classifyEcsEvent(event: Record<string, unknown>, detailType: string, settings: Settings): Classification {
    const detail = event.detail;
    if (!isRecord(detail)) return { accepted: false, why: "detail is missing or not an object" };
    if (detailType === CONTAINER_INSTANCE_STATE_CHANGE) {
        const target = targetCluster(event, detail, settings);
        if ("why" in target) return { accepted: false, why: target.why };
        const instance = parseEcsArn(detail.containerInstanceArn);
        if (!instance || !instance.resource.startsWith("container-instance/")) {
            return { accepted: false, why: "detail.containerInstanceArn is missing or not a container instance ARN" };
        }
        const version = detail.version;
        if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 0) {
            return { accepted: false, why: "detail.version is missing or not a non-negative integer" };
        }
        // The deployed pattern delivers only these; anything else is no reason to look.
        if (detail.status !== "ACTIVE" || detail.agentConnected !== true) {
            return { accepted: false, why: "instance is not ACTIVE with its agent connected" };
        }
        return {
            accepted: true,
            trigger: { kind: "container-instance", clusterArn: target.clusterArn, containerInstanceArn: detail.containerInstanceArn as string, version },
        };
    }
    if (detailType === SERVICE_ACTION) {
        const target = targetCluster(event, detail, settings);
        if ("why" in target) return { accepted: false, why: target.why };
        if (typeof detail.eventName !== "string") return { accepted: false, why: "detail.eventName is missing or not a string" };
        if (detail.eventName !== SERVICE_STEADY_STATE) return { accepted: false, why: `service event ${detail.eventName.slice(0, 64)} is no reason to look` };
        const emittedAt = typeof event.time === "string" ? Date.parse(event.time) : NaN;
        return {
            accepted: true,
            trigger: { kind: "service-action", clusterArn: target.clusterArn, eventName: detail.eventName, ...(Number.isFinite(emittedAt) ? { emittedAt } : {}) },
        };
    }
    return { accepted: false, why: `detail-type ${detailType.slice(0, 80)} is not handled` };
}

/** A sweep of one target cluster (the message a sweep rule of delivery `queue` writes; see eventPatterns.ts). */
function classifyClusterSweep(event: Record<string, unknown>, detailType: string, settings: Settings): Classification {
    if (detailType !== CLUSTER_SWEEP) return { accepted: false, why: `${CLUSTER_SWEEP_SOURCE} detail-type ${detailType.slice(0, 80)} is not handled` };
    const detail = event.detail;
    if (!isRecord(detail)) return { accepted: false, why: "detail is missing or not an object" };
    const target = targetCluster(event, detail, settings);
    if ("why" in target) return { accepted: false, why: target.why };
    return { accepted: true, trigger: { kind: "schedule", clusterArn: target.clusterArn } };
}

/** Resolves operator-given cluster names or ARNs against the configured clusters. */
export function resolveClusters(requested: string[], configured: string[]): { clusters: string[]; unknown: string[] } {
    const clusters: string[] = [];
    const unknown: string[] = [];
    for (const item of requested) {
        const matches = item.startsWith("arn:") ? configured.filter((c) => c === item) : configured.filter((c) => clusterNameOf(c) === item);
        // A name configured in two accounts or regions is ambiguous: ask for the ARN.
        if (matches.length !== 1) unknown.push(item);
        else if (!clusters.includes(matches[0])) clusters.push(matches[0]);
    }
    return { clusters, unknown };
}

function classifyOperatorRequest(event: Record<string, unknown>, settings: Settings): Classification {
    const extra = Object.keys(event).filter((k) => !OPERATOR_FIELDS.includes(k));
    if (extra.length > 0) return { accepted: false, why: `unknown field ${JSON.stringify(extra[0].slice(0, 64))} (an operator request has only dryRun and clusters)` };
    if (event.dryRun !== undefined && typeof event.dryRun !== "boolean") return { accepted: false, why: "dryRun must be true or false" };
    let clusters = [...settings.clusters];
    let unknownClusters: string[] = [];
    if (event.clusters !== undefined) {
        const requested = event.clusters;
        if (!Array.isArray(requested) || requested.length === 0 || requested.length > MAX_OPERATOR_CLUSTERS) {
            return { accepted: false, why: `clusters must be a list of 1 to ${MAX_OPERATOR_CLUSTERS} cluster names or ARNs` };
        }
        if (requested.some((c) => typeof c !== "string" || c.length === 0 || c.length > 2048)) {
            return { accepted: false, why: "clusters must hold only cluster names or ARNs" };
        }
        const resolved = resolveClusters(requested as string[], settings.clusters);
        clusters = resolved.clusters;
        unknownClusters = resolved.unknown.map((c) => c.slice(0, 300));
    }
    // An operator can make a pass drier than the settings, never live when the settings say dry-run.
    return { accepted: true, trigger: { kind: "operator", clusters, unknownClusters, dryRun: settings.dryRun || event.dryRun === true } };
}

/** Decides what an invocation is. Never throws: anything unrecognised is a reason to ignore it. */
export function classifyEvent(event: unknown, settings: Settings): Classification {
    if (!isRecord(event)) return { accepted: false, why: `event is ${event === null ? "null" : Array.isArray(event) ? "an array" : typeof event}, not an object` };
    if (exceedsSize(event, MAX_EVENT_BYTES)) return { accepted: false, why: `event is larger than ${MAX_EVENT_BYTES} bytes` };
    const isEnvelope = "source" in event || "detail-type" in event || "detail" in event;
    if (!isEnvelope) return classifyOperatorRequest(event, settings);
    const source = event.source;
    const detailType = event["detail-type"];
    if (typeof source !== "string" || typeof detailType !== "string") return { accepted: false, why: "source or detail-type is missing or not a string" };
    if (source === "aws.events") {
        if (detailType !== SCHEDULED_EVENT) return { accepted: false, why: `aws.events detail-type ${detailType.slice(0, 80)} is not handled` };
        return { accepted: true, trigger: { kind: "schedule" } };
    }
    if (source === CLUSTER_SWEEP_SOURCE) return classifyClusterSweep(event, detailType, settings);
    if (source !== "aws.ecs") return { accepted: false, why: `source ${source.slice(0, 80)} is not handled` };
    return classifyEcsEvent(event, detailType, settings);
}

/** The clusters one invocation passes over, in the configured order for sweeps. */
export function clustersFor(trigger: Trigger, settings: Settings): string[] {
    switch (trigger.kind) {
        case "container-instance":
        case "service-action":
            return [trigger.clusterArn];
        case "schedule":
            return trigger.clusterArn === undefined ? [...settings.clusters] : [trigger.clusterArn];
        case "operator":
            return trigger.clusters;
    }
}

/** A few identifying fields of an event for the "ignored" log record; never the payload itself. */
export function describeEventBriefly(event: unknown): Record<string, string> {
    if (!isRecord(event)) return { type: event === null ? "null" : Array.isArray(event) ? "array" : typeof event };
    const out: Record<string, string> = {};
    for (const key of ["id", "source", "detail-type", "region", "account"]) {
        const v = event[key];
        if (typeof v === "string") out[key] = v.slice(0, 80);
    }
    return out;
}
