// The synthetic clusters of the planner and observe benchmarks have the sizes they claim, and could exist.
import { longTailedCounts, MAX_TASKS_PER_SERVICE, PLANNER_SIZES, seededRandom, syntheticCluster } from "../../bench/syntheticCluster";
import { syntheticSnapshot } from "../../bench/syntheticSnapshot";

it("splits tasks into long-tailed service sizes that add up, within 1…max", () => {
    const counts = longTailedCounts(100_000, 20, 5_000, seededRandom(3));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(5_000);
    const many = longTailedCounts(10_000, 500, 5_000, seededRandom(3));
    expect(many.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(Math.max(...many)).toBeGreaterThan(5 * Math.min(...many));
    expect(() => longTailedCounts(10, 20, 5_000, seededRandom(1))).toThrow();
});

describe.each(PLANNER_SIZES.map((s) => [s.name, s] as const))("size %s", (_, size) => {
    const cluster = syntheticCluster(size, 1);

    it("has exactly its instances, services and tasks, at most 5,000 tasks per service", () => {
        expect(cluster.instances).toHaveLength(size.instances);
        expect(cluster.services).toHaveLength(size.services);
        expect(cluster.tasks).toBe(size.tasks);
        for (const s of cluster.services) {
            const placed = [...s.placement.values()].reduce((a, b) => a + b, 0);
            expect({ service: s.name, placed }).toEqual({ service: s.name, placed: s.desired });
            expect(s.desired).toBeLessThanOrEqual(MAX_TASKS_PER_SERVICE);
        }
    });

    it("fits every task in its instance's CPU and memory, across several AZs", () => {
        const snapshot = syntheticSnapshot(cluster);
        expect(snapshot.tasks).toHaveLength(size.tasks);
        for (const i of snapshot.instances) {
            expect(i.remaining.cpu).toBeGreaterThanOrEqual(0);
            expect(i.remaining.memory).toBeGreaterThanOrEqual(0);
        }
        expect(new Set(cluster.instances.map((i) => i.az)).size).toBeGreaterThanOrEqual(3);
    });

    it("mixes unbalanced spread services with the classes the rebalancer skips", () => {
        const kinds = new Set(cluster.services.map((s) => s.kind));
        expect(kinds.has("daemon")).toBe(true);
        expect(cluster.services.some((s) => s.unbalanced)).toBe(true);
        if (size.services >= 100) for (const k of ["binpack", "opted-out", "mid-deployment", "spread-instance", "spread-az-instance"]) expect(kinds.has(k as never)).toBe(true);
    });
});

it("is the same cluster for the same seed, another for another seed", () => {
    const size = PLANNER_SIZES[1];
    const placements = (seed: number) => syntheticCluster(size, seed).services.map((s) => [s.desired, [...s.placement]]);
    expect(placements(7)).toEqual(placements(7));
    expect(placements(7)).not.toEqual(placements(8));
});
