// Builds planner snapshots from a compact description: instances, services and their tasks per instance.
// Remaining resources and ports follow from the tasks placed, as ECS reports them.

import type { ClusterSnapshot, ContainerInstance, PlacementConstraint, PlacementStrategy, Service, Task } from "../../rebalancer/model";

export const REGION = "us-east-1";
export const ACCOUNT = "123456789012";
export const CLUSTER = "test";
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
export const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const RESERVED_PORTS = [22, 2375, 2376, 51678, 51679];

export interface InstanceSpec {
    id: string;
    az: string;
    cpu?: number;
    memory?: number;
    status?: string;
    agentConnected?: boolean;
    capacityProvider?: string;
    attributes?: Record<string, string>;
}

export interface ServiceSpec {
    name: string;
    /** Tasks per instance id. */
    placement: Record<string, number>;
    desired?: number;
    cpu?: number;
    memory?: number;
    hostPort?: number;
    strategies?: PlacementStrategy[];
    constraints?: PlacementConstraint[];
    minHealthy?: number;
    maxPercent?: number;
    tags?: Record<string, string>;
    schedulingStrategy?: string;
    autoScaled?: boolean;
    capacityProviders?: string[];
    launchType?: string;
    /** Per task index (in placement order): overrides. */
    taskOverrides?: Partial<Task>[];
    service?: Partial<Service>;
}

export const SPREAD_AZ_THEN_INSTANCE: PlacementStrategy[] = [
    { type: "spread", field: "attribute:ecs.availability-zone" },
    { type: "spread", field: "instanceId" },
];
export const SPREAD_INSTANCE: PlacementStrategy[] = [{ type: "spread", field: "instanceId" }];

export function instanceArn(id: string): string {
    return `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${CLUSTER}/${id}`;
}

export function serviceArn(name: string): string {
    return `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${name}`;
}

export function buildSnapshot(spec: { instances: InstanceSpec[]; services: ServiceSpec[]; now?: number }): ClusterSnapshot {
    const now = spec.now ?? NOW;
    const byId = new Map<string, ContainerInstance>();
    const instances = spec.instances.map((s) => {
        const cpu = s.cpu ?? 2048, memory = s.memory ?? 3891;
        const instance: ContainerInstance = {
            arn: instanceArn(s.id),
            ec2InstanceId: s.id,
            az: s.az,
            status: s.status ?? "ACTIVE",
            agentConnected: s.agentConnected ?? true,
            capacityProviderName: s.capacityProvider,
            registered: { cpu, memory },
            remaining: { cpu, memory },
            portsInUse: [...RESERVED_PORTS],
            attributes: { "ecs.availability-zone": s.az, "ecs.instance-type": "t3.medium", ...(s.attributes ?? {}) },
            version: 1,
        };
        byId.set(s.id, instance);
        return instance;
    });
    const tasks: Task[] = [];
    const services: Service[] = spec.services.map((s) => {
        const cpu = s.cpu ?? 256, memory = s.memory ?? 512;
        const taskDefinition = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${s.name}:1`;
        let n = 0;
        for (const [id, count] of Object.entries(s.placement)) {
            const instance = byId.get(id);
            if (!instance) throw new Error(`service ${s.name}: no instance ${id}`);
            for (let k = 0; k < count; k++) {
                instance.remaining.cpu -= cpu;
                instance.remaining.memory -= memory;
                if (s.hostPort !== undefined) instance.portsInUse.push(s.hostPort);
                const task: Task = {
                    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${s.name}-${String(n).padStart(4, "0")}`,
                    serviceName: s.name,
                    containerInstanceArn: instance.arn,
                    lastStatus: "RUNNING",
                    desiredStatus: "RUNNING",
                    healthStatus: "HEALTHY",
                    taskDefinitionArn: taskDefinition,
                    reservation: { cpu, memory },
                    hostPorts: s.hostPort !== undefined ? [s.hostPort] : [],
                    startedAt: now - 3600_000 + n * 1000,
                    startedBy: "ecs-svc/1",
                    ...(s.taskOverrides?.[n] ?? {}),
                };
                tasks.push(task);
                n++;
            }
        }
        const desired = s.desired ?? n;
        return {
            arn: serviceArn(s.name),
            name: s.name,
            status: "ACTIVE",
            schedulingStrategy: s.schedulingStrategy ?? "REPLICA",
            launchType: s.launchType ?? (s.capacityProviders ? undefined : "EC2"),
            capacityProviderStrategy: (s.capacityProviders ?? []).map((capacityProvider) => ({ capacityProvider, weight: 1, base: 0 })),
            desiredCount: desired,
            runningCount: n,
            pendingCount: 0,
            deployments: [{ id: `ecs-svc/${s.name}`, status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition, desiredCount: desired, runningCount: n, pendingCount: 0 }],
            deploymentController: "ECS",
            placementStrategy: s.strategies ?? SPREAD_AZ_THEN_INSTANCE,
            placementConstraints: s.constraints ?? [],
            minimumHealthyPercent: s.minHealthy ?? 100,
            maximumPercent: s.maxPercent ?? 200,
            tags: s.tags ?? {},
            taskDefinition,
            autoScaled: s.autoScaled ?? false,
            ...(s.service ?? {}),
        };
    });
    const taskDefinitions: ClusterSnapshot["taskDefinitions"] = {};
    for (const s of spec.services) {
        const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${s.name}:1`;
        taskDefinitions[arn] = {
            arn,
            networkMode: "bridge",
            staticHostPorts: s.hostPort !== undefined ? [s.hostPort] : [],
            reservation: { cpu: s.cpu ?? 256, memory: s.memory ?? 512 },
            runningTaskCanChange: false,
        };
    }
    return { clusterArn: CLUSTER_ARN, observedAt: now, instances, services, tasks, taskDefinitions, failures: [] };
}
