// The CloudWatch dashboard's body, built as plain data (pure: no Pulumi): a row for the function, a row per target
// cluster, and a Logs Insights table of the passes' decisions per service. Its metrics are the catalog's
// (rebalancer/metricCatalog.ts), with the dimensions the handler emits; the decisions query reads the pass record
// (rebalancer/passLog.ts). rebalancerDashboard.ts declares it; local/dashboardFigures.ts evaluates it on a local run.

import {
    CLUSTER_DIMENSION, FUNCTION_DIMENSION, METRICS_NAMESPACE, REASON_DIMENSION, SERVICE_DIMENSION, SERVICE_NAME,
    type MetricName,
} from "../../rebalancer/metricCatalog";
import { PASS_LOG_MESSAGE, type PassRecord, type ServiceLogEntry } from "../../rebalancer/passLog";

/** Metrics are shown per five minutes, the alarms' event period. */
export const DASHBOARD_PERIOD_SECONDS = 300;

export interface DashboardInputs {
    region: string;
    clusterNames: readonly string[];
    functionName: string;
    logGroupName: string;
    deadLetterQueueName: string;
    timeoutSeconds: number;
    skewThreshold: number;
}

export type Statistic = "Sum" | "Maximum" | "Minimum" | "Average";

/** One line of a metric widget: [namespace, name, dimension name, value, …, { stat, label }]. */
export type MetricLine = Array<string | { stat: Statistic; label: string }>;
/** A metric math line (the SEARCH over skip reasons). */
export interface ExpressionLine {
    expression: string;
    id: string;
    label: string;
}

export interface MetricWidget {
    type: "metric";
    x: number;
    y: number;
    width: number;
    height: number;
    properties: {
        title: string;
        region: string;
        view: "timeSeries";
        stacked: boolean;
        period: number;
        metrics: Array<MetricLine | [ExpressionLine]>;
        annotations?: { horizontal: Array<{ label: string; value: number }> };
        yAxis: { left: { min: number } };
    };
}

export interface TextWidget {
    type: "text";
    x: number;
    y: number;
    width: number;
    height: number;
    properties: { markdown: string };
}

export interface LogWidget {
    type: "log";
    x: number;
    y: number;
    width: number;
    height: number;
    properties: { title: string; region: string; query: string; view: "table" };
}

export type Widget = MetricWidget | TextWidget | LogWidget;

export interface DashboardBody {
    widgets: Widget[];
}

/**
 * The decisions table: one row per service decision of the most recent passes. Logs Insights' `unnest` turns the pass
 * record's `services` list into one record per service; the other fields come from the pass record.
 */
export const DECISIONS_QUERY = {
    message: PASS_LOG_MESSAGE,
    list: "services" satisfies keyof PassRecord,
    item: "decision",
    passFields: ["@timestamp", "cluster", "trigger", "dryRun"] as const satisfies ReadonlyArray<
        "@timestamp" | keyof PassRecord
    >,
    itemFields: [
        "service", "outcome", "reason", "skewBefore", "skewAfter", "moves", "dryRunOnly", "act.outcome", "detail",
    ] as const satisfies ReadonlyArray<keyof ServiceLogEntry | "act.outcome">,
    limit: 50,
};

export function decisionsQuery(logGroupName: string): string {
    const q = DECISIONS_QUERY;
    const columns = [...q.passFields, ...q.itemFields.map((f) => `${q.item}.${f}`)];
    return [
        `SOURCE '${logGroupName}'`,
        `| filter message = "${q.message}"`,
        `| fields jsonParse(@message) as pass`,
        `| unnest pass.${q.list} into ${q.item}`,
        `| display ${columns.join(", ")}`,
        `| sort @timestamp desc`,
        `| limit ${q.limit}`,
    ].join("\n");
}

/** A catalog metric of one cluster, with the handler's dimensions (Powertools' service, then the cluster). */
function clusterMetric(name: MetricName, cluster: string, stat: Statistic, label: string): MetricLine {
    return [METRICS_NAMESPACE, name, SERVICE_DIMENSION, SERVICE_NAME, CLUSTER_DIMENSION, cluster, { stat, label }];
}

/** Every reason a service was skipped for, each its own line: the reasons are the dimension values that occurred. */
function skipReasonSearch(cluster: string): ExpressionLine {
    const name: MetricName = "ServicesSkippedByReason";
    const schema = `{${METRICS_NAMESPACE},${SERVICE_DIMENSION},${CLUSTER_DIMENSION},${REASON_DIMENSION}}`;
    return {
        expression:
            `SEARCH('${schema} MetricName="${name}" ${SERVICE_DIMENSION}="${SERVICE_NAME}" ${CLUSTER_DIMENSION}="${cluster}"', ` +
            `'Maximum', ${DASHBOARD_PERIOD_SECONDS})`,
        id: "reasons",
        label: "",
    };
}

const WIDTH = 24;

export function dashboardBody(inputs: DashboardInputs): DashboardBody {
    const widgets: Widget[] = [];
    let y = 0;
    type Lines = MetricWidget["properties"]["metrics"];
    type Marks = Array<{ label: string; value: number }>;
    const metricWidget = (x: number, width: number, title: string, metrics: Lines, horizontal?: Marks): MetricWidget => ({
        type: "metric", x, y, width, height: 6,
        properties: {
            title, region: inputs.region, view: "timeSeries", stacked: false, period: DASHBOARD_PERIOD_SECONDS, metrics,
            ...(horizontal ? { annotations: { horizontal } } : {}),
            yAxis: { left: { min: 0 } },
        },
    });
    const timeoutMs = inputs.timeoutSeconds * 1000;

    widgets.push({
        type: "text", x: 0, y, width: WIDTH, height: 2,
        properties: {
            markdown:
                `## ecs-rebalancer — function \`${inputs.functionName}\`\n` +
                "Per cluster: each pass's worst skew, services unbalanced and skipped, tasks moved, surges, ECS calls, " +
                "duration and errors (the EcsRebalancer metrics); below, the last passes' decisions per service.",
        },
    });
    y += 2;
    const lambda = (name: string, stat: Statistic, label: string): MetricLine =>
        ["AWS/Lambda", name, "FunctionName", inputs.functionName, { stat, label }];
    const coldStarts: MetricLine = [
        METRICS_NAMESPACE, "ColdStart" satisfies MetricName, SERVICE_DIMENSION, SERVICE_NAME, FUNCTION_DIMENSION, inputs.functionName,
        { stat: "Sum", label: "cold starts" },
    ];
    const deadLetters: MetricLine = [
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", inputs.deadLetterQueueName, { stat: "Maximum", label: "messages (alarm: any)" },
    ];
    widgets.push(
        metricWidget(0, 8, "Function: invocations, errors, cold starts", [
            lambda("Invocations", "Sum", "invocations"), lambda("Errors", "Sum", "errors (alarm: any)"), coldStarts,
        ]),
        metricWidget(8, 8, "Function: duration against its timeout (ms)", [lambda("Duration", "Maximum", "longest invocation")], [
            { label: "timeout", value: timeoutMs },
        ]),
        metricWidget(16, 8, "Dead-letter queue: events dropped", [deadLetters]),
    );
    y += 6;

    for (const cluster of inputs.clusterNames) {
        const heading = `### Cluster \`${cluster}\``;
        widgets.push({ type: "text", x: 0, y, width: WIDTH, height: 1, properties: { markdown: heading } });
        y += 1;
        widgets.push(
            metricWidget(0, 6, "Worst skew: before and after each pass", [
                clusterMetric("WorstSkewBefore", cluster, "Maximum", "before"),
                clusterMetric("WorstSkewAfter", cluster, "Maximum", "after (planned)"),
            ], [{ label: "skewThreshold", value: inputs.skewThreshold }]),
            metricWidget(6, 6, "Services: unbalanced, left unbalanced, skipped", [
                clusterMetric("ServicesUnbalanced", cluster, "Maximum", "unbalanced"),
                clusterMetric("ServicesLeftUnbalanced", cluster, "Minimum", "left unbalanced (alarm: every pass)"),
                clusterMetric("ServicesSkipped", cluster, "Maximum", "skipped"),
            ]),
            metricWidget(12, 6, "Services skipped, by reason", [[skipReasonSearch(cluster)]]),
            metricWidget(18, 6, "Tasks: planned and moved", [
                clusterMetric("TasksPlanned", cluster, "Sum", "planned"),
                clusterMetric("TasksMoved", cluster, "Sum", "moved"),
            ]),
        );
        y += 6;
        widgets.push(
            metricWidget(0, 6, "Surges: open and overdue", [
                clusterMetric("SurgesOpen", cluster, "Maximum", "open"),
                clusterMetric("SurgesOverdue", cluster, "Maximum", "past surgeTimeoutSeconds (alarm: any)"),
            ]),
            metricWidget(6, 6, "ECS calls and throttles", [
                clusterMetric("ApiCalls", cluster, "Sum", "calls"),
                clusterMetric("ApiThrottles", cluster, "Sum", "throttled"),
            ]),
            metricWidget(12, 6, "Pass duration against the function timeout (ms)", [
                clusterMetric("PassDurationMs", cluster, "Maximum", "longest pass"),
                clusterMetric("PassDurationMs", cluster, "Average", "average pass"),
            ], [{ label: "function timeout", value: timeoutMs }]),
            metricWidget(18, 6, "Errors and passes cut short", [
                clusterMetric("Errors", cluster, "Sum", "pass or write errors (alarm: any)"),
                clusterMetric("PassesStoppedByDeadline", cluster, "Sum", "stopped by the deadline (alarm: any)"),
            ]),
        );
        y += 6;
    }

    widgets.push({
        type: "log", x: 0, y, width: WIDTH, height: 8,
        properties: {
            title: "Recent pass decisions, per service", region: inputs.region, query: decisionsQuery(inputs.logGroupName), view: "table",
        },
    });
    return { widgets };
}

const CONSOLE_HOSTS: Record<string, (region: string) => string> = {
    aws: (region) => `https://${region}.console.aws.amazon.com`,
    "aws-cn": (region) => `https://${region}.console.amazonaws.cn`,
    "aws-us-gov": () => "https://console.amazonaws-us-gov.com",
};

/** The dashboard in the CloudWatch console. */
export function dashboardUrl(partition: string, region: string, name: string): string {
    const host = (CONSOLE_HOSTS[partition] ?? CONSOLE_HOSTS.aws)(region);
    return `${host}/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`;
}

const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

export function describeInvalidDashboardName(value: unknown): string | undefined {
    return typeof value === "string" && DASHBOARD_NAME.test(value) ? undefined : "expected 1–255 letters, digits, - or _";
}

/** A dashboard name CloudWatch accepts (letters, digits, - and _; at most 255) from the project and stack names. */
export function dashboardNameFor(project: string, stack: string): string {
    return `${project}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 255);
}
