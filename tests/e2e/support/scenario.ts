// The cluster the end-to-end tests run the handler against: more than 100 services on six instances in three
// Availability Zones, the tasks of the services that need rebalancing piled on the instances that survived a
// scale-in, and one instance that has just joined (its registration event is what first wakes the rebalancer).
// Each service says what the rebalancer must do with it and why; nothing here says how many tasks move.

import type { EcsEmulator, EcsEvent } from "../../../local/emulator";
import { CONTAINER_INSTANCE_STATE_CHANGE } from "../../../local/emulator";

export const CLUSTER = "e2e";
export const SKIP_TAG = "ecs-rebalancer:skip";
/** Who set the cluster up and changes it outside the rebalancer (the owner's deployments). */
export const OWNER_KEY = "AKIDOWNER";

export interface InstanceSpec {
    id: string;
    az: string;
}

/** Instances that survived the scale-in (every unbalanced task sits on them), then the new ones. */
export const OLD_INSTANCES: InstanceSpec[] = [
    { id: "i-a1", az: "us-east-1a" },
    { id: "i-b1", az: "us-east-1b" },
    { id: "i-c1", az: "us-east-1c" },
];
export const NEW_INSTANCES: InstanceSpec[] = [
    { id: "i-a2", az: "us-east-1a" },
    { id: "i-b2", az: "us-east-1b" },
];
/** Joins once every service runs; its registration event is the first invocation. */
export const JOINING_INSTANCE: InstanceSpec = { id: "i-c2", az: "us-east-1c" };

/** Large instances: capacity never limits these tests unless a service's ports do. */
const INSTANCE_CPU = 16_384;
const INSTANCE_MEMORY = 65_536;
export const TASK_CPU = 16;
export const TASK_MEMORY = 32;
export const STATIC_HOST_PORT = 8080;

export const SPREAD_AZ = { type: "spread", field: "attribute:ecs.availability-zone" };
export const SPREAD_INSTANCE = { type: "spread", field: "instanceId" };
export const BINPACK_MEMORY = { type: "binpack", field: "memory" };

export type Expectation =
    | "rebalance" // unbalanced and eligible: must end within the skew threshold
    | "balanced" // already within the threshold: untouched
    | "untouched"; // not the rebalancer's to move (DAEMON, binpack, opted out, mid-deployment, no headroom)

export interface ServiceSpec {
    name: string;
    expect: Expectation;
    /** Why the expectation holds, for failure messages. */
    why: string;
    daemon?: boolean;
    desiredCount: number;
    /** EC2 instance id → tasks already RUNNING there when the service is created (sums to desiredCount). */
    placement: Record<string, number>;
    /** undefined: ECS's default (spread on AZ, then instance). */
    strategy?: Array<{ type: string; field?: string }>;
    minimumHealthyPercent?: number;
    maximumPercent?: number;
    staticHostPort?: boolean;
    tags?: Record<string, string>;
    /** After creation, the owner deploys a task definition that can never be placed: a deployment that stays in progress. */
    stuckDeployment?: boolean;
    /** ECS's own Availability Zone rebalancing; DISABLED unless a test is about it. */
    azRebalancing?: "ENABLED" | "DISABLED";
}

/** Services whose layout the rebalancer must fix: one per path through the planner. */
const UNBALANCED: ServiceSpec[] = [
    { name: "az-instance-surge", expect: "rebalance", why: "spread AZ → instance, floor 100%: surge path", desiredCount: 6, placement: { "i-a1": 2, "i-b1": 2, "i-c1": 2 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE], minimumHealthyPercent: 100, maximumPercent: 200 },
    { name: "az-instance-stop", expect: "rebalance", why: "spread AZ → instance, floor 50%: stop path", desiredCount: 6, placement: { "i-a1": 4, "i-b1": 2 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE], minimumHealthyPercent: 50, maximumPercent: 200 },
    { name: "az-instance-large", expect: "rebalance", why: "spread AZ → instance, floor 50%, more surplus than one pass moves", desiredCount: 12, placement: { "i-a1": 6, "i-b1": 6 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE], minimumHealthyPercent: 50, maximumPercent: 200 },
    { name: "instance-only", expect: "rebalance", why: "spread instanceId only, floor 50%", desiredCount: 8, placement: { "i-a1": 4, "i-b1": 4 }, strategy: [SPREAD_INSTANCE], minimumHealthyPercent: 50, maximumPercent: 200 },
    { name: "az-only", expect: "rebalance", why: "spread AZ only, floor 50%", desiredCount: 6, placement: { "i-a1": 6 }, strategy: [SPREAD_AZ], minimumHealthyPercent: 50, maximumPercent: 200 },
    { name: "default-strategy", expect: "rebalance", why: "no strategy (ECS's default spread), default deployment configuration (floor 100%)", desiredCount: 5, placement: { "i-a1": 3, "i-c1": 2 } },
    { name: "static-port", expect: "rebalance", why: `static host port ${STATIC_HOST_PORT}: one task per instance, floor 100%`, desiredCount: 3, placement: { "i-a1": 1, "i-a2": 1, "i-b1": 1 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE], staticHostPort: true },
];

/** Services the rebalancer must leave alone, each unbalanced so that touching it would be possible. */
const NOT_OURS: ServiceSpec[] = [
    { name: "daemon", expect: "untouched", why: "DAEMON", daemon: true, desiredCount: 0, placement: {} },
    { name: "binpack", expect: "untouched", why: "first strategy binpack", desiredCount: 4, placement: { "i-a1": 4 }, strategy: [BINPACK_MEMORY], minimumHealthyPercent: 50, maximumPercent: 200 },
    { name: "opted-out", expect: "untouched", why: `tagged ${SKIP_TAG}=true`, desiredCount: 4, placement: { "i-a1": 4 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE], minimumHealthyPercent: 50, maximumPercent: 200, tags: { [SKIP_TAG]: "true" } },
    { name: "mid-deployment", expect: "untouched", why: "a deployment in progress", desiredCount: 4, placement: { "i-a1": 4 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE], minimumHealthyPercent: 50, maximumPercent: 200, stuckDeployment: true },
    { name: "no-headroom", expect: "untouched", why: "minimumHealthyPercent 100 and maximumPercent 100: no stop and no surge is safe", desiredCount: 4, placement: { "i-a1": 4 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE], minimumHealthyPercent: 100, maximumPercent: 100 },
];

/** Balanced services in a few shapes, enough to take the cluster past 100 services. */
function balancedServices(count: number): ServiceSpec[] {
    const shapes: Array<Omit<ServiceSpec, "name" | "expect" | "why">> = [
        { desiredCount: 3, placement: { "i-a1": 1, "i-b1": 1, "i-c1": 1 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE], minimumHealthyPercent: 50 },
        { desiredCount: 3, placement: { "i-a2": 1, "i-b2": 1, "i-c1": 1 }, minimumHealthyPercent: 0 },
        { desiredCount: 2, placement: { "i-a1": 1, "i-b2": 1 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE] },
        { desiredCount: 4, placement: { "i-a1": 1, "i-a2": 1, "i-b1": 1, "i-c1": 1 }, strategy: [SPREAD_INSTANCE], minimumHealthyPercent: 50 },
        { desiredCount: 5, placement: { "i-a1": 1, "i-a2": 1, "i-b1": 1, "i-b2": 1, "i-c1": 1 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE], minimumHealthyPercent: 50 },
    ];
    return Array.from({ length: count }, (_, n) => ({
        name: `balanced-${String(n).padStart(3, "0")}`,
        expect: "balanced" as const,
        why: "already within the skew threshold",
        ...shapes[n % shapes.length],
    }));
}

export function scenarioServices(balancedCount = 100): ServiceSpec[] {
    return [...UNBALANCED, ...NOT_OURS, ...balancedServices(balancedCount)];
}

export interface BuiltScenario {
    clusterArn: string;
    services: ServiceSpec[];
    /** The joining instance's registration event, as the emulator emitted it. */
    registrationEvent: EcsEvent;
    /** Every container-instance event the joining instance produced during set-up, oldest first. */
    joiningInstanceEvents: EcsEvent[];
}

function registerTaskDefinitions(emulator: EcsEmulator): { small: string; staticPort: string; unplaceable: string } {
    const container = (family: string, extra: Record<string, unknown> = {}) => ({
        name: family,
        image: `example/${family}:1`,
        cpu: TASK_CPU,
        memory: TASK_MEMORY,
        ...extra,
    });
    return {
        small: emulator.control.registerTaskDefinition({ family: "small", containerDefinitions: [container("small")] }),
        staticPort: emulator.control.registerTaskDefinition({
            family: "static-port",
            containerDefinitions: [container("static-port", { portMappings: [{ containerPort: 80, hostPort: STATIC_HOST_PORT }] })],
        }),
        // More memory than any instance has: a deployment of it never places a task.
        unplaceable: emulator.control.registerTaskDefinition({ family: "unplaceable", containerDefinitions: [container("unplaceable", { memory: INSTANCE_MEMORY * 2 })] }),
    };
}

/**
 * Builds the scenario and lets the emulated world settle; then the joining instance registers. The clock ends
 * well past the rebalancer's minimum task age for the tasks placed at set-up.
 */
export function buildScenario(emulator: EcsEmulator, clock: { runUntilIdle(): boolean; advance(ms: number): void }, services = scenarioServices()): BuiltScenario {
    const { control } = emulator;
    const clusterArn = control.createCluster(CLUSTER);
    for (const i of [...OLD_INSTANCES, ...NEW_INSTANCES]) {
        control.registerInstance({ cluster: CLUSTER, ec2InstanceId: i.id, az: i.az, cpu: INSTANCE_CPU, memory: INSTANCE_MEMORY });
    }
    const definitions = registerTaskDefinitions(emulator);
    for (const s of services) {
        control.createService({
            cluster: CLUSTER,
            serviceName: s.name,
            taskDefinition: s.staticHostPort ? definitions.staticPort : definitions.small,
            ...(s.daemon ? { schedulingStrategy: "DAEMON" } : { desiredCount: s.desiredCount }),
            ...(s.strategy ? { placementStrategy: s.strategy } : {}),
            ...(s.minimumHealthyPercent !== undefined || s.maximumPercent !== undefined
                ? { deploymentConfiguration: { minimumHealthyPercent: s.minimumHealthyPercent, maximumPercent: s.maximumPercent } }
                : {}),
            ...(s.tags ? { tags: Object.entries(s.tags).map(([key, value]) => ({ key, value })) } : {}),
            // ECS's own AZ rebalancing would move tasks too; these tests are about the rebalancer alone.
            ...(s.daemon ? {} : { availabilityZoneRebalancing: s.azRebalancing ?? "DISABLED" }),
            initialPlacement: s.placement,
        });
    }
    for (const s of services.filter((x) => x.stuckDeployment)) {
        const response = emulator.call(
            "AmazonEC2ContainerServiceV20141113.UpdateService",
            { cluster: CLUSTER, service: s.name, taskDefinition: definitions.unplaceable },
            { accessKeyId: OWNER_KEY },
        );
        if (response.status !== 200) throw new Error(`set-up: UpdateService ${s.name} answered ${response.status} ${JSON.stringify(response.body)}`);
    }
    if (!clock.runUntilIdle()) throw new Error("set-up: the emulated world did not settle");
    clock.advance(10 * 60_000);

    const joiningEvents: EcsEvent[] = [];
    const unsubscribe = emulator.onEvent((e) => {
        if (e["detail-type"] === CONTAINER_INSTANCE_STATE_CHANGE && (e.detail as { ec2InstanceId?: string }).ec2InstanceId === JOINING_INSTANCE.id) {
            joiningEvents.push(structuredClone(e));
        }
    });
    control.registerInstance({ cluster: CLUSTER, ec2InstanceId: JOINING_INSTANCE.id, az: JOINING_INSTANCE.az, cpu: INSTANCE_CPU, memory: INSTANCE_MEMORY });
    unsubscribe();
    if (joiningEvents.length === 0) throw new Error("set-up: the joining instance emitted no registration event");
    return { clusterArn, services, registrationEvent: joiningEvents[0], joiningInstanceEvents: joiningEvents };
}
