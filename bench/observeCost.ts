// Part 3: what one read of the cluster costs. The synthetic clusters of part 2 are put on the local emulator and
// read by the rebalancer's own observe() through the real AWS SDK (the function's retry settings): calls per
// operation as the emulator counted them (each HTTP request, retries included) and as observe() counted them,
// beside the API's lower bound; the read's emulated duration with no throttling (the emulator's latency per call);
// and its duration under ECS's documented throttling rates, from the token-bucket model (throttleModel.ts): the
// SDK backs off in real time (up to 20 s per retry), which makes an emulated throttled read of a 2,000-call pass
// impractical here, so the least time the documented rates allow is computed from the calls the read made.

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

export async function measureObserveCost(size: SyntheticSize, options: { runs: number; seed: number }): Promise<ObserveCost> {
    const cluster = syntheticCluster(size, options.seed);
    const world = await syntheticWorld(cluster, "synthetic", options.seed);
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
            { header: "s unthrottled", align: "right" }, { header: "s under ECS throttling", align: "right" }, { header: "real ms per read (runs)", align: "right" },
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
            `${c.realMs.toFixed(0)} (${c.runs})`,
        ]),
    );
}

export function observeModelLine(latencyMs: number): string {
    return `Durations are the token-bucket model's (bench/throttleModel.ts) on the calls each read made: ${latencyMs} ms per call (the emulator's latency), observe()'s three chains side by side (instances → tasks in ECS's "cluster resource read" bucket, 100 burst / 20 per s; services in "service read", 100 / 20; scalable targets unthrottled), buckets full at the start, an ideal client that waits exactly for each token — the least time ECS's documented rates allow when no one else in the account calls. The SDK's real-time backoff made an emulated throttled read of thousands of calls impractical here.`;
}

export function observeTargetLine(costs: readonly ObserveCost[]): string {
    const worst = Math.max(...costs.map((c) => c.ratio));
    return `Target: observe calls ≤ ${TARGETS.observeCallsRatio} × the lower bound — worst measured ${worst.toFixed(3)}: ${worst <= TARGETS.observeCallsRatio ? "met" : "MISSED"}.`;
}
