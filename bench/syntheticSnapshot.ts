// A synthetic cluster as the planner's input: the snapshot observe() would have produced for it (instances with
// their remaining resources, services with one COMPLETED deployment — two for the mid-deployment class — every
// task RUNNING, healthy and an hour old, and every task definition already read: the steady-state pass).

import type { ClusterSnapshot, ContainerInstance, PlacementStrategy, Service, Task } from "../rebalancer/model";
import type { SyntheticCluster, SyntheticService } from "./syntheticCluster";

export const SYNTHETIC_REGION = "us-east-1";
export const SYNTHETIC_ACCOUNT = "123456789012";
export const SYNTHETIC_NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const RESERVED_PORTS = [22, 2375, 2376, 51678, 51679];

export function syntheticClusterArn(name: string): string {
    return `arn:aws:ecs:${SYNTHETIC_REGION}:${SYNTHETIC_ACCOUNT}:cluster/${name}`;
}

const AZ_SPREAD: PlacementStrategy = { type: "spread", field: "attribute:ecs.availability-zone" };
const INSTANCE_SPREAD: PlacementStrategy = { type: "spread", field: "instanceId" };

export function placementStrategyOf(s: SyntheticService): PlacementStrategy[] {
    switch (s.kind) {
        case "spread-instance":
            return [INSTANCE_SPREAD];
        case "spread-az":
            return [AZ_SPREAD];
        case "binpack":
            return [{ type: "binpack", field: "memory" }];
        case "random":
            return [{ type: "random" }];
        case "daemon":
            return [];
        default:
            return [AZ_SPREAD, INSTANCE_SPREAD];
    }
}

export function syntheticSnapshot(cluster: SyntheticCluster, clusterName = "synthetic"): ClusterSnapshot {
    const clusterArn = syntheticClusterArn(clusterName);
    const base = `arn:aws:ecs:${SYNTHETIC_REGION}:${SYNTHETIC_ACCOUNT}`;
    const instances: ContainerInstance[] = cluster.instances.map((i) => ({
        arn: `${base}:container-instance/${clusterName}/${i.id}`,
        ec2InstanceId: i.id,
        az: i.az,
        status: "ACTIVE",
        agentConnected: true,
        registered: { cpu: i.cpu, memory: i.memory },
        remaining: { cpu: i.cpu, memory: i.memory },
        portsInUse: [...RESERVED_PORTS],
        attributes: { "ecs.availability-zone": i.az, "ecs.instance-type": "m5.2xlarge", "ecs.os-type": "linux" },
        registeredAt: SYNTHETIC_NOW - 86_400_000,
        version: 1,
    }));
    const tasks: Task[] = [];
    const taskDefinitions: ClusterSnapshot["taskDefinitions"] = {};
    const services: Service[] = cluster.services.map((s) => {
        const taskDefinition = `${base}:task-definition/${s.name}:1`;
        taskDefinitions[taskDefinition] = { arn: taskDefinition, networkMode: "bridge", staticHostPorts: [], reservation: { cpu: s.cpu, memory: s.memory }, runningTaskCanChange: false };
        let n = 0;
        for (const [p, count] of s.placement) {
            const instance = instances[p];
            instance.remaining.cpu -= s.cpu * count;
            instance.remaining.memory -= s.memory * count;
            for (let k = 0; k < count; k++) {
                tasks.push({
                    arn: `${base}:task/${clusterName}/${s.name}-${n++}`,
                    serviceName: s.name,
                    containerInstanceArn: instance.arn,
                    lastStatus: "RUNNING",
                    desiredStatus: "RUNNING",
                    healthStatus: "HEALTHY",
                    taskDefinitionArn: taskDefinition,
                    reservation: { cpu: s.cpu, memory: s.memory },
                    hostPorts: [],
                    startedAt: SYNTHETIC_NOW - 3_600_000,
                    startedBy: "ecs-svc/1234567890123456789",
                });
            }
        }
        const deployment = { id: `ecs-svc/${s.name}`, status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition, desiredCount: s.desired, runningCount: s.desired, pendingCount: 0 };
        const midDeployment = s.kind === "mid-deployment";
        return {
            arn: `${base}:service/${clusterName}/${s.name}`,
            name: s.name,
            status: "ACTIVE",
            schedulingStrategy: s.kind === "daemon" ? "DAEMON" : "REPLICA",
            launchType: "EC2",
            capacityProviderStrategy: [],
            desiredCount: s.desired,
            runningCount: s.desired,
            pendingCount: 0,
            deployments: midDeployment
                ? [{ ...deployment, id: `ecs-svc/${s.name}-new`, rolloutState: "IN_PROGRESS", runningCount: 0 }, { ...deployment, status: "ACTIVE" }]
                : [deployment],
            deploymentController: "ECS",
            placementStrategy: placementStrategyOf(s),
            placementConstraints: [],
            minimumHealthyPercent: s.minimumHealthyPercent,
            maximumPercent: s.maximumPercent,
            tags: (s.kind === "opted-out" ? { "ecs-rebalancer:skip": "true" } : {}) as Record<string, string>,
            taskDefinition,
            availabilityZoneRebalancing: "DISABLED",
            autoScaled: s.autoScaled,
        };
    });
    return { clusterArn, observedAt: SYNTHETIC_NOW, instances, services, tasks, taskDefinitions, failures: [] };
}
