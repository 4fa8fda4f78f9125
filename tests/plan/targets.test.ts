import fc from "fast-check";
import { surplus, windowTargets, type TargetBin } from "../../rebalancer/plan/targets";

function bins(counts: number[], caps?: number[]): TargetBin[] {
    return counts.map((count, i) => ({ key: `b${i}`, count, cap: caps?.[i] ?? 1000 }));
}

/** Every way to put `total` tasks into bins within caps, by brute force (small inputs only). */
function* allTargets(caps: number[], total: number, prefix: number[] = []): Generator<number[]> {
    if (prefix.length === caps.length) {
        if (total === 0) yield prefix;
        return;
    }
    for (let t = 0; t <= Math.min(total, caps[prefix.length]); t++) yield* allTargets(caps, total - t, [...prefix, t]);
}

/** Skew among bins that are not full: a full bin below the others is as balanced as capacity allows. */
function skewAmongOpen(targets: number[], caps: number[]): number {
    const max = Math.max(...targets);
    const open = targets.filter((t, i) => t < caps[i] || t === max);
    return Math.max(...open) - Math.min(...open);
}

describe("windowTargets", () => {
    it("gives the ceilings to the bins that already hold the most (seed walk-through: 2 tasks, 2 instances)", () => {
        expect(windowTargets(bins([2, 0]), 2, 1)).toEqual([1, 1]);
        expect(windowTargets(bins([3, 3, 0]), 6, 1)).toEqual([2, 2, 2]);
        expect(windowTargets(bins([5, 2, 0]), 7, 1)).toEqual([3, 2, 2]);
    });

    it("leaves a service within the threshold untouched", () => {
        expect(windowTargets(bins([3, 2, 2]), 7, 1)).toEqual([3, 2, 2]);
        expect(windowTargets(bins([4, 2, 2]), 8, 2)).toEqual([4, 2, 2]);
    });

    it("moves only what the threshold requires", () => {
        // 4 and 0 with threshold 2: 3/1 is enough (one move), not 2/2 (two moves).
        expect(windowTargets(bins([4, 0]), 4, 2)).toEqual([3, 1]);
    });

    it("respects capacity: a bin that can hold one task gets at most one", () => {
        expect(windowTargets(bins([4, 0], [4, 1]), 4, 1)).toEqual([3, 1]);
        expect(windowTargets(bins([6, 6, 6, 0]), 18, 1)).toEqual([5, 5, 4, 4]);
    });

    it("distributes a total different from the current count (inner level of a hierarchy)", () => {
        const t = windowTargets(bins([3, 0]), 2, 1);
        expect(t).toEqual([1, 1]);
    });

    it("is optimal: no assignment within the threshold and caps needs fewer moves (exhaustive, small bins)", () => {
        fc.assert(
            fc.property(
                fc.array(fc.record({ count: fc.nat(5), extra: fc.nat(4) }), { minLength: 1, maxLength: 4 }),
                fc.integer({ min: 1, max: 3 }),
                (spec, threshold) => {
                    const counts = spec.map((s) => s.count);
                    const caps = spec.map((s) => s.count + s.extra);
                    const total = counts.reduce((a, b) => a + b, 0);
                    const targets = windowTargets(bins(counts, caps), total, threshold);
                    expect(targets.reduce((a, b) => a + b, 0)).toBe(total);
                    targets.forEach((t, i) => expect(t).toBeLessThanOrEqual(caps[i]));
                    expect(skewAmongOpen(targets, caps)).toBeLessThanOrEqual(threshold);
                    let best = Infinity;
                    for (const candidate of allTargets(caps, total)) {
                        if (skewAmongOpen(candidate, caps) <= threshold) best = Math.min(best, surplus(counts, candidate));
                    }
                    expect(surplus(counts, targets)).toBe(best);
                },
            ),
            { numRuns: 400, seed: 20261128 },
        );
    });
});
