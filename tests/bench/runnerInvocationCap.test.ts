// The scenario runner's invocation cap (local/scenario/runner.ts): a rebalancer that reaches it is detached and
// the world settles without it, so the steps after it and the final counts still describe a settled cluster.
// Before the fix, reaching the cap during a settle phase froze the world: every later step was applied to a
// cluster whose tasks had never started, and the report's `after` was empty.
import { join } from "node:path";
import { invocationCapFor, runScenario } from "../../local/scenario/runner";
import { readScenarioFile } from "../../local/scenario/scenarioFile";

const SEED = readScenarioFile(join(__dirname, "../../scenarios/seed-scale-down-up.json"));

it("scales the default cap with the scenario's tasks and instances", () => {
    expect(invocationCapFor(SEED)).toBe(1000);
    const large = readScenarioFile(join(__dirname, "../../scenarios/large-service-500.json"));
    // 500 tasks, 40 instances at the start and 10 launched: twenty invocations each.
    expect(invocationCapFor(large)).toBe(20 * (500 + 50));
});

it("detaches a rebalancer at the cap during a settle phase and lets the world settle without it", async () => {
    const { report, timeline } = await runScenario(SEED, { strategy: "minimal", maxInvocations: 3 });
    expect(report.invocations).toBe(3);
    expect(report.converged).toBe(false);
    // Both tasks still run once the steps are done: the world went on after the rebalancer was detached.
    const running = Object.values(report.after.web ?? {}).reduce((a, b) => a + b, 0);
    expect(running).toBe(2);
    expect(report.after).toEqual(report.before);
    expect(timeline.some((e) => /invocation cap \(3\) reached/.test(e.text))).toBe(true);
    // The steps after the cap were still applied: the launched instance is in the report.
    expect(report.instances["i-c"]).toEqual({ az: "us-east-1b", eligible: true });
});
