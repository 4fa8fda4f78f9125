// Planner properties over random clusters (fast-check, fixed seeds so a failure replays).

import fc from "fast-check";
import { plan, type Plan } from "../../rebalancer/plan";
import { ceilingOf, healthyFloor } from "../../rebalancer/plan/limits";
import { DETOUR_EXTRA_TASKS } from "../../rebalancer/plan/minimal";
import { defaultSettings, type Settings } from "../../rebalancer/settings";
import type { ClusterSnapshot } from "../../rebalancer/model";
import { buildSnapshot, CLUSTER_ARN, NOW } from "../support/snapshotBuilder";
import { arbCluster, settingsFor, STRATEGIES, toSnapshot, UNTOUCHABLE } from "../support/randomCluster";

function stopsBy(p: Plan): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const a of p.actions) if (a.kind === "stop-task") m.set(a.service, [...(m.get(a.service) ?? []), a.taskArn]);
    return m;
}

function shuffled<T>(items: T[], seed: number): T[] {
    const out = [...items];
    let x = seed || 1;
    for (let i = out.length - 1; i > 0; i--) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        const j = x % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}

const RUNS = { numRuns: 300, seed: 4242 };

describe("planner properties", () => {
    it("is deterministic and does not depend on the order ECS lists things in", () => {
        fc.assert(fc.property(arbCluster, fc.integer({ min: 1, max: 1_000_000 }), (spec, seed) => {
            const snapshot = toSnapshot(spec);
            const s = settingsFor(spec);
            const reordered: ClusterSnapshot = {
                ...snapshot,
                services: shuffled(snapshot.services, seed),
                instances: shuffled(snapshot.instances, seed + 1),
                tasks: shuffled(snapshot.tasks, seed + 2),
            };
            expect(plan(reordered, s)).toEqual(plan(snapshot, s));
        }), RUNS);
    });

    it("never plans a step below the healthy floor or above the ceiling, and never stops protected or young tasks", () => {
        fc.assert(fc.property(arbCluster, (spec) => {
            const snapshot = toSnapshot(spec);
            const s = settingsFor(spec);
            const p = plan(snapshot, s, { unreadProtectionIsProtected: true });
            const stops = stopsBy(p);
            for (const service of snapshot.services) {
                const tasks = snapshot.tasks.filter((t) => t.serviceName === service.name);
                const serving = tasks.filter((t) => t.lastStatus === "RUNNING" && t.healthStatus !== "UNHEALTHY").length;
                const victims = stops.get(service.name) ?? [];
                expect(serving - victims.length).toBeGreaterThanOrEqual(Math.min(serving, healthyFloor(service.desiredCount, service.minimumHealthyPercent)));
                for (const arn of victims) {
                    const task = tasks.find((t) => t.arn === arn)!;
                    expect(task.protectionEnabled).toBe(false);
                    expect(NOW - task.startedAt!).toBeGreaterThanOrEqual(s.minTaskAgeSeconds * 1000);
                }
                for (const a of p.actions) {
                    if (a.kind === "surge" && a.service === service.name) {
                        expect(a.ownerDesired).toBe(service.desiredCount);
                        expect(a.desiredCount).toBeLessThanOrEqual(ceilingOf(service.desiredCount, service.maximumPercent));
                        expect(a.desiredCount - a.ownerDesired).toBeLessThanOrEqual(ceilingOf(service.desiredCount, service.maximumPercent) - tasks.length);
                    }
                }
            }
        }), RUNS);
    });

    it("never touches the services it must leave alone, and gives every skip a reason", () => {
        fc.assert(fc.property(arbCluster, (spec) => {
            const snapshot = toSnapshot(spec);
            const p = plan(snapshot, settingsFor(spec));
            spec.services.forEach((svc, n) => {
                if (!(UNTOUCHABLE as readonly string[]).includes(svc.kind)) return;
                expect(p.actions.filter((a) => a.service === `svc-${n}`)).toEqual([]);
            });
            for (const d of p.decisions) {
                if (d.outcome === "skipped") {
                    expect(d.reason).toBeDefined();
                    expect(d.detail.length).toBeGreaterThan(0);
                }
            }
        }), RUNS);
    });

    it("moves no more than needed, within the pass and service caps, and every planned move is predicted to help or, at worst, to change nothing", () => {
        fc.assert(fc.property(arbCluster, (spec) => {
            const snapshot = toSnapshot(spec);
            const s = settingsFor(spec);
            const p = plan(snapshot, s);
            let total = 0;
            for (const d of p.decisions) {
                if (d.outcome !== "move" && d.outcome !== "surge") continue;
                expect(d.moves).toBeGreaterThan(0);
                expect(d.moves).toBeLessThanOrEqual(s.maxMovesPerService);
                const productive = d.lowerBoundAfter === d.lowerBound - d.moves;
                const lowersSkew = d.moves === 1 && d.lowerBoundAfter <= d.lowerBound && d.skewAfter < d.skewBefore;
                // A detour: a surge sure to lower the surplus, by at most DETOUR_EXTRA_TASKS less than the tasks it starts.
                const detour = /more tasks than it removes/.test(d.detail);
                if (detour) {
                    expect(d.outcome).toBe("surge");
                    expect(d.lowerBoundAfter).toBeLessThan(d.lowerBound);
                    expect(d.lowerBound - d.lowerBoundAfter).toBeGreaterThanOrEqual(d.moves - DETOUR_EXTRA_TASKS);
                    expect(d.moves).toBeLessThanOrEqual(d.lowerBound + DETOUR_EXTRA_TASKS);
                } else {
                    expect(d.moves).toBeLessThanOrEqual(d.lowerBound);
                }
                // A chance (ECS's tie-break decides whether it helps): at worst nothing gets worse.
                const harmless = d.lowerBoundAfter < d.lowerBound || (d.lowerBoundAfter === d.lowerBound && d.skewAfter <= d.skewBefore);
                expect({ service: d.service, productive, lowersSkew, harmless }).not.toEqual({ service: d.service, productive: false, lowersSkew: false, harmless: false });
                if (!productive && !lowersSkew && !detour) expect(d.detail).toMatch(/tie-break/);
                total += d.moves;
            }
            if (s.strategy === "minimal") expect(total).toBeLessThanOrEqual(s.maxMovesPerPass);
        }), RUNS);
    });

    it("reaches the lower bound and the skew threshold in one pass when capacity, constraints and the floor allow (or, where ECS's placement makes the bound unreachable, still lowers the skew)", () => {
        const roomy = fc.record({
            instances: fc.array(fc.record({ az: fc.integer({ min: 0, max: 2 }) }), { minLength: 2, maxLength: 8 }),
            services: fc.array(fc.record({
                strategy: fc.constantFrom("az-instance", "instance", "az", "default"),
                counts: fc.array(fc.nat(6), { minLength: 8, maxLength: 8 }),
            }), { minLength: 1, maxLength: 3 }),
            threshold: fc.integer({ min: 1, max: 2 }),
        });
        const stats = { unbalanced: 0, reached: 0 };
        fc.assert(fc.property(roomy, (spec) => {
            const snapshot = buildSnapshot({
                instances: spec.instances.map((i, n) => ({ id: `i-${n}`, az: `us-east-1${"abc"[i.az]}`, memory: 64 * 512, cpu: 64 * 256 })),
                services: spec.services.map((svc, n) => ({
                    name: `svc-${n}`,
                    placement: Object.fromEntries(spec.instances.map((_, i) => [`i-${i}`, svc.counts[i]]).filter(([, c]) => (c as number) > 0)),
                    strategies: STRATEGIES[svc.strategy],
                    minHealthy: 0,
                })),
            });
            const s: Settings = { ...defaultSettings([CLUSTER_ARN]), skewThreshold: spec.threshold, maxMovesPerPass: 1000, maxMovesPerService: 1000 };
            const p = plan(snapshot, s);
            let reached = 0, unbalanced = 0;
            for (const d of p.decisions) {
                if (d.lowerBound === 0) continue;
                unbalanced++;
                // A floor of 0 leaves headroom for stops; a surge is chosen only when it is productive and no stop wave is.
                expect(["move", "surge"]).toContain(d.outcome);
                if (d.outcome === "surge") expect(d.lowerBoundAfter).toBe(d.lowerBound - d.moves);
                if (d.lowerBoundAfter === 0) {
                    reached++;
                    expect(d.moves).toBe(d.lowerBound);
                    expect(d.lowerBoundAfter).toBe(0);
                    expect(d.skewAfter).toBeLessThanOrEqual(spec.threshold);
                } else {
                    // Partial progress: the rest waits for ECS to settle (closed loop), or one move that lowers the skew.
                    const productive = d.lowerBoundAfter === d.lowerBound - d.moves;
                    const lowersSkew = d.moves === 1 && d.skewAfter < d.skewBefore;
                    expect(productive || lowersSkew).toBe(true);
                }
            }
            stats.unbalanced += unbalanced;
            stats.reached += reached;
        }), { numRuns: 500, seed: 777 });
        // The bound is out of reach only in the rare layouts where a tolerated AZ skew steers ECS elsewhere.
        expect(stats.reached / stats.unbalanced).toBeGreaterThan(0.9);
    });
});
