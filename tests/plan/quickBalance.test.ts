// The aggregated balance (quickBalance) must say exactly what the full per-instance layout says.

import fc from "fast-check";
import { BinTree, evaluateBalance } from "../../rebalancer/plan/balance";
import { buildLayout, LEVEL_INSTANCE, levelsOf } from "../../rebalancer/plan/bins";
import { ClusterIndex } from "../../rebalancer/plan/clusterIndex";
import { EligibilityCache, ROOM_CLIP } from "../../rebalancer/plan/eligibilityCache";
import { quickBalance } from "../../rebalancer/plan/quickBalance";
import { isRequirements, requirementsOf } from "../../rebalancer/plan/requirements";
import { buildSnapshot, SPREAD_AZ_THEN_INSTANCE } from "../support/snapshotBuilder";
import { arbCluster, toSnapshot } from "../support/randomCluster";

function compareAll(snapshot: ReturnType<typeof buildSnapshot>, threshold: number): { compared: number; fellBack: number } {
    const index = new ClusterIndex(snapshot);
    const ctx = { index, memberOfCache: new Map() };
    const cache = new EligibilityCache(index);
    let compared = 0, fellBack = 0;
    for (const service of snapshot.services) {
        const req = requirementsOf(service, ctx);
        if (!isRequirements(req)) continue;
        const { levels, fixedLevels } = levelsOf(service, req);
        if (levels.length === 0) continue; // binpack or random first: refused before balance is judged
        const quick = quickBalance(service, req, levels, fixedLevels, index, cache, threshold);
        if (!quick) { fellBack++; continue; }
        const built = buildLayout(service, req, index);
        if ("skip" in built) {
            expect(quick.bins).toBeLessThan(2);
            continue;
        }
        const full = evaluateBalance(new BinTree(built.layout), built.layout.counts, threshold);
        expect(quick.bins).toBe(built.layout.instances.length);
        expect({ service: service.name, lb: quick.lowerBound, skew: quick.skew }).toEqual({ service: service.name, lb: full.lowerBound, skew: full.skew });
        for (const level of levels) if (level !== LEVEL_INSTANCE) expect(quick.byLevel[level]).toEqual(full.byLevel[level]);
        compared++;
    }
    return { compared, fellBack };
}

describe("quickBalance", () => {
    it("agrees with the full layout on random clusters (lower bound, skew, bins, AZ targets)", () => {
        let compared = 0;
        fc.assert(fc.property(arbCluster, (spec) => {
            compared += compareAll(toSnapshot(spec), spec.threshold).compared;
        }), { numRuns: 400, seed: 99 });
        expect(compared).toBeGreaterThan(400);
    });

    it("falls back (returns undefined) rather than guess when room beyond the clip could matter", () => {
        // Two empty roomy instances and one holding 40 tasks: the targets need ~13 per instance... fine; 60 need 20 > clip.
        const snapshot = buildSnapshot({
            instances: ["i-1", "i-2", "i-3"].map((id) => ({ id, az: "a", memory: 100 * 512, cpu: 100 * 256 })),
            services: [{ name: "big", placement: { "i-1": 60 }, strategies: SPREAD_AZ_THEN_INSTANCE }],
        });
        const { compared, fellBack } = compareAll(snapshot, 1);
        expect(ROOM_CLIP).toBeLessThan(20);
        expect({ compared, fellBack }).toEqual({ compared: 0, fellBack: 1 });
    });
});
