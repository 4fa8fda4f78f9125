// One chaos run: the case's cluster on the emulator with the rebalancer wired as deployed (the closure Pulumi
// serialized, its environment, rules and async-invocation settings), played in three phases:
//   1. faults on: the scenario's steps, each once the world settles, then until the rebalancer is quiet (or a
//      time limit): throttling, 5xx, latency, duplicated and delayed events, killed passes, mid-pass disruptions;
//   2. faults off (throttling, errors, latency, event faults, kills and disruptions all stop);
//   3. until the rebalancer is quiet again, within a bounded time and number of invocations;
// with the case's delivery: `direct` (asynchronous invocations) or `queue` (the FIFO queue and its batches);
// then the invariants are checked (floors and ceilings were watched all along).

import nodeProcess from "node:process";
import { LocalEventBus } from "../eventBus";
import { LocalQueueLambda } from "../queueLambda";
import { rebalancerFor, type DeliveryName, type RebalancerUnderTest } from "../scenario/rebalancers";
import type { ScenarioStep } from "../scenario/scenarioFile";
import { ScenarioWorld } from "../scenario/world";
import { Rng } from "../emulator/random";
import type { RawRequest } from "../emulator";
import { desiredBreachLine, desiredBreaches, checkErrors, checkMarkers, checkSecrets, checkSkipReasons, checkTaskDefinitions, checkWrites, type CheckResult } from "./checks";
import { LambdaContainers } from "./containers";
import { checkConvergence, REDEPLOYED, serviceConvergence } from "./convergence";
import { Disruptions } from "./disruptions";
import { ChaosDriver } from "./driver";
import { FloorCeilingMonitor, type Violation } from "./floorCeiling";
import type { ChaosCase } from "./generator";
import { RebalancerCalls } from "./rebalancerCalls";
import { RaceClassifier, type OwnerChange, type Race } from "./races";

export const COUNT_KEYS = [
    "floorViolations",
    "ceilingViolations",
    "desiredLeftChanged",
    "markersLeft",
    "notConverged",
    "unhandledErrors",
    "taskDefinitionsRegistered",
    "forbiddenWrites",
    "skippedWithoutReason",
    "secretsInLogs",
] as const;
export type CountKey = (typeof COUNT_KEYS)[number];
export type ChaosCounts = Record<CountKey, number>;

/** What the queue did in a `delivery: queue` run (informational: the counts judge the outcome). */
export interface QueueStats {
    /** Invocations with a batch, and the receives of messages that had been received before. */
    batches: number;
    redeliveries: number;
    /** Sends dropped as repeats of a body sent within 5 minutes (duplicated events, a sweep fired twice). */
    duplicatesDropped: number;
    deadLetters: number;
    /** Messages still in the queue at the end. */
    left: number;
}

export interface ChaosRunResult {
    seed: number;
    strategy: string;
    delivery: DeliveryName;
    queue?: QueueStats;
    ecsProfile: string;
    counts: ChaosCounts;
    /** One line per breach, by count. */
    details: Partial<Record<CountKey, string[]>>;
    faultsInjected: Record<string, number>;
    invocations: number;
    invocationsAfterFaults: number;
    emulatedMinutes: number;
    /** The mid-pass disruptions that happened. */
    disruptions: string[];
    /** Services a redeploy left with surplus (exempt from notConverged, see convergence.ts). */
    redeployLeftSurplus: number;
    /**
     * Breaches proven to be concurrent-writer races (races.ts): not in the counts above, reported here, one line
     * each. Not a pass/fail count: no client of ECS's API can prevent them.
     */
    concurrentWriteRaces: number;
    races: string[];
    /** When a count is not zero: the final running tasks per service per instance, and the last pass's decisions. */
    diagnostics?: {
        running: Record<string, Record<string, number>>;
        instances: Record<string, { az: string; eligible: boolean }>;
        lastPass: unknown[];
        /** The rebalancer's writes as ECS received them, and the invocations' outcomes, in order. */
        writes: string[];
        invocations: string[];
    };
}

export interface PlayLimits {
    /** Emulated time the rebalancer gets to go quiet with faults on, after the last step. */
    faultPhaseMs: number;
    /** Emulated time it gets to go quiet once the faults stop. */
    convergeMs: number;
    /** Invocations in the whole run. */
    maxInvocations: number;
}

export const DEFAULT_LIMITS: PlayLimits = { faultPhaseMs: 3 * 3600_000, convergeMs: 12 * 3600_000, maxInvocations: 2000 };
const SETTLE_LIMIT_MS = 6 * 3600_000;

export interface PlayContext {
    chaosCase: ChaosCase;
    world: ScenarioWorld;
    rebalancer: RebalancerUnderTest;
    calls: RebalancerCalls;
}

export interface PlayOptions {
    limits?: Partial<PlayLimits>;
    /**
     * Tests: once the run is over and before the checks, break an invariant on purpose (a harness that leaves a
     * marker behind, …) to prove the check catches it.
     */
    plant?: (ctx: PlayContext) => void | Promise<void>;
}

const ECS_TARGET = "AmazonEC2ContainerServiceV20141113";
const HARNESS_CALLER = { accessKeyId: "AKIDCHAOSHARNESS", userAgent: "chaos-harness" };

/** The SDK warns once per process about the Node.js version; let that happen outside any invocation. */
let sdkWarmedUp = false;
function warmUpSdk(): void {
    if (sdkWarmedUp) return;
    sdkWarmedUp = true;
    const saved = nodeProcess.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    nodeProcess.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    try {
        const { ECSClient } = require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs");
        new ECSClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } }).destroy();
    } finally {
        if (saved === undefined) delete nodeProcess.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
        else nodeProcess.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = saved;
    }
}

/** Every task definition ARN ECS holds, read in-process as the harness (not the rebalancer). */
function taskDefinitionsInEcs(world: ScenarioWorld): string[] {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
        const res = world.emulator.call(`${ECS_TARGET}.ListTaskDefinitions`, nextToken ? { nextToken } : {}, HARNESS_CALLER);
        const body = res.body as { taskDefinitionArns?: string[]; nextToken?: string };
        if (res.status !== 200) throw new Error(`ListTaskDefinitions failed: ${JSON.stringify(res.body)}`);
        arns.push(...(body.taskDefinitionArns ?? []));
        nextToken = body.nextToken;
    } while (nextToken);
    return arns;
}

/** Credentials and a secret in the function's environment, fresh per run: none may ever be printed. */
function runSecrets(seed: number): { env: Record<string, string>; secrets: string[] } {
    const rng = Rng.stream(seed, "secrets");
    const env = {
        AWS_SECRET_ACCESS_KEY: `chaosSecret${rng.hex(29)}`,
        AWS_SESSION_TOKEN: `chaosToken${rng.hex(54)}`,
        CHAOS_CANARY_SECRET: `chaosCanary${rng.hex(21)}`,
    };
    return { env, secrets: Object.values(env) };
}

export async function playChaosCase(chaosCase: ChaosCase, options: PlayOptions = {}): Promise<ChaosRunResult> {
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    warmUpSdk();
    const world = new ScenarioWorld(chaosCase.scenario, { seed: chaosCase.seed, ecsProfile: chaosCase.ecsProfile });
    const processErrors: string[] = [];
    const onProcessError = (err: unknown) => processErrors.push(`unhandled in the process: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    nodeProcess.on("unhandledRejection", onProcessError);
    try {
        await world.emulator.listen();
        const rebalancer = await rebalancerFor(chaosCase.strategy, world, { delivery: chaosCase.delivery });
        const accessKeyId = rebalancer.accessKeyId!;
        const lambda = rebalancer.lambda!;
        const { env, secrets } = runSecrets(chaosCase.seed);
        const calls = new RebalancerCalls(world.emulator, accessKeyId);
        const server = { endpoint: world.emulator.endpoint!, serve: (request: RawRequest) => world.emulator.serveRequest(request) };
        const containers = new LambdaContainers(rebalancer, lambda, world.clock, calls, { kills: chaosCase.kills, env, seed: chaosCase.seed, server });
        await containers.start();
        const monitor = new FloorCeilingMonitor(world, accessKeyId);
        const bus: LocalEventBus = rebalancer.bus!;
        world.emulator.onEvent((event) => bus.publish(event));
        const minTaskAgeMs = Number(rebalancer.environment?.REBALANCER_MIN_TASK_AGE_SECONDS ?? 60) * 1000;
        const driver = new ChaosDriver(world, lambda, bus, calls, () => monitor.lastChangeAt, minTaskAgeMs, limits.maxInvocations);

        world.populate();
        for (const t of chaosCase.scalableTargets) world.control.registerScalableTarget(chaosCase.scenario.cluster, t.service, t.min, t.max);
        const harnessTaskDefinitions = new Set(taskDefinitionsInEcs(world));
        const disruptions = new Disruptions(world, calls, chaosCase.disruptions, chaosCase.scalableTargets);
        const startedAt = world.clock.now();
        // After the harness's own reads: they are not the rebalancer's and must not be faulted.
        world.emulator.setFaults(chaosCase.faults);

        const ownerChanges: OwnerChange[] = [];
        // 1. Faults on.
        for (const step of chaosCase.scenario.steps) {
            await driver.settle(SETTLE_LIMIT_MS);
            const before = new Map(world.ownerDesired);
            applyOwnerStep(world, stillApplicable(world, step));
            for (const [service, value] of world.ownerDesired) if (before.get(service) !== value) ownerChanges.push({ time: world.clock.now(), service, value });
        }
        await driver.quiet(limits.faultPhaseMs);
        // 2. Faults off.
        world.emulator.setFaults({});
        containers.disarm();
        disruptions.disarm();
        const invocationsWithFaults = driver.invocations.length;
        // 3. Until quiet.
        const quiet = await driver.quiet(limits.convergeMs);

        await options.plant?.({ chaosCase, world, rebalancer, calls });
        for (const arn of disruptions.registeredTaskDefinitions) harnessTaskDefinitions.add(arn);
        const skipTag = rebalancer.environment?.REBALANCER_SKIP_TAG ?? "ecs-rebalancer:skip";
        const redeployed = new Set(calls.reached.filter((c) => c.operation === "UpdateService" && (c.input as { forceNewDeployment?: unknown }).forceNewDeployment === true)
            .map((c) => String((c.input as { service?: unknown }).service).split("/").pop()!));
        const convergence = serviceConvergence(world, { skipTag, autoScaled: new Set(chaosCase.scalableTargets.map((t) => t.service)), redeployed });
        for (const d of disruptions.records) if (d.service && d.ownerAfter !== undefined) ownerChanges.push({ time: d.time, service: d.service, value: d.ownerAfter });
        ownerChanges.sort((a, b) => a.time - b.time);
        const classifier = new RaceClassifier({
            calls: calls.reached, disruptions: disruptions.records, ownerChanges,
            percents: (name) => chaosCase.scenario.services.find((s) => s.name === name),
        });
        const violations = classifier.violations(monitor.violations);
        const desired = classifier.desired(desiredBreaches(world));
        const races: Race[] = [...violations.races, ...desired.races];
        const checks: Record<CountKey, CheckResult> = {
            floorViolations: violationsOf(violations.remaining, "floor"),
            ceilingViolations: violationsOf(violations.remaining, "ceiling"),
            desiredLeftChanged: { count: desired.remaining.length, details: desired.remaining.map(desiredBreachLine) },
            markersLeft: checkMarkers(world),
            notConverged: checkConvergence(convergence, quiet, (name) => lastDecisionOf(rebalancer.logs, name)),
            unhandledErrors: withProcessErrors(checkErrors(driver.invocations, rebalancer.logs), processErrors),
            taskDefinitionsRegistered: checkTaskDefinitions(calls.reached, taskDefinitionsInEcs(world), harnessTaskDefinitions),
            forbiddenWrites: checkWrites(calls.reached, world.ownerProtected),
            skippedWithoutReason: checkSkipReasons(rebalancer.logs),
            secretsInLogs: checkSecrets(rebalancer.logs, [accessKeyId, ...secrets]),
        };
        monitor.close();
        calls.close();
        const counts = Object.fromEntries(COUNT_KEYS.map((k) => [k, checks[k].count])) as ChaosCounts;
        const details: ChaosRunResult["details"] = {};
        for (const k of COUNT_KEYS) if (checks[k].count > 0) details[k] = checks[k].details;
        const failed = COUNT_KEYS.some((k) => counts[k] > 0);
        const lastPass = [...rebalancer.logs].reverse().find((l) => typeof l.record === "object" && l.record.message === "rebalancer pass" && l.record.outcome === "completed");
        return {
            seed: chaosCase.seed,
            ecsProfile: chaosCase.ecsProfile,
            strategy: chaosCase.strategy,
            delivery: chaosCase.delivery,
            ...(lambda instanceof LocalQueueLambda ? { queue: queueStats(lambda) } : {}),
            counts,
            details,
            faultsInjected: {
                ...world.emulator.faultsInjected,
                passesCrashed: containers.stats.crashes,
                passesTimedOut: containers.stats.timeouts,
                abandonedCalls: calls.blocked,
                ...disruptions.counts,
            },
            invocations: driver.invocations.length,
            invocationsAfterFaults: driver.invocations.length - invocationsWithFaults,
            emulatedMinutes: Math.round((world.clock.now() - startedAt) / 60_000),
            disruptions: disruptions.applied,
            redeployLeftSurplus: convergence.filter((c) => c.exempt === REDEPLOYED).length,
            concurrentWriteRaces: races.length,
            races: races.map((r) => `${r.kind} (${r.breach}): ${r.detail}`),
            ...(failed || races.length > 0 ? {
                diagnostics: {
                    running: world.runningCounts(),
                    instances: world.instanceReport(),
                    lastPass: ((lastPass?.record as { services?: unknown[] } | undefined)?.services ?? []),
                    writes: calls.reached.filter((c) => !/^(Describe|List|Get)/.test(c.operation))
                        .map((c) => `${c.index} ${new Date(c.time).toISOString()} ${c.container} ${c.operation} ${JSON.stringify(c.input)} → ${c.errorType ?? c.status}`),
                    invocations: driver.invocations.map((i) => `${new Date(i.startedAt).toISOString()} ${describeTrigger(i.event)} → ${i.error ?? JSON.stringify(i.result).slice(0, 300)}`),
                },
            } : {}),
        };
    } finally {
        nodeProcess.off("unhandledRejection", onProcessError);
        await world.close();
    }
}

/**
 * The step without the instances a disruption already took away (EC2 cannot terminate, drain or reach the agent
 * of an instance that is gone); a step left empty does nothing.
 */
function stillApplicable(world: ScenarioWorld, step: ScenarioStep): ScenarioStep {
    const live = new Set(world.control.snapshot(world.scenario.cluster).instances.filter((i) => (i as { status?: string }).status !== "INACTIVE").map((i) => i.ec2InstanceId));
    const keep = (ids: string[]) => ids.filter((id) => live.has(id));
    if ("terminate" in step) return { terminate: keep(step.terminate) };
    if ("drain" in step) return { drain: keep(step.drain) };
    if ("agentDisconnect" in step) return { agentDisconnect: keep(step.agentDisconnect) };
    if ("agentConnect" in step) return { agentConnect: keep(step.agentConnect) };
    return step;
}

/** What the last completed pass logged for a service: its outcome, reason and detail, or "balanced". */
function lastDecisionOf(logs: RebalancerUnderTest["logs"], service: string): string | undefined {
    for (let i = logs.length - 1; i >= 0; i--) {
        const r = logs[i]!.record as { message?: string; outcome?: string; services?: { service: string; outcome: string; reason?: string; detail: string }[]; balancedServices?: string[] };
        if (typeof r !== "object" || r.message !== "rebalancer pass" || r.outcome !== "completed") continue;
        const entry = r.services?.find((s) => s.service === service);
        if (entry) return `${entry.outcome}${entry.reason ? ` (${entry.reason})` : ""}: ${entry.detail}`;
        if (r.balancedServices?.includes(service)) return "balanced";
    }
    return undefined;
}

function describeTrigger(event: unknown): string {
    const records = (event as { Records?: { body?: string }[] }).Records;
    if (Array.isArray(records)) return `queue batch [${records.map((r) => describeTrigger(parsedBody(r.body))).join(", ")}]`;
    const e = event as { "detail-type"?: string; detail?: { eventName?: string; ec2InstanceId?: string; version?: number } };
    return [e["detail-type"], e.detail?.eventName, e.detail?.ec2InstanceId, e.detail?.version].filter((x) => x !== undefined).join(" ");
}

function parsedBody(body: string | undefined): unknown {
    try {
        return JSON.parse(body ?? "");
    } catch {
        return {};
    }
}

function queueStats(lambda: LocalQueueLambda): QueueStats {
    return {
        batches: lambda.invocations.length,
        redeliveries: lambda.invocations.reduce((n, i) => n + (i.event as { Records: { attributes: { ApproximateReceiveCount: string } }[] }).Records
            .filter((r) => Number(r.attributes.ApproximateReceiveCount) > 1).length, 0),
        duplicatesDropped: lambda.queue.duplicatesDropped,
        deadLetters: lambda.deadLetters.length,
        left: lambda.queued,
    };
}

/**
 * Applies a step; a desiredCount the owner sets to the value ECS already shows (a surge's, say) changes nothing
 * ECS or any controller could see, so the owner's recorded value stays what it was.
 */
export function applyOwnerStep(world: ScenarioWorld, step: ScenarioStep): void {
    if (!("setDesired" in step)) {
        world.applyStep(step);
        return;
    }
    const unchanged = Object.entries(step.setDesired).filter(([name, n]) => (world.control.service(world.scenario.cluster, name) as { desiredCount?: number }).desiredCount === n);
    const owner = new Map(unchanged.map(([name]) => [name, world.ownerDesired.get(name)]));
    world.applyStep(step);
    for (const [name, value] of owner) if (value !== undefined) world.ownerDesired.set(name, value);
}

function violationsOf(violations: readonly Violation[], kind: "floor" | "ceiling"): CheckResult {
    const details = violations
        .filter((v) => v.kind === kind)
        .map((v) => `${v.service}: ${v.running} running after the rebalancer's ${v.operation} at ${new Date(v.time).toISOString()} (${kind} ${v.limit})`);
    return { count: details.length, details };
}

function withProcessErrors(check: CheckResult, processErrors: string[]): CheckResult {
    const details = [...check.details, ...processErrors];
    return { count: details.length, details };
}
