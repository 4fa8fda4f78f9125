// ECS API shapes → the snapshot model. Pure; every default ECS applies when a field is absent is applied here,
// so the planner never sees an SDK type.
import type {
    Attribute as SdkAttribute,
    Container as SdkContainer,
    ContainerDefinition as SdkContainerDefinition,
    ContainerInstance as SdkContainerInstance,
    Failure as SdkFailure,
    Resource as SdkResource,
    Service as SdkService,
    Task as SdkTask,
    TaskDefinition as SdkTaskDefinition,
} from "@aws-sdk/client-ecs";
import { AZ_ATTRIBUTE } from "./model";
import type { ContainerInstance, ObserveFailure, Reservation, Service, Task, TaskDefinitionFacts } from "./model";

const DEFAULT_MINIMUM_HEALTHY_PERCENT = 100;
const DEFAULT_MAXIMUM_PERCENT = 200;
const DEFAULT_DEPLOYMENT_CONTROLLER = "ECS";
/** ECS's default network mode for Linux tasks on EC2. */
const DEFAULT_NETWORK_MODE = "bridge";
const SERVICE_GROUP_PREFIX = "service:";

function integerResource(resources: SdkResource[] | undefined, name: string): number {
    const value = resources?.find((r) => r.name === name)?.integerValue;
    return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function portList(values: readonly string[] | undefined): number[] {
    const ports = new Set<number>();
    for (const v of values ?? []) {
        const n = Number(v);
        if (Number.isInteger(n) && n > 0 && n <= 65535) ports.add(n);
    }
    return [...ports].sort((a, b) => a - b);
}

function attributeMap(attributes: SdkAttribute[] | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const a of attributes ?? []) if (a.name) out[a.name] = a.value ?? "";
    return out;
}

/** Epoch ms of an SDK timestamp. Checked by shape, not instanceof: a Date from another realm is still a Date. */
function epochMs(value: Date | string | undefined): number | undefined {
    const ms = typeof value === "string" ? Date.parse(value) : typeof (value as Date | undefined)?.getTime === "function" ? (value as Date).getTime() : NaN;
    return Number.isFinite(ms) ? ms : undefined;
}

/** CPU units from "1024", "1 vCPU" or "0.5 vcpu"; undefined when absent or unreadable. */
export function parseCpu(value: string | number | undefined): number | undefined {
    if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
    if (typeof value !== "string") return undefined;
    const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value);
    if (!m) return undefined;
    const n = Number(m[1]);
    return m[2] ? Math.round(n * 1024) : n;
}

/** MiB from "512", "1 GB" or "2gb"; undefined when absent or unreadable. */
export function parseMemory(value: string | number | undefined): number | undefined {
    if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
    if (typeof value !== "string") return undefined;
    const m = /^\s*(\d+(?:\.\d+)?)\s*(gb|mb|mib|gib)?\s*$/i.exec(value);
    if (!m) return undefined;
    const n = Number(m[1]);
    return m[2] && /^g/i.test(m[2]) ? Math.round(n * 1024) : n;
}

export function toContainerInstance(ci: SdkContainerInstance): ContainerInstance | undefined {
    if (!ci.containerInstanceArn) return undefined;
    const attributes = attributeMap(ci.attributes);
    return {
        arn: ci.containerInstanceArn,
        ec2InstanceId: ci.ec2InstanceId ?? "",
        az: attributes[AZ_ATTRIBUTE] ?? "",
        status: ci.status ?? "",
        agentConnected: ci.agentConnected === true,
        ...(ci.capacityProviderName ? { capacityProviderName: ci.capacityProviderName } : {}),
        registered: { cpu: integerResource(ci.registeredResources, "CPU"), memory: integerResource(ci.registeredResources, "MEMORY") },
        remaining: { cpu: integerResource(ci.remainingResources, "CPU"), memory: integerResource(ci.remainingResources, "MEMORY") },
        // ECS lists in remainingResources.PORTS the ports that are taken, not the free ones.
        portsInUse: portList(ci.remainingResources?.find((r) => r.name === "PORTS")?.stringSetValue),
        attributes,
        ...(epochMs(ci.registeredAt) !== undefined ? { registeredAt: epochMs(ci.registeredAt) } : {}),
        version: typeof ci.version === "number" ? ci.version : 0,
    };
}

/** `host` is the old name of `instanceId` in spread strategies. */
function strategyField(field: string | undefined): string | undefined {
    if (field === undefined) return undefined;
    return field.toLowerCase() === "host" ? "instanceId" : field;
}

export function toService(s: SdkService, autoScaled: boolean): Service | undefined {
    if (!s.serviceArn || !s.serviceName) return undefined;
    const tags: Record<string, string> = {};
    for (const t of s.tags ?? []) if (t.key) tags[t.key] = t.value ?? "";
    return {
        arn: s.serviceArn,
        name: s.serviceName,
        status: s.status ?? "",
        schedulingStrategy: s.schedulingStrategy ?? "REPLICA",
        ...(s.launchType ? { launchType: s.launchType } : {}),
        capacityProviderStrategy: (s.capacityProviderStrategy ?? [])
            .filter((c) => c.capacityProvider)
            .map((c) => ({ capacityProvider: c.capacityProvider!, weight: c.weight ?? 0, base: c.base ?? 0 })),
        desiredCount: s.desiredCount ?? 0,
        runningCount: s.runningCount ?? 0,
        pendingCount: s.pendingCount ?? 0,
        deployments: (s.deployments ?? []).map((d) => ({
            id: d.id ?? "",
            status: d.status ?? "",
            ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
            taskDefinition: d.taskDefinition ?? "",
            desiredCount: d.desiredCount ?? 0,
            runningCount: d.runningCount ?? 0,
            pendingCount: d.pendingCount ?? 0,
            ...(epochMs(d.updatedAt) !== undefined ? { updatedAt: epochMs(d.updatedAt) } : {}),
        })),
        deploymentController: s.deploymentController?.type ?? DEFAULT_DEPLOYMENT_CONTROLLER,
        ...(s.deploymentConfiguration?.strategy ? { deploymentStrategy: s.deploymentConfiguration.strategy } : {}),
        placementStrategy: (s.placementStrategy ?? [])
            .filter((p) => p.type)
            .map((p) => {
                const field = strategyField(p.field);
                return field === undefined ? { type: p.type! } : { type: p.type!, field };
            }),
        placementConstraints: (s.placementConstraints ?? [])
            .filter((p) => p.type)
            .map((p) => (p.expression === undefined ? { type: p.type! } : { type: p.type!, expression: p.expression })),
        minimumHealthyPercent: s.deploymentConfiguration?.minimumHealthyPercent ?? DEFAULT_MINIMUM_HEALTHY_PERCENT,
        maximumPercent: s.deploymentConfiguration?.maximumPercent ?? DEFAULT_MAXIMUM_PERCENT,
        tags,
        taskDefinition: s.taskDefinition ?? "",
        ...(s.availabilityZoneRebalancing ? { availabilityZoneRebalancing: s.availabilityZoneRebalancing } : {}),
        autoScaled,
    };
}

function sumContainers(containers: readonly SdkContainer[] | undefined): Reservation {
    let cpu = 0;
    let memory = 0;
    for (const c of containers ?? []) {
        cpu += parseCpu(c.cpu) ?? 0;
        memory += parseMemory(c.memory) ?? parseMemory(c.memoryReservation) ?? 0;
    }
    return { cpu, memory };
}

export function toTask(t: SdkTask): Task | undefined {
    if (!t.taskArn) return undefined;
    const summed = sumContainers(t.containers);
    const hostPorts = new Set<number>();
    for (const c of t.containers ?? []) {
        for (const b of c.networkBindings ?? []) {
            if ((b.protocol ?? "tcp") === "tcp" && typeof b.hostPort === "number" && b.hostPort > 0) hostPorts.add(b.hostPort);
        }
    }
    const group = t.group ?? "";
    return {
        arn: t.taskArn,
        ...(group.startsWith(SERVICE_GROUP_PREFIX) ? { serviceName: group.slice(SERVICE_GROUP_PREFIX.length) } : {}),
        ...(t.containerInstanceArn ? { containerInstanceArn: t.containerInstanceArn } : {}),
        lastStatus: t.lastStatus ?? "",
        desiredStatus: t.desiredStatus ?? "",
        ...(t.healthStatus ? { healthStatus: t.healthStatus } : {}),
        taskDefinitionArn: t.taskDefinitionArn ?? "",
        reservation: { cpu: parseCpu(t.cpu) ?? summed.cpu, memory: parseMemory(t.memory) ?? summed.memory },
        hostPorts: [...hostPorts].sort((a, b) => a - b),
        ...(epochMs(t.startedAt) !== undefined ? { startedAt: epochMs(t.startedAt) } : {}),
        ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    };
}

function staticHostPorts(networkMode: string, containers: readonly SdkContainerDefinition[]): number[] {
    const ports = new Set<number>();
    for (const c of containers) {
        for (const m of c.portMappings ?? []) {
            if ((m.protocol ?? "tcp") !== "tcp") continue;
            // bridge: hostPort 0 or absent is a dynamic port; host: the container port is the host port.
            const port = networkMode === "host" ? (m.hostPort || m.containerPort) : networkMode === "bridge" ? m.hostPort : undefined;
            if (typeof port === "number" && port > 0) ports.add(port);
        }
    }
    return [...ports].sort((a, b) => a - b);
}

export function toTaskDefinitionFacts(td: SdkTaskDefinition): TaskDefinitionFacts | undefined {
    if (!td.taskDefinitionArn) return undefined;
    const networkMode = td.networkMode ?? DEFAULT_NETWORK_MODE;
    const containers = td.containerDefinitions ?? [];
    let cpu = 0;
    let memory = 0;
    for (const c of containers) {
        cpu += c.cpu ?? 0;
        memory += c.memory ?? c.memoryReservation ?? 0;
    }
    return {
        arn: td.taskDefinitionArn,
        networkMode,
        staticHostPorts: staticHostPorts(networkMode, containers),
        reservation: { cpu: parseCpu(td.cpu) ?? cpu, memory: parseMemory(td.memory) ?? memory },
        runningTaskCanChange: containers.some((c) => (c.healthCheck?.command?.length ?? 0) > 0 || c.restartPolicy?.enabled === true),
    };
}

export function toFailures(failures: readonly SdkFailure[] | undefined, during: string): ObserveFailure[] {
    return (failures ?? []).map((f) => ({
        ...(f.arn ? { arn: f.arn } : {}),
        reason: f.reason ?? "UNKNOWN",
        detail: f.detail ? `${during}: ${f.detail}` : during,
    }));
}
