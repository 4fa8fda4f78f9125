// The chaos runner's report: every count summed over the runs (all must be zero), the faults injected, and the
// runs that failed with what it takes to replay them; runs per delivery and what the queue did in the queue runs.

import type { ChaosCase } from "./generator";
import type { DeliveryName } from "../scenario/rebalancers";
import { COUNT_KEYS, type ChaosCounts, type ChaosRunResult, type QueueStats } from "./play";

export interface ChaosReport extends ChaosCounts {
    runs: number;
    seed: number;
    /** The ECS behaviour profile every run played. */
    ecsProfile: string;
    /** Runs per delivery, and what the queue did over the queue runs (summed). */
    deliveries: Record<DeliveryName, number>;
    queue: QueueStats;
    /** Runs the harness could not finish: it threw, or the run went past its real-time limit. */
    harnessFailures: number;
    faultsInjected: Record<string, number>;
    /** Services a redeploy left with surplus (exempt from notConverged; see convergence.ts). */
    redeployLeftSurplus: number;
    /** Breaches proven to be concurrent-writer races (races.ts; not in the counts above), and the runs they were in. */
    concurrentWriteRaces: number;
    raceSeeds: number[];
    /** Run seeds with a count above zero or a harness failure (replay: npm run chaos -- --replay <seed>). */
    failedSeeds: number[];
    wallSeconds: number;
}

export function emptyReport(seed: number, ecsProfile: string): ChaosReport {
    const counts = Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as ChaosCounts;
    const queue: QueueStats = { batches: 0, redeliveries: 0, duplicatesDropped: 0, deadLetters: 0, left: 0 };
    return { runs: 0, seed, ecsProfile, ...counts, deliveries: { direct: 0, queue: 0 }, queue, harnessFailures: 0, faultsInjected: {}, redeployLeftSurplus: 0, concurrentWriteRaces: 0, raceSeeds: [], failedSeeds: [], wallSeconds: 0 };
}

export function failed(result: ChaosRunResult): boolean {
    return COUNT_KEYS.some((k) => result.counts[k] > 0);
}

export function addRun(report: ChaosReport, result: ChaosRunResult): void {
    report.runs++;
    report.deliveries[result.delivery]++;
    for (const [k, v] of Object.entries(result.queue ?? {})) report.queue[k as keyof QueueStats] += v;
    for (const k of COUNT_KEYS) report[k] += result.counts[k];
    for (const [k, v] of Object.entries(result.faultsInjected)) report.faultsInjected[k] = (report.faultsInjected[k] ?? 0) + v;
    report.redeployLeftSurplus += result.redeployLeftSurplus;
    report.concurrentWriteRaces += result.concurrentWriteRaces;
    if (result.concurrentWriteRaces > 0) report.raceSeeds.push(result.seed);
    if (failed(result)) report.failedSeeds.push(result.seed);
}

export function addHarnessFailure(report: ChaosReport, seed: number, delivery: DeliveryName): void {
    report.runs++;
    report.deliveries[delivery]++;
    report.harnessFailures++;
    report.failedSeeds.push(seed);
}

/** What only the chaos runner can replay (the scenario file holds the rest). */
export function chaosPlanOf(c: ChaosCase): Record<string, unknown> {
    return { seed: c.seed, ecsProfile: c.ecsProfile, strategy: c.strategy, delivery: c.delivery, faults: c.faults, kills: c.kills, disruptions: c.disruptions, scalableTargets: c.scalableTargets };
}

/** The summary line printed at the end. */
export function summaryLine(r: ChaosReport): string {
    const counts = COUNT_KEYS.map((k) => `${k} ${r[k]}`).join(", ");
    return `${r.runs} run(s) (direct ${r.deliveries.direct}, queue ${r.deliveries.queue}), seed ${r.seed}, ECS profile ${r.ecsProfile}: ${counts}, harnessFailures ${r.harnessFailures}; concurrentWriteRaces ${r.concurrentWriteRaces} (not failures) (${r.wallSeconds.toFixed(0)} s)`;
}
