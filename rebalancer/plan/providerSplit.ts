// Which capacity provider ECS gives a service's next task (developer guide, "Capacity provider strategies"): each
// provider first gets its `base` tasks, in the strategy's order; beyond the bases tasks are shared in proportion to
// `weight`. ECS places that task on the provider's instances only: with none of them free it waits there
// (PROVISIONING) for managed scaling, whatever room other providers have.

import type { CapacityProviderStrategyItem } from "../model";

export class ProviderSplit {
    private readonly held: Map<string, number>;

    /** `held`: the service's tasks per capacity provider now. */
    constructor(private readonly strategy: readonly CapacityProviderStrategyItem[], held: ReadonlyMap<string, number>) {
        this.held = new Map(held);
    }

    /** The provider of the next task, counted as held from now on; undefined without a strategy. */
    next(): string | undefined {
        if (this.strategy.length === 0) return undefined;
        const below = this.strategy.find((item) => item.base > 0 && (this.held.get(item.capacityProvider) ?? 0) < item.base);
        const chosen = below ?? this.furthestBelowShare();
        this.held.set(chosen.capacityProvider, (this.held.get(chosen.capacityProvider) ?? 0) + 1);
        return chosen.capacityProvider;
    }

    /** Beyond the bases: the weighted provider with the fewest tasks above its base per unit of weight. */
    private furthestBelowShare(): CapacityProviderStrategyItem {
        const weighted = this.strategy.filter((item) => item.weight > 0);
        if (weighted.length === 0) return this.strategy[0];
        const share = (item: CapacityProviderStrategyItem) => ((this.held.get(item.capacityProvider) ?? 0) - item.base + 1) / item.weight;
        return weighted.reduce((best, item) => (share(item) < share(best) ? item : best));
    }
}
