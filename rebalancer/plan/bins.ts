// Where one service's tasks can be, as bins: the instances that can take its task (status, agent, capacity
// provider, placement constraints, CPU/memory/ports), grouped by the levels it spreads on, with how many of its
// tasks each holds and could hold.

import { AZ_ATTRIBUTE, type ContainerInstance, type PlacementStrategy, type Service, type Task } from "../model";
import type { ClusterIndex } from "./clusterIndex";
import { compileMemberOf, UnsupportedQueryError, type InstancePredicate } from "./clusterQuery";
import type { Skip } from "./serviceFilter";

export const LEVEL_AZ = "az";
export const LEVEL_INSTANCE = "instance";
export const LEVEL_PROVIDER = "capacity-provider";

export interface TaskShape {
    cpu: number;
    memory: number;
    staticPorts: number[];
}

export interface ServiceLayout {
    /** Outermost first; "capacity-provider" (held as is), "az", "attribute:<name>", "instance". */
    levels: string[];
    /** Levels whose targets stay at the current counts (ECS or the provider strategy owns them). */
    fixedLevels: boolean[];
    /** Eligible instances (cluster indexes) and, in the same order, the service's tasks on each and capacity. */
    instances: number[];
    counts: number[];
    caps: number[];
    /** The bin key of each eligible instance at each level. */
    keys: string[][];
    shape: TaskShape;
    distinctInstance: boolean;
    /** The strategies ECS applies when placing this service's tasks (ECS's default when none is set). */
    strategies: PlacementStrategy[];
    /** Tasks of the service on every instance, eligible or not (ECS's spread counts them all). */
    countsOnAnyInstance: Map<number, number>;
}

export interface LayoutContext {
    index: ClusterIndex;
    memberOfCache: Map<string, InstancePredicate | UnsupportedQueryError>;
    /** Task definitions whose host-port facts are missing (collected for the handler to read). */
    unreadTaskDefinitions: Set<string>;
}

/** ECS's default for services: spread on Availability Zone, then on the instance with the fewest tasks. */
const DEFAULT_STRATEGIES: PlacementStrategy[] = [
    { type: "spread", field: `attribute:${AZ_ATTRIBUTE}` },
    { type: "spread", field: "instanceId" },
];

export function effectiveStrategies(service: Service): PlacementStrategy[] {
    const list = service.placementStrategy.length > 0 ? service.placementStrategy : DEFAULT_STRATEGIES;
    return list.map((s) => (s.type === "spread" && s.field?.toLowerCase() === "host" ? { type: "spread", field: "instanceId" } : s));
}

export function levelOfField(field: string | undefined): string {
    if (!field || field === "instanceId") return LEVEL_INSTANCE;
    if (field === `attribute:${AZ_ATTRIBUTE}`) return LEVEL_AZ;
    return field;
}

export function keyAt(level: string, instance: ContainerInstance): string {
    if (level === LEVEL_INSTANCE) return instance.arn;
    if (level === LEVEL_AZ) return instance.az;
    if (level === LEVEL_PROVIDER) return instance.capacityProviderName ?? "";
    const name = level.slice("attribute:".length);
    return instance.attributes[name] ?? "";
}

/** The leading spread strategies, as levels; nothing after the instance level can matter. */
export function spreadLevels(strategies: PlacementStrategy[]): string[] {
    const levels: string[] = [];
    for (const s of strategies) {
        if (s.type !== "spread") break;
        const level = levelOfField(s.field);
        if (!levels.includes(level)) levels.push(level);
        if (level === LEVEL_INSTANCE) break;
    }
    return levels;
}

function taskShape(service: Service, tasks: Task[], ctx: LayoutContext): TaskShape {
    const facts = ctx.index.snapshot.taskDefinitions[service.taskDefinition];
    const sample = tasks.find((t) => t.taskDefinitionArn === service.taskDefinition) ?? tasks[0];
    const reservation = facts?.reservation ?? sample?.reservation ?? { cpu: 0, memory: 0 };
    let staticPorts: number[] = [];
    if (facts) staticPorts = facts.staticHostPorts;
    else if (sample && sample.hostPorts.length > 0) {
        // Until the task definition is read, every bound port is taken to be fixed: the cautious reading.
        ctx.unreadTaskDefinitions.add(service.taskDefinition);
        staticPorts = [...sample.hostPorts];
    }
    return { cpu: reservation.cpu, memory: reservation.memory, staticPorts };
}

function memberOf(expression: string, ctx: LayoutContext): InstancePredicate | UnsupportedQueryError {
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

/** How many more tasks of this shape fit on the instance, given what the plan has already promised. */
export function extraRoom(index: ClusterIndex, i: number, shape: TaskShape, countHere: number, distinctInstance: boolean): number {
    let room = Number.MAX_SAFE_INTEGER;
    if (shape.cpu > 0) room = Math.min(room, Math.floor(index.freeCpu[i] / shape.cpu));
    if (shape.memory > 0) room = Math.min(room, Math.floor(index.freeMemory[i] / shape.memory));
    if (shape.staticPorts.length > 0) {
        const free = countHere === 0 && shape.staticPorts.every((p) => !index.portsInUse[i].has(p));
        room = Math.min(room, free ? 1 : 0);
    }
    if (distinctInstance) room = Math.min(room, countHere === 0 ? 1 : 0);
    return Math.max(0, room);
}

export function buildLayout(service: Service, ctx: LayoutContext): { layout: ServiceLayout } | { skip: Skip } {
    const { index } = ctx;
    const tasks = index.tasksOf(service.name);
    const strategies = effectiveStrategies(service);
    const levels = spreadLevels(strategies);
    const fixedLevels = levels.map((l) => l === LEVEL_AZ && service.availabilityZoneRebalancing === "ENABLED");

    const providers = new Set(service.capacityProviderStrategy.map((p) => p.capacityProvider));
    if (providers.size > 1) {
        // ECS splits tasks between providers by base and weight; only the spread inside each provider is ours.
        levels.unshift(LEVEL_PROVIDER);
        fixedLevels.unshift(true);
    }

    const predicates: InstancePredicate[] = [];
    let distinctInstance = false;
    for (const c of service.placementConstraints) {
        if (c.type === "distinctInstance") distinctInstance = true;
        else if (c.type === "memberOf" && c.expression) {
            const compiled = memberOf(c.expression, ctx);
            if (compiled instanceof UnsupportedQueryError) return { skip: { reason: "unsupported-constraint", detail: compiled.message } };
            predicates.push(compiled);
        } else {
            return { skip: { reason: "unsupported-constraint", detail: `placement constraint ${c.type} ${c.expression ?? ""}`.trim() } };
        }
    }

    const shape = taskShape(service, tasks, ctx);
    const countsOnAnyInstance = new Map<number, number>();
    for (const t of tasks) {
        const i = t.containerInstanceArn === undefined ? undefined : index.indexByArn.get(t.containerInstanceArn);
        if (i !== undefined) countsOnAnyInstance.set(i, (countsOnAnyInstance.get(i) ?? 0) + 1);
    }

    const layout: ServiceLayout = {
        levels, fixedLevels, instances: [], counts: [], caps: [], keys: [], shape, distinctInstance, strategies, countsOnAnyInstance,
    };
    index.instances.forEach((instance, i) => {
        if (instance.status !== "ACTIVE" || !instance.agentConnected) return;
        if (providers.size > 0 && !providers.has(instance.capacityProviderName ?? "")) return;
        if (!predicates.every((p) => p(instance))) return;
        const count = countsOnAnyInstance.get(i) ?? 0;
        const cap = count + extraRoom(index, i, shape, count, distinctInstance);
        if (cap === 0) return;
        layout.instances.push(i);
        layout.counts.push(count);
        layout.caps.push(cap);
        layout.keys.push(levels.map((l) => keyAt(l, instance)));
    });
    if (layout.instances.length < 2) {
        return { skip: { reason: "fewer-than-2-instances", detail: `${layout.instances.length} instance(s) can take this service's task` } };
    }
    return { layout };
}
