// The CloudWatch metrics of one pass, from its record. Dimension: the cluster name (see telemetry.ts).
import type { PassRecord } from "./passLog";
import type { MetricValue } from "./telemetry";

/** The CloudWatch metrics of one pass (dimension: cluster name). */
export function passMetrics(r: PassRecord): MetricValue[] {
    return [
        { name: "TasksMoved", unit: "Count", value: r.totals.tasksMoved },
        { name: "TasksPlanned", unit: "Count", value: r.totals.movesPlanned },
        { name: "ServicesUnbalanced", unit: "Count", value: r.totals.unbalanced },
        { name: "ServicesSkipped", unit: "Count", value: r.totals.skipped },
        { name: "PassDurationMs", unit: "Milliseconds", value: r.durationMs },
        { name: "ApiCalls", unit: "Count", value: r.apiCallsTotal },
        { name: "Errors", unit: "Count", value: r.totals.serviceErrors + (r.outcome === "failed" ? 1 : 0) },
    ];
}
