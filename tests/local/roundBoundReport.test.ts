// A multi-round scenario's report (drain-relaunch: a drain, a terminate, a launch) carries both bounds: the
// final-state one on what ECS alone left, and the per-round one on what the rebalancer met round by round; the
// rounds add up to the run's own counts, and a wasteful strategy's per-round bound stays below what it stopped.
// Near capacity (mixed-sizes-near-capacity), the round's start is bounded on the room left at its end.
import { join } from "node:path";
import { runScenario, type ScenarioReport } from "../../local/scenario/runner";
import { readScenarioFile } from "../../local/scenario/scenarioFile";

const DRAIN_RELAUNCH = readScenarioFile(join(__dirname, "../../scenarios/drain-relaunch.json"));

describe("drain-relaunch, round by round", () => {
    let minimal: ScenarioReport;
    let redeploy: ScenarioReport;
    beforeAll(async () => {
        minimal = (await runScenario(DRAIN_RELAUNCH, { strategy: "minimal" })).report;
        redeploy = (await runScenario(DRAIN_RELAUNCH, { strategy: "redeploy" })).report;
    });

    it("one round per step that changes the cluster, after the start", () => {
        expect(minimal.rounds.map((r) => r.steps)).toEqual([
            ["start"], ["drain i-a1, i-b1"], ["terminate i-a1"], ["launch i-a3 (us-east-1a), i-b3 (us-east-1b)"],
        ]);
    });

    it("carries both bounds: the drain round's moves are what the final-state bound leaves out", () => {
        expect(minimal.minimalMoves).toBe(7);
        expect(minimal.rounds.map((r) => r.bound)).toEqual([0, 3, 0, 6]);
        expect(minimal.perRoundBound).toBe(9);
        // minimal moves exactly what each round needed and leaves every round balanced.
        expect(minimal.rounds.map((r) => [r.stopped, r.left, r.unmeasured.length])).toEqual([[0, 0, 0], [3, 0, 0], [0, 0, 0], [6, 0, 0]]);
    });

    it("the rounds add up to the run: every stop in one round, the last round's leftover is remainingMoves", () => {
        for (const r of [minimal, redeploy]) {
            expect(r.rounds.reduce((n, x) => n + x.stopped, 0)).toBe(r.tasksStopped);
            expect(r.rounds[r.rounds.length - 1].left).toBe(r.remainingMoves);
        }
    });

    it("is a bound, not a count: redeploy stops far more than it, and what it leaves shows", () => {
        expect(redeploy.tasksStopped).toBeGreaterThan(5 * redeploy.perRoundBound);
        for (const r of redeploy.rounds) expect(r.bound).toBeLessThanOrEqual(r.stopped);
        expect(redeploy.rounds[redeploy.rounds.length - 1].left).toBeGreaterThan(0);
    });
});

it("near capacity: the start of the round is bounded on the room at its end, so the bound stays a bound", async () => {
    // ECS puts a waiting small task on the small instance first, after which a large task no longer fits there: on
    // the room it had at the launch, the large service's bound would be 3, one more than any rebalancer could need.
    const { report } = await runScenario(readScenarioFile(join(__dirname, "../../scenarios/mixed-sizes-near-capacity.json")), { strategy: "minimal" });
    expect(report.minimalMoves).toBe(2);
    expect(report.rounds.map((r) => [r.bound, r.stopped])).toEqual([[0, 0], [2, 2]]);
});
