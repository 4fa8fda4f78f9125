// ECS API objects as DescribeContainerInstances / DescribeServices / DescribeTasks return them.
import type { ContainerInstance, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { ACCOUNT, REGION } from "./fakeEcs";

const base = `arn:aws:ecs:${REGION}:${ACCOUNT}`;

export const instanceArn = (cluster: string, id: string) => `${base}:container-instance/${cluster}/${id}`;
export const serviceArn = (cluster: string, name: string) => `${base}:service/${cluster}/${name}`;
export const taskArn = (cluster: string, id: string) => `${base}:task/${cluster}/${id}`;
export const taskDefinitionArn = (family: string, revision = 1) => `${base}:task-definition/${family}:${revision}`;

export function sdkInstance(cluster: string, id: string, az: string, extra: Partial<ContainerInstance> = {}): ContainerInstance {
    return {
        containerInstanceArn: instanceArn(cluster, id),
        ec2InstanceId: `i-${id}`,
        status: "ACTIVE",
        agentConnected: true,
        version: 7,
        registeredAt: new Date("2026-01-01T00:00:00Z"),
        registeredResources: [
            { name: "CPU", type: "INTEGER", integerValue: 2048 },
            { name: "MEMORY", type: "INTEGER", integerValue: 3767 },
            { name: "PORTS", type: "STRINGSET", stringSetValue: ["22", "2375", "2376", "51678", "51679"] },
            { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
        ],
        remainingResources: [
            { name: "CPU", type: "INTEGER", integerValue: 1536 },
            { name: "MEMORY", type: "INTEGER", integerValue: 2743 },
            { name: "PORTS", type: "STRINGSET", stringSetValue: ["22", "2375", "2376", "51678", "51679", "8080"] },
            { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
        ],
        attributes: [
            { name: "ecs.availability-zone", value: az },
            { name: "ecs.instance-type", value: "t3.small" },
            { name: "com.amazonaws.ecs.capability.ecr-auth" },
        ],
        ...extra,
    };
}

export function sdkService(cluster: string, name: string, extra: Partial<Service> = {}): Service {
    return {
        serviceArn: serviceArn(cluster, name),
        serviceName: name,
        clusterArn: `${base}:cluster/${cluster}`,
        status: "ACTIVE",
        schedulingStrategy: "REPLICA",
        launchType: "EC2",
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
        taskDefinition: taskDefinitionArn(name),
        deployments: [
            { id: `ecs-svc/${name}`, status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: taskDefinitionArn(name), desiredCount: 2, runningCount: 2, pendingCount: 0 },
        ],
        placementStrategy: [
            { type: "spread", field: "attribute:ecs.availability-zone" },
            { type: "spread", field: "instanceId" },
        ],
        placementConstraints: [],
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 },
        deploymentController: { type: "ECS" },
        tags: [{ key: "team", value: "web" }],
        ...extra,
    };
}

export function sdkTask(cluster: string, id: string, service: string, onInstance: string, extra: Partial<Task> = {}): Task {
    return {
        taskArn: taskArn(cluster, id),
        clusterArn: `${base}:cluster/${cluster}`,
        group: `service:${service}`,
        containerInstanceArn: onInstance,
        lastStatus: "RUNNING",
        desiredStatus: "RUNNING",
        healthStatus: "HEALTHY",
        launchType: "EC2",
        taskDefinitionArn: taskDefinitionArn(service),
        cpu: "256",
        memory: "512",
        startedAt: new Date("2026-01-01T01:00:00Z"),
        startedBy: `ecs-svc/${service}`,
        containers: [{ name: "app", cpu: "256", memory: "512", networkBindings: [{ hostPort: 32768, containerPort: 80, protocol: "tcp" }] }],
        ...extra,
    };
}

export function sdkTaskDefinition(family: string, extra: Partial<TaskDefinition> = {}): TaskDefinition {
    return {
        taskDefinitionArn: taskDefinitionArn(family),
        family,
        revision: 1,
        networkMode: "bridge",
        containerDefinitions: [{ name: "app", cpu: 256, memory: 512, portMappings: [{ containerPort: 80, hostPort: 0, protocol: "tcp" }] }],
        ...extra,
    };
}
