// The AWS clients one container uses, built once per container (never at module load: the closure that Pulumi
// serializes must not capture native-backed objects, and the Lambda runtime provides the AWS SDK v3 by name).
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";

export interface AwsClients {
    ecs: ECSClient;
    autoScaling: ApplicationAutoScalingClient;
    /** Requests AWS throttled since the clients were built, every attempt counted (the SDK retries them). */
    throttledAttempts?: () => number;
}

/**
 * Adaptive retries: the ECS read and modify buckets are shared by every caller in the account, and a batch
 * reconciler is the latency-tolerant, throttling-prone client the adaptive mode is meant for. Eight attempts ride
 * out a burst of throttling (the SDK backs off up to 20 s per retry); a pass that still fails ends cleanly and the
 * next one repairs.
 */
export const RETRY_MODE = "adaptive";
export const MAX_ATTEMPTS = 8;
/** Shows in CloudTrail's userAgent, so the rebalancer's calls can be told from everyone else's. */
export const USER_AGENT = "ecs-rebalancer";

export interface AwsClientOptions {
    /** Defaults to the SDK's region chain (AWS_REGION in Lambda). */
    region?: string;
}

/**
 * Builds both clients with the standard endpoint resolution, so `AWS_ENDPOINT_URL_ECS` and
 * `AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING` point them at a local emulator without this code reading them.
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
    const { ECSClient: Ecs } = require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs");
    const { ApplicationAutoScalingClient: AutoScaling } = require("@aws-sdk/client-application-auto-scaling") as typeof import("@aws-sdk/client-application-auto-scaling");
    const config = {
        retryMode: RETRY_MODE,
        maxAttempts: MAX_ATTEMPTS,
        customUserAgent: USER_AGENT,
        ...(options.region ? { region: options.region } : {}),
    };
    const ecs = new Ecs(config);
    const autoScaling = new AutoScaling(config);
    let throttled = 0;
    // Inside the retry middleware (finalizeRequest, which retries at high priority), after deserialization: it
    // sees every attempt's error as the SDK classifies it.
    const countThrottles = <I, O>(next: (args: I) => Promise<O>) => async (args: I): Promise<O> => {
        try {
            return await next(args);
        } catch (err) {
            if (isThrottlingError(err)) throttled += 1;
            throw err;
        }
    };
    const placement = { step: "finalizeRequest" as const, priority: "low" as const, name: "ecsRebalancerThrottleCounter" };
    ecs.middlewareStack.add(countThrottles as never, placement as never);
    autoScaling.middlewareStack.add(countThrottles as never, placement as never);
    return { ecs, autoScaling, throttledAttempts: () => throttled };
}

/**
 * The error codes AWS SDKs treat as throttling (the SDK's own list), or HTTP 429. An array, not a Set: Pulumi's
 * closure serialization does not rebuild a captured Set (the deployed code failed with "Set.prototype.has called on
 * incompatible receiver").
 */
const THROTTLING_ERRORS: readonly string[] = [
    "ThrottlingException", "Throttling", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
];

export function isThrottlingError(err: unknown): boolean {
    const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown }; $retryable?: { throttling?: unknown } } | undefined;
    if (!e || typeof e !== "object") return false;
    return (typeof e.name === "string" && THROTTLING_ERRORS.includes(e.name)) || e.$metadata?.httpStatusCode === 429 || e.$retryable?.throttling === true;
}
