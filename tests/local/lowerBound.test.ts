import fc from "fast-check";
import { evenSplit, serviceLowerBound, type BoundInstance } from "../../local/scenario/lowerBound";
import { plan } from "../../rebalancer/plan";
import { defaultSettings } from "../../rebalancer/settings";
import { buildSnapshot, CLUSTER_ARN, SPREAD_AZ_THEN_INSTANCE, SPREAD_INSTANCE } from "../support/snapshotBuilder";

const roomy = (id: string, az: string): BoundInstance => ({ id, az, usable: true, room: 100 });

describe("the runner's lower bound (independent of the planner)", () => {
    it("seed walk-through: one move", () => {
        expect(serviceLowerBound({ name: "web", counts: { "i-a": 2 }, levels: ["az", "instance"] }, [roomy("i-a", "a"), roomy("i-c", "b")])).toBe(1);
    });

    it("grow three to six: AZs balanced, instances inside each AZ not", () => {
        const instances = ["a", "b", "c"].flatMap((az, n) => [roomy(`i-${n + 1}`, az), roomy(`i-${n + 4}`, az)]);
        const counts = { "i-1": 3, "i-2": 3, "i-3": 3 };
        expect(serviceLowerBound({ name: "api", counts, levels: ["az", "instance"] }, instances)).toBe(3);
        expect(serviceLowerBound({ name: "worker", counts: { "i-1": 2, "i-2": 2, "i-3": 2 }, levels: ["instance"] }, instances)).toBe(3);
        expect(serviceLowerBound({ name: "az-only", counts, levels: ["az"] }, instances)).toBe(0);
    });

    it("respects room: a full instance is not a target, a nearly full one takes what fits", () => {
        const instances = [roomy("i-1", "a"), { ...roomy("i-2", "a"), room: 1 }, { ...roomy("i-3", "a"), room: 0 }];
        expect(serviceLowerBound({ name: "s", counts: { "i-1": 6 }, levels: ["instance"] }, instances)).toBe(1);
        expect(evenSplit([{ key: "x", count: 6, cap: 100 }, { key: "y", count: 0, cap: 1 }], 6)).toEqual([5, 1]);
    });

    it("ignores unusable instances and services on fewer than two bins", () => {
        const instances = [roomy("i-1", "a"), { ...roomy("i-2", "a"), usable: false }];
        expect(serviceLowerBound({ name: "s", counts: { "i-1": 4 }, levels: ["instance"] }, instances)).toBe(0);
    });

    it("agrees with the planner's lower bound at threshold 1 on random clusters (two independent implementations)", () => {
        fc.assert(fc.property(
            fc.array(fc.record({ az: fc.integer({ min: 0, max: 2 }), slots: fc.integer({ min: 1, max: 12 }), count: fc.nat(6) }), { minLength: 2, maxLength: 9 }),
            fc.boolean(),
            (spec, hierarchical) => {
                const counts = spec.map((s) => Math.min(s.count, s.slots));
                const snapshot = buildSnapshot({
                    instances: spec.map((s, i) => ({ id: `i-${i}`, az: `us-east-1${"abc"[s.az]}`, memory: s.slots * 512, cpu: 1 << 20 })),
                    services: [{
                        name: "svc", minHealthy: 0, strategies: hierarchical ? SPREAD_AZ_THEN_INSTANCE : SPREAD_INSTANCE,
                        placement: Object.fromEntries(counts.map((c, i) => [`i-${i}`, c]).filter(([, c]) => (c as number) > 0)),
                    }],
                });
                if (snapshot.tasks.length === 0) return;
                const planned = plan(snapshot, defaultSettings([CLUSTER_ARN])).decisions[0];
                const bound = serviceLowerBound(
                    { name: "svc", counts: Object.fromEntries(counts.map((c, i) => [`i-${i}`, c])), levels: hierarchical ? ["az", "instance"] : ["instance"] },
                    spec.map((s, i) => ({ id: `i-${i}`, az: `us-east-1${"abc"[s.az]}`, usable: true, room: s.slots - counts[i] })),
                );
                expect(planned.lowerBound).toBe(bound);
            },
        ), { numRuns: 500, seed: 31 });
    });
});
