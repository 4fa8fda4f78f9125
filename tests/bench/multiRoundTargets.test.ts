// Issue 11's acceptance for the multi-round scenarios: the benchmark's row for minimal carries the per-round bound,
// is judged on it, and meets 1.00 against it (under adversarial, every choice AWS leaves open made the worst way).
import { join } from "node:path";
import { runScenarioRow } from "../../bench/scenarioMatrix";
import { readScenarioFile } from "../../local/scenario/scenarioFile";

it.each(["spot-churn.json", "drain-relaunch.json"])("%s: minimal meets its targets on the per-round bound", async (file) => {
    const row = await runScenarioRow(readScenarioFile(join(__dirname, "../../scenarios", file)), "minimal", 1, "adversarial");
    // Multi-round: the per-round bound is there and exceeds the final-state one (earlier rounds' moves count).
    expect(row.perRoundBound).toBeGreaterThan(row.lowerBound);
    expect(row.perRoundRatio).toEqual({ kind: "ratio", value: 1 });
    expect(row.check?.misses).toEqual([]);
});
