// The fleet simulation: K clusters in one account on the local emulator (ECS's throttling buckets shared), the
// rebalancer deployed by the program for all of them (the closure Pulumi serialized, run in Lambda containers that
// overlap in time), the schedule's sweeps and the clusters' own events (agent reconnects, the rebalancer's moves)
// delivered the way the stack's `delivery` setting deploys. Reported: how long a sweep takes to reach every
// cluster against the read-rate lower bound, clusters a sweep did not reach, event-to-pass latency, events lost,
// and the calls of a pass on a warm container against a cold one.

import { DEFAULT_TIMING } from "../emulator";
import { deployUnderMocks, type DeployedRebalancer } from "../deployedRebalancer";
import { LocalEventBus } from "../eventBus";
import { withEnv } from "../lambdaHost";
import { CONTAINER_INSTANCE_STATE_CHANGE, SERVICE_ACTION } from "../../rebalancer/eventPatterns";
import { ConcurrentInvocations } from "./concurrentInvocations";
import { DirectDelivery } from "./directDelivery";
import { QueueDelivery } from "./queueDelivery";
import { applyInputTransformer } from "../inputTransformer";
import type { BusRule, BusTarget } from "../eventBus";
import type { FleetWorld } from "./fleetWorld";
import { createHash } from "node:crypto";
import { FleetContainers } from "./fleetContainers";
import { eventLatencies, overlappingPasses, passesOf, readRateLowerBoundSeconds, sweepFigures, type DeliveredClusterEvent, type FleetPass, type LatencyFigures, type SweepFigures } from "./fleetMetrics";
import type { FleetShape } from "./fleetShape";
import { fleetTasks } from "./fleetShape";
import { fleetWorld } from "./fleetWorld";

export type DeliveryName = "direct" | "queue";

export interface FleetOptions {
    delivery: DeliveryName;
    seed: number;
    /** Scheduled sweeps to play (the first comes one period after the start). */
    sweeps: number;
    /** Agent reconnects per instance per hour (the emulator's churn): the clusters' own events. */
    agentReconnectsPerHour: number;
    /** Extra stack config (`ecs-rebalancer:*` keys). */
    config?: Record<string, string>;
    /** Called every emulated minute (long runs say where they are). */
    onProgress?: (p: { emulatedMinutes: number; calls: number; invocations: number; backlog: number; realSeconds: number }) => void;
}

export interface FleetResult {
    fleet: string;
    delivery: DeliveryName;
    clusters: number;
    tasks: number;
    schedulePeriodSeconds: number;
    timeoutSeconds: number;
    sweeps: SweepFigures[];
    events: LatencyFigures;
    /** Events dropped by the delivery (maximum event age, dead-letter queue). */
    eventsLost: number;
    /** Still queued when the drain stopped (at most DRAIN_LIMIT_MS after the last sweep period). */
    backlogAtEnd: number;
    /** Emulated seconds the drain took after the last sweep period. */
    drainSeconds: number;
    invocations: number;
    invocationsTimedOut: number;
    containersStarted: number;
    passes: number;
    /** Passes of a cluster that started while an earlier pass of it still ran (must be 0). */
    overlappingPasses: number;
    /** Mean calls of a steady pass (no writes) on a cold / warm container, for the largest cluster. */
    largestCluster: { name: string; tasks: number; coldPassCalls?: number; warmSteadyPassCalls?: number; aloneReadSeconds: number };
    throttledCalls: number;
    calls: number;
    realSeconds: number;
}

/** After the sweeps, how long queued events may take to be handled before those left count as lost. */
const DRAIN_LIMIT_MS = 30 * 60_000;

const HARNESS_ENV = (endpoint: string, functionName: string): Record<string, string> => ({
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDLOCALFLEET",
    AWS_SECRET_ACCESS_KEY: "local-secret",
    AWS_ENDPOINT_URL_ECS: endpoint,
    AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: endpoint,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_LAMBDA_FUNCTION_NAME: functionName,
});

function scheduleSeconds(deployed: DeployedRebalancer): number {
    const rule = [...deployed.rules, ...(deployed.queue?.rules ?? [])].find((r) => "scheduleExpression" in r) as { scheduleExpression: string } | undefined;
    const m = rule ? /^rate\((\d+) minutes?\)$/.exec(rule.scheduleExpression) : null;
    if (!m) throw new Error("the fleet simulation needs a rate(N minutes) schedule");
    return Number(m[1]) * 60;
}

/** The cluster an EventBridge event is about, for the events the rules deliver. */
function clusterOfEvent(event: unknown): string | undefined {
    const e = event as { "detail-type"?: unknown; detail?: { clusterArn?: unknown } };
    if (e["detail-type"] !== CONTAINER_INSTANCE_STATE_CHANGE && e["detail-type"] !== SERVICE_ACTION) return undefined;
    return typeof e.detail?.clusterArn === "string" ? e.detail.clusterArn : undefined;
}

/** Runs `fn` with the process's output dropped: the function logs every pass, the report says what matters. */
async function muted<T>(fn: () => Promise<T>): Promise<T> {
    const out = process.stdout.write, err = process.stderr.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
        return await fn();
    } finally {
        process.stdout.write = out;
        process.stderr.write = err;
    }
}

export async function simulateFleet(shape: FleetShape, options: FleetOptions): Promise<FleetResult> {
    const realStart = Date.now();
    const world = await fleetWorld(shape, options.seed);
    const deployed = deployUnderMocks({
        createDemo: "false",
        targetClusters: JSON.stringify(world.clusters.map((c) => c.arn)),
        ...(options.delivery === "direct" ? {} : { delivery: options.delivery }),
        ...(options.config ?? {}),
    });
    const period = scheduleSeconds(deployed);
    const engine = new ConcurrentInvocations(world.clock, DEFAULT_TIMING.apiLatencyMs);
    const env = { ...deployed.environment, ...HARNESS_ENV(world.endpoint, deployed.functionName) };
    try {
        return await withEnv(env, () => muted(async () => {
            engine.install({ endpoint: world.endpoint, serve: (r) => world.emulator.serveRequest(r) }, options.seed);
            const containers = new FleetContainers(engine, deployed.indexJs, deployed.functionName, deployed.timeoutSeconds * 1000);
            const { delivery, buses } = wireDelivery(options.delivery, deployed, containers, world);
            const unsubscribe = world.emulator.onEvent((event) => {
                for (const bus of buses) bus.publish(event);
            });
            const startedAt = world.clock.now();
            for (const bus of buses) {
                const armSchedule = () => {
                    const at = bus.nextScheduleAt();
                    if (at !== undefined) world.clock.schedule(at, () => (bus.fireDueSchedules(), armSchedule()));
                };
                armSchedule();
            }
            world.emulator.setChurn({ agentReconnectsPerHour: options.agentReconnectsPerHour });
            if (options.onProgress) {
                const report = (minutes: number) => world.clock.schedule(startedAt + minutes * 60_000, () => {
                    options.onProgress!({ emulatedMinutes: minutes, calls: engine.calls.length, invocations: containers.invocations.length, backlog: delivery.backlog, realSeconds: (Date.now() - realStart) / 1000 });
                    report(minutes + 1);
                });
                report(1);
            }
            const endAt = startedAt + (options.sweeps + 1) * period * 1000;
            await engine.runUntil(endAt - 1);
            // Drain: no more reconnects; what is queued or running finishes (the rebalancer's own moves still fire
            // events), so that an event still waiting at the end is one the delivery lost, not one in flight.
            world.emulator.setChurn({ agentReconnectsPerHour: 0 });
            const drainUntil = endAt + DRAIN_LIMIT_MS;
            while ((delivery.backlog > 0 || engine.busyNow) && world.clock.now() < drainUntil) await engine.runUntil(world.clock.now() + 60_000);
            const drainedAt = world.clock.now();
            unsubscribe();
            engine.uninstall();

            const passes = passesOf(engine.calls);
            const clusterNames = world.clusters.map((c) => c.name);
            const delivered = buses.flatMap((b) => b.delivered);
            // Every cluster's sweep fires at once (queue: one rule per cluster, the same rate): one sweep per instant.
            // Sweeps of the played periods only (the schedule goes on firing during the drain).
            const sweepStarts = [...new Set(delivered.filter((d) => !clusterOfEvent(d.event) && d.at < endAt).map((d) => d.at))].sort((a, b) => a - b);
            const events: DeliveredClusterEvent[] = delivered.flatMap((d) => {
                const cluster = clusterOfEvent(d.event);
                return cluster ? [{ at: d.at, cluster }] : [];
            });
            const largest = world.clusters.reduce((a, b) => (b.tasks > a.tasks ? b : a));
            const invocations = containers.invocations;
            return {
                fleet: shape.name,
                delivery: options.delivery,
                clusters: world.clusters.length,
                tasks: fleetTasks(shape),
                schedulePeriodSeconds: period,
                timeoutSeconds: deployed.timeoutSeconds,
                sweeps: sweepFigures(passes, clusterNames, sweepStarts, endAt),
                events: eventLatencies(events, passes),
                eventsLost: delivery.lost,
                backlogAtEnd: delivery.backlog,
                drainSeconds: (drainedAt - endAt) / 1000,
                invocations: invocations.length,
                invocationsTimedOut: invocations.filter((i) => i.error?.startsWith("Task timed out")).length,
                containersStarted: containers.containersStarted,
                passes: passes.length,
                overlappingPasses: overlappingPasses(passes),
                largestCluster: { name: largest.name, tasks: largest.tasks, ...passCalls(passes, largest.name), aloneReadSeconds: aloneReadSeconds(passes, largest.name) },
                throttledCalls: engine.calls.filter((c) => c.throttled).length,
                calls: engine.calls.length,
                realSeconds: (Date.now() - realStart) / 1000,
            };
        }));
    } finally {
        engine.uninstall();
        await world.close();
    }
}

interface Delivery {
    readonly lost: number;
    readonly backlog: number;
}

/**
 * The rules as deployed, each on a local bus of its own, sending to the delivery the stack chose: `direct` invokes
 * the function (reserved concurrency 1), `queue` sends to the FIFO queue with the target's message group, the body
 * being the event or what the target's input transformer makes of it (content-based deduplication: the body's hash).
 */
function wireDelivery(name: DeliveryName, deployed: DeployedRebalancer, containers: FleetContainers, world: FleetWorld): { delivery: Delivery; buses: LocalEventBus[] } {
    const bus = (rules: BusRule[], target: BusTarget) => new LocalEventBus(rules, target, world.clock, world.emulator.accountId, world.emulator.region);
    if (name === "direct") {
        const direct = new DirectDelivery(containers, world.clock, deployed);
        return { delivery: direct, buses: [bus(deployed.rules, direct)] };
    }
    const q = deployed.queue;
    if (!q) throw new Error("delivery queue: the program deployed no event queue");
    if (!q.contentBasedDeduplication || !q.reportBatchItemFailures) throw new Error("delivery queue: the simulation models content-based deduplication and partial batch responses, which the deployed queue lacks");
    const queue = new QueueDelivery(containers, world.clock, {
        maximumConcurrency: q.maximumConcurrency,
        batchSize: q.batchSize,
        visibilityTimeoutMs: q.visibilityTimeoutSeconds * 1000,
        maxReceiveCount: q.maxReceiveCount,
        queueArn: q.arn,
        region: world.emulator.region,
    });
    const buses = q.rules.map((rule) => bus([rule], {
        enqueue(event: unknown) {
            const body = rule.inputTransformer ? applyInputTransformer(rule.inputTransformer, event) : JSON.stringify(event);
            queue.send(body, rule.messageGroupId, createHash("sha256").update(body).digest("hex"));
        },
    }));
    return { delivery: queue, buses };
}

function mean(values: number[]): number | undefined {
    return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

function passCalls(passes: readonly FleetPass[], cluster: string): { coldPassCalls?: number; warmSteadyPassCalls?: number } {
    const mine = passes.filter((p) => p.cluster === cluster);
    const cold = mean(mine.filter((p) => !p.warm).map((p) => p.callsTotal));
    const warm = mean(mine.filter((p) => p.warm && !p.wrote).map((p) => p.callsTotal));
    return { ...(cold !== undefined ? { coldPassCalls: cold } : {}), ...(warm !== undefined ? { warmSteadyPassCalls: warm } : {}) };
}

/** The read-rate lower bound of one cold pass of the cluster alone (the latency target's yardstick). */
function aloneReadSeconds(passes: readonly FleetPass[], cluster: string): number {
    const cold = passes.find((p) => p.cluster === cluster && !p.warm);
    if (!cold) return 0;
    return readRateLowerBoundSeconds(cold.calls);
}
