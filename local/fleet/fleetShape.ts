// The fleets the simulation plays: clusters of given sizes in one account and Region (so they share ECS's
// throttling buckets), each a synthetic cluster (bench/syntheticCluster.ts) with ~20 tasks per instance.

import type { SyntheticSize } from "../../bench/syntheticCluster";

export interface FleetShape {
    name: string;
    clusters: SyntheticSize[];
}

const TASKS_PER_INSTANCE = 20;

function clusterOf(index: number, tasks: number): SyntheticSize {
    const instances = Math.max(3, Math.round(tasks / TASKS_PER_INSTANCE));
    // A service for every ~150 tasks, at least 10 (the generator's DAEMON, binpack, opted-out… classes need them).
    const services = Math.max(10, Math.round(tasks / 150));
    return { name: `fleet-${String(index + 1).padStart(2, "0")}`, instances, services, tasks };
}

export function fleetOf(name: string, taskCounts: number[]): FleetShape {
    return { name, clusters: taskCounts.map((tasks, i) => clusterOf(i, tasks)) };
}

/** Issue 13's example: 12 clusters, 200,000 tasks in all, long-tailed (one cluster of 50,000, most much smaller). */
export const FLEET_12_CLUSTERS = fleetOf("12 clusters, 200,000 tasks", [50_000, 35_000, 25_000, 20_000, 18_000, 15_000, 12_000, 10_000, 6_000, 4_000, 3_000, 2_000]);

/** A small fleet for tests: the same mechanics in seconds. */
export const FLEET_SMALL = fleetOf("4 clusters, 2,400 tasks", [1_000, 700, 400, 300]);

export function fleetTasks(shape: FleetShape): number {
    return shape.clusters.reduce((s, c) => s + c.tasks, 0);
}

/** The smallest fleet that still has two clusters to serve: for tests. */
export const FLEET_TINY = fleetOf("2 clusters, 300 tasks", [200, 100]);
