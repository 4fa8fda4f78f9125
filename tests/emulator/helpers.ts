// Shared set-up for the emulator tests: an emulator on a VirtualClock, real SDK clients pointed at it, and
// builders for clusters, instances, task definitions and services.

import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ECS_PROFILE_NAMES, EcsEmulator, VirtualClock, type EcsEmulatorOptions, type EcsProfileName, type TaskChange } from "../../local/emulator";

/** Every ECS behaviour profile. */
export const PROFILES = [...ECS_PROFILE_NAMES];

/**
 * The profile this run of the emulator suite plays (jest.config.js runs it once per profile): the default of every
 * emulator the helpers make. Tests of one reading name their profile.
 */
export const PROFILE: EcsProfileName = ((globalThis as { ECS_PROFILE?: string }).ECS_PROFILE ?? "service-page") as EcsProfileName;

export interface Harness {
    emulator: EcsEmulator;
    clock: VirtualClock;
    endpoint: string;
    ecs: ECSClient;
    close(): Promise<void>;
}

export const CREDENTIALS = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };

export function ecsClient(endpoint: string, accessKeyId = CREDENTIALS.accessKeyId): ECSClient {
    return new ECSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId, secretAccessKey: "secret" }, maxAttempts: 1 });
}

export function autoScalingClient(endpoint: string): ApplicationAutoScalingClient {
    return new ApplicationAutoScalingClient({ endpoint, region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1 });
}

export async function startHarness(options: Omit<EcsEmulatorOptions, "clock"> = {}): Promise<Harness> {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ profile: PROFILE, ...options, clock });
    const endpoint = await emulator.listen();
    const ecs = ecsClient(endpoint);
    return {
        emulator,
        clock,
        endpoint,
        ecs,
        async close() {
            ecs.destroy();
            await emulator.close();
            clock.dispose();
        },
    };
}

/** An emulator without HTTP, for behaviour driven through the control API. */
export function offlineEmulator(options: Omit<EcsEmulatorOptions, "clock"> = {}): { emulator: EcsEmulator; clock: VirtualClock } {
    const clock = new VirtualClock();
    return { emulator: new EcsEmulator({ profile: PROFILE, ...options, clock }), clock };
}

export interface InstanceDef {
    id: string;
    az: string;
    cpu?: number;
    memory?: number;
    attributes?: Record<string, string>;
    capacityProviderName?: string;
}

export function addInstances(emulator: EcsEmulator, cluster: string, instances: InstanceDef[]): void {
    for (const i of instances) emulator.control.registerInstance({ cluster, ec2InstanceId: i.id, ...i });
}

export function taskDefinition(emulator: EcsEmulator, family: string, options: { cpu?: number; memory?: number; hostPort?: number; containerPort?: number; networkMode?: string } = {}): string {
    return emulator.control.registerTaskDefinition({
        family,
        networkMode: options.networkMode,
        containerDefinitions: [
            {
                name: family,
                image: `example/${family}:latest`,
                cpu: options.cpu ?? 256,
                memory: options.memory ?? 512,
                portMappings: options.hostPort !== undefined || options.containerPort !== undefined ? [{ containerPort: options.containerPort ?? 80, hostPort: options.hostPort ?? 0 }] : [],
            },
        ],
    });
}

/** Records every task transition and lets tests count what was running at each moment. */
export class TaskLog {
    readonly changes: TaskChange[] = [];
    constructor(emulator: EcsEmulator) {
        emulator.onTaskChange((c) => this.changes.push(c));
    }
}

/** Emulated time to let a service settle: start + stop delays and a few scheduler ticks. */
export const SETTLE_MS = 10 * 60_000;
