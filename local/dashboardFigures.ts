// The dashboard the program declares, evaluated on a local run: the EMF records the deployed function printed
// become datapoints as CloudWatch would store them, each widget line is matched to its datapoints by namespace,
// name and dimensions (a SEARCH line by its schema and filter), and its statistic is taken over the whole run.
// The Lambda service's own metrics (AWS/Lambda, AWS/SQS) come from the local Lambda runtime's records. The
// decisions table applies the dashboard's Logs Insights query (its structured spec) to the printed pass records.

import {
    DECISIONS_QUERY, type DashboardBody, type ExpressionLine, type MetricLine, type MetricWidget, type Statistic, type TextWidget,
} from "../infra/rebalancer/dashboardBody";

export interface Datapoint {
    namespace: string;
    name: string;
    dimensions: Record<string, string>;
    value: number;
}

export type MetricSpec =
    | { kind: "metric"; namespace: string; name: string; dimensions: Record<string, string>; stat: Statistic; label: string }
    | { kind: "search"; namespace: string; name: string; dimensionNames: string[]; filter: Record<string, string>; stat: Statistic };

interface EmfDirective {
    Namespace: string;
    Dimensions: string[][];
    Metrics: Array<{ Name: string }>;
}

/** The datapoints of the EMF records among `records` (anything else is ignored), one per metric and dimension set. */
export function emfDatapoints(records: readonly unknown[]): Datapoint[] {
    const out: Datapoint[] = [];
    for (const r of records) {
        const record = r as Record<string, unknown> & { _aws?: { CloudWatchMetrics?: EmfDirective[] } };
        if (typeof record !== "object" || record === null || !record._aws?.CloudWatchMetrics) continue;
        for (const directive of record._aws.CloudWatchMetrics) {
            for (const set of directive.Dimensions) {
                const dimensions = Object.fromEntries(set.map((k) => [k, String(record[k])]));
                for (const metric of directive.Metrics) {
                    const raw = record[metric.Name];
                    for (const value of Array.isArray(raw) ? raw : [raw]) {
                        if (typeof value === "number") out.push({ namespace: directive.Namespace, name: metric.Name, dimensions, value });
                    }
                }
            }
        }
    }
    return out;
}

/** The local Lambda runtime's view of the function: what AWS/Lambda and AWS/SQS would report. */
export interface LambdaServiceRecords {
    functionName: string;
    deadLetterQueueName: string;
    invocations: ReadonlyArray<{ durationMs: number; error?: string }>;
    deadLetters: number;
}

/** The function and dead-letter queue the dashboard's AWS/Lambda and AWS/SQS lines name. */
export function serviceNames(body: DashboardBody): { functionName: string; deadLetterQueueName: string } {
    const specs = metricWidgets(body).flatMap(widgetMetrics);
    const dimension = (namespace: string, key: string) => {
        const spec = specs.find((x) => x.kind === "metric" && x.namespace === namespace && key in x.dimensions);
        if (!spec || spec.kind !== "metric") throw new Error(`the dashboard has no ${namespace} line with ${key}`);
        return spec.dimensions[key];
    };
    return { functionName: dimension("AWS/Lambda", "FunctionName"), deadLetterQueueName: dimension("AWS/SQS", "QueueName") };
}

export function serviceDatapoints(s: LambdaServiceRecords): Datapoint[] {
    const fn = { FunctionName: s.functionName };
    return [
        ...s.invocations.flatMap((i): Datapoint[] => [
            { namespace: "AWS/Lambda", name: "Invocations", dimensions: fn, value: 1 },
            { namespace: "AWS/Lambda", name: "Errors", dimensions: fn, value: i.error ? 1 : 0 },
            { namespace: "AWS/Lambda", name: "Duration", dimensions: fn, value: i.durationMs },
        ]),
        { namespace: "AWS/SQS", name: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: s.deadLetterQueueName }, value: s.deadLetters },
    ];
}

const SEARCH = /^SEARCH\('\{([^}]*)\} (.*)', '(\w+)', \d+\)$/;

function searchSpec(line: ExpressionLine): MetricSpec {
    const m = SEARCH.exec(line.expression);
    if (!m) throw new Error(`not a SEARCH this evaluator reads: ${line.expression}`);
    const [namespace, ...dimensionNames] = m[1].split(",");
    const terms = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((t) => [t[1], t[2]]));
    const { MetricName: name, ...filter } = terms;
    return { kind: "search", namespace, name, dimensionNames, filter, stat: m[3] as Statistic };
}

/** The metrics one widget shows. */
export function widgetMetrics(widget: MetricWidget): MetricSpec[] {
    return widget.properties.metrics.map((line) => {
        if (line.length === 1 && typeof line[0] === "object" && "expression" in line[0]) return searchSpec(line[0]);
        const parts = line as MetricLine;
        const options = parts[parts.length - 1] as { stat: Statistic; label: string };
        const [namespace, name, ...rest] = parts.slice(0, -1) as string[];
        const dimensions: Record<string, string> = {};
        for (let i = 0; i < rest.length; i += 2) dimensions[rest[i]] = rest[i + 1];
        return { kind: "metric", namespace, name, dimensions, stat: options.stat, label: options.label };
    });
}

export function metricWidgets(body: DashboardBody): MetricWidget[] {
    return body.widgets.filter((w): w is MetricWidget => w.type === "metric");
}

const sameKeys = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k) => b.includes(k));

/** The datapoints a line shows, grouped by the series it draws (a SEARCH draws one per dimension combination). */
export function matchingSeries(spec: MetricSpec, points: readonly Datapoint[]): Array<{ label: string; values: number[] }> {
    const candidates = points.filter((p) => p.namespace === spec.namespace && p.name === spec.name);
    if (spec.kind === "metric") {
        const keys = Object.keys(spec.dimensions);
        const values = candidates
            .filter((p) => sameKeys(Object.keys(p.dimensions), keys) && keys.every((k) => p.dimensions[k] === spec.dimensions[k]))
            .map((p) => p.value);
        return [{ label: spec.label, values }];
    }
    const series = new Map<string, number[]>();
    for (const p of candidates) {
        if (!sameKeys(Object.keys(p.dimensions), spec.dimensionNames)) continue;
        if (!Object.entries(spec.filter).every(([k, v]) => p.dimensions[k] === v)) continue;
        const label = spec.dimensionNames.filter((k) => !(k in spec.filter)).map((k) => p.dimensions[k]).join(" ");
        series.set(label, [...(series.get(label) ?? []), p.value]);
    }
    return [...series].sort(([a], [b]) => (a < b ? -1 : 1)).map(([label, values]) => ({ label, values }));
}

export function statistic(stat: Statistic, values: readonly number[]): number | undefined {
    if (values.length === 0) return undefined;
    switch (stat) {
        case "Sum":
            return values.reduce((a, b) => a + b, 0);
        case "Maximum":
            return Math.max(...values);
        case "Minimum":
            return Math.min(...values);
        case "Average":
            return values.reduce((a, b) => a + b, 0) / values.length;
    }
}

export interface FigureLine {
    label: string;
    stat: Statistic;
    /** The statistic over the whole run; undefined when no datapoint matched (the widget would show no data). */
    value?: number;
    datapoints: number;
}

export interface WidgetFigures {
    /** The heading the widget sits under ("Cluster demo"; the first row's: the function's heading). */
    section: string;
    title: string;
    lines: FigureLine[];
    /** Horizontal annotations (the timeout, the skew threshold). */
    marks: Array<{ label: string; value: number }>;
}

/** A text widget's first line without its markdown (`### Cluster \`demo\`` → `Cluster demo`). */
function headingOf(w: TextWidget): string {
    return w.properties.markdown.split("\n")[0].replace(/^#+\s*/, "").replace(/`/g, "");
}

export function dashboardFigures(body: DashboardBody, points: readonly Datapoint[]): WidgetFigures[] {
    const headings = body.widgets.filter((w): w is TextWidget => w.type === "text").sort((a, b) => a.y - b.y);
    return metricWidgets(body).map((w) => ({
        section: headingOf([...headings].reverse().find((h) => h.y <= w.y) ?? headings[0]),
        title: w.properties.title,
        lines: widgetMetrics(w).flatMap((spec) =>
            matchingSeries(spec, points).map((s) => ({ label: s.label, stat: spec.stat, value: statistic(spec.stat, s.values), datapoints: s.values.length }))),
        marks: w.properties.annotations?.horizontal ?? [],
    }));
}

function path(record: unknown, dotted: string): unknown {
    let value: unknown = record;
    for (const key of dotted.split(".")) value = value === null || typeof value !== "object" ? undefined : (value as Record<string, unknown>)[key];
    return value;
}

/**
 * The decisions table as the dashboard's query would list it: pass records only, one row per entry of their service
 * list, newest first, the query's columns, at most its limit. `@timestamp` is the record's `timestamp`.
 */
export function decisionRows(records: readonly unknown[], query = DECISIONS_QUERY): Array<Record<string, unknown>> {
    const rows: Array<Record<string, unknown>> = [];
    for (const r of records) {
        if (typeof r !== "object" || r === null || (r as { message?: unknown }).message !== query.message) continue;
        for (const item of (path(r, query.list) as unknown[] | undefined) ?? []) {
            const row: Record<string, unknown> = {};
            for (const f of query.passFields) row[f] = f === "@timestamp" ? path(r, "timestamp") : path(r, f);
            for (const f of query.itemFields) row[`${query.item}.${f}`] = path(item, f);
            rows.push(row);
        }
    }
    // Newest first; records of one timestamp keep their printed order.
    const order = rows.map((row, i) => ({ row, i }));
    order.sort((a, b) => String(b.row["@timestamp"]).localeCompare(String(a.row["@timestamp"])) || a.i - b.i);
    return order.slice(0, query.limit).map((o) => o.row);
}
