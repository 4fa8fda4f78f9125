// How balanced a service is, judged from the emulator's own state with the scenario runner's lower bound
// (local/scenario/lowerBound.ts), never with the planner: the bins are the instances that can take the service's
// task, the levels come from the service's placement strategy.

import type { ClusterSnapshot, EcsEmulator } from "../../../local/emulator";
import { serviceLowerBound, type BoundInstance } from "../../../local/scenario/lowerBound";
import { CLUSTER, STATIC_HOST_PORT, TASK_CPU, TASK_MEMORY, type ServiceSpec } from "./scenario";

type Level = "az" | "instance";

/** The spread levels ECS applies, outermost first (no strategy: ECS's default, AZ then instance). */
export function spreadLevels(spec: ServiceSpec): Level[] {
    const strategies = spec.strategy ?? [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "spread", field: "instanceId" }];
    const levels: Level[] = [];
    for (const s of strategies) {
        if (s.type !== "spread") break;
        if (s.field === "attribute:ecs.availability-zone") levels.push("az");
        else if (s.field === "instanceId" || s.field === "host") {
            levels.push("instance");
            break;
        } else break;
    }
    return levels;
}

interface ResourceEntry {
    name: string;
    integerValue?: number;
    stringSetValue?: string[];
}

/** The instances as bins for one service: usable ones, with the room left for its task. */
export function boundInstances(emulator: EcsEmulator, spec: ServiceSpec, snapshot: ClusterSnapshot = emulator.control.snapshot(CLUSTER)): BoundInstance[] {
    return snapshot.instances.map((i) => {
        const remaining = (i.remainingResources ?? []) as unknown as ResourceEntry[];
        const value = (name: string) => remaining.find((r) => r.name === name)?.integerValue ?? 0;
        const ports = remaining.find((r) => r.name === "PORTS")?.stringSetValue ?? [];
        let room = Math.min(Math.floor(value("CPU") / TASK_CPU), Math.floor(value("MEMORY") / TASK_MEMORY));
        if (spec.staticHostPort) room = ports.includes(String(STATIC_HOST_PORT)) ? 0 : Math.min(room, 1);
        return {
            id: i.ec2InstanceId,
            az: i.availabilityZone ?? "",
            usable: i.status === "ACTIVE" && i.agentConnected === true,
            room,
        };
    });
}

/** Tasks of the service per EC2 instance, counting only those desired RUNNING. */
export function tasksPerInstance(emulator: EcsEmulator, name: string): Record<string, number> {
    return emulator.control.tasksPerInstance(CLUSTER, name);
}

/** The fewest tasks that must move for the service to be balanced (on `levels`, by default its own). */
export function lowerBound(emulator: EcsEmulator, spec: ServiceSpec, levels: Level[] = spreadLevels(spec), snapshot?: ClusterSnapshot): number {
    return serviceLowerBound({ name: spec.name, counts: tasksPerInstance(emulator, spec.name), levels }, boundInstances(emulator, spec, snapshot));
}

/** The worst max − min among sibling bins (AZs; instances inside each AZ, or all instances) over usable bins. */
export function skew(emulator: EcsEmulator, spec: ServiceSpec, snapshot?: ClusterSnapshot): number {
    const counts = tasksPerInstance(emulator, spec.name);
    const bins = boundInstances(emulator, spec, snapshot).filter((b) => b.usable && (counts[b.id] ?? 0) + b.room > 0);
    const levels = spreadLevels(spec);
    const spreadOf = (values: number[]) => (values.length < 2 ? 0 : Math.max(...values) - Math.min(...values));
    let worst = 0;
    if (levels[0] === "az") {
        const byAz = new Map<string, typeof bins>();
        for (const b of bins) byAz.set(b.az, [...(byAz.get(b.az) ?? []), b]);
        worst = spreadOf([...byAz.values()].map((members) => members.reduce((n, b) => n + (counts[b.id] ?? 0), 0)));
        if (levels[1] === "instance") {
            for (const members of byAz.values()) worst = Math.max(worst, spreadOf(members.map((b) => counts[b.id] ?? 0)));
        }
    } else if (levels[0] === "instance") {
        worst = spreadOf(bins.map((b) => counts[b.id] ?? 0));
    }
    return worst;
}

export interface ServiceState {
    bound: number;
    skew: number;
    /** Surplus over instances alone, whatever the strategy: what moving the service could change. */
    instanceSurplus: number;
}

/** `snapshot`: the cluster read once for many services (default: read now). */
export function serviceState(emulator: EcsEmulator, spec: ServiceSpec, snapshot: ClusterSnapshot = emulator.control.snapshot(CLUSTER)): ServiceState {
    return {
        bound: lowerBound(emulator, spec, spreadLevels(spec), snapshot),
        skew: skew(emulator, spec, snapshot),
        instanceSurplus: lowerBound(emulator, spec, ["instance"], snapshot),
    };
}
