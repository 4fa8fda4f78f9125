// Optional X-Ray tracing through Powertools' Tracer (the `tracing` setting): a subsegment per invocation, one per
// cluster pass (annotated with the cluster and its outcome), and the AWS SDK calls under them. Off, nothing is loaded:
// the tracer is not even in the archive then (infra/rebalancer/taskRebalancer.ts).
import type { AwsClients } from "./awsClients";
import { SERVICE_NAME } from "./metricCatalog";

export type Annotations = Record<string, string | number | boolean>;

export interface Tracing {
    /** The same clients, their calls traced. */
    traceClients(clients: AwsClients): AwsClients;
    /** Runs one invocation in a subsegment of Lambda's segment. */
    invocation<T>(fn: () => Promise<T>): Promise<T>;
    /** Runs one cluster's pass in a subsegment of the invocation's, annotated with what `annotate` says of its result. */
    pass<T>(cluster: string, fn: () => Promise<T>, annotate: (result: T) => Annotations): Promise<T>;
}

export const NO_TRACING: Tracing = {
    traceClients: (clients) => clients,
    invocation: (fn) => fn(),
    pass: (_cluster, fn) => fn(),
};

/** Powertools' Tracer, which is on only inside Lambda (AWS_EXECUTION_ENV), as the X-Ray SDK needs Lambda's segment. */
export function createTracing(): Tracing {
    const { Tracer } = require("@aws-lambda-powertools/tracer") as typeof import("@aws-lambda-powertools/tracer");
    // The SDK clients are captured one by one; patching every HTTP request of the process would trace them twice.
    const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });

    async function inSubsegment<T>(name: string, fn: () => Promise<T>, annotate?: (result: T) => Annotations): Promise<T> {
        const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
        if (!parent) return fn();
        const subsegment = parent.addNewSubsegment(name);
        tracer.setSegment(subsegment);
        try {
            const result = await fn();
            for (const [key, value] of Object.entries(annotate?.(result) ?? {})) subsegment.addAnnotation(key, value);
            return result;
        } catch (err) {
            tracer.addErrorAsMetadata(err as Error);
            throw err;
        } finally {
            subsegment.close();
            tracer.setSegment(parent);
        }
    }

    return {
        traceClients(clients) {
            tracer.captureAWSv3Client(clients.ecs);
            tracer.captureAWSv3Client(clients.autoScaling);
            return clients;
        },
        invocation: (fn) =>
            inSubsegment(`## ${SERVICE_NAME}`, async () => {
                tracer.annotateColdStart();
                tracer.addServiceNameAnnotation();
                return fn();
            }),
        pass: (cluster, fn, annotate) => inSubsegment(`### pass ${cluster}`, fn, annotate),
    };
}
