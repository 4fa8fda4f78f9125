// The dashboard body builder alone: a row for the function and one per cluster, every catalog metric with the
// dimensions the handler emits, the timeout and skew threshold marked, the decisions query, the console address.
import {
    dashboardBody, dashboardNameFor, dashboardUrl, decisionsQuery, type MetricWidget, type TextWidget,
} from "../../infra/rebalancer/dashboardBody";
import { metricWidgets, widgetMetrics } from "../../local/dashboardFigures";
import { dimensionNames, METRIC_NAMES, type MetricName } from "../../rebalancer/metricCatalog";

const body = dashboardBody({
    region: "eu-west-1", clusterNames: ["payments", "batch"], functionName: "rebalancer-fn", logGroupName: "/ecs-rebalancer/rebalancer-1",
    deadLetterQueueName: "rebalancer-dlq", timeoutSeconds: 120, skewThreshold: 2,
});
const widgets = metricWidgets(body);
const specs = widgets.flatMap((w) => widgetMetrics(w).map((spec) => ({ widget: w.properties.title, spec })));

test("every catalog metric is on the dashboard, and nothing else of the EcsRebalancer namespace", () => {
    const shown = new Set(specs.filter((s) => s.spec.namespace === "EcsRebalancer").map((s) => s.spec.name));
    expect([...shown].sort()).toEqual([...METRIC_NAMES].sort());
});

test("each EcsRebalancer line has exactly the dimensions the handler emits for that metric; each cluster has its own lines", () => {
    for (const { spec } of specs.filter((s) => s.spec.namespace === "EcsRebalancer")) {
        const keys = spec.kind === "metric" ? Object.keys(spec.dimensions) : spec.dimensionNames;
        expect({ metric: spec.name, keys }).toEqual({ metric: spec.name, keys: dimensionNames(spec.name as MetricName) });
    }
    for (const cluster of ["payments", "batch"]) {
        const own = specs.filter((s) => (s.spec.kind === "metric" ? s.spec.dimensions.cluster : s.spec.filter.cluster) === cluster);
        expect(new Set(own.map((s) => s.spec.name)).size).toBe(METRIC_NAMES.length - 1); // all but ColdStart (per function)
    }
    const coldStart = specs.find((s) => s.spec.name === "ColdStart")!.spec;
    expect(coldStart).toMatchObject({ kind: "metric", dimensions: { service: "ecs-rebalancer", function_name: "rebalancer-fn" } });
});

test("the skip reasons are a SEARCH over the reason dimension of the cluster", () => {
    const reasons = widgets.filter((w) => w.properties.title === "Services skipped, by reason").map((w) => widgetMetrics(w)[0]);
    expect(reasons).toEqual([
        { kind: "search", namespace: "EcsRebalancer", name: "ServicesSkippedByReason", dimensionNames: ["service", "cluster", "reason"], filter: { service: "ecs-rebalancer", cluster: "payments" }, stat: "Maximum" },
        { kind: "search", namespace: "EcsRebalancer", name: "ServicesSkippedByReason", dimensionNames: ["service", "cluster", "reason"], filter: { service: "ecs-rebalancer", cluster: "batch" }, stat: "Maximum" },
    ]);
});

test("durations are drawn against the function timeout, skew against the threshold", () => {
    const marks = (title: string) => widgets.filter((w) => w.properties.title === title).map((w) => w.properties.annotations?.horizontal);
    expect(marks("Pass duration against the function timeout (ms)")).toEqual([[{ label: "function timeout", value: 120_000 }], [{ label: "function timeout", value: 120_000 }]]);
    expect(marks("Function: duration against its timeout (ms)")).toEqual([[{ label: "timeout", value: 120_000 }]]);
    expect(marks("Worst skew: before and after each pass")[0]).toEqual([{ label: "skewThreshold", value: 2 }]);
    expect(widgets.every((w: MetricWidget) => w.properties.region === "eu-west-1" && w.properties.period === 300)).toBe(true);
});

test("the widgets tile the 24-column grid without overlapping; a heading per cluster", () => {
    const cells = new Set<string>();
    for (const w of body.widgets) {
        expect(w.x + w.width).toBeLessThanOrEqual(24);
        for (let x = w.x; x < w.x + w.width; x++) {
            for (let y = w.y; y < w.y + w.height; y++) {
                expect(cells.has(`${x},${y}`)).toBe(false);
                cells.add(`${x},${y}`);
            }
        }
    }
    const headings = body.widgets.filter((w): w is TextWidget => w.type === "text").map((w) => w.properties.markdown);
    expect(headings.slice(1)).toEqual(["### Cluster `payments`", "### Cluster `batch`"]);
});

test("the decisions table: a Logs Insights query over the function's log group, one row per service of each pass", () => {
    const log = body.widgets.filter((w) => w.type === "log");
    expect(log).toHaveLength(1);
    expect(log[0].properties).toMatchObject({ region: "eu-west-1", view: "table", query: decisionsQuery("/ecs-rebalancer/rebalancer-1") });
    expect(decisionsQuery("/ecs-rebalancer/rebalancer-1")).toBe([
        "SOURCE '/ecs-rebalancer/rebalancer-1'",
        '| filter message = "rebalancer pass"',
        "| fields jsonParse(@message) as pass",
        "| unnest pass.services into decision",
        "| display @timestamp, cluster, trigger, dryRun, decision.service, decision.outcome, decision.reason, decision.skewBefore, " +
            "decision.skewAfter, decision.moves, decision.dryRunOnly, decision.act.outcome, decision.detail",
        "| sort @timestamp desc",
        "| limit 50",
    ].join("\n"));
});

test("the console address per partition, and a name CloudWatch accepts", () => {
    expect(dashboardUrl("aws", "us-east-1", "ecs-rebalancer-dev")).toBe("https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/ecs-rebalancer-dev");
    expect(dashboardUrl("aws-cn", "cn-north-1", "x")).toBe("https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards/dashboard/x");
    expect(dashboardUrl("aws-us-gov", "us-gov-west-1", "x")).toBe("https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#dashboards/dashboard/x");
    expect(dashboardNameFor("ecs-rebalancer", "team.prod")).toBe("ecs-rebalancer-team-prod");
    expect(dashboardNameFor("p", "s".repeat(300))).toHaveLength(255);
});
