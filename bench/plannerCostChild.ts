// Child process of plannerCost.ts, one per size (run with --expose-gc): builds the synthetic snapshot, times
// plan() over repeated runs and reports the process's memory around them as JSON on stdout; then times plan() as the
// Lambda runs it: the runtime bundle (infra/rebalancer/runtimeBundle.ts) in the closure Pulumi serializes, loaded
// as __index.js is, instantiated by the container's factory.

import Module from "node:module";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { plan } from "../rebalancer/plan";
import { loadRuntimeBundle } from "../rebalancer/bundleLoader";
import { bundleRuntime } from "../infra/rebalancer/runtimeBundle";
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
    /** plan() as serialized for the Lambda (median over a few runs, after a cold one). */
    deployedTimesMs: number[];
}

const MIB = 1024 * 1024;

function gc(): void {
    const collect = (globalThis as { gc?: () => void }).gc;
    if (!collect) throw new Error("run with --expose-gc");
    collect();
    collect();
}

/** plan() as the function gets it: bundled, serialized by Pulumi as the callbackFactory's capture, instantiated. */
async function serializedPlan(): Promise<typeof plan> {
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const source = bundleRuntime(join(__dirname, "..", "rebalancer", "plan", "index.ts"), join(__dirname, ".."));
    const serialized = await pulumi.runtime.serializeFunction(() => loadRuntimeBundle(source), { isFactoryFunction: true });
    const filename = join(__dirname, "..", "__serialized_plan.js");
    const mod = new Module(filename);
    mod.filename = filename;
    mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(join(__dirname, ".."));
    (mod as unknown as { _compile(text: string, filename: string): void })._compile(serialized.text, filename);
    return (mod.exports as Record<string, { plan: typeof plan }>)[serialized.exportName].plan;
}

/** Runs of the serialized plan() (slower: a few suffice to compare). */
const DEPLOYED_REPEATS = 3;

async function main(sizeName: string, repeats: number, seed: number): Promise<PlannerChildResult> {
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
    const deployedPlan = await serializedPlan();
    deployedPlan(snapshot, settings);
    const deployedTimesMs: number[] = [];
    for (let i = 0; i < DEPLOYED_REPEATS; i++) {
        t = performance.now();
        deployedPlan(snapshot, settings);
        deployedTimesMs.push(performance.now() - t);
    }
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
        deployedTimesMs,
    };
    snapshot = undefined as never;
    return result;
}

if (require.main === module) {
    const [sizeName, repeats, seed] = process.argv.slice(2);
    main(sizeName, Number(repeats), Number(seed ?? 1)).then(
        (result) => process.stdout.write(JSON.stringify(result) + "\n"),
        (err: unknown) => {
            process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
            process.exit(1);
        },
    );
}
