// The targets of issue 5, printed next to the measurements, and the checks that say whether a figure meets them.

import { defaultSettings } from "../rebalancer/settings";
import { formatRatio, type DisruptionRatio } from "./disruption";

export const TARGETS = {
    /** minimal's disruption ratio where capacity allows. */
    disruptionRatio: 1,
    /** Final skew per instance and per AZ (the rebalancer's default skewThreshold). */
    skewThreshold: defaultSettings([]).skewThreshold,
    violations: 0,
    plannerSecondsAtLargest: 1,
    largestCluster: { instances: 5000, tasks: 100_000 },
    /** Observe calls ÷ the lower bound on calls. */
    observeCallsRatio: 1.05,
    /** A steady pass on a warm container (task cache) ÷ a cold pass, in calls, at largestCluster.tasks (issue 13). */
    warmObserveCallsRatio: 0.55,
    archiveZippedBytes: 1024 * 1024,
    coldStartMs: 300,
} as const;

export interface ScenarioOutcome {
    ratio: DisruptionRatio;
    /**
     * Multi-round runs only (moves needed in two or more rounds, local/scenario/rounds.ts): stopped ÷ the per-round
     * bound, which the ratio target is judged on instead — the final-state bound leaves the earlier rounds out.
     */
    perRoundRatio?: DisruptionRatio;
    instanceSkew: number;
    azSkew: number;
    floorViolations: number;
    ceilingViolations: number;
    converged: boolean;
    /** The runner's lower bound recomputed on `after`: 0 when no move could do better with the capacity left. */
    remainingMoves: number;
}

export interface TargetCheck {
    met: boolean;
    /** Why not, in a few words (empty when met). */
    misses: string[];
    /** The skew is above the threshold but no move could lower it with the capacity left. */
    skewCapacityBound: boolean;
}

/** minimal's targets on one scenario. */
export function checkScenario(outcome: ScenarioOutcome, skewThreshold: number = TARGETS.skewThreshold): TargetCheck {
    const misses: string[] = [];
    const r = outcome.perRoundRatio ?? outcome.ratio;
    const name = outcome.perRoundRatio ? "per-round ratio" : "ratio";
    if (r.kind === "ratio" && r.value > TARGETS.disruptionRatio) misses.push(`${name} ${formatRatio(r)} > 1.00`);
    if (r.kind === "ratio" && r.value < TARGETS.disruptionRatio) misses.push(`${name} ${formatRatio(r)} < 1.00 (surplus left)`);
    if (r.kind === "none-needed-but-stopped") misses.push(`${r.stopped} stopped where none had to move`);
    const skewOver = outcome.instanceSkew > skewThreshold || outcome.azSkew > skewThreshold;
    const skewCapacityBound = skewOver && outcome.remainingMoves === 0;
    if (skewOver && !skewCapacityBound) misses.push(`skew ${outcome.instanceSkew}/${outcome.azSkew} > ${skewThreshold}`);
    const violations = outcome.floorViolations + outcome.ceilingViolations;
    if (violations > TARGETS.violations) misses.push(`${violations} violation(s)`);
    if (!outcome.converged) misses.push("not converged");
    return { met: misses.length === 0, misses, skewCapacityBound };
}
