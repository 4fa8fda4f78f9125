// Random clusters for property tests: instances in up to three AZs with limited room, services with assorted
// strategies, floors, constraints, and a few services the rebalancer must never touch.

import fc from "fast-check";
import type { ClusterSnapshot, PlacementStrategy } from "../../rebalancer/model";
import { defaultSettings, type Settings } from "../../rebalancer/settings";
import { buildSnapshot, CLUSTER_ARN, NOW, type InstanceSpec, type ServiceSpec } from "./snapshotBuilder";

export const STRATEGIES: Record<string, PlacementStrategy[]> = {
    "az-instance": [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "spread", field: "instanceId" }],
    instance: [{ type: "spread", field: "instanceId" }],
    az: [{ type: "spread", field: "attribute:ecs.availability-zone" }],
    "az-binpack": [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "binpack", field: "memory" }],
    default: [],
    binpack: [{ type: "binpack", field: "memory" }],
    random: [{ type: "random" }],
};
export const UNTOUCHABLE = ["daemon", "opted-out", "mid-deployment", "desired-zero", "binpack", "random"] as const;

const arbInstance = fc.record({
    az: fc.integer({ min: 0, max: 2 }),
    slots: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constant(40)),
    status: fc.constantFrom("ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE", "DRAINING"),
    connected: fc.constantFrom(true, true, true, true, false),
});

const arbService = fc.record({
    strategy: fc.constantFrom("az-instance", "az-instance", "instance", "az", "az-binpack", "default"),
    kind: fc.constantFrom("normal", "normal", "normal", "normal", "normal", ...UNTOUCHABLE),
    counts: fc.array(fc.nat(5), { minLength: 8, maxLength: 8 }),
    minHealthy: fc.constantFrom(0, 50, 100),
    maxPercent: fc.constantFrom(100, 150, 200),
    distinct: fc.constantFrom(false, false, false, true),
    hostPort: fc.constantFrom(false, false, false, true),
    protectedEvery: fc.constantFrom(0, 0, 3),
    youngEvery: fc.constantFrom(0, 0, 4),
});

export const arbCluster = fc.record({
    instances: fc.array(arbInstance, { minLength: 2, maxLength: 8 }),
    services: fc.array(arbService, { minLength: 1, maxLength: 4 }),
    threshold: fc.integer({ min: 1, max: 2 }),
    maxPerService: fc.integer({ min: 1, max: 6 }),
    maxPerPass: fc.integer({ min: 1, max: 12 }),
    strategy: fc.constantFrom<Settings["strategy"]>("minimal", "minimal", "redeploy"),
});

export type ClusterSpec = typeof arbCluster extends fc.Arbitrary<infer T> ? T : never;

/** A snapshot ECS could have produced: tasks fit their instances (memory slots, ports, distinctInstance). */
export function toSnapshot(spec: ClusterSpec): ClusterSnapshot {
    const instances: InstanceSpec[] = spec.instances.map((i, n) => ({
        id: `i-${n}`, az: `us-east-1${"abc"[i.az]}`, memory: i.slots * 512, cpu: 8192, status: i.status, agentConnected: i.connected,
    }));
    const freeSlots = spec.instances.map((i) => i.slots);
    const services: ServiceSpec[] = spec.services.map((s, n) => {
        const placement: Record<string, number> = {};
        instances.forEach((inst, i) => {
            let count = s.counts[i];
            if (s.distinct || s.hostPort) count = Math.min(count, 1);
            count = Math.min(count, freeSlots[i]);
            freeSlots[i] -= count;
            if (count > 0) placement[inst.id] = count;
        });
        const total = Object.values(placement).reduce((a, b) => a + b, 0);
        const service: ServiceSpec = {
            name: `svc-${n}`,
            placement,
            desired: s.kind === "desired-zero" ? 0 : total,
            memory: 512,
            strategies: s.kind === "binpack" ? STRATEGIES.binpack : s.kind === "random" ? STRATEGIES.random : STRATEGIES[s.strategy],
            constraints: s.distinct ? [{ type: "distinctInstance" }] : [],
            hostPort: s.hostPort ? 8000 + n : undefined,
            minHealthy: s.minHealthy,
            maxPercent: s.maxPercent,
            schedulingStrategy: s.kind === "daemon" ? "DAEMON" : "REPLICA",
            tags: s.kind === "opted-out" ? { "ecs-rebalancer:skip": "true" } : {},
            taskOverrides: Array.from({ length: total }, (_, k) => ({
                protectionEnabled: s.protectedEvery && k % s.protectedEvery === 0 ? true : false,
                startedAt: s.youngEvery && k % s.youngEvery === 1 ? NOW - 5_000 : NOW - 3_600_000,
            })),
        };
        if (s.kind === "mid-deployment") service.service = { pendingCount: 1 };
        if (s.kind === "desired-zero") service.service = { runningCount: 0 };
        return service;
    });
    return buildSnapshot({ instances, services });
}

export function settingsFor(spec: ClusterSpec): Settings {
    return {
        ...defaultSettings([CLUSTER_ARN]),
        strategy: spec.strategy,
        skewThreshold: spec.threshold,
        maxMovesPerService: spec.maxPerService,
        maxMovesPerPass: spec.maxPerPass,
        minTaskAgeSeconds: 60,
    };
}

