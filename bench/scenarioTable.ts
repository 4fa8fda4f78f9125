// Part 1 as markdown: one row per scenario × strategy, then one summary row per strategy.

import type { StrategyName } from "../local/scenario/rebalancers";
import { formatRatio, ratiosForMean } from "./disruption";
import { markdownTable, type Column } from "./markdown";
import type { ScenarioRow } from "./scenarioMatrix";
import { geometricMean } from "./stats";
import { TARGETS } from "./targets";

export interface StrategySummary {
    strategy: StrategyName;
    scenarios: number;
    /** Geometric mean of the disruption ratio over the scenarios with a positive lower bound (0 if any ratio is 0). */
    geometricMeanRatio: number;
    scenariosInMean: number;
    /** The same over the runs that stopped tasks (ratio > 0): how much a strategy disrupts when it acts. */
    geometricMeanRatioWhenActing: number;
    scenariosActing: number;
    worstInstanceSkew: number;
    worstAzSkew: number;
    violations: number;
    notConverged: number;
    tasksStopped: number;
    lowerBound: number;
    apiCalls: number;
    /** minimal only: scenarios whose targets are all met. */
    targetsMet?: number;
}

export function summarize(rows: readonly ScenarioRow[]): StrategySummary[] {
    const strategies = [...new Set(rows.map((r) => r.strategy))];
    return strategies.map((strategy) => {
        const mine = rows.filter((r) => r.strategy === strategy);
        const ratios = ratiosForMean(mine.map((r) => r.ratio));
        const summary: StrategySummary = {
            strategy,
            scenarios: mine.length,
            geometricMeanRatio: ratios.length > 0 ? geometricMean(ratios) : NaN,
            scenariosInMean: ratios.length,
            geometricMeanRatioWhenActing: ratios.some((r) => r > 0) ? geometricMean(ratios.filter((r) => r > 0)) : NaN,
            scenariosActing: ratios.filter((r) => r > 0).length,
            worstInstanceSkew: Math.max(0, ...mine.map((r) => r.instanceSkew)),
            worstAzSkew: Math.max(0, ...mine.map((r) => r.azSkew)),
            violations: mine.reduce((n, r) => n + r.floorViolations + r.ceilingViolations, 0),
            notConverged: mine.filter((r) => !r.converged).length,
            tasksStopped: mine.reduce((n, r) => n + r.tasksStopped, 0),
            lowerBound: mine.reduce((n, r) => n + r.lowerBound, 0),
            apiCalls: mine.reduce((n, r) => n + r.apiCalls, 0),
        };
        if (mine.some((r) => r.check)) summary.targetsMet = mine.filter((r) => r.check?.met).length;
        return summary;
    });
}

function skewCell(value: number, service: string | undefined): string {
    return service && value > 0 ? `${value} (${service})` : String(value);
}

/** The per-round bound and the ratio on it, for a multi-round run; empty otherwise. */
function perRoundCell(row: ScenarioRow): string {
    return row.perRoundBound === undefined || !row.perRoundRatio ? "" : `${row.perRoundBound} (${formatRatio(row.perRoundRatio)})`;
}

function targetCell(row: ScenarioRow): string {
    if (!row.check) return "";
    if (row.check.met) return row.check.skewCapacityBound ? "met (skew capacity-bound)" : "met";
    return `MISS: ${row.check.misses.join("; ")}`;
}

const SCENARIO_COLUMNS: Column[] = [
    { header: "scenario" },
    { header: "strategy" },
    { header: "stopped", align: "right" },
    { header: "lower bound", align: "right" },
    { header: "ratio", align: "right" },
    { header: "per-round bound (ratio)", align: "right" },
    { header: "skew inst (worst service)", align: "right" },
    { header: "skew AZ (worst service)", align: "right" },
    { header: "floor/ceiling viol.", align: "right" },
    { header: "invocations", align: "right" },
    { header: "ECS API calls", align: "right" },
    { header: "emulated s to quiet", align: "right" },
    { header: "converged" },
    { header: "minimal's targets" },
];

export function scenarioTable(rows: readonly ScenarioRow[]): string {
    return markdownTable(SCENARIO_COLUMNS, rows.map((r) => [
        r.scenario,
        r.strategy,
        String(r.tasksStopped),
        String(r.lowerBound),
        formatRatio(r.ratio),
        perRoundCell(r),
        skewCell(r.instanceSkew, r.instanceSkewService),
        skewCell(r.azSkew, r.azSkewService),
        `${r.floorViolations}/${r.ceilingViolations}`,
        String(r.invocations),
        String(r.apiCalls),
        String(r.emulatedSeconds),
        r.converged ? "yes" : "NO",
        targetCell(r),
    ]));
}

const SUMMARY_COLUMNS: Column[] = [
    { header: "strategy" },
    { header: "geomean ratio (scenarios)", align: "right" },
    { header: "geomean where it stopped tasks (scenarios)", align: "right" },
    { header: "stopped / lower bound", align: "right" },
    { header: "worst skew inst/AZ", align: "right" },
    { header: "violations", align: "right" },
    { header: "not converged", align: "right" },
    { header: "ECS API calls", align: "right" },
    { header: "targets met", align: "right" },
];

export function summaryTable(summaries: readonly StrategySummary[]): string {
    return markdownTable(SUMMARY_COLUMNS, summaries.map((s) => [
        s.strategy,
        `${Number.isNaN(s.geometricMeanRatio) ? "—" : s.geometricMeanRatio.toFixed(2)} (${s.scenariosInMean})`,
        `${Number.isNaN(s.geometricMeanRatioWhenActing) ? "—" : s.geometricMeanRatioWhenActing.toFixed(2)} (${s.scenariosActing})`,
        `${s.tasksStopped} / ${s.lowerBound}`,
        `${s.worstInstanceSkew}/${s.worstAzSkew}`,
        String(s.violations),
        String(s.notConverged),
        String(s.apiCalls),
        s.targetsMet === undefined ? "" : `${s.targetsMet} of ${s.scenarios}`,
    ]));
}

const PROFILE_COLUMNS: Column[] = [
    { header: "scenario" },
    { header: "ECS profile" },
    { header: "stopped / lower bound", align: "right" },
    { header: "ratio", align: "right" },
    { header: "per-round bound (ratio)", align: "right" },
    { header: "skew inst/AZ", align: "right" },
    { header: "floor/ceiling viol.", align: "right" },
    { header: "ECS API calls", align: "right" },
    { header: "converged" },
    { header: "targets" },
];

/** minimal under every ECS behaviour profile: one row per scenario and profile. */
export function profileTable(rows: readonly ScenarioRow[]): string {
    const ordered = [...rows].sort((a, b) => (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : 0));
    return markdownTable(PROFILE_COLUMNS, ordered.map((r) => [
        r.scenario,
        r.ecsProfile,
        `${r.tasksStopped} / ${r.lowerBound}`,
        formatRatio(r.ratio),
        perRoundCell(r),
        `${r.instanceSkew}/${r.azSkew}`,
        `${r.floorViolations}/${r.ceilingViolations}`,
        String(r.apiCalls),
        r.converged ? "yes" : "NO",
        targetCell(r),
    ]));
}

/** One summary row per profile (minimal's rows only). */
export function profileSummaryTable(rows: readonly ScenarioRow[]): string {
    const profiles = [...new Set(rows.map((r) => r.ecsProfile))];
    const summaries = profiles.map((p) => ({ profile: p, summary: summarize(rows.filter((r) => r.ecsProfile === p))[0]! }));
    return markdownTable([{ header: "ECS profile" }, ...SUMMARY_COLUMNS.slice(1)], summaries.map(({ profile, summary: s }) => [
        profile,
        `${Number.isNaN(s.geometricMeanRatio) ? "—" : s.geometricMeanRatio.toFixed(2)} (${s.scenariosInMean})`,
        `${Number.isNaN(s.geometricMeanRatioWhenActing) ? "—" : s.geometricMeanRatioWhenActing.toFixed(2)} (${s.scenariosActing})`,
        `${s.tasksStopped} / ${s.lowerBound}`,
        `${s.worstInstanceSkew}/${s.worstAzSkew}`,
        String(s.violations),
        String(s.notConverged),
        String(s.apiCalls),
        s.targetsMet === undefined ? "" : `${s.targetsMet} of ${s.scenarios}`,
    ]));
}

export function scenarioTargetsLine(): string {
    return `Targets (minimal): disruption ratio ${TARGETS.disruptionRatio.toFixed(2)} where capacity allows (on the per-round bound for a multi-round run), final skew ≤ ${TARGETS.skewThreshold} (skewThreshold) per instance and per AZ, ${TARGETS.violations} floor/ceiling violations, converged.`;
}
