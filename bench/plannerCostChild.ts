// Child process of plannerCost.ts, one per size (run with --expose-gc): builds the synthetic snapshot, times
// plan() over repeated runs and reports the process's memory around them as JSON on stdout.

import { performance } from "node:perf_hooks";
import { plan } from "../rebalancer/plan";
import { defaultSettings } from "../rebalancer/settings";
import { PLANNER_SIZES, syntheticCluster } from "./syntheticCluster";
import { syntheticSnapshot } from "./syntheticSnapshot";

export interface PlannerChildResult {
    size: string;
    instances: number;
    services: number;
    tasks: number;
    /** The first plan in the process (cold JIT), not part of the median. */
    firstMs: number;
    timesMs: number[];
    /** Resident set with the modules loaded, before the snapshot is built (after a full GC). */
    baselineRssMiB: number;
    /** Resident set once the snapshot is built and garbage-collected. */
    snapshotRssMiB: number;
    /** Highest resident set before planning (building the snapshot). */
    peakRssBeforePlanMiB: number;
    /** Highest resident set of the process by the end (snapshot and plans). */
    peakRssMiB: number;
    heapWithSnapshotMiB: number;
    lowerBound: number;
    servicesUnbalanced: number;
    servicesSkipped: number;
    actions: number;
}

const MIB = 1024 * 1024;

function gc(): void {
    const collect = (globalThis as { gc?: () => void }).gc;
    if (!collect) throw new Error("run with --expose-gc");
    collect();
    collect();
}

function main(sizeName: string, repeats: number, seed: number): PlannerChildResult {
    const size = PLANNER_SIZES.find((s) => s.name === sizeName);
    if (!size) throw new Error(`no size ${sizeName}`);
    gc();
    const baselineRssMiB = process.memoryUsage().rss / MIB;
    let snapshot = syntheticSnapshot(syntheticCluster(size, seed));
    gc();
    const snapshotRssMiB = process.memoryUsage().rss / MIB;
    const heapWithSnapshotMiB = process.memoryUsage().heapUsed / MIB;
    const peakRssBeforePlanMiB = process.resourceUsage().maxRSS / 1024;
    const settings = defaultSettings([snapshot.clusterArn]);
    let t = performance.now();
    const first = plan(snapshot, settings);
    const firstMs = performance.now() - t;
    const timesMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
        t = performance.now();
        plan(snapshot, settings);
        timesMs.push(performance.now() - t);
    }
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const result: PlannerChildResult = {
        size: size.name,
        instances: snapshot.instances.length,
        services: snapshot.services.length,
        tasks: snapshot.tasks.length,
        firstMs,
        timesMs,
        baselineRssMiB,
        snapshotRssMiB,
        peakRssBeforePlanMiB,
        peakRssMiB,
        heapWithSnapshotMiB,
        lowerBound: first.metrics.lowerBound,
        servicesUnbalanced: first.metrics.servicesUnbalanced,
        servicesSkipped: first.metrics.servicesSkipped,
        actions: first.actions.length,
    };
    snapshot = undefined as never;
    return result;
}

if (require.main === module) {
    const [sizeName, repeats, seed] = process.argv.slice(2);
    process.stdout.write(JSON.stringify(main(sizeName, Number(repeats), Number(seed ?? 1))) + "\n");
}
