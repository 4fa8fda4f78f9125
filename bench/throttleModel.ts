// How long a read takes under ECS's request throttling, from the token-bucket model of the API reference
// (burst, then the sustained rate; one bucket per category, per account and Region). The client is ideal: it sends
// each call the moment a token is there, so the figure is the least time the documented rates allow — an SDK
// that backs off after ThrottlingException takes longer. Calls in one bucket are sequential (observe() reads
// each category in one chain); chains in different buckets run side by side.

import { THROTTLE_CATEGORIES } from "../local/emulator";

export interface Bucket {
    burst: number;
    /** Tokens per second. */
    sustained: number;
}

/** Seconds for `calls` sequential calls of `latencyMs` each, starting with a full bucket. */
export function sequentialCallsSeconds(calls: number, bucket: Bucket, latencyMs: number): number {
    let t = 0;
    let tokens = bucket.burst;
    let last = 0;
    for (let i = 0; i < calls; i++) {
        tokens = Math.min(bucket.burst, tokens + ((t - last) / 1000) * bucket.sustained);
        last = t;
        if (tokens < 1) {
            t += ((1 - tokens) / bucket.sustained) * 1000;
            tokens = 1;
            last = t;
        }
        tokens -= 1;
        t += latencyMs;
    }
    return t / 1000;
}

export function bucketOf(operation: string): Bucket | undefined {
    const category = THROTTLE_CATEGORIES.find((c) => c.operations.includes(operation));
    return category ? { burst: category.burst, sustained: category.sustained } : undefined;
}

/**
 * observe()'s three chains: instances then tasks (cluster resource read), services (service read), scalable
 * targets (Application Auto Scaling publishes no rate: the emulator's own 50 / 20 bucket). The pass takes as long
 * as its slowest.
 */
export const OBSERVE_CHAINS: readonly (readonly string[])[] = [
    ["ListContainerInstances", "DescribeContainerInstances", "ListTasks", "DescribeTasks"],
    ["ListServices", "DescribeServices"],
    ["DescribeScalableTargets"],
];

export function observeSecondsUnderThrottling(calls: Record<string, number>, latencyMs: number, throttled = true): { seconds: number; chains: number[] } {
    const chains = OBSERVE_CHAINS.map((ops) => {
        const n = ops.reduce((s, op) => s + (calls[op] ?? 0), 0);
        const buckets = new Set(ops.map(bucketOf).map((b) => JSON.stringify(b ?? null)));
        if (buckets.size !== 1) throw new Error(`chain ${ops.join(", ")} spans ${buckets.size} throttling buckets`);
        const bucket = throttled ? bucketOf(ops[0]) : undefined;
        return bucket ? sequentialCallsSeconds(n, bucket, latencyMs) : (n * latencyMs) / 1000;
    });
    return { seconds: Math.max(...chains), chains };
}
