// Part 3: what one read of the cluster costs. The synthetic clusters of part 2 are put on the local emulator and
// read by the rebalancer's own observe() through the real AWS SDK (the function's retry settings): calls per
// operation as the emulator counted them (each HTTP request, retries included) and as observe() counted them,
// beside the API's lower bound; the read's emulated duration with no throttling (the emulator's latency per call);
// and its duration under ECS's documented throttling rates, twice: from the token-bucket model (throttleModel.ts:
// the least time the documented rates allow, ideal client), and measured — the same read against the emulator's
// throttling buckets on a real-time clock (the SDK backs off in real time, so the emulated world must too), with
// the function's adaptive retries: how long it really takes and how often ECS said "Rate exceeded". Beside the cold
// read, a steady pass on a warm container: observe() with the container's task cache, once the container knows
// every task definition in use (it learns DEFINITIONS_LEARNED_PER_PASS a pass) and has read the cluster once.

import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { ECSClient } from "@aws-sdk/client-ecs";
import { performance } from "node:perf_hooks";
import { MAX_ATTEMPTS, RETRY_MODE } from "../rebalancer/awsClients";
import { observe } from "../rebalancer/observe";
import { createTaskCache, DEFINITIONS_LEARNED_PER_PASS } from "../rebalancer/taskCache";
import { createTaskDefinitionCache, readTaskDefinitions } from "../rebalancer/taskDefinitions";
import type { ClusterSnapshot } from "../rebalancer/model";
import { isDeepStrictEqual } from "node:util";
import { markdownTable } from "./markdown";
import { observeCallsLowerBound } from "./observeLowerBound";
import { median } from "./stats";
import { syntheticCluster, type SyntheticSize } from "./syntheticCluster";
import { syntheticWorld, type SyntheticWorld } from "./syntheticEmulator";
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
    warm: WarmRead;
}

/** A steady pass on a warm container (its task cache filled by one pass, every task definition in use known). */
export interface WarmRead {
    /** Requests the emulator received, by operation. */
    calls: Record<string, number>;
    callsTotal: number;
    /** callsTotal ÷ the cold read's. */
    ratio: number;
    /** Task definitions in use, and the passes a new container makes before its passes are this cheap. */
    definitions: number;
    passesToSteady: number;
    /** The warm snapshot deep-equals a cold one taken at the same moment (same task-definition knowledge). */
    snapshotMatches: boolean;
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
        let first: { calls: Record<string, number>; callsTotal: number; counted: number; emulatedMs: number; matches: boolean } | undefined;
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
                    callsTotal: Object.values(world.emulator.apiCalls).reduce((a, b) => a + b, 0),
                    counted: Object.values(counted).reduce((a, b) => a + b, 0),
                    emulatedMs: world.clock.now() - emulatedStart,
                    matches: snapshot.instances.length === cluster.instances.length && snapshot.services.length === cluster.services.length && snapshot.tasks.length === cluster.tasks,
                };
            }
        }
        const warm = await warmRead(world, clients, first!.callsTotal);
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
            warm,
        };
    } finally {
        await world.close();
    }
}

/**
 * A container that knows every task definition in use (read here, not counted) reads once to fill its task cache,
 * then the pass measured: its calls, and its snapshot against a cold read at the same moment (the world is settled
 * and the emulator's clock moves only by its latency per call, so nothing changes between the two).
 */
async function warmRead(world: SyntheticWorld, clients: ReturnType<typeof clientsFor>, coldCalls: number): Promise<WarmRead> {
    const definitions = createTaskDefinitionCache(Number.MAX_SAFE_INTEGER);
    const taskCache = createTaskCache();
    const filling = await observe(clients, world.clusterArn, definitions, world.clock.now(), {}, { taskCache });
    const inUse = new Set<string>([...filling.services.map((s) => s.taskDefinition), ...filling.tasks.map((t) => t.taskDefinitionArn)]);
    await readTaskDefinitions(clients, [...inUse], definitions, {});
    await observe(clients, world.clusterArn, definitions, world.clock.now(), {}, { taskCache });
    world.emulator.resetApiCalls();
    const warm = await observe(clients, world.clusterArn, definitions, world.clock.now(), {}, { taskCache });
    const calls = { ...world.emulator.apiCalls };
    const cold = await observe(clients, world.clusterArn, definitions, warm.observedAt, {});
    const callsTotal = Object.values(calls).reduce((a, b) => a + b, 0);
    return {
        calls,
        callsTotal,
        ratio: callsTotal / coldCalls,
        definitions: inUse.size,
        passesToSteady: Math.ceil(inUse.size / DEFINITIONS_LEARNED_PER_PASS) + 1,
        snapshotMatches: isDeepStrictEqual(withoutTime(warm), withoutTime(cold)),
    };
}

/** The snapshot without what differs between two reads of a settled world: the clock moved by the calls. */
function withoutTime(s: ClusterSnapshot): Omit<ClusterSnapshot, "observedAt"> {
    const { observedAt: _observedAt, ...rest } = s;
    return rest;
}

export function observeTable(costs: readonly ObserveCost[]): string {
    return markdownTable(
        [
            { header: "size" }, { header: "instances / services / tasks", align: "right" }, { header: "calls (observe counted)", align: "right" },
            { header: "lower bound", align: "right" }, { header: "calls ÷ bound", align: "right" }, { header: "calls by operation (bound)" },
            { header: "s unthrottled (model)", align: "right" }, { header: "s under ECS throttling (model)", align: "right" },
            { header: "s under ECS throttling, measured (requests, throttled)", align: "right" }, { header: "real ms per read, no throttling (runs)", align: "right" },
            { header: "calls per steady pass, warm container (DescribeTasks)", align: "right" }, { header: "warm ÷ cold", align: "right" },
            { header: "passes to steady (definitions)", align: "right" },
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
            `${c.warm.callsTotal} (${c.warm.calls.DescribeTasks ?? 0})${c.warm.snapshotMatches ? "" : " SNAPSHOT DIFFERS"}`,
            c.warm.ratio.toFixed(3),
            `${c.warm.passesToSteady} (${c.warm.definitions.toLocaleString("en-US")})`,
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

/** The warm target holds at the largest sizes (TARGETS.largestCluster.tasks); smaller ones are shown, not judged. */
export function warmObserveTargetLine(costs: readonly ObserveCost[]): string {
    const judged = costs.filter((c) => c.tasks >= TARGETS.largestCluster.tasks);
    if (judged.length === 0) return `Target: a steady pass on a warm container ≤ ${TARGETS.warmObserveCallsRatio} × a cold pass's calls at ${TARGETS.largestCluster.tasks.toLocaleString("en-US")} tasks — not measured (no size that large in this run).`;
    const parts = judged.map((c) => `${c.size} ${c.warm.ratio.toFixed(3)} ${c.warm.ratio <= TARGETS.warmObserveCallsRatio ? "met" : "MISSED"}`);
    const differs = costs.filter((c) => !c.warm.snapshotMatches).map((c) => c.size);
    return `Target: a steady pass on a warm container ≤ ${TARGETS.warmObserveCallsRatio} × a cold pass's calls at ${TARGETS.largestCluster.tasks.toLocaleString("en-US")} tasks — ${parts.join(", ")}. Warm snapshots ${differs.length === 0 ? "equal the cold ones at every size" : `DIFFER at ${differs.join(", ")}`}. ListTasks still lists every task, and services, instances and scalable targets are read in full: the floor of a warm pass.`;
}
