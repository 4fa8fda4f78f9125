// Plays a scenario on the emulator with a rebalancer wired as deployed, and reports what happened (FORMAT.md).
//
// Two plays with the same seed: one with ECS alone (`before`, and the lower bound computed from it), one with the
// rebalancer listening from the start. Time is discrete-event: the runner steps from one emulator timer, queued
// invocation or scheduled event to the next, so the function runs when its events arrive (one invocation at a
// time, others queued, as with reserved concurrency 1). Each step is applied once the world has settled; after the
// last one the play goes on until the rebalancer is quiet: the world has settled after its last write and a later
// pass wrote nothing with no decision waiting on time (the pass log's revisitAt), or a time limit passes
// (`converged: false`). Each step that changes the cluster opens a round (rounds.ts); the report carries each
// round's bound and their sum beside the final-state one.

import { DEFAULT_ECS_PROFILE, DEFAULT_TIMING, type EcsProfileName } from "../emulator";
import { RebalancerAccounting } from "./accounting";
import { serviceLowerBound } from "./lowerBound";
import { RoundTracker } from "./roundTracker";
import { perRoundBound, splitRounds, type RoundReport } from "./rounds";
import { rebalancerFor, type CapturedLog, type RebalancerOptions, type RebalancerUnderTest, type StrategyName } from "./rebalancers";
import type { Scenario } from "./scenarioFile";
import type { DashboardBody } from "../../infra/rebalancer/dashboardBody";
import { ScenarioWorld, timingOf, type GroupRecord } from "./world";

export const WRITE_OPERATIONS = new Set([
    "StopTask", "UpdateService", "TagResource", "UntagResource", "RegisterTaskDefinition", "DeregisterTaskDefinition", "RunTask",
    "StartTask", "CreateService", "DeleteService", "UpdateContainerInstancesState", "UpdateTaskProtection",
]);

export interface ScenarioReport {
    scenario: string;
    strategy: StrategyName;
    /** The ECS behaviour profile the emulator played (`--ecs-profile`). */
    ecsProfile: EcsProfileName;
    instances: Record<string, { az: string; eligible: boolean }>;
    before: Record<string, Record<string, number>>;
    after: Record<string, Record<string, number>>;
    tasksStopped: number;
    tasksStarted: number;
    minimalMoves: number;
    floorViolations: number;
    ceilingViolations: number;
    invocations: number;
    apiCalls: Record<string, number>;
    emulatedSeconds: number;
    converged: boolean;
    /** Extension: the same lower bound computed on `after` — 0 when the rebalancer left nothing to move. */
    remainingMoves: number;
    /**
     * Extension: the run round by round (rounds.ts: a step that changes the cluster opens a round), each with its
     * bound on what the rebalancer had to move in it, what it stopped and what it left.
     */
    rounds: RoundReport[];
    /** Extension: Σ of the rounds' bounds — beside minimalMoves (the final state's) for a multi-round scenario. */
    perRoundBound: number;
    /** The emulator timing and schedule period this run used (milliseconds, seconds). */
    timing: { taskStartMs: number; healthCheckMs: number; taskStopMs: number; schedulePeriodSeconds: number };
    /** Extension, with the file's `expect`: whether ECS alone left what the file documents, and where it did not. */
    expectations?: { met: boolean; mismatches: string[] };
    /**
     * Extension, with `capacityProviders`: each Auto Scaling group over the play with ECS alone (`before`) and with
     * the rebalancer (`after`): largest size reached, final size, instances launched, instance-hours to the end of
     * the play, size over time.
     */
    autoScalingGroups?: Record<string, { before: GroupRecord; after: GroupRecord }>;
}

export interface TimelineEntry {
    time: number;
    kind: "step" | "event" | "invocation" | "decision" | "move" | "quiet";
    text: string;
}

export interface RunOptions extends RebalancerOptions {
    strategy: StrategyName;
    seed?: number;
    /** The ECS behaviour profile the emulator plays; default service-page. */
    ecsProfile?: EcsProfileName;
    /** Emulated time allowed after the last step for the rebalancer to go quiet. */
    quietLimitSeconds?: number;
    /** Invocations allowed in one play before the rebalancer is detached (default: invocationCapFor). */
    maxInvocations?: number;
    /** Receives the timeline as it happens (the demo prints it). */
    onTimeline?: (entry: TimelineEntry) => void;
}

export interface RunResult {
    report: ScenarioReport;
    timeline: TimelineEntry[];
    logs: CapturedLog[];
    /** Invocation results (the function's summaries), in order; `durationMs` on the emulated clock. */
    invocations: { time: number; durationMs: number; event: unknown; result?: unknown; error?: string }[];
    /** Events the local Lambda runtime dropped (its dead-letter queue). */
    deadLetters: number;
    /** The dashboard the program declares for the function (minimal/redeploy). */
    dashboard?: DashboardBody;
}

const DEFAULT_SCHEDULE_SECONDS = 15 * 60;
const SETTLE_LIMIT_MS = 6 * 3600_000;

/**
 * Invocations allowed in one play: a rebalancer that loops (the seed's known bug) is detached when it reaches it.
 * Every task placed or stopped fires a container-instance event, so an honest play of a large cluster needs
 * invocations in proportion to its tasks (a redeploy of every task fires about three per task): the cap grows with the
 * scenario (twenty per task and instance, at least 1000).
 */
export function invocationCapFor(scenario: Scenario): number {
    const tasks = scenario.services.reduce((n, s) => n + (s.schedulingStrategy === "DAEMON" ? 0 : s.desiredCount), 0);
    const instances = scenario.instances.length + scenario.steps.reduce((n, s) => n + ("launch" in s ? s.launch.length : 0), 0);
    return Math.max(1000, 20 * (tasks + instances));
}

function writeCount(calls: Record<string, number>): number {
    let n = 0;
    for (const [op, c] of Object.entries(calls)) if (WRITE_OPERATIONS.has(op)) n += c;
    return n;
}

function describeEvent(event: unknown): string {
    const e = event as { "detail-type"?: string; detail?: Record<string, unknown> };
    const d = e.detail ?? {};
    if (e["detail-type"] === "ECS Container Instance State Change") {
        const id = String(d.ec2InstanceId ?? "");
        return `container instance ${id} ${d.status} (agent ${d.agentConnected ? "connected" : "disconnected"}, version ${d.version})`;
    }
    if (e["detail-type"] === "ECS Service Action") return `${d.eventName} ${String((e as { resources?: string[] }).resources?.[0] ?? "").split("/").pop()}`;
    return String(e["detail-type"]);
}

class Play {
    readonly timeline: TimelineEntry[] = [];
    readonly invocations: RunResult["invocations"] = [];
    private accounting: RebalancerAccounting;
    /** The rebalancer reached the invocation cap and was detached: the world goes on without it. */
    detachedAt?: number;

    constructor(
        readonly world: ScenarioWorld,
        readonly rebalancer: RebalancerUnderTest,
        private readonly maxInvocations: number,
        private readonly onTimeline?: (e: TimelineEntry) => void,
    ) {
        this.accounting = new RebalancerAccounting(world, rebalancer.accessKeyId, (m) =>
            this.note("move", `${m.service}: task ${m.kind === "stop" ? "stopped on" : "started on"} ${m.instance} (${m.az ?? "?"})`));
        if (rebalancer.bus) {
            const bus = rebalancer.bus;
            const rulesBefore = () => bus.delivered.length;
            world.emulator.onEvent((event) => {
                if (this.detachedAt !== undefined) return;
                const n = rulesBefore();
                bus.publish(event);
                for (const d of bus.delivered.slice(n)) this.note("event", `${d.rule} ← ${describeEvent(d.event)}`);
            });
        }
    }

    get moves() {
        return this.accounting;
    }

    note(kind: TimelineEntry["kind"], text: string): void {
        const entry = { time: this.world.clock.now(), kind, text };
        this.timeline.push(entry);
        this.onTimeline?.(entry);
    }

    /** Whether the invocation wrote, and the latest time its passes said a decision changes by time alone. */
    private async invokeNext(): Promise<{ wrote: boolean; revisitAt?: number }> {
        const lambda = this.rebalancer.lambda!;
        const writesBefore = writeCount(this.world.emulator.apiCalls);
        const record = await lambda.runNext();
        if (!record) return { wrote: false };
        this.invocations.push({ time: record.startedAt, durationMs: record.endedAt - record.startedAt, event: record.event, result: record.result, error: record.error });
        const wrote = writeCount(this.world.emulator.apiCalls) - writesBefore;
        const result = record.result as { trigger?: string; clusters?: { movesPlanned?: number; tasksMoved?: number; writes?: number; skipReasons?: Record<string, number> }[] } | undefined;
        const summary = record.error
            ? `failed: ${record.error}`
            : result?.clusters
                ? `${result.trigger}: ${result.clusters.map((c) => `${c.writes ?? 0} write(s), ${c.tasksMoved ?? 0} task(s) moved`).join("; ")}`
                : `${typeof record.result === "string" ? record.result : JSON.stringify(record.result)}`;
        this.note("invocation", `${describeEvent(record.event)} → ${summary}${wrote > 0 && !result?.clusters ? ` (${wrote} write(s))` : ""}`);
        // The decisions the function logged for services it acted on or skipped (its structured pass log).
        let revisitAt: number | undefined;
        for (const log of this.rebalancer.logs.filter((l) => l.invocation === lambda.invocations.length)) {
            const pass = log.record as { message?: string; revisitAt?: string; services?: { service: string; outcome: string; reason?: string; detail: string }[] };
            if (typeof pass !== "object" || pass.message !== "rebalancer pass") continue;
            for (const d of pass.services ?? []) if (d.outcome !== "skipped" || d.reason !== "mid-deployment") this.note("decision", `${d.service}: ${d.outcome}${d.reason ? ` (${d.reason})` : ""} — ${d.detail}`);
            if (pass.revisitAt !== undefined) revisitAt = Math.max(revisitAt ?? 0, Date.parse(pass.revisitAt));
        }
        return { wrote: wrote > 0, ...(revisitAt !== undefined ? { revisitAt } : {}) };
    }

    /**
     * Runs until the world has settled (mode "settle") or the rebalancer is quiet ("quiet"). A rebalancer that
     * reaches the invocation cap is detached (its queue is ignored from then on) and the world settles without it,
     * so the next step and the final counts see a settled cluster; the play then reports converged: false.
     */
    async drive(mode: "settle" | "quiet", limitMs: number): Promise<{ quietAt: number; converged: boolean }> {
        const { clock } = this.world;
        let lambda = this.detachedAt === undefined ? this.rebalancer.lambda : undefined;
        let bus = this.detachedAt === undefined ? this.rebalancer.bus : undefined;
        const start = clock.now();
        const deadline = start + limitMs;
        let lastWriteAt: number | undefined;
        let settledAt: number | undefined;
        let quietPass = !lambda;
        for (;;) {
            if (lambda && lambda.invocations.length >= this.maxInvocations) {
                this.detachedAt = clock.now();
                this.note("quiet", `invocation cap (${this.maxInvocations}) reached: the rebalancer is detached, the world settles without it`);
                lambda = undefined;
                bus = undefined;
                quietPass = true;
            }
            if (lambda && (lambda.nextDueAt() ?? Infinity) <= clock.now()) {
                const startedAt = clock.now();
                const { wrote, revisitAt } = await this.invokeNext();
                if (wrote) {
                    lastWriteAt = clock.now();
                    settledAt = undefined;
                    quietPass = false;
                } else if (revisitAt !== undefined && revisitAt > startedAt) {
                    // The pass waits on time (an AZ level left to ECS, taken back if ECS does not act): not quiet yet.
                    quietPass = false;
                } else if (settledAt !== undefined && startedAt >= settledAt) {
                    quietPass = true;
                }
                continue;
            }
            const worldIdle = clock.nextTimerAt() === undefined;
            const queueEmpty = !lambda || lambda.queued === 0;
            if (worldIdle && queueEmpty) {
                if (settledAt === undefined) settledAt = clock.now();
                if (this.detachedAt !== undefined) return { quietAt: Math.max(start, this.detachedAt), converged: false };
                if (mode === "settle") return { quietAt: clock.now(), converged: true };
                // Quiet once a pass after the world settled wrote nothing; with no schedule, nothing more can happen.
                if (quietPass || bus?.nextScheduleAt() === undefined) return { quietAt: lastWriteAt === undefined ? start : settledAt, converged: true };
            }
            const candidates = [clock.nextTimerAt(), lambda?.nextDueAt(), mode === "quiet" || !worldIdle ? bus?.nextScheduleAt() : undefined]
                .filter((t): t is number => t !== undefined);
            if (candidates.length === 0) return { quietAt: clock.now(), converged: mode === "settle" };
            const next = Math.max(clock.now(), Math.min(...candidates));
            if (next > deadline) return { quietAt: clock.now(), converged: false };
            clock.advance(next - clock.now());
            bus?.fireDueSchedules();
        }
    }

    close(): void {
        this.accounting.close();
    }
}

interface Played {
    counts: Record<string, Record<string, number>>;
    /** desiredCount − running tasks, per service. */
    unplaced: Record<string, number>;
    instances: Record<string, { az: string; eligible: boolean }>;
    lowerBound: number;
    play: Play;
    apiCalls: Record<string, number>;
    quietAt: number;
    lastStepAt: number;
    converged: boolean;
    rebalancer: RebalancerUnderTest;
    groups: Record<string, GroupRecord>;
    rounds: RoundReport[];
}

async function playScenario(scenario: Scenario, strategy: StrategyName, options: RunOptions): Promise<Played> {
    const world = new ScenarioWorld(scenario, { seed: options.seed ?? 1, ecsProfile: options.ecsProfile });
    try {
        await world.emulator.listen();
        const schedulePeriodSeconds = options.schedulePeriodSeconds ?? scenario.timing.schedulePeriodSeconds;
        const rebalancer = await rebalancerFor(strategy, world, { ...options, schedulePeriodSeconds });
        const play = new Play(world, rebalancer, options.maxInvocations ?? invocationCapFor(scenario), strategy === options.strategy ? options.onTimeline : undefined);
        const skipTag = rebalancer.environment?.REBALANCER_SKIP_TAG ?? "ecs-rebalancer:skip";
        const rounds = new RoundTracker(world, rebalancer.accessKeyId, skipTag);
        const opensRound = new Set(splitRounds(scenario.steps).slice(1).map((r) => r.steps[0]));
        play.note("step", `start: ${scenario.instances.length} instance(s), ${scenario.services.length} service(s)`);
        rounds.begin();
        world.populate();
        // Each step once the previous one has settled; after the last, until the rebalancer is quiet.
        for (const [i, step] of scenario.steps.entries()) {
            await play.drive("settle", SETTLE_LIMIT_MS);
            if (opensRound.has(i)) rounds.begin();
            const text = world.applyStep(step);
            rounds.step(text);
            play.note("step", text);
        }
        const lastStepAt = world.clock.now();
        const { quietAt, converged } = await play.drive("quiet", (options.quietLimitSeconds ?? 12 * 3600) * 1000);
        play.note("quiet", converged ? "rebalancer quiet" : play.detachedAt !== undefined ? "the rebalancer was detached at the invocation cap" : "time limit reached before the rebalancer went quiet");
        const counts = world.runningCounts();
        const unplaced = world.unplacedCounts(counts);
        const lowerBound = world.boundInputs(counts, skipTag).reduce((s, b) => s + serviceLowerBound(b.service, b.instances), 0);
        rounds.end();
        rounds.close();
        play.close();
        return {
            counts, unplaced, instances: world.instanceReport(), lowerBound, play, apiCalls: world.emulator.apiCalls, quietAt, lastStepAt, converged, rebalancer,
            groups: world.groupRecords(), rounds: rounds.rounds,
        };
    } finally {
        await world.close();
    }
}

/** The file's `expect` against what ECS alone left. */
function checkExpectations(scenario: Scenario, baseline: Played): { met: boolean; mismatches: string[] } {
    const mismatches: string[] = [];
    for (const [service, expected] of Object.entries(scenario.expect?.before ?? {})) {
        const actual = baseline.counts[service] ?? {};
        for (const id of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
            const want = expected[id] ?? 0, got = actual[id] ?? 0;
            if (want !== got) mismatches.push(`${service} on ${id}: expected ${want} running, got ${got}`);
        }
    }
    for (const [service, want] of Object.entries(scenario.expect?.unplaced ?? {})) {
        const got = baseline.unplaced[service] ?? 0;
        if (want !== got) mismatches.push(`${service}: expected ${want} task(s) unplaced, got ${got}`);
    }
    return { met: mismatches.length === 0, mismatches };
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunResult> {
    const baseline = await playScenario(scenario, "none", options);
    const run = options.strategy === "none" ? baseline : await playScenario(scenario, options.strategy, options);
    const timing = { ...DEFAULT_TIMING, ...timingOf(scenario) };
    const schedulePeriodSeconds = options.schedulePeriodSeconds ?? scenario.timing.schedulePeriodSeconds ?? DEFAULT_SCHEDULE_SECONDS;
    const report: ScenarioReport = {
        scenario: scenario.name,
        strategy: options.strategy,
        ecsProfile: options.ecsProfile ?? DEFAULT_ECS_PROFILE,
        instances: run.instances,
        before: baseline.counts,
        after: run.counts,
        tasksStopped: run.play.moves.stopped.size,
        tasksStarted: run.play.moves.started.size,
        minimalMoves: baseline.lowerBound,
        floorViolations: run.play.moves.count("floor"),
        ceilingViolations: run.play.moves.count("ceiling"),
        invocations: run.rebalancer.lambda?.invocations.length ?? 0,
        apiCalls: options.strategy === "none" ? {} : run.apiCalls,
        emulatedSeconds: Math.round(Math.max(0, run.quietAt - run.lastStepAt) / 1000),
        converged: run.converged,
        remainingMoves: run.lowerBound,
        rounds: run.rounds,
        perRoundBound: perRoundBound(run.rounds),
        timing: { taskStartMs: timing.taskStartMs, healthCheckMs: timing.healthCheckMs, taskStopMs: timing.taskStopMs, schedulePeriodSeconds },
        ...(scenario.expect ? { expectations: checkExpectations(scenario, baseline) } : {}),
        ...(scenario.capacityProviders.length > 0
            ? { autoScalingGroups: Object.fromEntries(Object.keys(run.groups).map((name) => [name, { before: baseline.groups[name]!, after: run.groups[name]! }])) }
            : {}),
    };
    return {
        report, timeline: run.play.timeline, logs: run.rebalancer.logs, invocations: run.play.invocations,
        deadLetters: run.rebalancer.lambda?.deadLetters.length ?? 0,
        ...(run.rebalancer.dashboardBody ? { dashboard: run.rebalancer.dashboardBody } : {}),
    };
}
