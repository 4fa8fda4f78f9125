// How long things take on the emulated clock. Values come from ECS documentation where it gives one; the others
// are the emulator's choices, documented as such. Every value can be overridden per emulator.

export interface Timing {
    /** Emulated time one API call takes (VirtualClock only). Emulator choice. */
    apiLatencyMs: number;
    /** From a change (stop, new instance, UpdateService...) to the service scheduler acting on it. Emulator choice. */
    schedulerDelayMs: number;
    /** PENDING → RUNNING: image pull and container start. Emulator choice. */
    taskStartMs: number;
    /**
     * STOPPING → STOPPED when the task definition sets no stopTimeout: the agent's default ECS_CONTAINER_STOP_TIMEOUT
     * of 30 s (the container is killed after it; the emulator assumes it uses all of it).
     */
    taskStopMs: number;
    /** RUNNING → HEALTHY (or UNHEALTHY) for task definitions with a container health check. Emulator choice. */
    healthCheckMs: number;
    /**
     * A task with no container health check counts toward minimumHealthyPercent only this long after it is RUNNING:
     * "the service scheduler will wait for 40 seconds after a task reaches a RUNNING state" (API reference,
     * DeploymentConfiguration.minimumHealthyPercent).
     */
    healthyDelayMs: number;
    /** Retry of failed placements while a deployment circuit breaker is counting them. Emulator choice. */
    placementRetryMs: number;
    /**
     * Managed scaling: a CapacityProviderReservation above the target raises the group's desired capacity this long
     * after ECS first sees it ("Every minute, Amazon ECS collects information", developer guide "Amazon ECS cluster
     * auto scaling"; the high alarm acts on that minute's data point). The emulator takes one minute.
     */
    scaleOutAlarmMs: number;
    /** Below the target, for scale-in: "CloudWatch scale-in alarms require 15 data points (15 minutes)" (same page). */
    scaleInAlarmMs: number;
    /** A launched EC2 instance boots and its agent registers with the cluster. Emulator choice. */
    instanceLaunchMs: number;
    /** STOPPED tasks stay describable this long (ECS: "at least an hour"). */
    stoppedTaskRetentionMs: number;
    /** Deregistered instances and deleted services stay describable this long (ECS docs: one hour). */
    inactiveRetentionMs: number;
    /**
     * SERVICE_STEADY_STATE again every this long while a service stays steady ("The service scheduler reports the
     * status periodically"); 0 = off, the default (periodic: runUntilIdle() then never finds the world idle). The
     * period is not documented: emulator choice (churn.ts).
     */
    steadyStateReemitMs: number;
}

export const DEFAULT_TIMING: Readonly<Timing> = {
    apiLatencyMs: 10,
    schedulerDelayMs: 1_000,
    taskStartMs: 5_000,
    taskStopMs: 30_000,
    healthCheckMs: 10_000,
    healthyDelayMs: 40_000,
    placementRetryMs: 15_000,
    scaleOutAlarmMs: 60_000,
    scaleInAlarmMs: 900_000,
    instanceLaunchMs: 60_000,
    stoppedTaskRetentionMs: 3_600_000,
    inactiveRetentionMs: 3_600_000,
    steadyStateReemitMs: 0,
};

export function resolveTiming(overrides: Partial<Timing> = {}): Timing {
    const timing = { ...DEFAULT_TIMING, ...overrides };
    for (const [key, value] of Object.entries(timing)) {
        if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
            throw new Error(`timing.${key} must be a non-negative number of milliseconds, got ${String(value)}`);
        }
    }
    return timing;
}
