// Where logs and metrics go: structured JSON logs through Powertools Logger and CloudWatch metrics through
// Powertools Metrics (embedded metric format). Built once per container; tests pass their own sinks instead.
import { CLUSTER_DIMENSION, FUNCTION_DIMENSION, METRIC_DEFINITIONS, METRICS_NAMESPACE, SERVICE_NAME, type MetricName } from "./metricCatalog";

/** One structured log record: a message and its fields (never credentials, the environment or client config). */
export interface LogSink {
    info(message: string, fields: Record<string, unknown>): void;
    warn(message: string, fields: Record<string, unknown>): void;
    error(message: string, fields: Record<string, unknown>): void;
}

export interface MetricValue {
    /** A metric of the catalog (metricCatalog.ts), which gives its unit and dimensions. */
    name: MetricName;
    value: number;
    /** The dimensions beyond the cluster (a skip reason), for metrics whose scope has them. */
    dimensions?: Record<string, string>;
}

export interface MetricsSink {
    /** Emits the values of one pass with the cluster name as dimension (and their own, if any). */
    publish(clusterName: string, values: readonly MetricValue[]): void;
    /** Emits values of the function container itself (the cold start), with the function's name as dimension. */
    publishFunction(values: readonly MetricValue[]): void;
}

export { CLUSTER_DIMENSION, METRICS_NAMESPACE, SERVICE_NAME } from "./metricCatalog";

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
    const unitOf = (name: MetricName) => (METRIC_DEFINITIONS[name].unit === "Milliseconds" ? MetricUnit.Milliseconds : MetricUnit.Count);
    return {
        log: {
            info: (message, fields) => logger.info(message, fields),
            warn: (message, fields) => logger.warn(message, fields),
            error: (message, fields) => logger.error(message, fields),
        },
        metrics: {
            publish(clusterName, values) {
                metrics.addDimension(CLUSTER_DIMENSION, clusterName);
                for (const v of values) if (!v.dimensions) metrics.addMetric(v.name, unitOf(v.name), v.value);
                // Flushes one EMF record and clears the dimension, so the next cluster's pass gets its own.
                metrics.publishStoredMetrics();
                // A value with dimensions of its own (a skip reason) is a record of its own.
                for (const v of values) {
                    if (!v.dimensions) continue;
                    const single = metrics.singleMetric();
                    single.addDimension(CLUSTER_DIMENSION, clusterName);
                    for (const [name, value] of Object.entries(v.dimensions)) single.addDimension(name, value);
                    single.addMetric(v.name, unitOf(v.name), v.value);
                }
            },
            publishFunction(values) {
                for (const v of values) {
                    const single = metrics.singleMetric();
                    single.addDimension(FUNCTION_DIMENSION, process.env.AWS_LAMBDA_FUNCTION_NAME ?? "unknown");
                    single.addMetric(v.name, unitOf(v.name), v.value);
                }
            },
        },
        addContext(context) {
            const c = context as { awsRequestId?: unknown; functionName?: unknown } | undefined;
            if (c && typeof c.awsRequestId === "string" && typeof c.functionName === "string") logger.addContext(context as never);
        },
    };
}
