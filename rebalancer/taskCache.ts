// The tasks a warm container need not describe again: per cluster, the tasks last described in a state where no
// field observe maps (snapshotMapping.ts toTask) can change any more while ListTasks still lists them. Built once per
// container (handler.ts); observe lists every task each pass and describes only the listed tasks not served here.
//
// Which tasks qualify, from the AWS documentation:
// - ListTasks lists the tasks ECS has set to desired status RUNNING (API reference ListTasks, desiredStatus), but the
//   same page warns that "recently stopped tasks might appear in the returned results": a task ECS (or this function)
//   just set to STOPPED may still be listed for a while, and served from here as RUNNING. So the last look before a
//   service's writes (recheck.ts) describes again every task of that service this cache served, and a write waits if
//   one of them changed (the cache then forgets it); the floor never rests on a served task alone.
// - lastStatus goes PROVISIONING → PENDING → ACTIVATING → RUNNING, and from RUNNING only on towards STOPPED once the
//   task stops (developer guide "Task lifecycle", task-lifecycle.md): a listed RUNNING task stays RUNNING. Before
//   RUNNING, lastStatus moves, and a PROVISIONING task has no container instance yet: those are described each pass.
// - The container instance, group (service), task definition, cpu/memory, startedBy are set when ECS creates or
//   places the task; startedAt and the containers' network bindings when it starts running.
// - healthStatus: "UNKNOWN — the container health check is being evaluated, there's no container health check
//   defined, or Amazon ECS doesn't have the health status"; with a health check it moves HEALTHY ⇄ UNHEALTHY for as
//   long as the task runs (API reference HealthCheck, Task.healthStatus; developer guide "Determine Amazon ECS task
//   health using container health checks"). UNKNOWN alone does not say which: only the task definition does. So a
//   task is served only when its definition has no container health check, and then it stays UNKNOWN.
// - A container restart policy restarts a container in place, without replacing the task (developer guide "Restart
//   individual containers in Amazon ECS tasks with container restart policies"); the page does not say the restarted
//   container keeps its bindings (its FireLens note says an address changes), so such tasks are described each pass.
// The definition's verdict is TaskDefinitionFacts.runningTaskCanChange, from the container's task-definition cache;
// a definition not known yet keeps its tasks described, and observe reads a few such definitions per pass
// (definitionsToLearn) so that later passes can serve them.
import type { Task, TaskDefinitionFacts } from "./model";

/** Definitions read per pass so the cache can serve their tasks: the sustained rate of ECS's "Task definition read" bucket for one second. */
export const DEFINITIONS_LEARNED_PER_PASS = 20;
/** Tasks kept over every cluster: when a pass leaves more, the clusters read longest ago are forgotten first. */
export const TASK_CACHE_LIMIT = 250_000;
/** Definitions that could not be read, not asked for again (a deleted revision stays unreadable); emptied when full. */
const UNREADABLE_DEFINITIONS_LIMIT = 1000;

export interface TaskCacheLookup {
    /** Listed tasks served from the cache, by ARN. */
    served: Map<string, Task>;
    /** Listed tasks to describe (in listing order). */
    toDescribe: string[];
}

export interface TaskCache {
    /** Splits this pass's listing (unique ARNs) into tasks served from the cache and tasks to describe. */
    lookup(clusterArn: string, listed: readonly string[]): TaskCacheLookup;
    /**
     * After the read: the cluster keeps only tasks still listed, plus the described tasks that can no longer change.
     * `definition` is the container's task-definition knowledge at that moment.
     */
    update(clusterArn: string, listed: readonly string[], described: readonly Task[], definition: (arn: string) => TaskDefinitionFacts | undefined): void;
    /** Definitions not known yet whose tasks could be served once known, those with the most tasks first, at most `limit`. */
    definitionsToLearn(described: readonly Task[], known: (arn: string) => boolean, limit?: number): string[];
    /** These definitions could not be read: definitionsToLearn leaves them out from now on. */
    noteUnreadable(definitionArns: readonly string[]): void;
    /** The tasks the last lookup of the cluster served (not described by that read). */
    servedLastRead(clusterArn: string): ReadonlySet<string>;
    /** These tasks are described again by the next read (a last look found one changed). */
    forget(clusterArn: string, taskArns: readonly string[]): void;
    /** Tasks kept, over every cluster. */
    readonly size: number;
}

/** The task, as described, can no longer change while it is listed: it may be served from the cache. */
export function isSettled(task: Task, definition: TaskDefinitionFacts | undefined): boolean {
    return settledButForDefinition(task) && definition !== undefined && !definition.runningTaskCanChange;
}

/** Everything the task's own description can say is settled; whether it is depends on its definition. */
function settledButForDefinition(task: Task): boolean {
    return task.lastStatus === "RUNNING" &&
        task.desiredStatus === "RUNNING" &&
        task.containerInstanceArn !== undefined &&
        // HEALTHY or UNHEALTHY proves a health check, whatever a definition says.
        (task.healthStatus === undefined || task.healthStatus === "UNKNOWN") &&
        task.taskDefinitionArn !== "";
}

/** A copy, so no caller can change what the cache holds (snapshots are handed on to the planner and the log). */
function copyOf(task: Task): Task {
    return { ...task, reservation: { ...task.reservation }, hostPorts: [...task.hostPorts] };
}

export function createTaskCache(limit = TASK_CACHE_LIMIT): TaskCache {
    // Cluster → its settled tasks; Map order is the order clusters were last updated (oldest first).
    const clusters = new Map<string, Map<string, Task>>();
    const servedLast = new Map<string, Set<string>>();
    let size = 0;
    const unreadable = new Set<string>();
    return {
        lookup(clusterArn, listed) {
            const kept = clusters.get(clusterArn);
            const served = new Map<string, Task>();
            const toDescribe: string[] = [];
            for (const arn of listed) {
                const task = kept?.get(arn);
                if (task) served.set(arn, copyOf(task));
                else toDescribe.push(arn);
            }
            servedLast.set(clusterArn, new Set(served.keys()));
            return { served, toDescribe };
        },
        servedLastRead(clusterArn) {
            return servedLast.get(clusterArn) ?? new Set<string>();
        },
        forget(clusterArn, taskArns) {
            const kept = clusters.get(clusterArn);
            for (const arn of taskArns) if (kept?.delete(arn)) size--;
        },
        update(clusterArn, listed, described, definition) {
            const before = clusters.get(clusterArn);
            const byArn = new Map(described.map((t) => [t.arn, t]));
            const after = new Map<string, Task>();
            for (const arn of listed) {
                const kept = before?.get(arn);
                if (kept) {
                    after.set(arn, kept);
                    continue;
                }
                const task = byArn.get(arn);
                if (task && isSettled(task, definition(task.taskDefinitionArn))) after.set(arn, copyOf(task));
            }
            size += after.size - (before?.size ?? 0);
            clusters.delete(clusterArn);
            clusters.set(clusterArn, after);
            for (const [other, tasks] of clusters) {
                if (size <= limit || other === clusterArn) break;
                size -= tasks.size;
                clusters.delete(other);
                servedLast.delete(other);
            }
        },
        definitionsToLearn(described, known, max = DEFINITIONS_LEARNED_PER_PASS) {
            const tasksPerDefinition = new Map<string, number>();
            for (const t of described) {
                if (!settledButForDefinition(t) || known(t.taskDefinitionArn) || unreadable.has(t.taskDefinitionArn)) continue;
                tasksPerDefinition.set(t.taskDefinitionArn, (tasksPerDefinition.get(t.taskDefinitionArn) ?? 0) + 1);
            }
            return [...tasksPerDefinition]
                .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
                .slice(0, Math.max(0, max))
                .map(([arn]) => arn);
        },
        noteUnreadable(definitionArns) {
            for (const arn of definitionArns) {
                if (unreadable.size >= UNREADABLE_DEFINITIONS_LIMIT) unreadable.clear();
                unreadable.add(arn);
            }
        },
        get size() {
            return size;
        },
    };
}
