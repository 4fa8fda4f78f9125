// Auto Scaling group capacity providers: the provider's settings (CreateCapacityProvider's autoScalingGroupProvider)
// and the EC2 Auto Scaling group behind it (min/max/desired size, instance type, AZs, its instances). Inputs are
// checked as ECS checks CreateCapacityProvider (API reference, ManagedScaling: ranges and defaults) and as EC2 Auto
// Scaling checks a group's sizes; errors name the field.

import type { Timer } from "./clock";
import { invalidParameter } from "./errors";
import type { ClusterState } from "./model";

export type Switch = "ENABLED" | "DISABLED";

/** API reference, ManagedScaling: defaults targetCapacity 100, steps 1 and 10000, instanceWarmupPeriod 300 s. */
export interface ManagedScalingSettings {
    status: Switch;
    targetCapacity: number;
    minimumScalingStepSize: number;
    maximumScalingStepSize: number;
    /** Seconds. */
    instanceWarmupPeriod: number;
}

export interface AutoScalingGroupInput {
    /** Default `<capacity provider>-asg`. */
    name?: string;
    minSize: number;
    maxSize: number;
    desiredCapacity: number;
    /** Reported as the instances' `ecs.instance-type` attribute; default m5.large. */
    instanceType?: string;
    /** What each instance registers (CPU units, MiB); default 2048 / 3891. */
    cpu?: number;
    memory?: number;
    availabilityZones: string[];
}

export interface CapacityProviderInput {
    name: string;
    /** The cluster the group's instances join (a provider with managed scaling serves one cluster). */
    cluster?: string;
    autoScalingGroup: AutoScalingGroupInput;
    managedScaling?: Partial<ManagedScalingSettings>;
    /** Default DISABLED (CreateCapacityProvider). */
    managedTerminationProtection?: Switch;
    /** Default ENABLED: "Managed instance draining is on by default when you create a capacity provider". */
    managedDraining?: Switch;
}

/** EC2 Auto Scaling's lifecycle of a group member, as far as the emulator needs it. */
export type GroupInstanceState = "Pending" | "InService" | "Terminating" | "Terminated";

export interface GroupInstance {
    readonly ec2InstanceId: string;
    readonly availabilityZone: string;
    /** Epoch ms; undefined for the group's instances at creation (they predate the emulation: warm). */
    readonly launchedAt?: number;
    terminatedAt?: number;
    state: GroupInstanceState;
    /** The launch (Pending → registration) or the end of its managed draining. */
    timer?: Timer;
}

export interface AutoScalingGroupState {
    readonly name: string;
    readonly arn: string;
    minSize: number;
    maxSize: number;
    desiredCapacity: number;
    readonly instanceType: string;
    readonly cpu: number;
    readonly memory: number;
    readonly availabilityZones: readonly string[];
    /** Every instance it ever had, in launch order. */
    readonly instances: GroupInstance[];
    /** When the group came to exist (instance-hours are counted from here for its first instances). */
    readonly createdAt: number;
    /** (time, members not yet terminated) at every change: how the group's size moved. */
    readonly sizeHistory: { time: number; size: number }[];
}

export interface CapacityProviderState {
    readonly name: string;
    readonly arn: string;
    readonly cluster: ClusterState;
    readonly group: AutoScalingGroupState;
    managedScaling: ManagedScalingSettings;
    managedTerminationProtection: Switch;
    managedDraining: Switch;
    /** The CloudWatch alarm that is about to move the desired capacity, and which way. */
    alarm?: { direction: "out" | "in"; timer: Timer };
    /** The last CapacityProviderReservation value computed (percent). */
    reservation?: number;
}

function integerIn(value: unknown, field: string, min: number, max: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        throw invalidParameter(`${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}.`);
    }
    return value;
}

function switchOf(value: unknown, field: string, fallback: Switch): Switch {
    if (value === undefined) return fallback;
    if (value !== "ENABLED" && value !== "DISABLED") {
        throw invalidParameter(`${field} must be ENABLED or DISABLED, got ${JSON.stringify(value)}.`);
    }
    return value;
}

function orDefault(value: unknown, fallback: number, key: keyof ManagedScalingSettings, min: number, max: number) {
    return value === undefined ? fallback : integerIn(value, `managedScaling.${key}`, min, max);
}

/** The provider's managed scaling settings with ECS's defaults, checked against the API's ranges. */
export function managedScalingSettings(input: Partial<ManagedScalingSettings> | undefined): ManagedScalingSettings {
    const m = input ?? {};
    const settings: ManagedScalingSettings = {
        status: switchOf(m.status, "managedScaling.status", input ? "ENABLED" : "DISABLED"),
        targetCapacity: orDefault(m.targetCapacity, 100, "targetCapacity", 1, 100),
        minimumScalingStepSize: orDefault(m.minimumScalingStepSize, 1, "minimumScalingStepSize", 1, 10000),
        maximumScalingStepSize: orDefault(m.maximumScalingStepSize, 10000, "maximumScalingStepSize", 1, 10000),
        instanceWarmupPeriod: orDefault(m.instanceWarmupPeriod, 300, "instanceWarmupPeriod", 0, 10000),
    };
    if (settings.minimumScalingStepSize > settings.maximumScalingStepSize) {
        throw invalidParameter("managedScaling.minimumScalingStepSize must not exceed maximumScalingStepSize.");
    }
    return settings;
}

/** Checks sizes as EC2 Auto Scaling does: 0 ≤ minSize ≤ desiredCapacity ≤ maxSize. */
export function checkGroupSizes(sizes: { minSize: number; maxSize: number; desiredCapacity: number }, prefix: string) {
    integerIn(sizes.minSize, `${prefix}.minSize`, 0, 10000);
    integerIn(sizes.maxSize, `${prefix}.maxSize`, 0, 10000);
    integerIn(sizes.desiredCapacity, `${prefix}.desiredCapacity`, 0, 10000);
    if (sizes.minSize > sizes.maxSize) {
        throw invalidParameter(`${prefix}.minSize (${sizes.minSize}) must not exceed maxSize (${sizes.maxSize}).`);
    }
    if (sizes.desiredCapacity < sizes.minSize || sizes.desiredCapacity > sizes.maxSize) {
        const range = `between minSize (${sizes.minSize}) and maxSize (${sizes.maxSize})`;
        throw invalidParameter(`${prefix}.desiredCapacity (${sizes.desiredCapacity}) must be ${range}.`);
    }
}

/** The validated settings of a new capacity provider (its group not yet populated). */
export function readCapacityProviderInput(input: CapacityProviderInput): {
    managedScaling: ManagedScalingSettings;
    managedTerminationProtection: Switch;
    managedDraining: Switch;
    group: Omit<AutoScalingGroupState, "arn" | "instances" | "createdAt" | "sizeHistory">;
} {
    const name = input.name;
    if (typeof name !== "string" || !/^[A-Za-z0-9_-]{1,255}$/.test(name) || /^(aws|ecs|fargate)/i.test(name)) {
        const rule = "1-255 letters, digits, _ or - and not start with aws, ecs or fargate";
        throw invalidParameter(`name must be ${rule}, got ${JSON.stringify(name)}.`);
    }
    const g = input.autoScalingGroup;
    if (typeof g !== "object" || g === null) {
        throw invalidParameter("autoScalingGroup is required (minSize, maxSize, desiredCapacity, availabilityZones).");
    }
    checkGroupSizes(g, "autoScalingGroup");
    const zones: unknown = g.availabilityZones;
    if (!Array.isArray(zones) || zones.length === 0 || !zones.every((z) => typeof z === "string" && z.length > 0)) {
        const got = JSON.stringify(zones);
        throw invalidParameter(`autoScalingGroup.availabilityZones must be a non-empty list of AZ names, got ${got}.`);
    }
    const managedScaling = managedScalingSettings(input.managedScaling);
    const protection = "managedTerminationProtection";
    const managedTerminationProtection = switchOf(input.managedTerminationProtection, protection, "DISABLED");
    // "When you use managed termination protection, you must also use managed scaling" (developer guide, Auto Scaling
    // group capacity providers).
    if (managedTerminationProtection === "ENABLED" && managedScaling.status !== "ENABLED") {
        throw invalidParameter("managedTerminationProtection ENABLED requires managedScaling.status ENABLED.");
    }
    return {
        managedScaling,
        managedTerminationProtection,
        managedDraining: switchOf(input.managedDraining, "managedDraining", "ENABLED"),
        group: {
            name: g.name ?? `${input.name}-asg`,
            minSize: g.minSize,
            maxSize: g.maxSize,
            desiredCapacity: g.desiredCapacity,
            instanceType: g.instanceType ?? "m5.large",
            cpu: g.cpu === undefined ? 2048 : integerIn(g.cpu, "autoScalingGroup.cpu", 1, 1_000_000),
            memory: g.memory === undefined ? 3891 : integerIn(g.memory, "autoScalingGroup.memory", 1, 100_000_000),
            availabilityZones: [...g.availabilityZones],
        },
    };
}

/** Members not yet terminated (what the group's size counts), and those that count toward the desired capacity. */
export function groupSize(group: AutoScalingGroupState): number {
    return group.instances.filter((i) => i.state !== "Terminated").length;
}

export function inServiceOrPending(group: AutoScalingGroupState): GroupInstance[] {
    return group.instances.filter((i) => i.state === "Pending" || i.state === "InService");
}

/** Instance-hours from the group's creation to `until` (each instance from its launch to its termination). */
export function instanceHours(group: AutoScalingGroupState, until: number): number {
    let ms = 0;
    for (const i of group.instances) {
        ms += Math.max(0, Math.min(i.terminatedAt ?? until, until) - (i.launchedAt ?? group.createdAt));
    }
    return ms / 3_600_000;
}
