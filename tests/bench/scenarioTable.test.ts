import { disruptionRatio } from "../../bench/disruption";
import type { ScenarioRow } from "../../bench/scenarioMatrix";
import { profileSummaryTable, profileTable, scenarioTable, summarize, summaryTable } from "../../bench/scenarioTable";

function row(scenario: string, strategy: ScenarioRow["strategy"], stopped: number, bound: number, extra: Partial<ScenarioRow> = {}): ScenarioRow {
    return {
        scenario, strategy, ecsProfile: "service-page", tasksStopped: stopped, tasksStarted: stopped, lowerBound: bound, ratio: disruptionRatio(stopped, bound),
        instanceSkew: 0, azSkew: 0, floorViolations: 0, ceilingViolations: 0, invocations: 1, apiCalls: 10, emulatedSeconds: 5, converged: true,
        remainingMoves: 0, wallMs: 1, ...extra,
    };
}

const rows = [
    row("a", "redeploy", 4, 2, { instanceSkew: 3, instanceSkewService: "web", floorViolations: 1 }),
    row("b", "redeploy", 8, 2, { azSkew: 2, converged: false }),
    row("c", "redeploy", 0, 0),
    row("a", "none", 0, 2),
    row("b", "none", 0, 2),
];

it("summarizes per strategy: geometric mean over positive bounds, worst skews, violations, convergence", () => {
    const [redeploy, none] = summarize(rows);
    expect(redeploy).toMatchObject({
        strategy: "redeploy", scenarios: 3, scenariosInMean: 2,
        worstInstanceSkew: 3, worstAzSkew: 2, violations: 1, notConverged: 1, tasksStopped: 12, lowerBound: 4, apiCalls: 30,
    });
    expect(redeploy.geometricMeanRatio).toBeCloseTo(2.828, 3);
    expect(none).toMatchObject({ geometricMeanRatio: 0, scenariosInMean: 2, scenariosActing: 0 });
    expect(Number.isNaN(none.geometricMeanRatioWhenActing)).toBe(true);
});

it("prints one row per run, with the ratio's zero-bound case spelled out and the worst service named", () => {
    const lines = scenarioTable(rows).split("\n");
    expect(lines).toHaveLength(2 + rows.length);
    expect(lines[2]).toMatch(/^\| a +\| redeploy \| +4 \| +2 \| +2\.00 \| +\| +3 \(web\) \| +0 \| +1\/0 \|/);
    expect(lines[4]).toContain("— (0 needed)");
    expect(lines[3]).toMatch(/\| NO +\|/);
    const summary = summaryTable(summarize(rows)).split("\n");
    expect(summary[2]).toMatch(/^\| redeploy \| +2\.83 \(2\) \| +2\.83 \(2\) \| +12 \/ 4 \| +3\/2 \| +1 \| +1 \|/);
    expect(summary[3]).toMatch(/^\| none +\| +0\.00 \(2\) \| +— \(0\) \|/);
});

it("minimal under every profile: one row per scenario and profile, one summary row per profile", () => {
    const minimal = [
        row("a", "minimal", 2, 2),
        row("a", "minimal", 3, 2, { ecsProfile: "adversarial" }),
        row("b", "minimal", 1, 1, { ecsProfile: "adversarial", converged: false }),
        row("b", "minimal", 1, 1),
    ];
    const lines = profileTable(minimal).split("\n");
    expect(lines.slice(2).map((l) => l.split("|").slice(1, 4).map((c) => c.trim()))).toEqual([
        ["a", "service-page", "2 / 2"], ["a", "adversarial", "3 / 2"], ["b", "adversarial", "1 / 1"], ["b", "service-page", "1 / 1"],
    ]);
    const summary = profileSummaryTable(minimal).split("\n");
    expect(summary[2]).toMatch(/^\| service-page +\| +1\.00 \(2\) /);
    expect(summary[3]).toMatch(/^\| adversarial +\| +1\.22 \(2\) .*\| +1 +\|/);
});

it("a multi-round run shows its per-round bound and ratio beside the final-state bound; the others leave the cell empty", () => {
    const multi = row("spot", "minimal", 25, 12, { perRoundBound: 25, perRoundRatio: disruptionRatio(25, 25) });
    const cells = (table: string) => table.split("\n").slice(2).map((l) => l.split("|").map((c) => c.trim()));
    const [spot, single] = cells(scenarioTable([multi, row("one", "minimal", 2, 2)]));
    expect(spot.slice(3, 7)).toEqual(["25", "12", "2.08", "25 (1.00)"]);
    expect(single[6]).toBe("");
    const [profileRow] = cells(profileTable([multi]));
    expect(profileRow.slice(3, 6)).toEqual(["25 / 12", "2.08", "25 (1.00)"]);
});
