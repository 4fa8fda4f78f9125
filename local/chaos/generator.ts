// Random chaos cases from a seed: a cluster and its churn as a scenario file (FORMAT.md, so `npm run scenario`
// replays the fault-free part), plus what only the chaos runner injects: the faults, the passes it kills, the
// mid-pass disruptions, the services Service Auto Scaling owns, and how events reach the function (delivery). The
// same seed always gives the same case.

import { DEFAULT_ECS_PROFILE, type EcsProfileName } from "../emulator";
import type { FaultConfig } from "../emulator";
import { Rng } from "../emulator/random";
import type { DeliveryName } from "../scenario/rebalancers";
import { parseScenario, type Scenario, type ScenarioInstance } from "../scenario/scenarioFile";
import type { KillPlan } from "./containers";
import { DISRUPTION_KINDS, type Disruption, type DisruptionKind, type ScalableTarget } from "./disruptions";

export type ChaosStrategy = "minimal" | "redeploy";

export interface ChaosCase {
    /** The run's own seed: `npm run chaos -- --replay <seed>` plays this case again. */
    seed: number;
    /** The ECS behaviour profile the emulator plays (the batch's `--ecs-profile`; not drawn from the seed). */
    ecsProfile: EcsProfileName;
    strategy: ChaosStrategy;
    /** The stack's `delivery`: drawn from a stream of its own (every other draw is what it was before), or forced. */
    delivery: DeliveryName;
    /** The scenario file's JSON (what `npm run scenario` reads). */
    scenarioFile: Record<string, unknown>;
    scenario: Scenario;
    scalableTargets: ScalableTarget[];
    /** Emulator faults during the fault phase. */
    faults: Partial<FaultConfig>;
    kills: KillPlan[];
    disruptions: Disruption[];
}

export const CHAOS_CLUSTER = "chaos";
const AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];
const SIZES = [
    { cpu: 1024, memory: 1955 },
    { cpu: 2048, memory: 3891 },
    { cpu: 4096, memory: 7782 },
];
const PROVIDERS = ["cp-main", "cp-spot"];

/** The seed of run `index` of a batch started with `batchSeed` (distinct, stable). */
export function runSeed(batchSeed: number, index: number): number {
    return Rng.stream(batchSeed, `run ${index}`).int(2 ** 31 - 1) + 1;
}

/** Picks by weight: `[[value, weight], …]`. */
function weighted<T>(rng: Rng, options: readonly (readonly [T, number])[]): T {
    const total = options.reduce((s, [, w]) => s + w, 0);
    let x = rng.next() * total;
    for (const [v, w] of options) {
        if ((x -= w) < 0) return v;
    }
    return options[options.length - 1]![0];
}

function between(rng: Rng, min: number, max: number): number {
    return min + rng.int(max - min + 1);
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
}

interface Room {
    cpu: number;
    memory: number;
    ports: Set<number>;
}

function instances(rng: Rng, count: number, azs: string[], providers: string[], mixed: boolean, prefix: string, start: number): ScenarioInstance[] {
    const first = rng.int(azs.length);
    return Array.from({ length: count }, (_, i) => {
        const size = mixed ? rng.pick(SIZES) : SIZES[1]!;
        return {
            id: `${prefix}${start + i}`,
            az: azs[(first + i) % azs.length]!,
            ...size,
            ...(providers.length > 0 ? { capacityProvider: rng.pick(providers) } : {}),
            attributes: { pool: rng.chance(0.5) ? "blue" : "green" },
        };
    });
}

function placementStrategy(rng: Rng): Record<string, unknown>[] | undefined {
    const az = { type: "spread", field: "attribute:ecs.availability-zone" };
    const host = { type: "spread", field: "instanceId" };
    return weighted<Record<string, unknown>[] | undefined>(rng, [
        [undefined, 30],
        [[az, host], 30],
        [[host], 12],
        [[az], 6],
        [[{ type: "binpack", field: "memory" }], 8],
        [[{ type: "random" }], 4],
        [[az, { type: "binpack", field: "cpu" }], 4],
    ]);
}

/** Where the service's tasks start: packed on a few instances (the state ECS leaves after a scale-in and out). */
function packedPlacement(rng: Rng, service: Record<string, any>, eligible: ScenarioInstance[], room: Map<string, Room>): Record<string, number> | undefined {
    const desired = service.desiredCount as number;
    if (desired === 0 || eligible.length === 0) return undefined;
    const onePer = service.hostPort !== undefined || (service.placementConstraints ?? []).some((c: { type: string }) => c.type === "distinctInstance");
    const hosts = shuffled(rng, eligible).slice(0, onePer ? eligible.length : between(rng, 1, Math.min(2, eligible.length)));
    const placement: Record<string, number> = {};
    let left = desired;
    for (let guard = 0; left > 0 && guard < desired * hosts.length + 1; guard++) {
        const host = hosts[guard % hosts.length]!;
        const r = room.get(host.id)!;
        if ((placement[host.id] ?? 0) >= (onePer ? 1 : Infinity) || r.cpu < service.cpu || r.memory < service.memory || (service.hostPort !== undefined && r.ports.has(service.hostPort))) continue;
        r.cpu -= service.cpu;
        r.memory -= service.memory;
        if (service.hostPort !== undefined) r.ports.add(service.hostPort);
        placement[host.id] = (placement[host.id] ?? 0) + 1;
        left--;
    }
    if (left > 0) {
        // Does not fit as packed: give the room back and let ECS place the service.
        for (const [id, n] of Object.entries(placement)) {
            const r = room.get(id)!;
            r.cpu += n * service.cpu;
            r.memory += n * service.memory;
            if (service.hostPort !== undefined) r.ports.delete(service.hostPort);
        }
        return undefined;
    }
    return placement;
}

function services(rng: Rng, start: ScenarioInstance[], providers: string[]): Record<string, unknown>[] {
    const room = new Map<string, Room>(start.map((i) => [i.id, { cpu: i.cpu, memory: i.memory, ports: new Set<number>() }]));
    const count = between(rng, 1, 5);
    const out: Record<string, unknown>[] = [];
    for (let n = 0; n < count; n++) {
        const name = `svc-${n + 1}`;
        if (rng.chance(0.05)) {
            out.push({ name, desiredCount: 0, cpu: 64, memory: 128, schedulingStrategy: "DAEMON" });
            for (const r of room.values()) {
                r.cpu -= 64;
                r.memory -= 128;
            }
            continue;
        }
        const s: Record<string, any> = {
            name,
            desiredCount: weighted(rng, [[0, 3], [1, 8], [2, 12], [3, 12], [4, 12], [5, 10], [6, 10], [8, 8], [10, 6], [14, 3]]),
            cpu: rng.pick([128, 256, 512]),
            memory: rng.pick([256, 512, 1024]),
            minimumHealthyPercent: rng.pick([0, 50, 100]),
            maximumPercent: rng.pick([100, 150, 200]),
        };
        const strategy = placementStrategy(rng);
        if (strategy) s.placementStrategy = strategy;
        const constraints: Record<string, string>[] = [];
        if (rng.chance(0.12)) constraints.push({ type: "distinctInstance" });
        if (rng.chance(0.1)) constraints.push({ type: "memberOf", expression: rng.chance(0.5) ? "attribute:pool == blue" : `attribute:ecs.availability-zone != ${rng.pick(AZS)}` });
        // ECS evaluates it; the planner cannot predict it and must skip the service with its reason.
        if (rng.chance(0.03)) constraints.push({ type: "memberOf", expression: `task:group != service:svc-${n + 2}` });
        if (constraints.length > 0) s.placementConstraints = constraints;
        if (rng.chance(0.08)) s.hostPort = 8000 + n;
        if (providers.length > 0 && rng.chance(0.6)) {
            s.capacityProviderStrategy = weighted(rng, [
                [[{ capacityProvider: PROVIDERS[0], weight: 1 }], 3],
                [[{ capacityProvider: PROVIDERS[1], weight: 1 }], 1],
                [[{ capacityProvider: PROVIDERS[0], weight: 1, base: 1 }, { capacityProvider: PROVIDERS[1], weight: 1 }], 2],
            ]);
        }
        if (rng.chance(0.08)) s.tags = { "ecs-rebalancer:skip": "true" };
        if (rng.chance(0.08) && s.desiredCount > 0) s.taskProtection = between(rng, 1, Math.min(2, s.desiredCount));
        if (rng.chance(0.1)) s.availabilityZoneRebalancing = "ENABLED";
        if (rng.chance(0.65) && constraints.every((c) => c.type !== "memberOf" || !c.expression!.startsWith("task:"))) {
            const providerOf = new Set((s.capacityProviderStrategy ?? []).map((c: { capacityProvider: string }) => c.capacityProvider));
            const eligible = start.filter((i) =>
                (providerOf.size === 0 || providerOf.has(i.capacityProvider ?? "")) &&
                constraints.every((c) => c.type !== "memberOf" || (c.expression!.startsWith("attribute:pool") ? i.attributes.pool === "blue" : !c.expression!.endsWith(i.az))));
            const placement = packedPlacement(rng, s, eligible, room);
            if (placement) s.placement = placement;
        }
        out.push(s);
    }
    return out;
}

function steps(rng: Rng, start: ScenarioInstance[], azs: string[], providers: string[], mixed: boolean, serviceNames: string[]): Record<string, unknown>[] {
    const live = start.map((i) => i.id);
    const out: Record<string, unknown>[] = [];
    let launched = 0;
    const count = weighted(rng, [[0, 1], [1, 4], [2, 4], [3, 3], [4, 2]]);
    for (let n = 0; n < count; n++) {
        const kind = weighted(rng, [["launch", 10], ["terminate", 4], ["drain", 2], ["agent", 2], ["setDesired", 3], ["advance", 2]]);
        if (kind === "launch" || live.length <= 1) {
            const added = instances(rng, between(rng, 1, 3), azs, providers, mixed, "i-new-", launched + 1);
            launched += added.length;
            live.push(...added.map((i) => i.id));
            out.push({ launch: added });
        } else if (kind === "terminate" || kind === "drain") {
            const id = live.splice(rng.int(live.length), 1)[0]!;
            out.push(kind === "terminate" ? { terminate: [id] } : { drain: [id] });
        } else if (kind === "agent") {
            const id = rng.pick(live);
            out.push({ agentDisconnect: [id] }, { advance: between(rng, 60, 900) }, { agentConnect: [id] });
        } else if (kind === "setDesired" && serviceNames.length > 0) {
            out.push({ setDesired: { [rng.pick(serviceNames)]: between(rng, 0, 10) } });
        } else {
            out.push({ advance: between(rng, 60, 1800) });
        }
    }
    return out;
}

function faults(rng: Rng): Partial<FaultConfig> {
    return {
        throttling: rng.chance(0.85),
        serverErrorRate: rng.pick([0, 0.01, 0.03, 0.08]),
        latency: { rate: rng.pick([0, 0.02, 0.05]), emulatedMs: rng.pick([2_000, 30_000, 200_000]), realMs: 0 },
        eventDuplicateRate: rng.pick([0, 0.1, 0.3]),
        eventDelayRate: rng.pick([0, 0.1, 0.3]),
        eventDelayMs: rng.pick([2_000, 30_000, 120_000]),
    };
}

/** Queue delivery for about a third of the cases, from its own stream so that it changes no other draw. */
export function drawDelivery(seed: number): DeliveryName {
    return Rng.stream(seed, "delivery").chance(1 / 3) ? "queue" : "direct";
}

/** The case of `seed`; `delivery` forces the delivery (the rest of the case is the same either way). */
export function generateCase(seed: number, ecsProfile: EcsProfileName = DEFAULT_ECS_PROFILE, delivery: DeliveryName = drawDelivery(seed)): ChaosCase {
    const rng = Rng.stream(seed, "chaos case");
    const azs = AZS.slice(0, weighted(rng, [[1, 1], [2, 3], [3, 6]]));
    const providers = rng.chance(0.25) ? PROVIDERS : [];
    const mixed = rng.chance(0.35);
    const start = instances(rng, between(rng, 2, 6), azs, providers, mixed, "i-", 1);
    const serviceSpecs = services(rng, start, providers);
    const replicaNames = serviceSpecs.filter((s) => s.schedulingStrategy !== "DAEMON").map((s) => s.name as string);
    const scenarioFile = {
        name: `chaos-${seed}`,
        description: `chaos runner case ${seed} (faults, killed passes and mid-pass disruptions: npm run chaos -- --replay ${seed})`,
        cluster: CHAOS_CLUSTER,
        instances: start,
        services: serviceSpecs,
        steps: steps(rng, start, azs, providers, mixed, replicaNames),
    };
    const scenario = parseScenario(JSON.stringify(scenarioFile), `chaos-${seed}.json`);
    const scalableTargets: ScalableTarget[] = scenario.services
        .filter((s) => s.schedulingStrategy === "REPLICA" && rng.chance(0.15))
        .map((s) => ({ service: s.name, min: Math.max(0, s.desiredCount - 2), max: s.desiredCount + 3 }));
    const weights: Record<DisruptionKind, number> = { "instance-lost": 3, "agent-disconnect": 2, deployment: 3, autoscaling: scalableTargets.length > 0 ? 3 : 0, "owner-desired": 2, "throttle-burst": 3, "throttle-storm": 2 };
    const kinds = DISRUPTION_KINDS.map((k) => [k, weights[k]] as const);
    return {
        seed,
        ecsProfile,
        strategy: rng.chance(0.7) ? "minimal" : "redeploy",
        delivery,
        scenarioFile,
        scenario,
        scalableTargets,
        faults: faults(rng),
        kills: Array.from({ length: weighted(rng, [[0, 3], [1, 4], [2, 2], [3, 1]]) }, () => ({ atCall: between(rng, 1, 120), kind: rng.chance(0.5) ? "crash" as const : "timeout" as const })),
        disruptions: Array.from({ length: weighted(rng, [[0, 1], [1, 3], [2, 3], [3, 3], [5, 2]]) }, () => ({
            atCall: between(rng, 1, 150),
            kind: weighted(rng, kinds),
            pick: [rng.next(), rng.next(), rng.next()],
        })),
    };
}
