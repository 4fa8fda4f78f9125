// Part 1: every scenario file × every strategy, played by the scenario runner (the program's own function for
// minimal and redeploy, the reference architecture for seed, ECS alone for none). One row per run: the report's
// figures plus the skew and the ratio computed here, independently of the runner and the planner.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { EcsProfileName } from "../local/emulator";
import { runScenario } from "../local/scenario/runner";
import type { StrategyName } from "../local/scenario/rebalancers";
import { isMultiRound } from "../local/scenario/rounds";
import { readScenarioFile, type Scenario } from "../local/scenario/scenarioFile";
import { disruptionRatio, type DisruptionRatio } from "./disruption";
import { worstSkew } from "./skew";
import { checkScenario, type TargetCheck } from "./targets";

export const BENCH_STRATEGIES: readonly StrategyName[] = ["none", "seed", "redeploy", "minimal"];

export interface ScenarioRow {
    scenario: string;
    strategy: StrategyName;
    /** The ECS behaviour profile the emulator played. */
    ecsProfile: EcsProfileName;
    tasksStopped: number;
    tasksStarted: number;
    lowerBound: number;
    ratio: DisruptionRatio;
    /** Multi-round runs only (moves needed in two or more rounds): the report's perRoundBound and stopped ÷ it. */
    perRoundBound?: number;
    perRoundRatio?: DisruptionRatio;
    instanceSkew: number;
    instanceSkewService?: string;
    azSkew: number;
    azSkewService?: string;
    floorViolations: number;
    ceilingViolations: number;
    invocations: number;
    apiCalls: number;
    emulatedSeconds: number;
    converged: boolean;
    remainingMoves: number;
    /** Real time the runner took for this row (baseline play included). */
    wallMs: number;
    /** minimal only: the targets. */
    check?: TargetCheck;
}

export function scenarioFiles(dir: string): string[] {
    return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => join(dir, f));
}

export async function runScenarioRow(scenario: Scenario, strategy: StrategyName, seed: number, ecsProfile?: EcsProfileName): Promise<ScenarioRow> {
    const started = performance.now();
    const { report } = await runScenario(scenario, { strategy, seed, ecsProfile });
    const wallMs = performance.now() - started;
    const skew = worstSkew(scenario, report);
    const ratio = disruptionRatio(report.tasksStopped, report.minimalMoves);
    const row: ScenarioRow = {
        scenario: report.scenario,
        strategy,
        ecsProfile: report.ecsProfile,
        tasksStopped: report.tasksStopped,
        tasksStarted: report.tasksStarted,
        lowerBound: report.minimalMoves,
        ratio,
        ...(isMultiRound(report.rounds) ? { perRoundBound: report.perRoundBound, perRoundRatio: disruptionRatio(report.tasksStopped, report.perRoundBound) } : {}),
        instanceSkew: skew.instance.value,
        instanceSkewService: skew.instance.service,
        azSkew: skew.az.value,
        azSkewService: skew.az.service,
        floorViolations: report.floorViolations,
        ceilingViolations: report.ceilingViolations,
        invocations: report.invocations,
        apiCalls: Object.values(report.apiCalls).reduce((a, b) => a + b, 0),
        emulatedSeconds: report.emulatedSeconds,
        converged: report.converged,
        remainingMoves: report.remainingMoves,
        wallMs,
    };
    if (strategy === "minimal") row.check = checkScenario(row);
    return row;
}

export interface MatrixOptions {
    files: string[];
    strategies?: readonly StrategyName[];
    seed?: number;
    ecsProfile?: EcsProfileName;
    /** Called after each row (progress on stderr). */
    onRow?: (row: ScenarioRow) => void;
}

export async function runScenarioMatrix(options: MatrixOptions): Promise<ScenarioRow[]> {
    const rows: ScenarioRow[] = [];
    for (const file of options.files) {
        const scenario = readScenarioFile(file);
        for (const strategy of options.strategies ?? BENCH_STRATEGIES) {
            const row = await runScenarioRow(scenario, strategy, options.seed ?? 1, options.ecsProfile);
            rows.push(row);
            options.onRow?.(row);
        }
    }
    return rows;
}
