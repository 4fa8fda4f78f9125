// One read of a cluster with the fewest calls ECS allows: list pages of 100, describe in the largest batches.
// Partial answers (failures[], resources that vanished between list and describe) are recorded, never thrown;
// errors (throttling after the SDK's retries, access denied) propagate and end the pass.
import { clusterNameOf } from "./arns";
import type { AwsClients } from "./awsClients";
import type { ApiCalls } from "./apiCalls";
import { chunk, countCall } from "./apiCalls";
import type { ClusterSnapshot, ContainerInstance, ObserveFailure, Service, Task } from "./model";
import type { TaskDefinitionCache } from "./taskDefinitions";
import { errorText } from "./errors";
import { toContainerInstance, toFailures, toService, toTask } from "./snapshotMapping";

/** ECS per-call limits (API reference): list pages up to 100, DescribeServices 10, the other describes 100. */
export const LIST_PAGE_SIZE = 100;
export const DESCRIBE_SERVICES_BATCH = 10;
export const DESCRIBE_INSTANCES_BATCH = 100;
export const DESCRIBE_TASKS_BATCH = 100;
/** Application Auto Scaling allows at most 50 scalable targets per page. */
export const SCALABLE_TARGETS_PAGE_SIZE = 50;

function ecsSdk(): typeof import("@aws-sdk/client-ecs") {
    return require("@aws-sdk/client-ecs");
}

async function readInstances(clients: AwsClients, cluster: string, calls: ApiCalls, failures: ObserveFailure[]): Promise<ContainerInstance[]> {
    const sdk = ecsSdk();
    const arns: string[] = [];
    for await (const page of sdk.paginateListContainerInstances({ client: clients.ecs, pageSize: LIST_PAGE_SIZE, stopOnSameToken: true }, { cluster })) {
        countCall(calls, "ListContainerInstances");
        arns.push(...(page.containerInstanceArns ?? []));
    }
    const out: ContainerInstance[] = [];
    for (const batch of chunk(unique(arns), DESCRIBE_INSTANCES_BATCH)) {
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

async function readTasks(clients: AwsClients, cluster: string, calls: ApiCalls, failures: ObserveFailure[]): Promise<Task[]> {
    const sdk = ecsSdk();
    const arns: string[] = [];
    // desiredStatus RUNNING (the default): tasks on their way out are not ours to count.
    for await (const page of sdk.paginateListTasks({ client: clients.ecs, pageSize: LIST_PAGE_SIZE, stopOnSameToken: true }, { cluster })) {
        countCall(calls, "ListTasks");
        arns.push(...(page.taskArns ?? []));
    }
    const out: Task[] = [];
    for (const batch of chunk(unique(arns), DESCRIBE_TASKS_BATCH)) {
        const res = await clients.ecs.send(new sdk.DescribeTasksCommand({ cluster, tasks: batch }));
        countCall(calls, "DescribeTasks");
        failures.push(...toFailures(res.failures, "DescribeTasks"));
        for (const t of res.tasks ?? []) {
            const task = toTask(t);
            if (task) out.push(task);
        }
    }
    return out;
}

async function readServices(clients: AwsClients, cluster: string, calls: ApiCalls, failures: ObserveFailure[]): Promise<Array<Omit<Service, "autoScaled">>> {
    const sdk = ecsSdk();
    const arns: string[] = [];
    // ListServices pages hold 10 unless asked for more.
    for await (const page of sdk.paginateListServices({ client: clients.ecs, pageSize: LIST_PAGE_SIZE, stopOnSameToken: true }, { cluster })) {
        countCall(calls, "ListServices");
        arns.push(...(page.serviceArns ?? []));
    }
    const out: Array<Omit<Service, "autoScaled">> = [];
    for (const batch of chunk(unique(arns), DESCRIBE_SERVICES_BATCH)) {
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
async function readAutoScaledServices(clients: AwsClients, clusterName: string, calls: ApiCalls, failures: ObserveFailure[]): Promise<Set<string> | undefined> {
    const { paginateDescribeScalableTargets } = require("@aws-sdk/client-application-auto-scaling") as typeof import("@aws-sdk/client-application-auto-scaling");
    const prefix = `service/${clusterName}/`;
    const names = new Set<string>();
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
        }
        return names;
    } catch (err) {
        failures.push({ reason: "AUTO_SCALING_UNREADABLE", detail: `DescribeScalableTargets: ${errorText(err)}; every service taken as auto-scaled` });
        return undefined;
    }
}

function unique(values: string[]): string[] {
    return [...new Set(values)];
}

/**
 * Reads the cluster into a snapshot. Task definitions come from the per-container cache only (the plan names the
 * ones it needs; see taskDefinitions.ts); scale-in protection is read later, for stop candidates only.
 */
export async function observe(clients: AwsClients, clusterArn: string, cache: TaskDefinitionCache, now: number, calls: ApiCalls): Promise<ClusterSnapshot> {
    const failures: ObserveFailure[] = [];
    // Instances and tasks share ECS's "cluster resource read" bucket, services the "service read" one, and
    // scalable targets another service: the three chains run side by side, each sequential within itself.
    // allSettled, so no chain is still calling ECS when the first error ends the pass.
    const settled = await Promise.allSettled([
        readInstances(clients, clusterArn, calls, failures).then(async (i) => [i, await readTasks(clients, clusterArn, calls, failures)] as const),
        readServices(clients, clusterArn, calls, failures),
        readAutoScaledServices(clients, clusterNameOf(clusterArn), calls, failures),
    ]);
    for (const s of settled) if (s.status === "rejected") throw s.reason;
    const [[instances, tasks], services, autoScaled] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
        readonly [ContainerInstance[], Task[]],
        Array<Omit<Service, "autoScaled">>,
        Set<string> | undefined,
    ];
    const taskDefinitions: ClusterSnapshot["taskDefinitions"] = {};
    const referenced = new Set<string>();
    for (const s of services) {
        referenced.add(s.taskDefinition);
        for (const d of s.deployments) referenced.add(d.taskDefinition);
    }
    for (const t of tasks) referenced.add(t.taskDefinitionArn);
    for (const arn of referenced) {
        const facts = cache.get(arn);
        if (facts) taskDefinitions[arn] = facts;
    }
    return {
        clusterArn,
        observedAt: now,
        instances,
        services: services.map((s) => ({ ...s, autoScaled: autoScaled === undefined ? true : autoScaled.has(s.name) })),
        tasks,
        taskDefinitions,
        failures,
    };
}
