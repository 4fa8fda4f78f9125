// What the fleet simulation reports, computed from what ECS received (every call: when, from which container,
// naming which cluster) and what EventBridge delivered — from outside the function, so both deliveries are judged
// the same way.
//
// - A pass is a container's calls for one cluster from a first ListContainerInstances page (its read starts) to its
//   last call before the next pass of that cluster in that container; calls that name no cluster
//   (DescribeScalableTargets, DescribeTaskDefinition, TagResource…) belong to the container's latest pass — with
//   several clusters passing at once in one container (queue delivery) they may land on the wrong one.
// - A sweep k starts when the schedule fires (S_k). A cluster is reached by it when a pass of that cluster starts at
//   or after S_k and before S_{k+1}; the sweep's time is from S_k to the end of the last such first pass.
// - The sweep's read-rate lower bound: those passes' calls in each ECS throttling bucket, less the bucket's burst,
//   over its refill rate — the least time the account's buckets allow for those calls, however they are spread.
// - An event's latency: from its delivery to the start of the first pass of its cluster that starts at or after it
//   (a pass that read the cluster after the change). An event with no such pass by the end is not covered.

import { THROTTLE_CATEGORIES } from "../emulator";
import type { ReceivedCall } from "./concurrentInvocations";

export interface FleetPass {
    container: string;
    cluster: string;
    start: number;
    end: number;
    calls: Record<string, number>;
    callsTotal: number;
    /** The container had read this cluster before (its caches are warm for it). */
    warm: boolean;
    /** The pass wrote (stopped tasks, updated services, protection): not a steady pass. */
    wrote: boolean;
}

export interface DeliveredClusterEvent {
    at: number;
    cluster: string;
}

export interface SweepFigures {
    startedAt: number;
    clustersReached: number;
    clustersStarved: string[];
    /** Seconds from the schedule to the end of the last cluster's pass (undefined when one was starved). */
    seconds?: number;
    lowerBoundSeconds: number;
}

const WRITE_OPERATIONS = new Set(["StopTask", "UpdateService", "UpdateTaskProtection", "TagResource", "UntagResource", "UpdateContainerInstancesState"]);

export function clusterKey(clusterArnOrName: string): string {
    return clusterArnOrName.slice(clusterArnOrName.lastIndexOf("/") + 1);
}

export function passesOf(calls: readonly ReceivedCall[]): FleetPass[] {
    const passes: FleetPass[] = [];
    // A container may run several clusters' passes at once (queue delivery: one batch, several clusters): the
    // current pass is per container and cluster; a call that names no cluster joins the container's latest pass.
    const current = new Map<string, FleetPass>();
    const latest = new Map<string, FleetPass>();
    const seenByContainer = new Map<string, Set<string>>();
    for (const call of calls) {
        const container = call.container ?? "(none)";
        const cluster = call.cluster === undefined ? undefined : clusterKey(call.cluster);
        if (call.operation === "ListContainerInstances" && call.firstPage && cluster !== undefined) {
            const seen = seenByContainer.get(container) ?? new Set<string>();
            seenByContainer.set(container, seen);
            const pass: FleetPass = { container, cluster, start: call.at, end: call.at, calls: {}, callsTotal: 0, warm: seen.has(cluster), wrote: false };
            seen.add(cluster);
            passes.push(pass);
            current.set(`${container}|${cluster}`, pass);
            latest.set(container, pass);
        }
        const pass = cluster === undefined ? latest.get(container) : current.get(`${container}|${cluster}`);
        if (!pass) continue;
        pass.calls[call.operation] = (pass.calls[call.operation] ?? 0) + 1;
        pass.callsTotal++;
        pass.end = Math.max(pass.end, call.at);
        if (WRITE_OPERATIONS.has(call.operation)) pass.wrote = true;
    }
    return passes.sort((a, b) => a.start - b.start);
}

/** The least seconds ECS's buckets (full at the start) allow for `calls`, by operation. */
export function readRateLowerBoundSeconds(calls: Record<string, number>): number {
    let seconds = 0;
    for (const category of THROTTLE_CATEGORIES) {
        const n = category.operations.reduce((s, op) => s + (calls[op] ?? 0), 0);
        seconds = Math.max(seconds, Math.max(0, n - category.burst) / category.sustained);
    }
    return seconds;
}

export function sweepFigures(passes: readonly FleetPass[], clusters: readonly string[], sweepStarts: readonly number[], endAt: number): SweepFigures[] {
    return sweepStarts.map((startedAt, k) => {
        const until = sweepStarts[k + 1] ?? endAt;
        const firsts = clusters.map((c) => passes.find((p) => p.cluster === c && p.start >= startedAt && p.start < until));
        const reached = firsts.filter((p): p is FleetPass => p !== undefined);
        const calls: Record<string, number> = {};
        for (const p of reached) for (const [op, n] of Object.entries(p.calls)) calls[op] = (calls[op] ?? 0) + n;
        const starved = clusters.filter((_, i) => firsts[i] === undefined);
        return {
            startedAt,
            clustersReached: reached.length,
            clustersStarved: starved,
            ...(starved.length === 0 ? { seconds: (Math.max(...reached.map((p) => p.end)) - startedAt) / 1000 } : {}),
            lowerBoundSeconds: readRateLowerBoundSeconds(calls),
        };
    });
}

export interface LatencyFigures {
    events: number;
    covered: number;
    notCovered: number;
    p50Seconds?: number;
    p99Seconds?: number;
    maxSeconds?: number;
}

export function eventLatencies(events: readonly DeliveredClusterEvent[], passes: readonly FleetPass[]): LatencyFigures {
    const byCluster = new Map<string, number[]>();
    for (const p of passes) {
        const starts = byCluster.get(p.cluster) ?? [];
        starts.push(p.start);
        byCluster.set(p.cluster, starts);
    }
    for (const starts of byCluster.values()) starts.sort((a, b) => a - b);
    const latencies: number[] = [];
    let notCovered = 0;
    for (const e of events) {
        const starts = byCluster.get(clusterKey(e.cluster)) ?? [];
        const start = starts.find((s) => s >= e.at);
        if (start === undefined) notCovered++;
        else latencies.push((start - e.at) / 1000);
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
    return {
        events: events.length,
        covered: latencies.length,
        notCovered,
        ...(latencies.length > 0 ? { p50Seconds: at(0.5), p99Seconds: at(0.99), maxSeconds: latencies[latencies.length - 1] } : {}),
    };
}

/** Passes of a cluster that started while an earlier pass of it still ran (passes must never race): must be 0. */
export function overlappingPasses(passes: readonly FleetPass[]): number {
    const lastEnd = new Map<string, number>();
    let overlaps = 0;
    for (const p of [...passes].sort((a, b) => a.start - b.start)) {
        const end = lastEnd.get(p.cluster);
        if (end !== undefined && p.start < end) overlaps++;
        lastEnd.set(p.cluster, Math.max(end ?? p.end, p.end));
    }
    return overlaps;
}
