// A synthetic cluster on the local ECS emulator, through its control API (no API calls counted): instances
// registered, one task definition per service, services created with their tasks RUNNING where the generator put
// them, DAEMON tasks placed by the emulator's scheduler, scalable targets for the auto-scaled services.
// On the default VirtualClock the world is settled at once; with `throttledRealTime` it runs on a real-time clock
// (ScaledClock 1×) with ECS's throttling buckets on, so the SDK's own backoff and the buckets' refill share a clock.

import { EcsEmulator, ScaledClock, VirtualClock, type Clock } from "../local/emulator";
import type { SyntheticCluster } from "./syntheticCluster";
import { placementStrategyOf } from "./syntheticSnapshot";

export interface SyntheticWorld {
    emulator: EcsEmulator;
    clock: Clock;
    clusterArn: string;
    endpoint: string;
    scalableTargets: number;
    close(): Promise<void>;
}

export interface WorldOptions {
    seed?: number;
    name?: string;
    /** Real-time clock and ECS's throttling buckets, instead of a virtual clock without throttling. */
    throttledRealTime?: boolean;
}

export async function syntheticWorld(cluster: SyntheticCluster, options: WorldOptions = {}): Promise<SyntheticWorld> {
    const name = options.name ?? "synthetic";
    const virtual = !options.throttledRealTime;
    const clock: Clock = virtual ? new VirtualClock() : new ScaledClock(1);
    const emulator = new EcsEmulator({
        clock,
        seed: options.seed ?? 1,
        // In real time, let the DAEMON's tasks start at once rather than after the emulator's default delays.
        ...(virtual ? {} : { timing: { schedulerDelayMs: 0, taskStartMs: 0 }, faults: { throttling: true } }),
    });
    const endpoint = await emulator.listen();
    const { clusterArn, scalableTargets } = populateSyntheticCluster(emulator, cluster, name);
    if (clock instanceof VirtualClock) clock.runUntilIdle();
    else await daemonPlaced(emulator, name, cluster);
    return {
        emulator, clock, clusterArn, endpoint, scalableTargets,
        close: async () => {
            await emulator.close();
            clock.dispose();
        },
    };
}

/**
 * Puts `cluster` into `emulator` as cluster `name` through its control API: instances, one task definition per
 * service, services with their tasks where the generator put them, scalable targets. DAEMON tasks are placed by the
 * emulator's scheduler once its clock runs.
 */
export function populateSyntheticCluster(
    emulator: EcsEmulator,
    cluster: SyntheticCluster,
    name: string,
    /** Prepended to the generator's instance ids, so that several clusters in one emulator never share one. */
    instanceIdPrefix = "",
): { clusterArn: string; scalableTargets: number } {
    const control = emulator.control;
    const ec2Id = (id: string) => `i-${instanceIdPrefix}${id.slice("i-".length)}`;
    const clusterArn = control.createCluster(name);
    for (const i of cluster.instances) control.registerInstance({ cluster: name, ec2InstanceId: ec2Id(i.id), az: i.az, cpu: i.cpu, memory: i.memory });
    let scalableTargets = 0;
    for (const s of cluster.services) {
        const taskDefinition = control.registerTaskDefinition({
            family: s.name,
            networkMode: "bridge",
            requiresCompatibilities: ["EC2"],
            containerDefinitions: [{ name: "app", image: "public.ecr.aws/docker/library/nginx:stable-alpine", cpu: s.cpu, memory: s.memory, essential: true }],
        });
        const daemon = s.kind === "daemon";
        const initialPlacement: Record<string, number> = {};
        if (!daemon) for (const [p, n] of s.placement) initialPlacement[ec2Id(cluster.instances[p].id)] = n;
        control.createService({
            cluster: name,
            serviceName: s.name,
            taskDefinition,
            launchType: "EC2",
            schedulingStrategy: daemon ? "DAEMON" : "REPLICA",
            ...(daemon ? {} : { desiredCount: s.desired, deploymentConfiguration: { minimumHealthyPercent: s.minimumHealthyPercent, maximumPercent: s.maximumPercent } }),
            placementStrategy: placementStrategyOf(s),
            availabilityZoneRebalancing: "DISABLED",
            tags: s.kind === "opted-out" ? [{ key: "ecs-rebalancer:skip", value: "true" }] : [],
            ...(daemon ? {} : { initialPlacement }),
        });
        if (s.autoScaled && !daemon) {
            control.registerScalableTarget(name, s.name, 1, Math.max(2, s.desired * 2));
            scalableTargets++;
        }
    }
    return { clusterArn, scalableTargets };
}

/** Waits (real time) until the DAEMON service, if any, runs a task on every instance. */
async function daemonPlaced(emulator: EcsEmulator, name: string, cluster: SyntheticCluster): Promise<void> {
    const daemon = cluster.services.find((s) => s.kind === "daemon");
    if (!daemon) return;
    for (let waited = 0; waited < 60_000; waited += 50) {
        const running = (emulator.control.service(name, daemon.name) as { runningCount?: number }).runningCount ?? 0;
        if (running >= cluster.instances.length) return;
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`synthetic cluster ${cluster.size.name}: the DAEMON service did not reach every instance in 60 s`);
}
