// A last look right before a service's writes. A pass reads the whole cluster, plans, perhaps reads more, then
// writes; over a large cluster that takes seconds, and ECS has no conditional write. So each service is read again
// (and its stop victims) just before its writes: if its owner, Service Auto Scaling, a deployment or EC2 changed it
// since the snapshot, its writes are skipped and the next pass plans from the new state. This narrows the window
// for a concurrent change to the time between this read and the write; it cannot close it.

import type { AwsClients } from "./awsClients";
import type { ApiCalls } from "./apiCalls";
import { countCall } from "./apiCalls";
import type { ClusterSnapshot, Service, Task } from "./model";
import type { Action } from "./plan/types";
import type { TaskCache } from "./taskCache";
import { toService, toTask } from "./snapshotMapping";

const DESCRIBE_TASKS_BATCH = 100;

/** The service's writes may go ahead (undefined), or why not. */
export type Recheck = (serviceArn: string, actions: readonly Action[]) => Promise<string | undefined>;

function deploymentsKey(s: Service): string {
    return s.deployments.map((d) => `${d.id}:${d.status}:${d.rolloutState ?? ""}:${d.taskDefinition}:${d.desiredCount}`).sort().join("|");
}

/** What about a service must be as it was observed for its planned writes to still make sense. */
export function serviceDrift(observed: Service, now: Service | undefined): string | undefined {
    if (!now) return "the service is gone";
    if (now.status !== observed.status) return `status ${observed.status} → ${now.status}`;
    if (now.desiredCount !== observed.desiredCount) return `desiredCount ${observed.desiredCount} → ${now.desiredCount}`;
    if (now.runningCount !== observed.runningCount || now.pendingCount !== observed.pendingCount) {
        return `running/pending ${observed.runningCount}/${observed.pendingCount} → ${now.runningCount}/${now.pendingCount}`;
    }
    if (deploymentsKey(now) !== deploymentsKey(observed)) return "its deployments changed";
    for (const key of new Set([...Object.keys(observed.tags), ...Object.keys(now.tags)])) {
        if (key.startsWith("ecs-rebalancer:") && observed.tags[key] !== now.tags[key]) return `tag ${key} changed`;
    }
    return undefined;
}

/**
 * A victim must still be the task, on the instance, that the plan chose: running for a stop; for a restore's victim
 * (it may be a task still starting) still wanted, in the state it was seen in.
 */
export function victimDrift(observed: Task, now: Task | undefined): string | undefined {
    if (!now) return `task ${observed.arn.split("/").pop()} is gone`;
    if (now.desiredStatus !== "RUNNING" || now.lastStatus !== observed.lastStatus) return `task ${observed.arn.split("/").pop()} is ${now.lastStatus}/${now.desiredStatus}`;
    if (now.containerInstanceArn !== observed.containerInstanceArn) return `task ${observed.arn.split("/").pop()} moved`;
    return undefined;
}

/**
 * `taskCache`: the container's cache, when the snapshot's read used it. The tasks of the service it served (not
 * described by this pass) are described again with the victims: a task ECS set to STOPPED may still be listed for a
 * while (taskCache.ts), and the floor must not count it.
 */
/** A task the cache served must still be what it served: running, wanted, healthy as it was, where it was. */
export function servedTaskDrift(observed: Task, now: Task | undefined): string | undefined {
    const id = observed.arn.split("/").pop();
    if (!now) return `task ${id} is gone`;
    if (now.desiredStatus !== observed.desiredStatus || now.lastStatus !== observed.lastStatus) return `task ${id} is ${now.lastStatus}/${now.desiredStatus}`;
    if (now.healthStatus !== observed.healthStatus) return `task ${id} is ${now.healthStatus ?? "without health status"}`;
    if (now.containerInstanceArn !== observed.containerInstanceArn) return `task ${id} moved`;
    return undefined;
}

export function liveRecheck(clients: AwsClients, snapshot: ClusterSnapshot, calls: ApiCalls, taskCache?: TaskCache): Recheck {
    const sdk = require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs");
    const services = new Map(snapshot.services.map((s) => [s.arn, s]));
    const tasks = new Map(snapshot.tasks.map((t) => [t.arn, t]));
    const served = taskCache?.servedLastRead(snapshot.clusterArn) ?? new Set<string>();
    return async (serviceArn, actions) => {
        const observed = services.get(serviceArn);
        if (!observed) return "the service was not in the snapshot";
        countCall(calls, "DescribeServices");
        const described = await clients.ecs.send(new sdk.DescribeServicesCommand({ cluster: snapshot.clusterArn, services: [serviceArn], include: ["TAGS"] }));
        const raw = described.services?.find((s) => s.serviceArn === serviceArn);
        const drift = serviceDrift(observed, raw ? toService(raw, observed.autoScaled) : undefined);
        if (drift) return drift;
        // A stop's victim, or a restore's (the only unprotected tasks ECS's scale-in may take), must still be there.
        const victims = actions.flatMap((a) => (a.kind === "stop-task" ? [a.taskArn] : a.kind === "restore-desired" ? a.victims ?? [] : []));
        const victimSet = new Set(victims);
        const servedOfService = snapshot.tasks.filter((t) => t.serviceName === observed.name && served.has(t.arn) && !victimSet.has(t.arn)).map((t) => t.arn);
        const toDescribe = [...victims, ...servedOfService];
        if (toDescribe.length === 0) return undefined;
        const now = new Map<string, Task>();
        for (let i = 0; i < toDescribe.length; i += DESCRIBE_TASKS_BATCH) {
            countCall(calls, "DescribeTasks");
            const current = await clients.ecs.send(new sdk.DescribeTasksCommand({ cluster: snapshot.clusterArn, tasks: toDescribe.slice(i, i + DESCRIBE_TASKS_BATCH) }));
            for (const t of current.tasks ?? []) {
                const task = toTask(t);
                if (task) now.set(task.arn, task);
            }
        }
        for (const arn of victims) {
            const observedTask = tasks.get(arn);
            const why = observedTask ? victimDrift(observedTask, now.get(arn)) : `task ${arn.split("/").pop()} was not in the snapshot`;
            if (why) return why;
        }
        const changed = servedOfService.filter((arn) => servedTaskDrift(tasks.get(arn)!, now.get(arn)) !== undefined);
        if (changed.length > 0) {
            taskCache?.forget(snapshot.clusterArn, changed);
            return `${servedTaskDrift(tasks.get(changed[0])!, now.get(changed[0]))} (served from the warm container's cache)`;
        }
        return undefined;
    };
}
