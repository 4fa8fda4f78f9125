// The ECS placement engine (developer guide "task-placement"): (1) instances that are ACTIVE, connected and of
// the right capacity provider, with the CPU, memory and ports the task needs; (2) that meet the constraints
// (distinctInstance, memberOf); (3) narrowed by each strategy in order (spread keeps the values holding the
// fewest of the group's tasks, binpack the least remaining cpu/memory, random one at random); (4) one of
// the remaining candidates: ECS documents no tie-break, so the emulator's profile breaks the tie (profiles/).

import { invalidParameter } from "./errors";
import { AZ_ATTRIBUTE, type ClusterState, type InstanceState, type PlacementConstraint, type PlacementStrategy, type TaskDefinitionState } from "./model";
import { parseQuery, QuerySyntaxError, type Query } from "./queryLanguage";
import type { EcsProfile } from "./profiles/profile";
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

function isInstanceField(field: string): boolean {
    return field === "instanceId" || field === "host";
}

/** The value a spread field takes on an instance (instances lacking the attribute share one "none" value). */
export function spreadValue(field: string, instance: InstanceState): string {
    if (field === "instanceId" || field === "host") return instance.arn;
    return instance.attributes.get(field.slice("attribute:".length)) ?? "\u0000none";
}

function remaining(instance: InstanceState, field: string | undefined): number {
    return field === "memory" ? instance.registered.memory - instance.used.memory : instance.registered.cpu - instance.used.cpu;
}

/** Values of one spread attribute, numbered, with each candidate's value number. */
interface FieldValues {
    ids: Map<string, number>;
    valueIds: Int32Array;
    /** The value numbers some candidate has. */
    present: number[];
}

/** ACTIVE, connected instances of one capacity provider (static candidates), with their spread values. */
interface CandidateList {
    instances: InstanceState[];
    position: Map<InstanceState, number>;
    fields: Map<string, FieldValues>;
}

function valueId(ids: Map<string, number>, value: string): number {
    let id = ids.get(value);
    if (id === undefined) ids.set(value, (id = ids.size));
    return id;
}

function buildList(instances: InstanceState[]): CandidateList {
    return { instances, position: new Map(instances.map((i, j) => [i, j])), fields: new Map() };
}

function fieldValues(list: CandidateList, field: string): FieldValues {
    let values = list.fields.get(field);
    if (!values) {
        const ids = new Map<string, number>();
        const valueIds = Int32Array.from(list.instances, (i) => valueId(ids, spreadValue(field, i)));
        values = { ids, valueIds, present: [...new Set(valueIds)] };
        list.fields.set(field, values);
    }
    return values;
}

/**
 * Static candidate lists are the same for every service of a cluster until its instances change: they are
 * kept per cluster and `ClusterState.topologyVersion`.
 */
const sharedLists = new WeakMap<ClusterState, { version: number; byProvider: Map<string, CandidateList> }>();

function sharedList(cluster: ClusterState, capacityProvider: string | undefined): CandidateList {
    let cache = sharedLists.get(cluster);
    if (!cache || cache.version !== cluster.topologyVersion) sharedLists.set(cluster, (cache = { version: cluster.topologyVersion, byProvider: new Map() }));
    const key = capacityProvider ?? "";
    let list = cache.byProvider.get(key);
    if (!list) {
        const instances: InstanceState[] = [];
        for (const i of cluster.instances.values()) {
            if (i.status === "ACTIVE" && i.agentConnected && (capacityProvider === undefined || i.capacityProviderName === capacityProvider)) instances.push(i);
        }
        cache.byProvider.set(key, (list = buildList(instances)));
    }
    return list;
}

/** A candidate list with this session's counts of the group: per candidate, and per spread value. */
interface SessionList {
    list: CandidateList;
    groupCount: Int32Array;
    /** Per spread-attribute field: the group's tasks per value number (all instances counted, not only candidates). */
    valueCounts: Map<string, number[]>;
}

/**
 * Places the tasks of one group, one at a time, against the current state. The caller launches each task on
 * the instance returned (reserving its resources) and then calls `commit`, so the next placement sees it.
 * `capacityProvider` undefined means "any instance" (launch type EC2).
 *
 * Narrowing strategy by strategy is the same as keeping the candidates with the lexicographically smallest
 * score vector (spread: the group's tasks on the value; binpack: remaining cpu/memory), cut at the first
 * `random` strategy. The scan starts at a random candidate and stops early at one whose scores are the least
 * any candidate can have; otherwise it collects every best candidate and picks one at random.
 */
export class PlacementSession {
    private readonly lists = new Map<string, SessionList>();
    private readonly ranked: readonly PlacementStrategy[];
    private readonly staticPorts: boolean;
    private readonly staticQueries: Query[];
    private readonly dynamicQueries: Query[];
    private last?: { session: SessionList; j: number };

    constructor(
        private readonly rng: Rng,
        private readonly request: PlacementRequest,
        private readonly profile: EcsProfile,
    ) {
        const cut = request.strategies.findIndex((s) => s.type === "random");
        this.ranked = cut < 0 ? request.strategies : request.strategies.slice(0, cut);
        this.staticPorts = request.taskDefinition.portMappings.some((m) => m.hostPort > 0);
        this.staticQueries = request.constraints.memberOf.filter((q) => !q.dynamic);
        this.dynamicQueries = request.constraints.memberOf.filter((q) => q.dynamic);
    }

    place(capacityProvider?: string): { instance: InstanceState } | { failure: PlacementFailure } {
        const session = this.sessionList(capacityProvider);
        const { list, groupCount } = session;
        const n = list.instances.length;
        const { cpu, memory } = this.request.taskDefinition.reservation;
        const distinct = this.request.constraints.distinctInstance;
        const k = this.ranked.length;
        const floor = this.ranked.map((s) => this.lowestScore(s, session));
        const best: number[] = new Array<number>(k).fill(0);
        let ties: number[] = [];
        const start = n > 0 ? this.rng.int(n) : 0;
        for (let step = 0; step < n; step++) {
            const j = (start + step) % n;
            const i = list.instances[j]!;
            if (i.registered.cpu - i.used.cpu < cpu || i.registered.memory - i.used.memory < memory) continue;
            if (this.staticPorts && resourceShortage(i, this.request.taskDefinition) !== undefined) continue;
            if (distinct && groupCount[j]! > 0) continue;
            if (this.dynamicQueries.length > 0 && !this.dynamicQueries.every((q) => q.matches(i))) continue;
            let order = ties.length === 0 ? -1 : 0; // -1: better than the best so far, 0: tied so far, 1: worse
            let atFloor = true;
            for (let s = 0; s < k; s++) {
                const score = this.score(s, session, j, i);
                if (score > floor[s]!) atFloor = false;
                if (order === 0) {
                    if (score > best[s]!) {
                        order = 1;
                        break;
                    }
                    if (score < best[s]!) order = -1;
                }
                best[s] = score;
            }
            if (order === 1) continue;
            // A random tie-break may take the first candidate none can beat (the scan started at a random one).
            if (atFloor && this.profile.randomPlacementTies) return this.chosen(session, j);
            if (order < 0) ties = [j];
            else ties.push(j);
        }
        if (ties.length === 0) return { failure: this.diagnose(capacityProvider) };
        if (this.profile.randomPlacementTies) return this.chosen(session, this.rng.pick(ties));
        if (ties.length === 1) return this.chosen(session, ties[0]!);
        return this.chosen(session, this.profile.breakPlacementTie({
            tied: ties, strategies: this.request.strategies, universe: list.instances, universeCounts: groupCount, rng: this.rng,
        }));
    }

    /** Counts a task just launched on `instance` in the group, for the next placements of this session. */
    commit(instance: InstanceState): void {
        this.request.groupCounts.set(instance, (this.request.groupCounts.get(instance) ?? 0) + 1);
        for (const session of this.lists.values()) {
            const j = this.last?.session === session ? this.last.j : session.list.position.get(instance);
            if (j !== undefined) session.groupCount[j]!++;
            for (const [field, counts] of session.valueCounts) {
                const id = valueId(fieldValues(session.list, field).ids, spreadValue(field, instance));
                counts[id] = (counts[id] ?? 0) + 1;
            }
        }
        this.last = undefined;
    }

    private chosen(session: SessionList, j: number): { instance: InstanceState } {
        this.last = { session, j };
        return { instance: session.list.instances[j]! };
    }

    private score(s: number, session: SessionList, j: number, instance: InstanceState): number {
        const strategy = this.ranked[s]!;
        if (strategy.type === "binpack") return remaining(instance, strategy.field);
        if (isInstanceField(strategy.field!)) return session.groupCount[j]!;
        return session.valueCounts.get(strategy.field!)![fieldValues(session.list, strategy.field!).valueIds[j]!] ?? 0;
    }

    /** The least score any candidate can have (binpack: none known). */
    private lowestScore(strategy: PlacementStrategy, session: SessionList): number {
        if (strategy.type === "binpack") return -Infinity;
        if (isInstanceField(strategy.field!)) return 0;
        const counts = session.valueCounts.get(strategy.field!)!;
        let least = Infinity;
        for (const id of fieldValues(session.list, strategy.field!).present) least = Math.min(least, counts[id] ?? 0);
        return least;
    }

    private sessionList(capacityProvider: string | undefined): SessionList {
        const key = capacityProvider ?? "";
        let session = this.lists.get(key);
        if (session) return session;
        const { cluster, restrict, groupCounts } = this.request;
        const list =
            restrict || this.staticQueries.length > 0
                ? buildList(sharedList(cluster, capacityProvider).instances.filter((i) => (!restrict || restrict(i)) && this.staticQueries.every((q) => q.matches(i))))
                : sharedList(cluster, capacityProvider);
        const groupCount = new Int32Array(list.instances.length);
        const valueCounts = new Map<string, number[]>();
        for (const s of this.ranked) {
            if (s.type === "spread" && !isInstanceField(s.field!)) valueCounts.set(s.field!, []);
        }
        for (const [instance, count] of groupCounts) {
            const j = list.position.get(instance);
            if (j !== undefined) groupCount[j] = count;
            for (const [field, counts] of valueCounts) {
                const id = valueId(fieldValues(list, field).ids, spreadValue(field, instance));
                counts[id] = (counts[id] ?? 0) + count;
            }
        }
        this.lists.set(key, (session = { list, groupCount, valueCounts }));
        return session;
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
