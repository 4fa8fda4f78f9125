// Part 3: what one read of the cluster costs. The synthetic clusters of part 2 are put on the local emulator and
// read by the rebalancer's own observe() through the real AWS SDK (the function's retry settings): calls per
// operation as the emulator counted them (each HTTP request, retries included) and as observe() counted them,
// beside the API's lower bound; the read's emulated duration with no throttling (the emulator's latency per call);
// and its duration under ECS's documented throttling rates, twice: from the token-bucket model (throttleModel.ts:
// the least time the documented rates allow, ideal client), and measured — the same read against the emulator's
// throttling buckets on a real-time clock (the SDK backs off in real time, so the emulated world must too), with
// the function's adaptive retries: how long it really takes and how often ECS said "Rate exceeded".

import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { ECSClient } from "@aws-sdk/client-ecs";
import { performance } from "node:perf_hooks";
import { MAX_ATTEMPTS, RETRY_MODE } from "../rebalancer/awsClients";
import { observe } from "../rebalancer/observe";
import { createTaskDefinitionCache } from "../rebalancer/taskDefinitions";
import { markdownTable } from "./markdown";
import { observeCallsLowerBound } from "./observeLowerBound";
import { median } from "./stats";
import { syntheticCluster, type SyntheticSize } from "./syntheticCluster";
import { syntheticWorld } from "./syntheticEmulator";
import { TARGETS } from "./targets";
import { observeSecondsUnderThrottling } from "./throttleModel";

export interface ObserveCost {
    size: string;
    instances: number;
    services: number;
    tasks: number;
    scalableTargets: number;
    /** Requests the emulator received, by operation. */
    calls: Record<string, number>;
    callsTotal: number;
    /** Calls observe() counted itself (requests that returned). */
    observeCounted: number;
    lowerBound: Record<string, number>;
    lowerBoundTotal: number;
    ratio: number;
    /** Emulated seconds the read took on the emulator's clock (its latency per call, calls serialized). */
    emulatedSerialSeconds: number;
    /** Seconds with no throttling: the emulator's latency per call, observe()'s chains side by side (model). */
    unthrottledSeconds: number;
    /** The least seconds ECS's documented rates allow for these calls (ideal client, full buckets). */
    throttledSeconds: number;
    throttledChains: number[];
    /** Real milliseconds per read here, median of `runs`. */
    realMs: number;
    runs: number;
    snapshotMatches: boolean;
    /** The read against ECS's throttling buckets in real time (absent when not run). */
    throttledRun?: ThrottledRead;
}

export interface ThrottledRead {
    seconds: number;
    /** Requests the emulator received, retries included, and how many it throttled. */
    requests: number;
    throttled: number;
    outcome: "completed" | string;
}

function clientsFor(endpoint: string) {
    const config = {
        region: "us-east-1",
        endpoint,
        credentials: { accessKeyId: "AKIDBENCHOBSERVE", secretAccessKey: "bench" },
        retryMode: RETRY_MODE,
        maxAttempts: MAX_ATTEMPTS,
    };
    return { ecs: new ECSClient(config), autoScaling: new ApplicationAutoScalingClient(config) };
}

/** One read against ECS's throttling buckets, on a real-time clock, with the SDK's adaptive retries. */
async function throttledRead(cluster: ReturnType<typeof syntheticCluster>, seed: number): Promise<ThrottledRead> {
    const world = await syntheticWorld(cluster, { seed, throttledRealTime: true });
    const clients = clientsFor(world.endpoint);
    try {
        world.emulator.resetApiCalls();
        const throttledBefore = world.emulator.faultsInjected.throttled;
        const t = performance.now();
        let outcome = "completed";
        try {
            const snapshot = await observe(clients, world.clusterArn, createTaskDefinitionCache(), world.clock.now(), {});
            if (snapshot.tasks.length !== cluster.tasks) outcome = `incomplete: ${snapshot.tasks.length} of ${cluster.tasks} tasks`;
        } catch (e) {
            outcome = `failed: ${(e as Error).name}`;
        }
        return {
            seconds: (performance.now() - t) / 1000,
            requests: Object.values(world.emulator.apiCalls).reduce((a, b) => a + b, 0),
            throttled: world.emulator.faultsInjected.throttled - throttledBefore,
            outcome,
        };
    } finally {
        clients.ecs.destroy();
        clients.autoScaling.destroy();
        await world.close();
    }
}

export async function measureObserveCost(size: SyntheticSize, options: { runs: number; seed: number; throttled: boolean }): Promise<ObserveCost> {
    const cluster = syntheticCluster(size, options.seed);
    const throttledRun = options.throttled ? await throttledRead(cluster, options.seed) : undefined;
    const world = await syntheticWorld(cluster, { seed: options.seed });
    try {
        const clients = clientsFor(world.endpoint);
        const realMs: number[] = [];
        let first: { calls: Record<string, number>; counted: number; emulatedMs: number; matches: boolean } | undefined;
        for (let run = 0; run < options.runs; run++) {
            world.emulator.resetApiCalls();
            const counted: Record<string, number> = {};
            const emulatedStart = world.clock.now();
            const t = performance.now();
            const snapshot = await observe(clients, world.clusterArn, createTaskDefinitionCache(), world.clock.now(), counted);
            realMs.push(performance.now() - t);
            if (!first) {
                first = {
                    calls: { ...world.emulator.apiCalls },
                    counted: Object.values(counted).reduce((a, b) => a + b, 0),
                    emulatedMs: world.clock.now() - emulatedStart,
                    matches: snapshot.instances.length === cluster.instances.length && snapshot.services.length === cluster.services.length && snapshot.tasks.length === cluster.tasks,
                };
            }
        }
        clients.ecs.destroy();
        clients.autoScaling.destroy();
        const lb = observeCallsLowerBound({ instances: cluster.instances.length, services: cluster.services.length, tasks: cluster.tasks, scalableTargets: world.scalableTargets });
        const callsTotal = Object.values(first!.calls).reduce((a, b) => a + b, 0);
        const throttled = observeSecondsUnderThrottling(first!.calls, world.emulator.timing.apiLatencyMs);
        return {
            size: size.name,
            instances: cluster.instances.length,
            services: cluster.services.length,
            tasks: cluster.tasks,
            scalableTargets: world.scalableTargets,
            calls: first!.calls,
            callsTotal,
            observeCounted: first!.counted,
            lowerBound: lb.byOperation,
            lowerBoundTotal: lb.total,
            ratio: callsTotal / lb.total,
            emulatedSerialSeconds: first!.emulatedMs / 1000,
            unthrottledSeconds: observeSecondsUnderThrottling(first!.calls, world.emulator.timing.apiLatencyMs, false).seconds,
            throttledSeconds: throttled.seconds,
            throttledChains: throttled.chains,
            realMs: median(realMs),
            runs: options.runs,
            snapshotMatches: first!.matches,
            ...(throttledRun ? { throttledRun } : {}),
        };
    } finally {
        await world.close();
    }
}

export function observeTable(costs: readonly ObserveCost[]): string {
    return markdownTable(
        [
            { header: "size" }, { header: "instances / services / tasks", align: "right" }, { header: "calls (observe counted)", align: "right" },
            { header: "lower bound", align: "right" }, { header: "calls ÷ bound", align: "right" }, { header: "calls by operation (bound)" },
            { header: "s unthrottled (model)", align: "right" }, { header: "s under ECS throttling (model)", align: "right" },
            { header: "s under ECS throttling, measured (requests, throttled)", align: "right" }, { header: "real ms per read, no throttling (runs)", align: "right" },
        ],
        costs.map((c) => [
            c.size,
            `${c.instances.toLocaleString("en-US")} / ${c.services.toLocaleString("en-US")} / ${c.tasks.toLocaleString("en-US")}`,
            `${c.callsTotal} (${c.observeCounted})`,
            String(c.lowerBoundTotal),
            c.ratio.toFixed(3),
            Object.keys(c.lowerBound).map((op) => `${op} ${c.calls[op] ?? 0} (${c.lowerBound[op]})`).join(", "),
            c.unthrottledSeconds.toFixed(2),
            c.throttledSeconds.toFixed(1),
            c.throttledRun
                ? `${c.throttledRun.seconds.toFixed(1)} (${c.throttledRun.requests}, ${c.throttledRun.throttled})${c.throttledRun.outcome === "completed" ? "" : ` ${c.throttledRun.outcome}`}`
                : "not run",
            `${c.realMs.toFixed(0)} (${c.runs})`,
        ]),
    );
}

export function observeModelLine(latencyMs: number): string {
    return `Durations are the token-bucket model's (bench/throttleModel.ts) on the calls each read made: ${latencyMs} ms per call (the emulator's latency), observe()'s three chains side by side (instances → tasks in ECS's "cluster resource read" bucket, 100 burst / 20 per s; services in "service read", 100 / 20; scalable targets in the emulator's own Application Auto Scaling bucket, 50 / 20, no documented rate), buckets full at the start, an ideal client that waits exactly for each token — the least time ECS's documented rates allow when no one else in the account calls. Measured: the same read against the emulator's throttling buckets (the same table) on a real-time clock, with the function's SDK settings (adaptive retries, ${MAX_ATTEMPTS} attempts); requests include the retries of throttled calls.`;
}

export function observeTargetLine(costs: readonly ObserveCost[]): string {
    const worst = Math.max(...costs.map((c) => c.ratio));
    return `Target: observe calls ≤ ${TARGETS.observeCallsRatio} × the lower bound — worst measured ${worst.toFixed(3)}: ${worst <= TARGETS.observeCallsRatio ? "met" : "MISSED"}.`;
}
