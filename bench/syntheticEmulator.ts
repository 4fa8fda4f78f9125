// A synthetic cluster on the local ECS emulator, through its control API (no API calls counted): instances
// registered, one task definition per service, services created with their tasks RUNNING where the generator put
// them, DAEMON tasks placed by the emulator's scheduler, scalable targets for the auto-scaled services.

import { EcsEmulator, VirtualClock } from "../local/emulator";
import type { SyntheticCluster } from "./syntheticCluster";
import { placementStrategyOf } from "./syntheticSnapshot";

export interface SyntheticWorld {
    emulator: EcsEmulator;
    clock: VirtualClock;
    clusterArn: string;
    endpoint: string;
    scalableTargets: number;
    close(): Promise<void>;
}

export async function syntheticWorld(cluster: SyntheticCluster, name = "synthetic", seed = 1): Promise<SyntheticWorld> {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ clock, seed });
    const endpoint = await emulator.listen();
    const control = emulator.control;
    const clusterArn = control.createCluster(name);
    for (const i of cluster.instances) control.registerInstance({ cluster: name, ec2InstanceId: i.id, az: i.az, cpu: i.cpu, memory: i.memory });
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
        if (!daemon) for (const [p, n] of s.placement) initialPlacement[cluster.instances[p].id] = n;
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
    clock.runUntilIdle();
    return {
        emulator, clock, clusterArn, endpoint, scalableTargets,
        close: async () => {
            await emulator.close();
            clock.dispose();
        },
    };
}
