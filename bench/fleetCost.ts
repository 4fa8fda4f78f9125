// Part 5: the fleet simulation (local/fleet/) under each delivery, side by side: how long a scheduled sweep takes to
// reach every cluster against the read-rate lower bound of its calls, clusters a sweep did not reach, event-to-pass
// latency against one read of the largest cluster alone, events lost, and the calls of a steady pass on a warm
// container against a cold one.

import type { FleetResult } from "../local/fleet/fleetSimulation";
import { markdownTable } from "./markdown";
import { median } from "./stats";

/** Issue 13's targets for `delivery: queue`. */
export const FLEET_TARGETS = { sweepOverLowerBound: 1.2, eventsLost: 0 } as const;

function seconds(value: number | undefined): string {
    return value === undefined ? "—" : value.toFixed(1);
}

export interface SweepSummary {
    sweeps: number;
    everyClusterReached: number;
    starved: number;
    medianSeconds?: number;
    worstSeconds?: number;
    lowerBoundSeconds?: number;
    /** Worst sweep time ÷ its lower bound, over the sweeps that reached every cluster. */
    worstRatio?: number;
}

export function summarizeSweeps(r: FleetResult): SweepSummary {
    const complete = r.sweeps.filter((s) => s.seconds !== undefined);
    const ratios = complete.filter((s) => s.lowerBoundSeconds > 0).map((s) => s.seconds! / s.lowerBoundSeconds);
    return {
        sweeps: r.sweeps.length,
        everyClusterReached: complete.length,
        starved: r.sweeps.reduce((n, s) => n + s.clustersStarved.length, 0),
        ...(complete.length > 0
            ? {
                medianSeconds: median(complete.map((s) => s.seconds!)),
                worstSeconds: Math.max(...complete.map((s) => s.seconds!)),
                lowerBoundSeconds: median(complete.map((s) => s.lowerBoundSeconds)),
            }
            : {}),
        ...(ratios.length > 0 ? { worstRatio: Math.max(...ratios) } : {}),
    };
}

export function fleetTable(results: readonly FleetResult[]): string {
    const headers = [
            "delivery", "clusters / tasks", "sweeps reaching every cluster", "clusters starved", "sweep s (median / worst)",
            "read-rate bound s", "worst ÷ bound", "event → pass s (p50 / p99)", "largest cluster's read alone s",
            "events lost", "still queued after the drain (drain s)", "invocations (timed out)", "containers", "calls per pass, largest cluster: cold / warm steady",
    ];
    return markdownTable(
        headers.map((header, i) => ({ header, align: i === 0 ? "left" : "right" })),
        results.map((r) => {
            const s = summarizeSweeps(r);
            const c = r.largestCluster;
            return [
                r.delivery,
                `${r.clusters} / ${r.tasks.toLocaleString("en-US")}`,
                `${s.everyClusterReached} of ${s.sweeps}`,
                String(s.starved),
                `${seconds(s.medianSeconds)} / ${seconds(s.worstSeconds)}`,
                seconds(s.lowerBoundSeconds),
                s.worstRatio === undefined ? "—" : s.worstRatio.toFixed(2),
                `${seconds(r.events.p50Seconds)} / ${seconds(r.events.p99Seconds)}`,
                seconds(c.aloneReadSeconds),
                String(r.eventsLost + r.events.notCovered),
                `${r.backlogAtEnd} (${r.drainSeconds.toFixed(0)})`,
                `${r.invocations} (${r.invocationsTimedOut})`,
                String(r.containersStarted),
                `${c.coldPassCalls?.toFixed(0) ?? "—"} / ${c.warmSteadyPassCalls?.toFixed(0) ?? "—"}`,
            ];
        }),
    );
}

/** The queue delivery's targets, met or not, with the figures. */
export function fleetTargetLine(results: readonly FleetResult[]): string {
    const queue = results.find((r) => r.delivery === "queue");
    if (!queue) return "Targets (delivery queue): not run.";
    const s = summarizeSweeps(queue);
    const lost = queue.eventsLost + queue.events.notCovered;
    const checks = [
        [`every cluster reached every sweep (${s.everyClusterReached} of ${s.sweeps})`, s.everyClusterReached === s.sweeps],
        [`sweep ≤ ${FLEET_TARGETS.sweepOverLowerBound} × read-rate bound (worst ${s.worstRatio?.toFixed(2) ?? "—"})`, s.worstRatio !== undefined && s.worstRatio <= FLEET_TARGETS.sweepOverLowerBound],
        [`0 events lost (${lost})`, lost === 0],
        [`p99 event → pass under one read of the largest cluster (${seconds(queue.events.p99Seconds)} s vs ${seconds(queue.largestCluster.aloneReadSeconds)} s)`,
            queue.events.p99Seconds !== undefined && queue.events.p99Seconds < queue.largestCluster.aloneReadSeconds],
    ] as const;
    return `Targets (delivery queue): ${checks.map(([text, ok]) => `${text}: ${ok ? "met" : "MISSED"}`).join("; ")}.`;
}
