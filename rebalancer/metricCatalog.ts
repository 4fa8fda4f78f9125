// Every CloudWatch metric the function emits, defined once: its name, unit, dimensions and meaning. The handler
// emits exactly these (passMetrics.ts, telemetry.ts); the dashboard and the alarms (infra/rebalancer/) read them
// from here, and a test runs the deployed function and checks that the two sets are the same.

export const METRICS_NAMESPACE = "EcsRebalancer";
/** Powertools' service name: in every log record, and on every metric as the `service` dimension. */
export const SERVICE_NAME = "ecs-rebalancer";
export const SERVICE_DIMENSION = "service";
export const CLUSTER_DIMENSION = "cluster";
export const REASON_DIMENSION = "reason";
export const FUNCTION_DIMENSION = "function_name";

/**
 * What a metric is emitted per: one value per pass and cluster; per pass, cluster and skip reason (only the
 * reasons that occurred); or once per function container.
 */
export type MetricScope = "cluster" | "skip-reason" | "function";

export interface MetricDefinition {
    unit: "Count" | "Milliseconds";
    scope: MetricScope;
    /** What one value means (README, dashboard tooltips). */
    description: string;
}

export const METRIC_DEFINITIONS = {
    WorstSkewBefore: {
        unit: "Count", scope: "cluster",
        description: "the worst service's skew (max − min of its tasks over its bins) when the pass read the cluster",
    },
    WorstSkewAfter: {
        unit: "Count", scope: "cluster",
        description: "the worst service's skew once the pass's moves are done, as the plan predicts it",
    },
    ServicesUnbalanced: { unit: "Count", scope: "cluster", description: "services with a surplus (tasks that must move) when the pass read the cluster" },
    ServicesLeftUnbalanced: {
        unit: "Count", scope: "cluster",
        description:
            "services in scope (not skipped by a filter, not dry-run) still unbalanced after the pass: held back " +
            "(flap guard, no headroom, pass cap), writes not made, or more surplus than one pass moves",
    },
    ServicesSkipped: { unit: "Count", scope: "cluster", description: "services skipped, every reason" },
    ServicesSkippedByReason: {
        unit: "Count", scope: "skip-reason",
        description: "services skipped for one reason (dimension reason; emitted for the reasons that occurred)",
    },
    TasksPlanned: { unit: "Count", scope: "cluster", description: "tasks the plan moves (stops, surge size, tasks a redeploy replaces)" },
    TasksMoved: { unit: "Count", scope: "cluster", description: "tasks moved: services whose writes were all made, live passes only" },
    SurgesOpen: { unit: "Count", scope: "cluster", description: "surges still open after the pass (desiredCount raised, marker on)" },
    SurgesOverdue: {
        unit: "Count", scope: "cluster",
        description: "open surges older than surgeTimeoutSeconds after the pass (the restore waits, or was not made)",
    },
    ApiCalls: { unit: "Count", scope: "cluster", description: "ECS and Application Auto Scaling requests of the pass (retries not counted)" },
    ApiThrottles: { unit: "Count", scope: "cluster", description: "attempts of the pass that AWS throttled (the SDK retried each)" },
    PassDurationMs: { unit: "Milliseconds", scope: "cluster", description: "the pass's duration: read, plan and writes" },
    Errors: {
        unit: "Count", scope: "cluster",
        description: "services whose writes failed or were refused, plus 1 when the pass could not read or plan the cluster",
    },
    PassesStoppedByDeadline: {
        unit: "Count", scope: "cluster",
        description: "1 when the invocation ran out of time for the cluster: its pass did not start, or stopped before its writes",
    },
    ColdStart: { unit: "Count", scope: "function", description: "1 on a function container's first invocation" },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRIC_DEFINITIONS;

export const METRIC_NAMES = Object.keys(METRIC_DEFINITIONS) as MetricName[];

/** The dimension names of a metric, in the order its EMF records list them. */
export function dimensionNames(name: MetricName): string[] {
    switch (METRIC_DEFINITIONS[name].scope) {
        case "cluster":
            return [SERVICE_DIMENSION, CLUSTER_DIMENSION];
        case "skip-reason":
            return [SERVICE_DIMENSION, CLUSTER_DIMENSION, REASON_DIMENSION];
        case "function":
            return [SERVICE_DIMENSION, FUNCTION_DIMENSION];
    }
}
