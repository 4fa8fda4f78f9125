// Which capacity provider a service's next task goes to (developer guide "capacity providers"): the provider
// with a `base` gets tasks until it holds that many; after that tasks are shared out in proportion to `weight`.

import type { CapacityProviderStrategyItem } from "./model";

/** `counts`: the service's tasks per provider. Returns undefined when the service has no strategy (launch type EC2). */
export function nextCapacityProvider(strategy: readonly CapacityProviderStrategyItem[], counts: ReadonlyMap<string, number>): string | undefined {
    if (strategy.length === 0) return undefined;
    for (const item of strategy) {
        if (item.base > 0 && (counts.get(item.capacityProvider) ?? 0) < item.base) return item.capacityProvider;
    }
    let best: CapacityProviderStrategyItem | undefined;
    let bestLoad = Infinity;
    for (const item of strategy) {
        if (item.weight <= 0) continue;
        // Tasks beyond the base, per unit of weight: the provider furthest below its share comes next.
        const load = ((counts.get(item.capacityProvider) ?? 0) - item.base + 1) / item.weight;
        if (load < bestLoad) {
            best = item;
            bestLoad = load;
        }
    }
    return (best ?? strategy[0]!).capacityProvider;
}
