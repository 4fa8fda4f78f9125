// Part 2: the planner's cost at ECS's limits. Each size runs in a child process of its own (fresh heap, --expose-gc)
// so its memory figures are its own: plan() is timed over repeated runs on one synthetic snapshot (median; the
// first, cold run reported apart), and memory is read as resident set sizes (the snapshot alone after a full GC,
// and the process's peak by the end). Growth per 10× compares consecutive sizes by their task counts.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { PlannerChildResult } from "./plannerCostChild";
import { markdownTable } from "./markdown";
import { growthPer10x, median } from "./stats";
import { PLANNER_SIZES, type SyntheticSize } from "./syntheticCluster";
import { TARGETS } from "./targets";

export interface PlannerCost extends PlannerChildResult {
    medianMs: number;
    /**
     * Memory planning adds over the snapshot: the process's peak minus its resident set with the snapshot. Exact
     * when planning raised the peak; otherwise the peak came from building the snapshot and this is an upper bound.
     */
    planPeakOverSnapshotMiB: number;
    planPeakIsUpperBound: boolean;
    /** vs the previous size (by tasks), time and peak-over-snapshot memory. */
    timeGrowthPer10x?: number;
}

const PROJECT_ROOT = join(__dirname, "..");

function runChild(size: SyntheticSize, repeats: number, seed: number): PlannerChildResult {
    const out = execFileSync(
        process.execPath,
        ["--expose-gc", "-r", require.resolve("ts-node/register/transpile-only", { paths: [PROJECT_ROOT] }), join(__dirname, "plannerCostChild.ts"), size.name, String(repeats), String(seed)],
        { cwd: PROJECT_ROOT, encoding: "utf8", maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
    );
    return JSON.parse(out.trim().split("\n").pop()!) as PlannerChildResult;
}

export function measurePlannerCost(options: { repeats: number; seed: number; sizes?: readonly SyntheticSize[]; onSize?: (c: PlannerCost) => void }): PlannerCost[] {
    const out: PlannerCost[] = [];
    for (const size of options.sizes ?? PLANNER_SIZES) {
        const child = runChild(size, options.repeats, options.seed);
        const planPeakIsUpperBound = child.peakRssMiB <= child.peakRssBeforePlanMiB;
        const cost: PlannerCost = {
            ...child,
            medianMs: median(child.timesMs),
            planPeakOverSnapshotMiB: Math.max(0, child.peakRssMiB - child.snapshotRssMiB),
            planPeakIsUpperBound,
        };
        // Growth along the main ladder only (S → M → L): the few-services variant has the same task count as L.
        const previous = [...out].reverse().find((p) => p.tasks < cost.tasks);
        if (previous) cost.timeGrowthPer10x = growthPer10x(previous.tasks, previous.medianMs, cost.tasks, cost.medianMs);
        out.push(cost);
        options.onSize?.(cost);
    }
    return out;
}

export function plannerTable(costs: readonly PlannerCost[]): string {
    return markdownTable(
        [
            { header: "size" }, { header: "instances", align: "right" }, { header: "services", align: "right" }, { header: "tasks", align: "right" },
            { header: "unbalanced / skipped services", align: "right" }, { header: "median plan ms (runs)", align: "right" }, { header: "first (cold) ms", align: "right" },
            { header: "time growth per 10× tasks", align: "right" }, { header: "RSS: modules / + snapshot MiB", align: "right" },
            { header: "plan's peak over snapshot MiB", align: "right" }, { header: "process peak RSS MiB", align: "right" },
            { header: "as deployed: median ms (runs), × source", align: "right" },
        ],
        costs.map((c) => [
            c.size, c.instances.toLocaleString("en-US"), c.services.toLocaleString("en-US"), c.tasks.toLocaleString("en-US"),
            `${c.servicesUnbalanced} / ${c.servicesSkipped}`, `${c.medianMs.toFixed(1)} (${c.timesMs.length})`, c.firstMs.toFixed(1),
            c.timeGrowthPer10x === undefined ? "—" : `×${c.timeGrowthPer10x.toFixed(1)}`,
            `${c.baselineRssMiB.toFixed(0)} / ${c.snapshotRssMiB.toFixed(0)}`,
            `${c.planPeakIsUpperBound ? "≤ " : ""}${c.planPeakOverSnapshotMiB.toFixed(0)}`,
            c.peakRssMiB.toFixed(0),
            `${median(c.deployedTimesMs).toFixed(0)} (${c.deployedTimesMs.length}), ×${(median(c.deployedTimesMs) / c.medianMs).toFixed(1)}`,
        ]),
    );
}

export function plannerTargetLine(costs: readonly PlannerCost[]): string {
    const largest = costs.filter((c) => c.instances >= TARGETS.largestCluster.instances && c.tasks >= TARGETS.largestCluster.tasks);
    if (largest.length === 0) return `Target: plan ≤ ${TARGETS.plannerSecondsAtLargest} s at 5,000 instances / 100,000 tasks — not measured in this run.`;
    const limit = TARGETS.plannerSecondsAtLargest * 1000;
    const worst = Math.max(...largest.map((c) => c.medianMs));
    const worstDeployed = Math.max(...largest.map((c) => median(c.deployedTimesMs)));
    return `Target: plan ≤ ${limit} ms at 5,000 instances / 100,000 tasks — measured ${worst.toFixed(0)} ms from source (worst of the largest sizes): ${worst <= limit ? "met" : "MISSED"}; ` +
        `${worstDeployed.toFixed(0)} ms as the Lambda runs it (the runtime bundle in the serialized closure): ${worstDeployed <= limit ? "met" : "MISSED"}.`;
}
