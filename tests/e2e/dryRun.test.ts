// Dry run end to end, through the plain exported `handler` exactly as the function runs it (its own clients
// from the environment, Powertools logs on stdout): it reads and plans, logs the plan, and writes nothing at all.
// The handler's clock is real time here; the emulated world is set a day in the past, so every task is old enough
// to be a candidate and the plan has moves to show.

import { handler, type InvocationSummary } from "../../rebalancer/handler";
import { lowerBound } from "./support/balance";
import { isWrite } from "./support/requestLog";
import { REBALANCER_KEY, SCHEDULE_INTERVAL_MS, scheduledEvent } from "./support/rebalancerRun";
import { captureOutput } from "../support/stdoutCapture";
import { rebalancerRequests, startWorld, type World } from "./support/world";

let world: World;
const summaries: InvocationSummary[] = [];
let lines: Array<Record<string, any>> = [];
let boundBefore: Map<string, number>;

beforeAll(async () => {
    world = await startWorld({ REBALANCER_DRY_RUN: "true", REBALANCER_STRATEGY: "minimal" }, { startMs: Date.now() - 24 * 3600_000 });
    boundBefore = new Map(world.scenario.services.filter((s) => s.expect === "rebalance").map((s) => [s.name, lowerBound(world.emulator, s)]));
    // Set-up went through the API once (the owner's stuck deployment): count from here.
    world.emulator.resetApiCalls();
    const out = captureOutput();
    try {
        summaries.push(await handler(world.scenario.registrationEvent));
        for (let pass = 0; pass < 3; pass++) {
            world.clock.advance(SCHEDULE_INTERVAL_MS);
            summaries.push(await handler(scheduledEvent(world.clock.now())));
        }
    } finally {
        out.restore();
    }
    lines = out.lines();
});

afterAll(async () => {
    await world?.close();
});

test("no write call of any kind reached ECS", () => {
    const calls = world.emulator.apiCalls;
    expect(Object.keys(calls).length).toBeGreaterThan(0);
    expect(Object.keys(calls).filter((operation) => !/^(List|Describe|Get)/.test(operation))).toEqual([]);
    expect(rebalancerRequests(world).length).toBeGreaterThan(0);
    expect(world.requests.requests.filter(isWrite)).toEqual([]);
});

test("every pass ran in dry-run mode, planned moves and moved nothing", () => {
    expect(summaries.map((s) => ({ trigger: s.trigger, dryRun: s.dryRun }))).toEqual([
        { trigger: "container-instance", dryRun: true },
        ...Array(3).fill({ trigger: "schedule", dryRun: true }),
    ]);
    for (const s of summaries) {
        expect(s.clusters).toHaveLength(1);
        const [c] = s.clusters;
        expect({ outcome: c.outcome, errors: c.errors, tasksMoved: c.tasksMoved }).toEqual({ outcome: "completed", errors: [], tasksMoved: 0 });
        expect(c.movesPlanned).toBeGreaterThan(0);
    }
    // Nothing changed, so every pass planned the same.
    expect(new Set(summaries.map((s) => s.clusters[0].movesPlanned)).size).toBe(1);
});

test("the plan is logged: one pass record per invocation, each unbalanced service with its surplus and planned moves", () => {
    const passes = lines.filter((l) => l.message === "rebalancer pass");
    expect(passes).toHaveLength(summaries.length);
    for (const record of passes) {
        expect(record).toMatchObject({ level: "INFO", dryRun: true, strategy: "minimal", outcome: "completed", cluster: "e2e" });
        const logged = new Map((record.services as Array<{ service: string; lowerBound: number; moves: number; outcome: string }>).map((s) => [s.service, s]));
        for (const [name, bound] of boundBefore) {
            // The planner's surplus agrees with the independent lower bound.
            expect({ service: name, lowerBound: logged.get(name)?.lowerBound }).toEqual({ service: name, lowerBound: bound });
        }
        const moving = [...logged.values()].filter((s) => s.moves > 0);
        expect(moving.length).toBeGreaterThan(0);
        expect(moving.every((s) => ["move", "surge"].includes(s.outcome))).toBe(true);
        expect(record.totals.writes).toBeGreaterThan(0);
        expect(Object.keys(record.totals.skipReasons)).toEqual(expect.arrayContaining(["daemon", "binpack-or-random", "opted-out", "mid-deployment"]));
    }
    expect(lines.filter((l) => l.level === "ERROR")).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain("e2e-secret");
});

test("an operator's dry-run request under live settings writes nothing either", async () => {
    process.env.REBALANCER_DRY_RUN = "false";
    const mark = world.requests.length;
    const out = captureOutput();
    let summary: InvocationSummary;
    try {
        summary = await handler({ dryRun: true, clusters: ["e2e"] });
    } finally {
        out.restore();
        process.env.REBALANCER_DRY_RUN = "true";
    }
    expect(summary).toMatchObject({ trigger: "operator", dryRun: true, clusters: [{ cluster: "e2e", outcome: "completed" }] });
    expect(summary.clusters[0].movesPlanned).toBeGreaterThan(0);
    expect(world.requests.by(REBALANCER_KEY, mark).length).toBeGreaterThan(0);
    expect(world.requests.requests.slice(mark).filter(isWrite)).toEqual([]);
});
