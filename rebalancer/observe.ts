// One read of a cluster with the fewest calls ECS allows: list pages of 100, describe in the largest batches; on a
// warm container, only the listed tasks its task cache cannot serve are described (taskCache.ts).
// Partial answers (failures[], resources that vanished between list and describe) are recorded, never thrown;
// errors (throttling after the SDK's retries, access denied) propagate and end the pass, and so does too little
// Lambda time left before a request (ReadDeadlineError, readDeadline.ts).
import type { Deadline } from "./act";
import { clusterNameOf } from "./arns";
import type { AwsClients } from "./awsClients";
import type { ApiCalls } from "./apiCalls";
import { chunk, countCall } from "./apiCalls";
import type { ClusterSnapshot, ContainerInstance, ObserveFailure, Service, Task } from "./model";
import { checkReadDeadline, isReadDeadline } from "./readDeadline";
import type { TaskCache } from "./taskCache";
import type { TaskDefinitionCache } from "./taskDefinitions";
import { readTaskDefinitions } from "./taskDefinitions";
import { errorText } from "./errors";
import { toContainerInstance, toFailures, toService, toTask } from "./snapshotMapping";

/** ECS per-call limits (API reference): list pages up to 100, DescribeServices 10, the other describes 100. */
export const LIST_PAGE_SIZE = 100;
export const DESCRIBE_SERVICES_BATCH = 10;
export const DESCRIBE_INSTANCES_BATCH = 100;
export const DESCRIBE_TASKS_BATCH = 100;
/** Application Auto Scaling allows at most 50 scalable targets per page. */
export const SCALABLE_TARGETS_PAGE_SIZE = 50;

export interface ObserveOptions {
    /** The container's task cache: listed tasks it holds are not described again. Absent: every task is described. */
    taskCache?: TaskCache;
    /** Checked before every request; absent: no limit. */
    deadline?: Deadline;
}

function ecsSdk(): typeof import("@aws-sdk/client-ecs") {
    return require("@aws-sdk/client-ecs");
}

async function readInstances(clients: AwsClients, cluster: string, calls: ApiCalls, failures: ObserveFailure[], deadline?: Deadline): Promise<ContainerInstance[]> {
    const sdk = ecsSdk();
    const arns: string[] = [];
    checkReadDeadline(deadline, "ListContainerInstances");
    for await (const page of sdk.paginateListContainerInstances({ client: clients.ecs, pageSize: LIST_PAGE_SIZE, stopOnSameToken: true }, { cluster })) {
        countCall(calls, "ListContainerInstances");
        arns.push(...(page.containerInstanceArns ?? []));
        if (page.nextToken) checkReadDeadline(deadline, "ListContainerInstances");
    }
    const out: ContainerInstance[] = [];
    for (const batch of chunk(unique(arns), DESCRIBE_INSTANCES_BATCH)) {
        checkReadDeadline(deadline, "DescribeContainerInstances");
        const res = await clients.ecs.send(new sdk.DescribeContainerInstancesCommand({ cluster, containerInstances: batch }));
        countCall(calls, "DescribeContainerInstances");
        failures.push(...toFailures(res.failures, "DescribeContainerInstances"));
        for (const ci of res.containerInstances ?? []) {
            const instance = toContainerInstance(ci);
            if (instance) out.push(instance);
        }
    }
    return out;
}

interface TaskRead {
    /** Every listed task, as served or described, in listing order. */
    tasks: Task[];
    /** The listing (unique ARNs) and the tasks described this pass: what the task cache learns from. */
    listed: string[];
    described: Task[];
}

async function readTasks(clients: AwsClients, cluster: string, calls: ApiCalls, failures: ObserveFailure[], options: ObserveOptions): Promise<TaskRead> {
    const sdk = ecsSdk();
    const { deadline, taskCache } = options;
    const arns: string[] = [];
    // desiredStatus RUNNING (the default): tasks on their way out are not ours to count.
    checkReadDeadline(deadline, "ListTasks");
    for await (const page of sdk.paginateListTasks({ client: clients.ecs, pageSize: LIST_PAGE_SIZE, stopOnSameToken: true }, { cluster })) {
        countCall(calls, "ListTasks");
        arns.push(...(page.taskArns ?? []));
        if (page.nextToken) checkReadDeadline(deadline, "ListTasks");
    }
    const listed = unique(arns);
    const { served, toDescribe } = taskCache ? taskCache.lookup(cluster, listed) : { served: new Map<string, Task>(), toDescribe: listed };
    const described: Task[] = [];
    for (const batch of chunk(toDescribe, DESCRIBE_TASKS_BATCH)) {
        checkReadDeadline(deadline, "DescribeTasks");
        const res = await clients.ecs.send(new sdk.DescribeTasksCommand({ cluster, tasks: batch }));
        countCall(calls, "DescribeTasks");
        failures.push(...toFailures(res.failures, "DescribeTasks"));
        for (const t of res.tasks ?? []) {
            const task = toTask(t);
            if (task) described.push(task);
        }
    }
    // Listing order, whichever order ECS answered in, so a warm read and a cold one list the same tasks alike.
    const position = new Map(listed.map((arn, i) => [arn, i]));
    const tasks = [...served.values(), ...described].sort((a, b) => (position.get(a.arn) ?? Infinity) - (position.get(b.arn) ?? Infinity));
    return { tasks, listed, described };
}

async function readServices(clients: AwsClients, cluster: string, calls: ApiCalls, failures: ObserveFailure[], deadline?: Deadline): Promise<Array<Omit<Service, "autoScaled">>> {
    const sdk = ecsSdk();
    const arns: string[] = [];
    // ListServices pages hold 10 unless asked for more.
    checkReadDeadline(deadline, "ListServices");
    for await (const page of sdk.paginateListServices({ client: clients.ecs, pageSize: LIST_PAGE_SIZE, stopOnSameToken: true }, { cluster })) {
        countCall(calls, "ListServices");
        arns.push(...(page.serviceArns ?? []));
        if (page.nextToken) checkReadDeadline(deadline, "ListServices");
    }
    const out: Array<Omit<Service, "autoScaled">> = [];
    for (const batch of chunk(unique(arns), DESCRIBE_SERVICES_BATCH)) {
        checkReadDeadline(deadline, "DescribeServices");
        const res = await clients.ecs.send(new sdk.DescribeServicesCommand({ cluster, services: batch, include: ["TAGS"] }));
        countCall(calls, "DescribeServices");
        failures.push(...toFailures(res.failures, "DescribeServices"));
        for (const s of res.services ?? []) {
            const service = toService(s, false);
            if (service) out.push(service);
        }
    }
    return out;
}

/**
 * Names of this cluster's services whose desiredCount Application Auto Scaling owns, or undefined when they could
 * not be read (then every service is taken as auto-scaled: the planner never surges what it cannot prove it owns).
 */
async function readAutoScaledServices(clients: AwsClients, clusterName: string, calls: ApiCalls, failures: ObserveFailure[], deadline?: Deadline): Promise<Set<string> | undefined> {
    const { paginateDescribeScalableTargets } = require("@aws-sdk/client-application-auto-scaling") as typeof import("@aws-sdk/client-application-auto-scaling");
    const prefix = `service/${clusterName}/`;
    const names = new Set<string>();
    checkReadDeadline(deadline, "DescribeScalableTargets");
    try {
        const pages = paginateDescribeScalableTargets(
            { client: clients.autoScaling, pageSize: SCALABLE_TARGETS_PAGE_SIZE, stopOnSameToken: true },
            // No ScalableDimension filter: the API refuses one without ResourceIds ("If you specify a scalable
            // dimension, you must also specify a resource ID"); the namespace is filtered here instead.
            { ServiceNamespace: "ecs" },
        );
        for await (const page of pages) {
            countCall(calls, "DescribeScalableTargets");
            for (const target of page.ScalableTargets ?? []) {
                const id = target.ResourceId ?? "";
                if (target.ScalableDimension === "ecs:service:DesiredCount" && id.startsWith(prefix)) names.add(id.slice(prefix.length));
            }
            if (page.NextToken) checkReadDeadline(deadline, "DescribeScalableTargets");
        }
        return names;
    } catch (err) {
        if (isReadDeadline(err)) throw err;
        failures.push({ reason: "AUTO_SCALING_UNREADABLE", detail: `DescribeScalableTargets: ${errorText(err)}; every service taken as auto-scaled` });
        return undefined;
    }
}

function unique(values: string[]): string[] {
    return [...new Set(values)];
}

/**
 * Reads the cluster into a snapshot. Task definitions come from the per-container cache only (the plan names the
 * ones it needs; see taskDefinitions.ts); scale-in protection is read later, for stop candidates only. With a task
 * cache, the snapshot is the one a read without it gives (taskCache.ts says why); the cache then learns from this read.
 */
export async function observe(
    clients: AwsClients,
    clusterArn: string,
    cache: TaskDefinitionCache,
    now: number,
    calls: ApiCalls,
    options: ObserveOptions = {},
): Promise<ClusterSnapshot> {
    const failures: ObserveFailure[] = [];
    const { deadline } = options;
    // Instances and tasks share ECS's "cluster resource read" bucket, services the "service read" one, and
    // scalable targets another service: the three chains run side by side, each sequential within itself.
    // allSettled, so no chain is still calling ECS when the first error ends the pass.
    const settled = await Promise.allSettled([
        readInstances(clients, clusterArn, calls, failures, deadline).then(async (i) => [i, await readTasks(clients, clusterArn, calls, failures, options)] as const),
        readServices(clients, clusterArn, calls, failures, deadline),
        readAutoScaledServices(clients, clusterNameOf(clusterArn), calls, failures, deadline),
    ]);
    for (const s of settled) if (s.status === "rejected") throw s.reason;
    const [[instances, taskRead], services, autoScaled] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
        readonly [ContainerInstance[], TaskRead],
        Array<Omit<Service, "autoScaled">>,
        Set<string> | undefined,
    ];
    const taskDefinitions: ClusterSnapshot["taskDefinitions"] = {};
    const referenced = new Set<string>();
    for (const s of services) {
        referenced.add(s.taskDefinition);
        for (const d of s.deployments) referenced.add(d.taskDefinition);
    }
    for (const t of taskRead.tasks) referenced.add(t.taskDefinitionArn);
    for (const arn of referenced) {
        const facts = cache.get(arn);
        if (facts) taskDefinitions[arn] = facts;
    }
    const snapshot: ClusterSnapshot = {
        clusterArn,
        observedAt: now,
        instances,
        services: services.map((s) => ({ ...s, autoScaled: autoScaled === undefined ? true : autoScaled.has(s.name) })),
        tasks: taskRead.tasks,
        taskDefinitions,
        failures,
    };
    if (options.taskCache) await teachTaskCache(clients, clusterArn, cache, options.taskCache, taskRead, calls, deadline);
    return snapshot;
}

/**
 * After the snapshot is taken (so it never depends on them): reads a few task definitions the task cache needs to
 * judge described tasks, then lets it keep what can no longer change. Only while the pass has time to spare: a
 * definition not read now is read by a later pass, and its unreadable ones are the cache's business, not the log's.
 */
async function teachTaskCache(
    clients: AwsClients,
    clusterArn: string,
    definitions: TaskDefinitionCache,
    taskCache: TaskCache,
    read: TaskRead,
    calls: ApiCalls,
    deadline: Deadline | undefined,
): Promise<void> {
    const wanted = taskCache.definitionsToLearn(read.described, (arn) => definitions.get(arn) !== undefined);
    if (wanted.length > 0 && hasTimeToRead(deadline)) {
        try {
            const learned = await readTaskDefinitions(clients, wanted, definitions, calls, deadline);
            taskCache.noteUnreadable(learned.failures.flatMap((f) => (f.arn ? [f.arn] : [])));
        } catch (err) {
            // Out of time half way: what was read is in the definition cache; the rest waits for a later pass.
            if (!isReadDeadline(err)) throw err;
        }
    }
    taskCache.update(clusterArn, read.listed, read.described, (arn) => definitions.get(arn));
}

function hasTimeToRead(deadline: Deadline | undefined): boolean {
    try {
        checkReadDeadline(deadline, "DescribeTaskDefinition");
        return true;
    } catch (err) {
        if (isReadDeadline(err)) return false;
        throw err;
    }
}
