// RegisterTaskDefinition, DescribeTaskDefinition, DeregisterTaskDefinition, ListTaskDefinitions,
// ListTaskDefinitionFamilies, and the family[:revision]-or-ARN lookup the other operations use.

import { parseArn } from "../arns";
import type { EmulatorCore } from "../core";
import { clientException, invalidParameter, taskDefinitionNotFound } from "../errors";
import type { PlacementConstraint, PortMappingSpec, TaskDefinitionState } from "../model";
import { compileConstraints } from "../placement";
import { normalizePortMappings } from "../resources";
import { compact, describeTaskDefinition as taskDefinitionShape, tagList, type Json } from "../serialize";
import { optionalInteger, optionalList, optionalString, readTags, requiredString, type Operation } from "./common";

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;

/** Task-level cpu ("1024" or "1 vCPU") in CPU units. */
function parseCpu(value: string): number {
    const m = /^\s*([\d.]+)\s*(vcpu)?\s*$/i.exec(value);
    if (!m) throw clientException(`Invalid 'cpu' setting for task: ${value}.`);
    return m[2] ? Math.round(Number(m[1]) * 1024) : Math.round(Number(m[1]));
}

/** Task-level memory ("512" or "1 GB") in MiB. */
function parseMemory(value: string): number {
    const m = /^\s*([\d.]+)\s*(gb)?\s*$/i.exec(value);
    if (!m) throw clientException(`Invalid 'memory' setting for task: ${value}.`);
    return m[2] ? Math.round(Number(m[1]) * 1024) : Math.round(Number(m[1]));
}

/** The latest ACTIVE revision for a family, `family:revision`, or a task-definition ARN. */
export function findTaskDefinition(core: EmulatorCore, identifier: string): TaskDefinitionState | undefined {
    const arn = parseArn(identifier);
    const ref = arn ? arn.path.join("/") : identifier;
    const [family, revisionText] = ref.split(":");
    const revisions = core.families.get(family ?? "");
    if (!revisions) return undefined;
    if (revisionText === undefined || revisionText === "*") {
        for (let i = revisions.length - 1; i >= 0; i--) if (revisions[i]!.status === "ACTIVE") return revisions[i];
        return undefined;
    }
    return revisions[Number(revisionText) - 1];
}

export function resolveTaskDefinition(core: EmulatorCore, identifier: string): TaskDefinitionState {
    const td = findTaskDefinition(core, identifier);
    if (!td) throw taskDefinitionNotFound();
    return td;
}

export const registerTaskDefinition: Operation = (core, input) => {
    const family = requiredString(input, "family");
    if (!FAMILY.test(family)) throw clientException("Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.");
    const containers = optionalList<Record<string, unknown>>(input, "containerDefinitions") ?? [];
    if (containers.length === 0) throw clientException("Container list cannot be empty.");
    const networkMode = optionalString(input, "networkMode") ?? "bridge";
    if (!["bridge", "host", "awsvpc", "none"].includes(networkMode)) throw clientException(`Invalid networkMode: ${networkMode}.`);
    const taskCpu = optionalString(input, "cpu");
    const taskMemory = optionalString(input, "memory");
    const constraints = (optionalList<PlacementConstraint>(input, "placementConstraints") ?? []).map((c) => compact({ type: String(c.type), expression: c.expression }));
    if (constraints.length > 10) throw clientException("A maximum of 10 placement constraints is supported.");
    if (constraints.some((c) => c.type !== "memberOf")) throw clientException("Task definitions only support memberOf placement constraints.");
    compileConstraints(constraints);

    let cpu = 0;
    let memory = 0;
    let hasHealthCheck = false;
    let stopTimeoutMs: number | undefined;
    const portMappings: PortMappingSpec[] = [];
    const names = new Set<string>();
    const containerDefinitions = containers.map((c) => {
        const name = c.name;
        if (typeof name !== "string" || !name) throw clientException("Container.name should not be null or empty.");
        if (names.has(name)) throw clientException(`Duplicate container name: ${name}.`);
        names.add(name);
        if (typeof c.image !== "string" || !c.image) throw clientException("Container.image should not be null or empty.");
        const containerMemory = c.memory === undefined ? undefined : Number(c.memory);
        const reservation = c.memoryReservation === undefined ? undefined : Number(c.memoryReservation);
        if (containerMemory === undefined && reservation === undefined && taskMemory === undefined) {
            throw clientException(`Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
        }
        cpu += Number(c.cpu ?? 0);
        memory += reservation ?? containerMemory ?? 0;
        if (c.healthCheck) hasHealthCheck = true;
        if (typeof c.stopTimeout === "number") stopTimeoutMs = Math.max(stopTimeoutMs ?? 0, c.stopTimeout * 1000);
        portMappings.push(...normalizePortMappings(networkMode, name, (c.portMappings as unknown[]) ?? []));
        return {
            ...c,
            cpu: Number(c.cpu ?? 0),
            essential: c.essential ?? true,
            portMappings: ((c.portMappings as Record<string, unknown>[]) ?? []).map((m) => ({
                ...m,
                hostPort: networkMode === "bridge" ? (m.hostPort ?? 0) : m.containerPort,
                protocol: m.protocol ?? "tcp",
            })),
            environment: c.environment ?? [],
            mountPoints: c.mountPoints ?? [],
            volumesFrom: c.volumesFrom ?? [],
        };
    });
    if (taskCpu !== undefined) cpu = parseCpu(taskCpu);
    if (taskMemory !== undefined) memory = parseMemory(taskMemory);

    const revisions = core.families.get(family) ?? [];
    const revision = revisions.length + 1;
    const requires = optionalList<string>(input, "requiresCompatibilities");
    const description = compact({
        containerDefinitions,
        family,
        taskRoleArn: optionalString(input, "taskRoleArn"),
        executionRoleArn: optionalString(input, "executionRoleArn"),
        networkMode,
        volumes: optionalList(input, "volumes") ?? [],
        placementConstraints: constraints,
        requiresAttributes: [],
        compatibilities: networkMode === "awsvpc" ? ["EC2", "FARGATE"] : ["EC2"],
        requiresCompatibilities: requires,
        cpu: taskCpu,
        memory: taskMemory,
        pidMode: optionalString(input, "pidMode"),
        ipcMode: optionalString(input, "ipcMode"),
    });
    const td: TaskDefinitionState = {
        seq: core.nextSeq(),
        arn: core.arns.taskDefinition(family, revision),
        family,
        revision,
        status: "ACTIVE",
        registeredAt: core.clock.now(),
        networkMode,
        reservation: { cpu, memory },
        portMappings,
        hasHealthCheck,
        stopTimeoutMs,
        placementConstraints: constraints,
        description,
        tags: readTags(input),
    };
    revisions.push(td);
    core.families.set(family, revisions);
    core.taskDefinitions.add(td);
    return { taskDefinition: taskDefinitionShape(td), tags: tagList(td.tags) };
};

export const describeTaskDefinition: Operation = (core, input) => {
    const td = findTaskDefinition(core, requiredString(input, "taskDefinition"));
    if (!td) throw clientException("Unable to describe task definition.");
    const include = optionalList<string>(input, "include") ?? [];
    return { taskDefinition: taskDefinitionShape(td), tags: include.includes("TAGS") ? tagList(td.tags) : undefined };
};

export const deregisterTaskDefinition: Operation = (core, input) => {
    const identifier = requiredString(input, "taskDefinition");
    const ref = parseArn(identifier)?.path.join("/") ?? identifier;
    if (!/:\d+$/.test(ref)) throw clientException("A revision is required to deregister a task definition.");
    const td = findTaskDefinition(core, identifier);
    if (!td) throw clientException("The specified task definition does not exist.");
    if (td.status === "ACTIVE") {
        td.status = "INACTIVE";
        td.deregisteredAt = core.clock.now();
    }
    return { taskDefinition: taskDefinitionShape(td) };
};

/** Task definitions are few; these two list by offset over a sorted snapshot. */
function offsetPage(input: Json, operation: string): { offset: number; limit: number } {
    const limit = optionalInteger(input, "maxResults") ?? 100;
    if (limit < 1 || limit > 100) throw invalidParameter("maxResults must be between 1 and 100.");
    const token = optionalString(input, "nextToken");
    if (!token) return { offset: 0, limit };
    try {
        const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { op?: string; offset?: number };
        if (decoded.op === operation && typeof decoded.offset === "number") return { offset: decoded.offset, limit };
    } catch {
        // fall through
    }
    throw invalidParameter("The nextToken is not valid.");
}

function offsetResult<T>(all: T[], page: { offset: number; limit: number }, operation: string): { items: T[]; nextToken?: string } {
    const items = all.slice(page.offset, page.offset + page.limit);
    const next = page.offset + page.limit < all.length ? Buffer.from(JSON.stringify({ op: operation, offset: page.offset + page.limit })).toString("base64url") : undefined;
    return { items, nextToken: next };
}

export const listTaskDefinitions: Operation = (core, input) => {
    const page = offsetPage(input, "ListTaskDefinitions");
    const prefix = optionalString(input, "familyPrefix");
    const status = optionalString(input, "status") ?? "ACTIVE";
    const all = [...core.taskDefinitions.values()].filter((td) => td.status === status && (!prefix || td.family === prefix));
    all.sort((a, b) => (a.family < b.family ? -1 : a.family > b.family ? 1 : a.revision - b.revision));
    if (optionalString(input, "sort") === "DESC") all.reverse();
    const { items, nextToken } = offsetResult(all, page, "ListTaskDefinitions");
    return { taskDefinitionArns: items.map((td) => td.arn), nextToken };
};

export const listTaskDefinitionFamilies: Operation = (core, input) => {
    const page = offsetPage(input, "ListTaskDefinitionFamilies");
    const prefix = optionalString(input, "familyPrefix") ?? "";
    const status = optionalString(input, "status") ?? "ACTIVE";
    const families = [...core.families]
        .filter(([family, revisions]) => family.startsWith(prefix) && (status === "ALL" || revisions.some((r) => r.status === status)))
        .map(([family]) => family)
        .sort();
    const { items, nextToken } = offsetResult(families, page, "ListTaskDefinitionFamilies");
    return { families: items, nextToken };
};
