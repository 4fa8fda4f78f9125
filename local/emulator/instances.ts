// Container instance state changes shared by the API (the agent's RegisterContainerInstance, the operator's
// UpdateContainerInstancesState and DeregisterContainerInstance) and the control API (EC2 terminating an
// instance, the agent disconnecting): each emits the container-instance event and tells the scheduler.

import { createHash } from "node:crypto";
import { follows, type Cause } from "./causes";
import type { EmulatorCore } from "./core";
import type { ClusterState, InstanceState } from "./model";
import { OrderedIndex } from "./orderedIndex";
import { DEFAULT_RESERVED_PORTS } from "./resources";

export interface InstanceSpec {
    ec2InstanceId: string;
    availabilityZone?: string;
    instanceType?: string;
    amiId?: string;
    cpu: number;
    memory: number;
    ports?: number[];
    portsUdp?: number[];
    attributes?: { name: string; value?: string }[];
    capacityProviderName?: string;
    /** ecs.vpc-id / ecs.subnet-id; default: the emulator's VPC and the subnet of the AZ. */
    vpcId?: string;
    subnetId?: string;
    tags?: Map<string, string>;
    versionInfo?: { agentVersion?: string; agentHash?: string; dockerVersion?: string };
}

/** Capability attributes the ECS agent reports (as in the documented container-instance event). */
const AGENT_CAPABILITIES = [
    "com.amazonaws.ecs.capability.logging-driver.syslog",
    "com.amazonaws.ecs.capability.task-iam-role-network-host",
    "com.amazonaws.ecs.capability.logging-driver.awslogs",
    "com.amazonaws.ecs.capability.logging-driver.json-file",
    "com.amazonaws.ecs.capability.docker-remote-api.1.17",
    "com.amazonaws.ecs.capability.privileged-container",
    "com.amazonaws.ecs.capability.docker-remote-api.1.18",
    "com.amazonaws.ecs.capability.docker-remote-api.1.19",
    "com.amazonaws.ecs.capability.ecr-auth",
    "com.amazonaws.ecs.capability.docker-remote-api.1.20",
    "com.amazonaws.ecs.capability.docker-remote-api.1.21",
    "com.amazonaws.ecs.capability.docker-remote-api.1.22",
    "com.amazonaws.ecs.capability.docker-remote-api.1.23",
    "com.amazonaws.ecs.capability.task-iam-role",
];

function shortHash(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 17);
}

/** Registers an instance, or reconnects the existing registration of the same EC2 instance in the cluster. */
export function registerInstance(core: EmulatorCore, cluster: ClusterState, spec: InstanceSpec, cause: Cause): InstanceState {
    const existing = core.instancesByEc2.get(spec.ec2InstanceId);
    if (existing && existing.cluster === cluster && existing.status !== "INACTIVE") {
        setAgentConnected(core, existing, true);
        return existing;
    }
    if (existing) deregister(core, existing, cause, "Instance registered again in another cluster");
    const attributes = new Map<string, string | undefined>();
    if (spec.availabilityZone) attributes.set("ecs.availability-zone", spec.availabilityZone);
    attributes.set("ecs.instance-type", spec.instanceType ?? "m5.large");
    attributes.set("ecs.ami-id", spec.amiId ?? "ami-0a1b2c3d4e5f67890");
    attributes.set("ecs.os-type", "linux");
    attributes.set("ecs.os-family", "LINUX");
    attributes.set("ecs.cpu-architecture", "x86_64");
    // Built-in attributes (developer guide "Amazon ECS container instance attributes"): the VPC and subnet the
    // instance was launched into. Their ids are the emulator's: one VPC per account and Region, one subnet per AZ,
    // derived from names (not drawn from a seed, so that registering never changes later random choices).
    attributes.set("ecs.vpc-id", spec.vpcId ?? `vpc-${shortHash(`${core.accountId}/${core.region}`)}`);
    if (spec.availabilityZone) {
        attributes.set("ecs.subnet-id", spec.subnetId ?? `subnet-${shortHash(spec.availabilityZone)}`);
    }
    for (const c of AGENT_CAPABILITIES) attributes.set(c, undefined);
    for (const a of spec.attributes ?? []) attributes.set(a.name, a.value);
    const id = core.rng.ids.hex(32);
    const instance: InstanceState = {
        seq: core.nextSeq(),
        id,
        arn: core.arns.containerInstance(cluster.name, id),
        cluster,
        ec2InstanceId: spec.ec2InstanceId,
        status: "ACTIVE",
        agentConnected: true,
        capacityProviderName: spec.capacityProviderName,
        version: 0,
        versionInfo: {
            agentVersion: spec.versionInfo?.agentVersion ?? "1.89.0",
            agentHash: spec.versionInfo?.agentHash ?? "2b6d0d2a",
            dockerVersion: spec.versionInfo?.dockerVersion ?? "DockerVersion: 25.0.8",
        },
        registeredAt: core.clock.now(),
        attributes,
        tags: spec.tags ?? new Map(),
        registered: { cpu: spec.cpu, memory: spec.memory, ports: [...(spec.ports ?? DEFAULT_RESERVED_PORTS)], portsUdp: [...(spec.portsUdp ?? [])] },
        used: { cpu: 0, memory: 0 },
        tcpPorts: new Set(),
        udpPorts: new Set(),
        dynamicPorts: new Set(),
        tasks: new OrderedIndex(),
        resident: new Set(),
        runningTasksCount: 0,
        pendingTasksCount: 0,
        registrationCause: cause,
        healthChecksFailing: false,
    };
    cluster.instances.add(instance);
    cluster.instancesById.set(id, instance);
    core.instancesByEc2.set(spec.ec2InstanceId, instance);
    core.emitInstanceEvent(instance);
    core.scheduler.instancesChanged(cluster);
    core.churn.instanceRegistered(instance);
    return instance;
}

export function setAgentConnected(core: EmulatorCore, instance: InstanceState, connected: boolean): void {
    if (instance.agentConnected === connected || instance.status === "INACTIVE") return;
    instance.agentConnected = connected;
    core.emitInstanceEvent(instance);
    core.scheduler.instancesChanged(instance.cluster);
}

/** ACTIVE ↔ DRAINING. Draining asks every service with tasks here to replace them within its min/max percent. */
export function setInstanceStatus(core: EmulatorCore, instance: InstanceState, status: "ACTIVE" | "DRAINING", cause: Cause): void {
    if (instance.status === status) return;
    instance.status = status;
    instance.drainCause = status === "DRAINING" ? cause : undefined;
    const services = new Set([...instance.resident].filter((t) => t.desiredStatus === "RUNNING" && t.service).map((t) => t.service!));
    for (const s of services) {
        if (status === "DRAINING") core.scheduler.owe(s, follows(cause, "replace draining task"));
        core.scheduler.markDirty(s);
    }
    core.emitInstanceEvent(instance);
    core.scheduler.instancesChanged(instance.cluster);
}

/**
 * The instance leaves the cluster (INACTIVE). ECS stops tracking its tasks; service tasks are replaced elsewhere.
 * `reason` is the stoppedReason of tasks still on it.
 */
export function deregister(core: EmulatorCore, instance: InstanceState, cause: Cause, reason: string, stopCode?: string): void {
    for (const task of [...instance.resident]) {
        core.lifecycle.stop(task, { stopCode, reason, cause, immediate: true });
    }
    instance.status = "INACTIVE";
    instance.agentConnected = false;
    instance.deregisteredAt = core.clock.now();
    instance.drainCause = undefined;
    if (core.instancesByEc2.get(instance.ec2InstanceId) === instance) core.instancesByEc2.delete(instance.ec2InstanceId);
    core.retention.instanceDeregistered(instance);
    core.emitInstanceEvent(instance);
    core.scheduler.instancesChanged(instance.cluster);
}

/** EC2 terminated the instance: its tasks stop with ECS's stop code and reason for that case. */
export function terminate(core: EmulatorCore, instance: InstanceState, cause: Cause): void {
    deregister(core, instance, cause, `Host EC2 (instance ${instance.ec2InstanceId}) terminated.`, "TerminationNotice");
}
