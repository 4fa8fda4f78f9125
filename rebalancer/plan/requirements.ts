// What one service's task needs from an instance: the instance filters (status, agent, capacity provider,
// memberOf constraints) and the room a task takes (CPU, memory, static host ports, distinctInstance).
// Shared by the exact per-instance layout (bins.ts) and the aggregated cluster-wide view (eligibilityCache.ts).

import type { ContainerInstance, Service, Task } from "../model";
import type { ClusterIndex } from "./clusterIndex";
import { compileMemberOf, UnsupportedQueryError, type InstancePredicate } from "./clusterQuery";
import type { Skip } from "./serviceFilter";

export interface TaskShape {
    cpu: number;
    memory: number;
    staticPorts: number[];
}

export interface Requirements {
    /** Capacity providers the service's tasks may use; empty = any instance. */
    providers: Set<string>;
    predicates: InstancePredicate[];
    distinctInstance: boolean;
    shape: TaskShape;
    /** Identifies the filters (providers + constraints): services with the same key accept the same instances. */
    filterKey: string;
    /** Identifies filters and shape: services with the same key fit the same instances. */
    roomKey: string;
    /** The task definition to read when the service's bound host ports were taken as fixed for want of it. */
    unreadTaskDefinition?: string;
}

export interface RequirementsContext {
    index: ClusterIndex;
    memberOfCache: Map<string, InstancePredicate | UnsupportedQueryError>;
}

function memberOf(expression: string, ctx: RequirementsContext): InstancePredicate | UnsupportedQueryError {
    let compiled = ctx.memberOfCache.get(expression);
    if (!compiled) {
        try {
            compiled = compileMemberOf(expression);
        } catch (e) {
            compiled = e instanceof UnsupportedQueryError ? e : new UnsupportedQueryError(String(e));
        }
        ctx.memberOfCache.set(expression, compiled);
    }
    return compiled;
}

function taskShape(service: Service, tasks: Task[], ctx: RequirementsContext): { shape: TaskShape; unread?: string } {
    const facts = ctx.index.snapshot.taskDefinitions[service.taskDefinition];
    const sample = tasks.find((t) => t.taskDefinitionArn === service.taskDefinition) ?? tasks[0];
    const reservation = facts?.reservation ?? sample?.reservation ?? { cpu: 0, memory: 0 };
    let staticPorts: number[] = [];
    let unread: string | undefined;
    if (facts) staticPorts = [...facts.staticHostPorts].sort((a, b) => a - b);
    else if (sample && sample.hostPorts.length > 0) {
        // Until the task definition is read, every bound port is taken to be fixed: the cautious reading.
        unread = service.taskDefinition;
        staticPorts = [...sample.hostPorts].sort((a, b) => a - b);
    }
    return { shape: { cpu: reservation.cpu, memory: reservation.memory, staticPorts }, unread };
}

export function requirementsOf(service: Service, ctx: RequirementsContext): Requirements | Skip {
    const predicates: InstancePredicate[] = [];
    const expressions: string[] = [];
    let distinctInstance = false;
    for (const c of service.placementConstraints) {
        if (c.type === "distinctInstance") distinctInstance = true;
        else if (c.type === "memberOf" && c.expression) {
            const compiled = memberOf(c.expression, ctx);
            if (compiled instanceof UnsupportedQueryError) return { reason: "unsupported-constraint", detail: compiled.message };
            predicates.push(compiled);
            expressions.push(c.expression);
        } else {
            return { reason: "unsupported-constraint", detail: `placement constraint ${c.type} ${c.expression ?? ""}`.trim() };
        }
    }
    const providers = new Set(service.capacityProviderStrategy.map((p) => p.capacityProvider));
    const { shape, unread } = taskShape(service, ctx.index.tasksOf(service.name), ctx);
    const filterKey = JSON.stringify([[...providers].sort(), [...expressions].sort()]);
    const roomKey = JSON.stringify([filterKey, shape.cpu, shape.memory, shape.staticPorts, distinctInstance]);
    return { providers, predicates, distinctInstance, shape, filterKey, roomKey, unreadTaskDefinition: unread };
}

export function isRequirements(r: Requirements | Skip): r is Requirements {
    return "shape" in r;
}

/** Status, agent, capacity provider and constraints: can this instance take the service's tasks at all? */
export function passesFilters(instance: ContainerInstance, req: Requirements): boolean {
    if (instance.status !== "ACTIVE" || !instance.agentConnected) return false;
    if (req.providers.size > 0 && !req.providers.has(instance.capacityProviderName ?? "")) return false;
    for (const p of req.predicates) if (!p(instance)) return false;
    return true;
}

/** How many more tasks of this shape fit on the instance, given what the plan has already promised. */
export function extraRoom(index: ClusterIndex, i: number, req: Pick<Requirements, "shape" | "distinctInstance">, countHere: number): number {
    const { shape } = req;
    let room = Number.MAX_SAFE_INTEGER;
    if (shape.cpu > 0) room = Math.min(room, Math.floor(index.freeCpu[i] / shape.cpu));
    if (shape.memory > 0) room = Math.min(room, Math.floor(index.freeMemory[i] / shape.memory));
    if (shape.staticPorts.length > 0) {
        const free = countHere === 0 && shape.staticPorts.every((p) => !index.portsInUse[i].has(p));
        room = Math.min(room, free ? 1 : 0);
    }
    if (req.distinctInstance) room = Math.min(room, countHere === 0 ? 1 : 0);
    return Math.max(0, room);
}
