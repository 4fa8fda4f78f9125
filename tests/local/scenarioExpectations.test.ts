// Scenario files that document ECS's placement (`expect`): ECS alone, as the emulator plays it, leaves exactly that,
// and the runner reports a placement that differs, naming the service and instance.
import { basename, join } from "node:path";
import { scenarioFiles } from "../../bench/scenarioMatrix";
import { runScenario } from "../../local/scenario/runner";
import { readScenarioFile } from "../../local/scenario/scenarioFile";

const withExpectations = scenarioFiles(join(__dirname, "../../scenarios")).map(readScenarioFile).filter((s) => s.expect !== undefined);

it("at least the capacity-provider split documents its placement", () => {
    expect(withExpectations.map((s) => basename(s.file))).toContain("capacity-provider-split.json");
});

it.each(withExpectations.map((s) => [s.name, s] as const))("%s: ECS alone leaves the placement the file expects", async (_, scenario) => {
    const { report } = await runScenario(scenario, { strategy: "none" });
    expect(report.expectations).toEqual({ met: true, mismatches: [] });
});

it("a placement other than the expected one is reported, by service and instance", async () => {
    const scenario = withExpectations.find((s) => s.name === "capacity-provider-split")!;
    const wrong = { ...scenario, expect: { before: { api: { "m-1": 1, "s-1": 2 } }, unplaced: { api: 0 } } };
    const { report } = await runScenario(wrong, { strategy: "none" });
    expect(report.expectations?.met).toBe(false);
    expect(report.expectations?.mismatches).toEqual([
        "api on s-1: expected 2 running, got 1",
        "api on s-2: expected 0 running, got 1",
        "api: expected 0 task(s) unplaced, got 2",
    ]);
});
