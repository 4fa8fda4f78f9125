// Where logs and metrics go: structured JSON logs through Powertools Logger and CloudWatch metrics through
// Powertools Metrics (embedded metric format). Built once per container; tests pass their own sinks instead.

/** One structured log record: a message and its fields (never credentials, the environment or client config). */
export interface LogSink {
    info(message: string, fields: Record<string, unknown>): void;
    warn(message: string, fields: Record<string, unknown>): void;
    error(message: string, fields: Record<string, unknown>): void;
}

export interface MetricValue {
    name: string;
    unit: "Count" | "Milliseconds";
    value: number;
}

export interface MetricsSink {
    /** Emits the values of one pass with the cluster name as dimension. */
    publish(clusterName: string, values: readonly MetricValue[]): void;
}

export const METRICS_NAMESPACE = "EcsRebalancer";
export const SERVICE_NAME = "ecs-rebalancer";
export const CLUSTER_DIMENSION = "cluster";

export interface Telemetry {
    log: LogSink;
    metrics: MetricsSink;
    /** Adds the Lambda request id and function name to later log records. */
    addContext(context: unknown): void;
}

export function createPowertoolsTelemetry(): Telemetry {
    const { Logger } = require("@aws-lambda-powertools/logger") as typeof import("@aws-lambda-powertools/logger");
    const { Metrics, MetricUnit } = require("@aws-lambda-powertools/metrics") as typeof import("@aws-lambda-powertools/metrics");
    const logger = new Logger({ serviceName: SERVICE_NAME });
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, logger });
    return {
        log: {
            info: (message, fields) => logger.info(message, fields),
            warn: (message, fields) => logger.warn(message, fields),
            error: (message, fields) => logger.error(message, fields),
        },
        metrics: {
            publish(clusterName, values) {
                metrics.addDimension(CLUSTER_DIMENSION, clusterName);
                for (const v of values) metrics.addMetric(v.name, v.unit === "Milliseconds" ? MetricUnit.Milliseconds : MetricUnit.Count, v.value);
                // Flushes one EMF record and clears the dimension, so the next cluster's pass gets its own.
                metrics.publishStoredMetrics();
            },
        },
        addContext(context) {
            const c = context as { awsRequestId?: unknown; functionName?: unknown } | undefined;
            if (c && typeof c.awsRequestId === "string" && typeof c.functionName === "string") logger.addContext(context as never);
        },
    };
}
