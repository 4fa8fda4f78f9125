import { disruptionRatio } from "../../bench/disruption";
import { checkScenario, type ScenarioOutcome } from "../../bench/targets";

const good: ScenarioOutcome = { ratio: disruptionRatio(6, 6), instanceSkew: 1, azSkew: 0, floorViolations: 0, ceilingViolations: 0, converged: true, remainingMoves: 0 };

it("meets the targets with ratio 1.00, skew within the threshold, no violation, converged", () => {
    expect(checkScenario(good, 1)).toEqual({ met: true, misses: [], skewCapacityBound: false });
    expect(checkScenario({ ...good, ratio: disruptionRatio(0, 0) }, 1).met).toBe(true);
});

it("names every miss", () => {
    const bad = checkScenario({ ...good, ratio: disruptionRatio(3, 2), azSkew: 3, remainingMoves: 1, floorViolations: 1, converged: false }, 1);
    expect(bad.met).toBe(false);
    expect(bad.misses).toEqual(["ratio 1.50 > 1.00", "skew 1/3 > 1", "1 violation(s)", "not converged"]);
    expect(checkScenario({ ...good, ratio: disruptionRatio(27, 94) }, 1).misses).toEqual(["ratio 0.29 < 1.00 (surplus left)"]);
    expect(checkScenario({ ...good, ratio: disruptionRatio(2, 0) }, 1).misses).toEqual(["2 stopped where none had to move"]);
});

it("a skew above the threshold that no move could lower (capacity) is not a miss, but is marked", () => {
    const r = checkScenario({ ...good, instanceSkew: 2, remainingMoves: 0 }, 1);
    expect(r).toEqual({ met: true, misses: [], skewCapacityBound: true });
});

it("a multi-round run is judged on its per-round ratio, not on the final-state one", () => {
    // spot-churn: 25 stopped, 12 on the final state, 25 over the rounds.
    expect(checkScenario({ ...good, ratio: disruptionRatio(25, 12), perRoundRatio: disruptionRatio(25, 25) }, 1)).toEqual({ met: true, misses: [], skewCapacityBound: false });
    expect(checkScenario({ ...good, ratio: disruptionRatio(27, 12), perRoundRatio: disruptionRatio(27, 25) }, 1).misses).toEqual(["per-round ratio 1.08 > 1.00"]);
});
