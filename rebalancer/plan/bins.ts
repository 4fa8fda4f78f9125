// Where one service's tasks can be, as bins: the instances that can take its task (status, agent, capacity
// provider, placement constraints, CPU/memory/ports), grouped by the levels it spreads on, with how many of its
// tasks each holds and could hold.

import { AZ_ATTRIBUTE, type CapacityProviderStrategyItem, type ContainerInstance, type PlacementStrategy, type Service } from "../model";
import type { ClusterIndex } from "./clusterIndex";
import { extraRoom, passesFilters, type Requirements, type TaskShape } from "./requirements";
import type { Skip } from "./serviceFilter";

export const LEVEL_AZ = "az";
export const LEVEL_INSTANCE = "instance";
export const LEVEL_PROVIDER = "capacity-provider";

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
    /** The capacity provider strategy when it names two or more providers (ECS splits the tasks by it); else empty. */
    providerSplit: CapacityProviderStrategyItem[];
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

/**
 * ECS balances the service across AZs itself: availabilityZoneRebalancing ENABLED where AWS supports it (first
 * strategy an AZ spread, maximumPercent above 100, no placement constraint on the AZ attribute, the ECS deployment
 * controller; service-rebalancing.html). ENABLED elsewhere does nothing, and the AZ level stays the rebalancer's.
 */
export function ecsRebalancesAzs(service: Service): boolean {
    const first = effectiveStrategies(service)[0];
    return service.availabilityZoneRebalancing === "ENABLED" &&
        first?.type === "spread" && levelOfField(first.field) === LEVEL_AZ &&
        service.maximumPercent > 100 &&
        service.deploymentController === "ECS" &&
        !service.placementConstraints.some((c) => c.type === "memberOf" && (c.expression ?? "").includes(AZ_ATTRIBUTE));
}

/** The levels a service is balanced on, and which of them ECS (or the provider strategy) owns. */
export function levelsOf(service: Service, req: Requirements, ecsOwnsAzs = ecsRebalancesAzs(service)): { levels: string[]; fixedLevels: boolean[] } {
    const levels = spreadLevels(effectiveStrategies(service));
    const fixedLevels = levels.map((l) => l === LEVEL_AZ && ecsOwnsAzs);
    if (req.providers.size > 1) {
        // ECS splits tasks between providers by base and weight; only the spread inside each provider is ours.
        levels.unshift(LEVEL_PROVIDER);
        fixedLevels.unshift(true);
    }
    return { levels, fixedLevels };
}

/**
 * The service's bins. `anyLevels` lays out a service that spreads on nothing (binpack or random first) by instance,
 * for predicting where ECS puts its tasks; such a service is never balanced.
 */
export function buildLayout(
    service: Service, req: Requirements, index: ClusterIndex,
    { anyLevels = false, ecsOwnsAzs = ecsRebalancesAzs(service) }: { anyLevels?: boolean; ecsOwnsAzs?: boolean } = {},
): { layout: ServiceLayout } | { skip: Skip } {
    let { levels, fixedLevels } = levelsOf(service, req, ecsOwnsAzs);
    if (levels.length === 0 && anyLevels) ({ levels, fixedLevels } = { levels: [LEVEL_INSTANCE], fixedLevels: [false] });
    const countsOnAnyInstance = new Map<number, number>();
    for (const t of index.tasksOf(service.name)) {
        const i = t.containerInstanceArn === undefined ? undefined : index.indexByArn.get(t.containerInstanceArn);
        if (i !== undefined) countsOnAnyInstance.set(i, (countsOnAnyInstance.get(i) ?? 0) + 1);
    }
    const layout: ServiceLayout = {
        levels, fixedLevels, instances: [], counts: [], caps: [], keys: [], shape: req.shape, distinctInstance: req.distinctInstance,
        strategies: effectiveStrategies(service), countsOnAnyInstance,
        providerSplit: req.providers.size > 1 ? service.capacityProviderStrategy : [],
    };
    index.instances.forEach((instance, i) => {
        if (!passesFilters(instance, req)) return;
        const count = countsOnAnyInstance.get(i) ?? 0;
        const cap = count + extraRoom(index, i, req, count);
        if (cap === 0) return;
        layout.instances.push(i);
        layout.counts.push(count);
        layout.caps.push(cap);
        layout.keys.push(levels.map((l) => keyAt(l, instance)));
    });
    if (layout.instances.length < 2) return { skip: fewerThanTwo(layout.instances.length) };
    return { layout };
}

export function fewerThanTwo(bins: number): Skip {
    return { reason: "fewer-than-2-instances", detail: `${bins} instance(s) can take this service's task` };
}
