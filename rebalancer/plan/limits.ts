// A service's limits, in one place: the healthy floor a move must keep, the ceiling a surge must stay under, and
// which tasks count toward the floor. Every strategy and the surge repair use these and nothing else.
//
// API reference, DeploymentConfiguration: the floor is desiredCount × minimumHealthyPercent / 100 rounded up, the
// ceiling desiredCount × maximumPercent / 100 rounded down; "if a task has no essential containers with a health
// check defined, the service scheduler will wait for 40 seconds after a task reaches a RUNNING state before the task
// is counted towards the minimum healthy percent total", and one with a health check counts once HEALTHY.

import type { Task } from "../model";

/** A task without a container health check counts toward minimumHealthyPercent 40 s after RUNNING. */
export const HEALTHY_AFTER_RUNNING_MS = 40_000;

export function healthyFloor(desired: number, minimumHealthyPercent: number): number {
    return Math.ceil((desired * minimumHealthyPercent) / 100);
}

export function ceilingOf(desired: number, maximumPercent: number): number {
    return Math.floor((desired * maximumPercent) / 100);
}

/**
 * Counts toward the healthy floor as ECS counts it: running and wanted, never UNHEALTHY, and HEALTHY or RUNNING for
 * 40 s. The snapshot cannot tell a task without a health check (UNKNOWN for good) from one whose check has not passed
 * yet (UNKNOWN until it does); both count after 40 s, and the movable tasks are older than minTaskAgeSeconds anyway.
 */
export function countsTowardFloor(task: Task, now: number): boolean {
    if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING" || task.healthStatus === "UNHEALTHY") return false;
    return task.healthStatus === "HEALTHY" || (task.startedAt !== undefined && now - task.startedAt >= HEALTHY_AFTER_RUNNING_MS);
}
