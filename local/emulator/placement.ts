// The ECS placement engine (developer guide "task-placement"): (1) instances that are ACTIVE, connected and of
// the right capacity provider, with the CPU, memory and ports the task needs; (2) that meet the constraints
// (distinctInstance, memberOf); (3) narrowed by each strategy in order (spread keeps the values holding the
// fewest of the group's tasks, binpack the least remaining cpu/memory, random one at random); (4) one of
// the remaining candidates, chosen by the seeded RNG: ECS documents no tie-break, so none is assumed.

import { invalidParameter } from "./errors";
import { AZ_ATTRIBUTE, type ClusterState, type InstanceState, type PlacementConstraint, type PlacementStrategy, type TaskDefinitionState } from "./model";
import { parseQuery, QuerySyntaxError, type Query } from "./queryLanguage";
import type { Rng } from "./random";
import { resourceShortage } from "./resources";

/** What a service without placementStrategy gets: spread over AZs, then over instances (ecs_services.md). */
export const DEFAULT_SERVICE_STRATEGY: readonly PlacementStrategy[] = [
    { type: "spread", field: `attribute:${AZ_ATTRIBUTE}` },
    { type: "spread", field: "instanceId" },
];

export interface CompiledConstraints {
    distinctInstance: boolean;
    memberOf: Query[];
}

/** Parses constraints (service or RunTask ones plus the task definition's); bad ones are InvalidParameterException. */
export function compileConstraints(constraints: readonly PlacementConstraint[]): CompiledConstraints {
    const compiled: CompiledConstraints = { distinctInstance: false, memberOf: [] };
    for (const c of constraints) {
        if (c.type === "distinctInstance") {
            if (c.expression) throw invalidParameter("distinctInstance placement constraint does not take an expression.");
            compiled.distinctInstance = true;
        } else if (c.type === "memberOf") {
            if (!c.expression) throw invalidParameter("memberOf placement constraint requires an expression.");
            try {
                compiled.memberOf.push(parseQuery(c.expression));
            } catch (e) {
                if (e instanceof QuerySyntaxError) throw invalidParameter(`Invalid placement constraint expression '${c.expression}': ${e.message}.`);
                throw e;
            }
        } else {
            throw invalidParameter(`Invalid placement constraint type '${c.type}'. Valid types are distinctInstance and memberOf.`);
        }
    }
    return compiled;
}

/** Validates a strategy list as CreateService/UpdateService/RunTask do. */
export function validateStrategies(strategies: readonly PlacementStrategy[]): void {
    if (strategies.length > 5) throw invalidParameter("A maximum of 5 placement strategies is supported.");
    for (const s of strategies) {
        if (s.type === "random") continue;
        if (s.type === "binpack") {
            if (s.field !== "cpu" && s.field !== "memory") throw invalidParameter(`Invalid binpack field '${s.field ?? ""}'. Valid fields are cpu and memory.`);
        } else if (s.type === "spread") {
            const field = s.field ?? "";
            if (field !== "instanceId" && field !== "host" && !(field.startsWith("attribute:") && field.length > "attribute:".length)) {
                throw invalidParameter(`Invalid spread field '${field}'. Valid fields are instanceId, host and attribute:<name>.`);
            }
        } else {
            throw invalidParameter(`Invalid placement strategy type '${s.type}'. Valid types are random, spread and binpack.`);
        }
    }
}

export interface PlacementFailure {
    /** ECS's reason code: RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS, AGENT, or a constraint sentence. */
    reason: string;
    /** The closest matching container instance, when there is one. */
    instance?: InstanceState;
    /** Service event sentence explaining the failure. */
    message: string;
}

export interface PlacementRequest {
    cluster: ClusterState;
    taskDefinition: TaskDefinitionState;
    strategies: readonly PlacementStrategy[];
    constraints: CompiledConstraints;
    /**
     * Tasks of the group being placed, per instance (a service's tasks with desired status RUNNING, all
     * deployments together). The session updates it as it places tasks.
     */
    groupCounts: Map<InstanceState, number>;
    /** Further candidate filter (e.g. one Availability Zone). */
    restrict?: (instance: InstanceState) => boolean;
}

/** The value a spread field takes on an instance (instances lacking the attribute share one "none" value). */
export function spreadValue(field: string, instance: InstanceState): string {
    if (field === "instanceId" || field === "host") return instance.arn;
    return instance.attributes.get(field.slice("attribute:".length)) ?? "\u0000none";
}

function remaining(instance: InstanceState, field: string | undefined): number {
    return field === "memory" ? instance.registered.memory - instance.used.memory : instance.registered.cpu - instance.used.cpu;
}

/**
 * Places the tasks of one group, one at a time, against the current state. The caller launches each task on
 * the instance returned (reserving its resources) and then calls `commit`, so the next placement sees it.
 * `capacityProvider` undefined means "any instance" (launch type EC2).
 */
export class PlacementSession {
    private readonly staticCandidates = new Map<string, InstanceState[]>();
    private readonly valueCounts = new Map<string, Map<string, number>>();

    constructor(
        private readonly rng: Rng,
        private readonly request: PlacementRequest,
    ) {}

    place(capacityProvider?: string): { instance: InstanceState } | { failure: PlacementFailure } {
        const { taskDefinition, constraints, groupCounts } = this.request;
        const dynamicQueries = constraints.memberOf.filter((q) => q.dynamic);
        let set = this.candidates(capacityProvider).filter(
            (i) =>
                resourceShortage(i, taskDefinition) === undefined &&
                (!constraints.distinctInstance || (groupCounts.get(i) ?? 0) === 0) &&
                dynamicQueries.every((q) => q.matches(i)),
        );
        if (set.length === 0) return { failure: this.diagnose(capacityProvider) };
        for (const strategy of this.request.strategies) {
            if (set.length === 1) break;
            set = this.narrow(set, strategy);
        }
        return { instance: this.rng.pick(set) };
    }

    /** Counts a task just launched on `instance` in the group, for the next placements of this session. */
    commit(instance: InstanceState): void {
        this.request.groupCounts.set(instance, (this.request.groupCounts.get(instance) ?? 0) + 1);
        for (const [field, counts] of this.valueCounts) {
            const value = spreadValue(field, instance);
            counts.set(value, (counts.get(value) ?? 0) + 1);
        }
    }

    private candidates(capacityProvider: string | undefined): InstanceState[] {
        const key = capacityProvider ?? "";
        let list = this.staticCandidates.get(key);
        if (!list) {
            const staticQueries = this.request.constraints.memberOf.filter((q) => !q.dynamic);
            list = [];
            for (const i of this.request.cluster.instances.values()) {
                if (i.status !== "ACTIVE" || !i.agentConnected) continue;
                if (capacityProvider !== undefined && i.capacityProviderName !== capacityProvider) continue;
                if (this.request.restrict && !this.request.restrict(i)) continue;
                if (!staticQueries.every((q) => q.matches(i))) continue;
                list.push(i);
            }
            this.staticCandidates.set(key, list);
        }
        return list;
    }

    private narrow(set: InstanceState[], strategy: PlacementStrategy): InstanceState[] {
        if (strategy.type === "random") return [this.rng.pick(set)];
        let best = Infinity;
        const scored = set.map((i) => {
            const score = strategy.type === "binpack" ? remaining(i, strategy.field) : this.spreadCount(strategy.field!, i);
            if (score < best) best = score;
            return score;
        });
        return set.filter((_, n) => scored[n] === best);
    }

    private spreadCount(field: string, instance: InstanceState): number {
        if (field === "instanceId" || field === "host") return this.request.groupCounts.get(instance) ?? 0;
        let counts = this.valueCounts.get(field);
        if (!counts) {
            counts = new Map();
            for (const [i, n] of this.request.groupCounts) {
                const value = spreadValue(field, i);
                counts.set(value, (counts.get(value) ?? 0) + n);
            }
            this.valueCounts.set(field, counts);
        }
        return counts.get(spreadValue(field, instance)) ?? 0;
    }

    /** Why nothing fits: the reason of the instance that got furthest through the pipeline. */
    private diagnose(capacityProvider: string | undefined): PlacementFailure {
        const { cluster, taskDefinition, constraints, groupCounts, restrict } = this.request;
        let best: { stage: number; reason: string; instance: InstanceState } | undefined;
        for (const i of cluster.instances.values()) {
            if (i.status !== "ACTIVE") continue;
            if (capacityProvider !== undefined && i.capacityProviderName !== capacityProvider) continue;
            if (restrict && !restrict(i)) continue;
            let stage: number;
            let reason: string;
            const shortage = resourceShortage(i, taskDefinition);
            if (!i.agentConnected) [stage, reason] = [1, "AGENT"];
            else if (shortage) [stage, reason] = [shortage === "RESOURCE:CPU" ? 2 : shortage === "RESOURCE:MEMORY" ? 3 : 4, shortage];
            else if (constraints.distinctInstance && (groupCounts.get(i) ?? 0) > 0) [stage, reason] = [5, "DistinctInstance placement constraint unsatisfied."];
            else [stage, reason] = [5, "MemberOf placement constraint unsatisfied."];
            if (!best || stage > best.stage) best = { stage, reason, instance: i };
        }
        if (!best) {
            const where = capacityProvider !== undefined ? `capacity provider ${capacityProvider}` : "cluster";
            return { reason: `No Container Instances were found in your ${where}.`, message: `Reason: No Container Instances were found in your ${where}.` };
        }
        return { reason: best.reason, instance: best.instance, message: `The closest matching (container-instance ${best.instance.id}) ${failureSentence(best.reason)}.` };
    }
}

function failureSentence(reason: string): string {
    switch (reason) {
        case "RESOURCE:CPU":
            return "has insufficient CPU units available";
        case "RESOURCE:MEMORY":
            return "has insufficient memory available";
        case "RESOURCE:PORTS":
        case "RESOURCE:PORTS_UDP":
            return "is already using a port required by your task";
        case "AGENT":
            return "has an agent that is not connected";
        default:
            return `encountered error "${reason}"`;
    }
}
