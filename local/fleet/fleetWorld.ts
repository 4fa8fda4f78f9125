// The fleet on one local ECS emulator: every cluster of the shape in one account and Region, so that they share
// ECS's throttling buckets ("Request throttling for the Amazon ECS API": the rates are per account and Region), on a
// VirtualClock. The emulator's own per-call latency is 0: the simulation's engine (concurrentInvocations.ts) adds
// the latency per call, so that calls from different invocations overlap in time instead of queueing on the clock.

import { syntheticCluster } from "../../bench/syntheticCluster";
import { populateSyntheticCluster } from "../../bench/syntheticEmulator";
import { EcsEmulator, VirtualClock } from "../emulator";
import type { FleetShape } from "./fleetShape";

export interface FleetCluster {
    name: string;
    arn: string;
    tasks: number;
    instances: number;
}

export interface FleetWorld {
    emulator: EcsEmulator;
    clock: VirtualClock;
    endpoint: string;
    clusters: FleetCluster[];
    close(): Promise<void>;
}

export async function fleetWorld(shape: FleetShape, seed: number): Promise<FleetWorld> {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ clock, seed, timing: { apiLatencyMs: 0 }, faults: { throttling: true } });
    const endpoint = await emulator.listen();
    const clusters: FleetCluster[] = shape.clusters.map((size, i) => {
        const cluster = syntheticCluster(size, seed + i);
        const { clusterArn } = populateSyntheticCluster(emulator, cluster, size.name, String(i + 1).padStart(2, "0"));
        return { name: size.name, arn: clusterArn, tasks: cluster.tasks, instances: cluster.instances.length };
    });
    // The DAEMON tasks start, and the world settles before the first pass.
    clock.runUntilIdle();
    return {
        emulator,
        clock,
        endpoint,
        clusters,
        close: async () => {
            await emulator.close();
            clock.dispose();
        },
    };
}
