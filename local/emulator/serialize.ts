// State → ECS API shapes. Responses carry timestamps as epoch seconds (what the JSON protocol sends); events
// reuse the same shapes with ISO strings (see events.ts).

import type { CapacityProviderState } from "./autoScalingGroups";
import { describeDeploymentConfiguration } from "./operations/deploymentConfiguration";
import type {
    ClusterState,
    ContainerState,
    DeploymentState,
    InstanceState,
    ServiceState,
    TaskDefinitionState,
    TaskState,
    Tags,
} from "./model";

export type Json = Record<string, unknown>;

/** Epoch seconds with millisecond precision, as ECS's JSON protocol sends timestamps. */
export function epochSeconds(ms: number | undefined): number | undefined {
    return ms === undefined ? undefined : ms / 1000;
}

/** ISO-8601 with milliseconds, as in event details (`updatedAt`, `createdAt`, ...). */
export function isoMillis(ms: number | undefined): string | undefined {
    return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** ISO-8601 without milliseconds, as in the event envelope's `time`. */
export function isoSeconds(ms: number): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Drops undefined fields so responses only carry what is set. */
export function compact<T extends Json>(value: T): T {
    for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
    return value;
}

export function tagList(tags: Tags): { key: string; value: string }[] {
    return [...tags].map(([key, value]) => ({ key, value }));
}

type TimeFormat = (ms: number | undefined) => number | string | undefined;

function resource(name: string, integerValue: number, full: boolean): Json {
    return full ? { name, type: "INTEGER", doubleValue: 0, longValue: 0, integerValue } : { name, type: "INTEGER", integerValue };
}

function portSet(name: string, ports: Iterable<number>, full: boolean): Json {
    const stringSetValue = [...ports].map(String);
    return full ? { name, type: "STRINGSET", doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue } : { name, type: "STRINGSET", stringSetValue };
}

/** registeredResources and remainingResources (remaining = registered − reservations of the tasks holding them). */
export function instanceResources(instance: InstanceState, full: boolean): { registeredResources: Json[]; remainingResources: Json[] } {
    const r = instance.registered;
    return {
        registeredResources: [
            resource("CPU", r.cpu, full),
            resource("MEMORY", r.memory, full),
            portSet("PORTS", r.ports, full),
            portSet("PORTS_UDP", r.portsUdp, full),
        ],
        remainingResources: [
            resource("CPU", r.cpu - instance.used.cpu, full),
            resource("MEMORY", r.memory - instance.used.memory, full),
            portSet("PORTS", [...r.ports, ...instance.tcpPorts], full),
            portSet("PORTS_UDP", [...r.portsUdp, ...instance.udpPorts], full),
        ],
    };
}

export function attributeList(instance: InstanceState): Json[] {
    return [...instance.attributes].map(([name, value]) => compact({ name, value }));
}

export function describeContainerInstance(instance: InstanceState, includeTags: boolean, time: TimeFormat = epochSeconds): Json {
    return compact({
        containerInstanceArn: instance.arn,
        ec2InstanceId: instance.ec2InstanceId,
        capacityProviderName: instance.capacityProviderName,
        version: instance.version,
        versionInfo: { ...instance.versionInfo },
        ...instanceResources(instance, time === epochSeconds),
        status: instance.status,
        statusReason: instance.statusReason,
        agentConnected: instance.agentConnected,
        runningTasksCount: instance.runningTasksCount,
        pendingTasksCount: instance.pendingTasksCount,
        attributes: attributeList(instance),
        registeredAt: time(instance.registeredAt),
        attachments: [],
        tags: includeTags ? tagList(instance.tags) : undefined,
    });
}

function describeContainer(task: TaskState, c: ContainerState): Json {
    return compact({
        containerArn: c.arn,
        taskArn: task.arn,
        name: c.name,
        image: c.image,
        runtimeId: task.lastStatus === "PENDING" ? undefined : c.runtimeId,
        lastStatus: c.lastStatus,
        exitCode: c.exitCode,
        networkBindings: c.networkBindings.map((b) => ({ ...b })),
        networkInterfaces: [],
        healthStatus: task.taskDefinition.hasHealthCheck ? task.healthStatus : "UNKNOWN",
        cpu: c.cpu,
        memory: c.memory,
        memoryReservation: c.memoryReservation,
    });
}

export function describeTask(task: TaskState, includeTags: boolean, time: TimeFormat = epochSeconds): Json {
    return compact({
        attachments: [],
        attributes: [{ name: "ecs.cpu-architecture", value: "x86_64" }],
        availabilityZone: task.instance?.attributes.get("ecs.availability-zone"),
        capacityProviderName: task.capacityProviderName,
        clusterArn: task.cluster.arn,
        connectivity: task.connectivityAt !== undefined ? "CONNECTED" : undefined,
        connectivityAt: time(task.connectivityAt),
        containerInstanceArn: task.instance?.arn,
        containers: task.containers.map((c) => describeContainer(task, c)),
        cpu: String(task.reservation.cpu),
        createdAt: time(task.createdAt),
        desiredStatus: task.desiredStatus,
        enableExecuteCommand: false,
        executionStoppedAt: time(task.executionStoppedAt),
        group: task.group,
        healthStatus: task.healthStatus,
        lastStatus: task.lastStatus,
        launchType: task.launchType,
        memory: String(task.reservation.memory),
        overrides: task.overrides,
        pullStartedAt: time(task.pullStartedAt),
        pullStoppedAt: time(task.pullStoppedAt),
        startedAt: time(task.startedAt),
        startedBy: task.startedBy,
        stopCode: task.stopCode,
        stoppedAt: time(task.stoppedAt),
        stoppedReason: task.stoppedReason,
        stoppingAt: time(task.stoppingAt),
        tags: includeTags ? tagList(task.tags) : undefined,
        taskArn: task.arn,
        taskDefinitionArn: task.taskDefinition.arn,
        version: task.version,
    });
}

/** Running and pending tasks (desired RUNNING) per deployment and in total. */
export function serviceCounts(service: ServiceState): { running: number; pending: number; byDeployment: Map<string, { running: number; pending: number }> } {
    let running = 0;
    let pending = 0;
    const byDeployment = new Map<string, { running: number; pending: number }>();
    for (const t of service.activeTasks) {
        const key = t.deploymentId ?? "";
        let d = byDeployment.get(key);
        if (!d) byDeployment.set(key, (d = { running: 0, pending: 0 }));
        if (t.lastStatus === "RUNNING") {
            running++;
            d.running++;
        } else if (t.lastStatus === "PENDING" || t.lastStatus === "PROVISIONING") {
            pending++;
            d.pending++;
        }
    }
    return { running, pending, byDeployment };
}

function describeDeployment(service: ServiceState, d: DeploymentState, counts: { running: number; pending: number } | undefined): Json {
    return compact({
        id: d.id,
        status: d.status,
        taskDefinition: d.taskDefinition.arn,
        desiredCount: d.desiredCount,
        pendingCount: counts?.pending ?? 0,
        runningCount: counts?.running ?? 0,
        failedTasks: d.failedTasks,
        createdAt: epochSeconds(d.createdAt),
        updatedAt: epochSeconds(d.updatedAt),
        launchType: service.launchType,
        capacityProviderStrategy: service.capacityProviderStrategy.length ? service.capacityProviderStrategy.map((s) => ({ ...s })) : undefined,
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
    });
}

export function describeService(service: ServiceState, includeTags: boolean): Json {
    const counts = serviceCounts(service);
    const primary = service.deployments[0];
    return compact({
        serviceArn: service.arn,
        serviceName: service.name,
        clusterArn: service.cluster.arn,
        loadBalancers: service.loadBalancers,
        serviceRegistries: service.serviceRegistries,
        status: service.status,
        desiredCount: service.desiredCount,
        runningCount: counts.running,
        pendingCount: counts.pending,
        launchType: service.launchType,
        capacityProviderStrategy: service.capacityProviderStrategy.length ? service.capacityProviderStrategy.map((s) => ({ ...s })) : undefined,
        taskDefinition: primary?.taskDefinition.arn,
        deploymentConfiguration: describeDeploymentConfiguration(service.deploymentConfiguration),
        deployments: service.deployments.map((d) => describeDeployment(service, d, counts.byDeployment.get(d.id))),
        roleArn: service.roleArn,
        events: service.events.map((e) => ({ id: e.id, createdAt: epochSeconds(e.createdAt), message: e.message })),
        createdAt: epochSeconds(service.createdAt),
        placementConstraints: service.placementConstraints.map((c) => ({ ...c })),
        placementStrategy: service.placementStrategy.map((s) => ({ ...s })),
        networkConfiguration: service.networkConfiguration,
        healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
        schedulingStrategy: service.schedulingStrategy,
        deploymentController: { ...service.deploymentController },
        tags: includeTags ? tagList(service.tags) : undefined,
        createdBy: service.createdBy,
        enableECSManagedTags: service.enableECSManagedTags,
        propagateTags: service.propagateTags ?? "NONE",
        enableExecuteCommand: service.enableExecuteCommand,
        availabilityZoneRebalancing: service.availabilityZoneRebalancing,
    });
}

export function describeCluster(cluster: ClusterState, include: Set<string>): Json {
    let registered = 0;
    for (const i of cluster.instances.values()) if (i.status === "ACTIVE" || i.status === "DRAINING") registered++;
    let activeServices = 0;
    for (const s of cluster.services.values()) if (s.status === "ACTIVE") activeServices++;
    return compact({
        clusterArn: cluster.arn,
        clusterName: cluster.name,
        status: cluster.status,
        registeredContainerInstancesCount: registered,
        runningTasksCount: cluster.runningTasksCount,
        pendingTasksCount: cluster.pendingTasksCount,
        activeServicesCount: activeServices,
        statistics: [],
        tags: include.has("TAGS") ? tagList(cluster.tags) : [],
        settings: include.has("SETTINGS") ? cluster.settings.map((s) => ({ ...s })) : undefined,
        capacityProviders: [...cluster.capacityProviders],
        defaultCapacityProviderStrategy: cluster.defaultCapacityProviderStrategy.map((s) => ({ ...s })),
    });
}

export function describeTaskDefinition(td: TaskDefinitionState): Json {
    return compact({
        ...td.description,
        taskDefinitionArn: td.arn,
        family: td.family,
        revision: td.revision,
        status: td.status,
        registeredAt: epochSeconds(td.registeredAt),
        deregisteredAt: epochSeconds(td.deregisteredAt),
    });
}

/** DescribeCapacityProviders' shape of an Auto Scaling group capacity provider. */
export function describeCapacityProvider(p: CapacityProviderState): Json {
    return {
        capacityProviderArn: p.arn,
        name: p.name,
        status: "ACTIVE",
        autoScalingGroupProvider: {
            autoScalingGroupArn: p.group.arn,
            managedScaling: { ...p.managedScaling },
            managedTerminationProtection: p.managedTerminationProtection,
            managedDraining: p.managedDraining,
        },
        tags: [],
    };
}
