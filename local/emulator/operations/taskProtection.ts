// GetTaskProtection, UpdateTaskProtection: scale-in protection of service tasks (protects against scale-in and
// deployments, not StopTask). expiresInMinutes: 1–2880, default 120.

import { invalidParameter } from "../errors";
import { isProtected, type TaskState } from "../model";
import { epochSeconds, type Json } from "../serialize";
import { findTask, identifierList, optionalBoolean, optionalInteger, resolveCluster, type Operation } from "./common";
import type { EmulatorCore } from "../core";

function protection(task: TaskState, now: number): Json {
    const enabled = isProtected(task, now);
    return enabled ? { taskArn: task.arn, protectionEnabled: true, expirationDate: epochSeconds(task.protectedUntil) } : { taskArn: task.arn, protectionEnabled: false };
}

function lookup(core: EmulatorCore, input: Json, max: number) {
    const cluster = resolveCluster(core, input.cluster);
    const ids = identifierList(input, "tasks", "tasks", max);
    const found: TaskState[] = [];
    const failures: Json[] = [];
    for (const id of ids) {
        const task = findTask(cluster, id);
        if (!task) failures.push({ arn: id, reason: "MISSING" });
        else if (!task.service || task.desiredStatus !== "RUNNING") {
            failures.push({ arn: task.arn, reason: "TASK_NOT_VALID", detail: "The task is not a running task of a service." });
        } else found.push(task);
    }
    return { found, failures };
}

export const getTaskProtection: Operation = (core, input) => {
    const now = core.clock.now();
    const { found, failures } = lookup(core, input, 100);
    return { protectedTasks: found.map((t) => protection(t, now)), failures };
};

/** Sets or clears protection; also what the control API uses. */
export function setTaskProtection(task: TaskState, enabled: boolean, expiresInMinutes: number, now: number): void {
    task.protectedUntil = enabled ? now + expiresInMinutes * 60_000 : undefined;
}

export const updateTaskProtection: Operation = (core, input) => {
    const now = core.clock.now();
    const enabled = optionalBoolean(input, "protectionEnabled");
    if (enabled === undefined) throw invalidParameter("protectionEnabled can not be blank.");
    const minutes = optionalInteger(input, "expiresInMinutes") ?? 120;
    if (minutes < 1 || minutes > 2880) throw invalidParameter("expiresInMinutes must be between 1 and 2880.");
    const { found, failures } = lookup(core, input, 10);
    for (const t of found) setTaskProtection(t, enabled, minutes, now);
    return { protectedTasks: found.map((t) => protection(t, now)), failures };
};
