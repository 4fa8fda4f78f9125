// ListTasks, DescribeTasks, StopTask, RunTask.

import { serviceNotFound, invalidParameter } from "../errors";
import type { InstanceState, PlacementStrategy, TaskState } from "../model";
import type { OrderedIndex } from "../orderedIndex";
import { compileConstraints, PlacementSession, validateStrategies } from "../placement";
import { nextCapacityProvider } from "../capacityProviders";
import { compact, describeTask, type Json } from "../serialize";
import { readCapacityProviderStrategy } from "./clusters";
import {
    findInstance,
    findService,
    findTask,
    describeEach,
    identifierList,
    nextToken,
    optionalInteger,
    optionalList,
    optionalString,
    readPage,
    readTags,
    requiredString,
    resolveCluster,
    type Operation,
} from "./common";
import { resolveTaskDefinition } from "./taskDefinitions";

export const listTasks: Operation = (core, input) => {
    const cluster = resolveCluster(core, input.cluster);
    const page = readPage(input, "ListTasks", 100, 100);
    const desiredStatus = optionalString(input, "desiredStatus") ?? "RUNNING";
    if (!["RUNNING", "PENDING", "STOPPED"].includes(desiredStatus)) throw invalidParameter("desiredStatus must be RUNNING, PENDING or STOPPED.");
    const serviceName = optionalString(input, "serviceName");
    const instanceId = optionalString(input, "containerInstance");
    const family = optionalString(input, "family");
    const startedBy = optionalString(input, "startedBy");
    const launchType = optionalString(input, "launchType");
    if (startedBy !== undefined && (serviceName || instanceId || family)) {
        throw invalidParameter("startedBy may not be specified with any other filter.");
    }
    if (serviceName && family) throw invalidParameter("serviceName may not be specified with family.");

    const service = serviceName ? findService(cluster, serviceName) : undefined;
    if (serviceName && !service) throw serviceNotFound();
    const instance = instanceId ? findInstance(cluster, instanceId) : undefined;
    if (instanceId && !instance) throw invalidParameter("The referenced container instance was not found.");
    // The narrowest index that holds every match.
    const index: OrderedIndex<TaskState> = service ? service.tasks : instance ? instance.tasks : desiredStatus === "RUNNING" ? cluster.activeTasks : cluster.tasks;
    // ECS never sets a desired status of PENDING: such a filter matches nothing.
    const { items, more } =
        desiredStatus === "PENDING"
            ? { items: [] as TaskState[], more: false }
            : index.page(
                  page.afterSeq,
                  page.limit,
                  (t) =>
                      t.desiredStatus === desiredStatus &&
                      (!instance || t.instance === instance) &&
                      (!family || t.taskDefinition.family === family) &&
                      (!startedBy || t.startedBy === startedBy) &&
                      (!launchType || t.launchType === launchType),
              );
    return { taskArns: items.map((t) => t.arn), nextToken: more ? nextToken("ListTasks", items[items.length - 1]!.seq) : undefined };
};

export const describeTasks: Operation = (core, input) => {
    const cluster = resolveCluster(core, input.cluster);
    const ids = identifierList(input, "tasks", "tasks", 100);
    const include = optionalList<string>(input, "include") ?? [];
    const { found, failures } = describeEach(ids, (id) => findTask(cluster, id), (t) => describeTask(t, include.includes("TAGS")), (id) => core.arns.task(cluster.name, id));
    return { tasks: found, failures };
};

export const stopTask: Operation = (core, input, call) => {
    const cluster = resolveCluster(core, input.cluster);
    const id = requiredString(input, "task");
    const reason = optionalString(input, "reason");
    if (reason !== undefined && reason.length > 255) throw invalidParameter("reason longer than 255.");
    const task = findTask(cluster, id);
    if (!task) throw invalidParameter("The referenced task was not found.");
    core.lifecycle.stop(task, { stopCode: "UserInitiated", reason: reason || "Task stopped by user", cause: call.cause });
    return { task: describeTask(task, false) };
};

export const runTask: Operation = (core, input, call) => {
    const cluster = resolveCluster(core, input.cluster);
    const td = resolveTaskDefinition(core, requiredString(input, "taskDefinition"));
    const count = optionalInteger(input, "count") ?? 1;
    if (count < 1 || count > 10) throw invalidParameter("count must be between 1 and 10.");
    const startedBy = optionalString(input, "startedBy");
    if (startedBy !== undefined && !/^[a-zA-Z0-9/_-]{1,128}$/.test(startedBy)) throw invalidParameter("startedBy must be up to 128 letters, numbers, hyphens, forward slashes and underscores.");
    const group = optionalString(input, "group") ?? `family:${td.family}`;
    const strategies = (optionalList<PlacementStrategy>(input, "placementStrategy") ?? []).map((s) => compact({ type: String(s.type), field: s.field }));
    validateStrategies(strategies);
    const constraintInput = optionalList<{ type: string; expression?: string }>(input, "placementConstraints") ?? [];
    if (constraintInput.length + td.placementConstraints.length > 10) throw invalidParameter("A maximum of 10 placement constraints is supported.");
    const constraints = compileConstraints([...constraintInput, ...td.placementConstraints]);
    const launchType = optionalString(input, "launchType");
    const providerStrategy = readCapacityProviderStrategy(input, "capacityProviderStrategy");
    if (launchType && providerStrategy.length > 0) {
        throw invalidParameter("Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
    }
    if (launchType && launchType !== "EC2") throw invalidParameter(`The ${launchType} launch type is not supported by this emulator of ECS on EC2.`);
    const strategyUsed = providerStrategy.length > 0 || launchType ? providerStrategy : cluster.defaultCapacityProviderStrategy;
    let anyInstance = false;
    for (const i of cluster.instances.values()) if (i.status === "ACTIVE" || i.status === "DRAINING") anyInstance = true;
    if (!anyInstance) throw invalidParameter("No Container Instances were found in your cluster.");

    // Standalone tasks spread over the tasks of their group.
    const groupCounts = new Map<InstanceState, number>();
    for (const t of cluster.activeTasks.values()) if (t.group === group && t.instance) groupCounts.set(t.instance, (groupCounts.get(t.instance) ?? 0) + 1);
    const session = new PlacementSession(core.rng.placement, { cluster, taskDefinition: td, strategies, constraints, groupCounts }, core.profile);
    const providerCounts = new Map<string, number>();
    const tasks: Json[] = [];
    const failures: Json[] = [];
    const tags = readTags(input);
    for (let n = 0; n < count; n++) {
        // Each task gets its provider first (managed-scaling-behavior); one with no room fails, the others go on.
        const provider = nextCapacityProvider(strategyUsed, providerCounts);
        if (provider !== undefined) providerCounts.set(provider, (providerCounts.get(provider) ?? 0) + 1);
        const result = session.place(provider);
        if ("failure" in result) {
            failures.push(compact({ arn: result.failure.instance?.arn, reason: result.failure.reason }));
            continue;
        }
        const task = core.lifecycle.launch({
            instance: result.instance,
            taskDefinition: td,
            group,
            startedBy,
            launchType: "EC2",
            capacityProviderName: provider,
            overrides: (input.overrides as Record<string, unknown> | undefined) ?? undefined,
            tags: input.propagateTags === "TASK_DEFINITION" ? new Map([...td.tags, ...tags]) : tags,
            cause: call.cause,
        });
        session.commit(result.instance);
        tasks.push(describeTask(task, false));
    }
    return { tasks, failures };
};
