// Limits of the AWS resources the stack config tunes: shared by the config reader (which names the key) and
// by the TaskRebalancer component (which validates its own args, so it is safe to use from other programs).

/** CloudWatch Logs accepts only these retention periods (0 = never expire). */
export const LOG_RETENTION_DAYS: readonly number[] = [
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Lambda memory: AWS allows 128–10240 MB. */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10240 } as const;

/** Lambda timeout: AWS allows up to 900 s; below 10 s not even one page of ECS reads survives a cold start. */
export const LAMBDA_TIMEOUT_SECONDS = { min: 10, max: 900 } as const;

export function describeInvalidRetention(value: unknown): string | undefined {
    return typeof value === "number" && LOG_RETENTION_DAYS.includes(value)
        ? undefined
        : `expected one of the CloudWatch Logs retention periods ${LOG_RETENTION_DAYS.join(", ")} (0 = never expire)`;
}

export function describeInvalidIntegerRange(value: unknown, range: { min: number; max: number }): string | undefined {
    return typeof value === "number" && Number.isInteger(value) && value >= range.min && value <= range.max
        ? undefined
        : `expected an integer from ${range.min} to ${range.max}`;
}

/** The function's defaults (also the stack config's defaults; see Pulumi.yaml). */
export const DEFAULT_LOG_RETENTION_DAYS = 30;
/**
 * 1 GB: a pass holds a whole cluster snapshot (up to 5,000 services and their tasks) and parses SDK responses; Lambda
 * gives CPU in proportion to memory, so this also keeps the pure planner fast. At one pass every few minutes the cost
 * is negligible.
 */
export const DEFAULT_LAMBDA_MEMORY_MB = 1024;
/**
 * 300 s: reading a 5,000-service cluster takes 500 DescribeServices calls plus task and instance pages, which under
 * ECS's throttling (and the SDK's backoff) is tens of seconds to a few minutes. A pass cut short is harmless (the next
 * pass repairs), and 300 s stays well under the default 15-minute sweep, so passes never pile up.
 */
export const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 300;
