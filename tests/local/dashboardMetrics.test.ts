// The dashboard against what the deployed function really emits: a scenario played with the closure Pulumi
// serializes (local/scenario), its EMF records turned into datapoints. Every metric the function emitted is on the
// dashboard, and every metric on the dashboard was emitted, dimensions included; the figures and the decisions
// table follow from the run. Evaluation rules themselves are checked on hand-made datapoints.
import { join } from "node:path";
import { dashboardFigures, decisionRows, emfDatapoints, matchingSeries, metricWidgets, serviceDatapoints, statistic, widgetMetrics, type Datapoint } from "../../local/dashboardFigures";
import { runScenario, type RunResult } from "../../local/scenario/runner";
import { readScenarioFile } from "../../local/scenario/scenarioFile";
import { DECISIONS_QUERY } from "../../infra/rebalancer/dashboardBody";

// Four instances; services the rebalancer moves and services it skips (DAEMON, binpack, random, opted out).
const SCENARIO = readScenarioFile(join(__dirname, "../../scenarios/mixed-scheduling.json"));

let run: RunResult;
let points: Datapoint[];
const records = () => run.logs.map((l) => l.record);
const identity = (namespace: string, name: string, keys: readonly string[]) => `${namespace} ${name} {${[...keys].sort().join(",")}}`;

beforeAll(async () => {
    run = await runScenario(SCENARIO, { strategy: "minimal" });
    points = emfDatapoints(records());
});

test("the run converged, and the function printed EMF records", () => {
    expect(run.report.converged).toBe(true);
    expect(points.length).toBeGreaterThan(0);
    expect(run.dashboard).toBeDefined();
});

test("every metric the function emitted is on the dashboard, and every metric on the dashboard was emitted", () => {
    const emitted = new Set(points.map((p) => identity(p.namespace, p.name, Object.keys(p.dimensions))));
    const specs = metricWidgets(run.dashboard!).flatMap(widgetMetrics).filter((s) => s.namespace === "EcsRebalancer");
    const shown = new Set(specs.map((s) => identity(s.namespace, s.name, s.kind === "metric" ? Object.keys(s.dimensions) : s.dimensionNames)));
    expect([...emitted].sort()).toEqual([...shown].sort());
    // With the dimension values too: each line of the dashboard draws datapoints of this run.
    for (const spec of specs) {
        const series = matchingSeries(spec, points);
        expect({ metric: spec.name, drawn: series.some((s) => s.values.length > 0) }).toEqual({ metric: spec.name, drawn: true });
    }
});

test("the figures: tasks moved add up to what the run stopped, skip reasons by reason, one cold start", () => {
    const figures = dashboardFigures(run.dashboard!, [...points, ...serviceDatapoints({
        functionName: JSON.stringify(run.dashboard).match(/"FunctionName","([^"]+)"/)![1],
        deadLetterQueueName: "unused", invocations: run.invocations, deadLetters: run.deadLetters,
    })]);
    const line = (title: string, label: string) => figures.find((w) => w.title === title)!.lines.find((l) => l.label === label)!;
    expect(line("Tasks: planned and moved", "moved").value).toBe(run.report.tasksStopped);
    expect(line("Function: invocations, errors, cold starts", "invocations").value).toBe(run.report.invocations);
    expect(line("Function: invocations, errors, cold starts", "cold starts").value).toBe(1);
    const reasons = figures.find((w) => w.title === "Services skipped, by reason")!.lines.map((l) => l.label);
    expect(reasons).toEqual(expect.arrayContaining(["binpack-or-random", "daemon", "opted-out"]));
    expect(line("Worst skew: before and after each pass", "before").value).toBeGreaterThan(0);
});

test("the decisions table lists the last passes' decisions per service, newest first", () => {
    const rows = decisionRows(records());
    expect(rows.length).toBe(DECISIONS_QUERY.limit);
    const times = rows.map((r) => String(r["@timestamp"]));
    expect([...times].sort().reverse()).toEqual(times);
    expect(rows.map((r) => r["decision.service"])).toEqual(expect.arrayContaining(["packed", "log-agent", "pinned"]));
    expect(rows.find((r) => r["decision.service"] === "pinned")).toMatchObject({ cluster: SCENARIO.cluster, "decision.outcome": "skipped", "decision.reason": "opted-out" });
});

test("evaluation rules: exact dimensions for a metric line, a series per dimension value for a SEARCH, statistics over the run", () => {
    const p = (name: string, dimensions: Record<string, string>, value: number): Datapoint => ({ namespace: "N", name, dimensions, value });
    const data = [p("M", { cluster: "a" }, 1), p("M", { cluster: "a" }, 3), p("M", { cluster: "b" }, 7), p("M", { cluster: "a", extra: "x" }, 100),
        p("R", { cluster: "a", reason: "x" }, 2), p("R", { cluster: "a", reason: "y" }, 5), p("R", { cluster: "b", reason: "x" }, 9)];
    expect(matchingSeries({ kind: "metric", namespace: "N", name: "M", dimensions: { cluster: "a" }, stat: "Sum", label: "m" }, data)).toEqual([{ label: "m", values: [1, 3] }]);
    expect(matchingSeries({ kind: "search", namespace: "N", name: "R", dimensionNames: ["cluster", "reason"], filter: { cluster: "a" }, stat: "Maximum" }, data))
        .toEqual([{ label: "x", values: [2] }, { label: "y", values: [5] }]);
    expect([statistic("Sum", [1, 3]), statistic("Maximum", [1, 3]), statistic("Minimum", [1, 3]), statistic("Average", [1, 3]), statistic("Sum", [])]).toEqual([4, 3, 1, 2, undefined]);
    const emf = { _aws: { CloudWatchMetrics: [{ Namespace: "N", Dimensions: [["cluster"]], Metrics: [{ Name: "M" }, { Name: "K" }] }] }, cluster: "a", M: 4, K: [1, 2], level: "INFO" };
    expect(emfDatapoints([emf, { message: "not EMF" }, "text"])).toEqual([p("M", { cluster: "a" }, 4), p("K", { cluster: "a" }, 1), p("K", { cluster: "a" }, 2)]);
});
