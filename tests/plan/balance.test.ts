// evaluateProgress (the lean surplus-and-skew evaluation the prediction's tie judgements use) agrees with
// evaluateBalance on every service of random clusters, and at random counts over the same layouts.

import fc from "fast-check";
import { BinTree, evaluateBalance, evaluateProgress } from "../../rebalancer/plan/balance";
import { buildLayout } from "../../rebalancer/plan/bins";
import { ClusterIndex } from "../../rebalancer/plan/clusterIndex";
import { isRequirements, requirementsOf } from "../../rebalancer/plan/requirements";
import { arbCluster, toSnapshot } from "../support/randomCluster";

test("evaluateProgress gives evaluateBalance's lower bound and skew", () => {
    let layouts = 0;
    fc.assert(fc.property(arbCluster, fc.integer({ min: 1, max: 3 }), fc.array(fc.nat(9), { minLength: 64, maxLength: 64 }), (spec, threshold, noise) => {
        const snapshot = toSnapshot(spec);
        const index = new ClusterIndex(snapshot);
        for (const service of snapshot.services) {
            const req = requirementsOf(service, { index, memberOfCache: new Map() });
            if (!isRequirements(req)) continue;
            const built = buildLayout(service, req, index, { anyLevels: true });
            if ("skip" in built) continue;
            layouts++;
            const tree = new BinTree(built.layout);
            const other = built.layout.counts.map((c, i) => Math.max(0, c + (noise[i % noise.length] % 5) - 2));
            for (const counts of [built.layout.counts, other]) {
                const full = evaluateBalance(tree, counts, threshold);
                expect(evaluateProgress(tree, counts, threshold)).toEqual({ lowerBound: full.lowerBound, skew: full.skew });
            }
        }
    }), { numRuns: 200, seed: 77 });
    expect(layouts).toBeGreaterThan(100);
});
