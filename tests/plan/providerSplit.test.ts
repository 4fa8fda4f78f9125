// ProviderSplit: the capacity provider of a service's next task, by base then weight (the developer guide's rule).

import { ProviderSplit } from "../../rebalancer/plan/providerSplit";

const next = (split: ProviderSplit, n: number) => Array.from({ length: n }, () => split.next());

test("bases first, in the strategy's order; then shares in proportion to weight", () => {
    const strategy = [{ capacityProvider: "main", base: 2, weight: 1 }, { capacityProvider: "spot", base: 0, weight: 3 }];
    expect(next(new ProviderSplit(strategy, new Map()), 6)).toEqual(["main", "main", "spot", "spot", "main", "spot"]);
    // Beyond the bases, 1 : 3 over every four tasks.
    const tenth = next(new ProviderSplit(strategy, new Map()), 10);
    expect(tenth.filter((p) => p === "main").length).toBe(2 + 2);
    // Counted from what the service holds now: beyond the bases main holds 1, spot 1; spot catches up to 1 : 3 (and
    // one past it, as the rule takes the provider whose share after one more task is lowest) before main gets one.
    expect(next(new ProviderSplit(strategy, new Map([["main", 3], ["spot", 1]])), 5)).toEqual(["spot", "spot", "spot", "spot", "main"]);
});

test("a provider with weight 0 gets its base only; no strategy, no provider", () => {
    const strategy = [{ capacityProvider: "main", base: 1, weight: 0 }, { capacityProvider: "spot", base: 0, weight: 1 }];
    expect(next(new ProviderSplit(strategy, new Map()), 3)).toEqual(["main", "spot", "spot"]);
    expect(new ProviderSplit([], new Map()).next()).toBeUndefined();
});
