// The CloudWatch metrics of one pass, from its record: every per-cluster metric of the catalog (metricCatalog.ts),
// and one value per skip reason that occurred. Dimensions: the cluster name (and the reason), see telemetry.ts.
import type { PassRecord } from "./passLog";
import { REASON_DIMENSION } from "./metricCatalog";
import type { MetricValue } from "./telemetry";

export function passMetrics(r: PassRecord): MetricValue[] {
    const t = r.totals;
    const values: MetricValue[] = [
        { name: "WorstSkewBefore", value: t.worstSkewBefore },
        { name: "WorstSkewAfter", value: t.worstSkewAfter },
        { name: "ServicesUnbalanced", value: t.unbalanced },
        { name: "ServicesLeftUnbalanced", value: t.servicesLeftUnbalanced },
        { name: "ServicesSkipped", value: t.skipped },
        { name: "TasksPlanned", value: t.movesPlanned },
        { name: "TasksMoved", value: t.tasksMoved },
        { name: "SurgesOpen", value: t.surgesOpen },
        { name: "SurgesOverdue", value: t.surgesOverdue },
        { name: "ApiCalls", value: r.apiCallsTotal },
        { name: "ApiThrottles", value: r.apiThrottles },
        { name: "PassDurationMs", value: r.durationMs },
        { name: "Errors", value: t.serviceErrors + (r.outcome === "failed" ? 1 : 0) },
        { name: "PassesStoppedByDeadline", value: r.outcome === "deadline" || r.stoppedByDeadline ? 1 : 0 },
    ];
    for (const [reason, count] of Object.entries(t.skipReasons).sort()) {
        values.push({ name: "ServicesSkippedByReason", value: count, dimensions: { [REASON_DIMENSION]: reason } });
    }
    return values;
}
