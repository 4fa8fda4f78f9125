// The scenario runner's own lower bound on the tasks a rebalancer must move (the report's `minimalMoves`),
// computed from `before` — what ECS alone left — independently of the planner, by the textbook rule:
//
//   For each service the rebalancer is meant to spread (REPLICA, first placement strategy a spread, not opted out),
//   the bins are the instances that could hold its task at the end (ACTIVE, agent connected, its capacity
//   provider, its constraints, room for one more task or already holding some). Targets are the even split
//   floor(N/K) or floor(N/K)+1, the +1s going to the bins that already hold the most; a bin that cannot hold its
//   share holds what it can and the rest is split among the others (water-filling). With an AZ spread first,
//   AZs are split first and each AZ's instances share that AZ's target. A service split between capacity
//   providers keeps each provider's count. The bound is Σ over instances of max(0, tasks − target): each move
//   lowers exactly one over-target instance by one.

export interface BoundInstance {
    id: string;
    az: string;
    capacityProvider?: string;
    /** Can take a task at all (ACTIVE, agent connected, constraints met). */
    usable: boolean;
    /** How many more of this service's tasks fit (resources, ports, distinctInstance). */
    room: number;
}

export interface BoundService {
    name: string;
    counts: Record<string, number>;
    /** Spread levels outermost first: "az" and/or "instance" (others are ignored: not AZ or instance). */
    levels: ("az" | "instance" | "provider")[];
}

interface Bin {
    key: string;
    count: number;
    cap: number;
}

/** Even split of `total` over bins within their caps; the remainder goes to the bins holding the most. */
export function evenSplit(bins: Bin[], total: number): number[] {
    const capacity = bins.reduce((s, b) => s + b.cap, 0);
    let goal = Math.min(total, capacity);
    const targets = bins.map(() => 0);
    let open = bins.map((_, i) => i);
    // Water-filling: raise everyone to the level, bins that are full drop out.
    while (goal > 0 && open.length > 0) {
        const level = Math.floor(goal / open.length);
        if (level === 0) break;
        let used = 0;
        const stillOpen: number[] = [];
        for (const i of open) {
            const add = Math.min(level, bins[i].cap - targets[i]);
            targets[i] += add;
            used += add;
            if (targets[i] < bins[i].cap) stillOpen.push(i);
        }
        goal -= used;
        open = stillOpen;
        if (used === 0) break;
    }
    // The remainder (fewer than the open bins): one each, to the bins holding the most.
    open.sort((a, b) => bins[b].count - bins[a].count || (bins[a].key < bins[b].key ? -1 : 1));
    for (const i of open) {
        if (goal === 0) break;
        if (targets[i] < bins[i].cap) {
            targets[i]++;
            goal--;
        }
    }
    return targets;
}

export function serviceLowerBound(service: BoundService, instances: BoundInstance[]): number {
    const bins = instances
        .map((inst) => ({ inst, count: service.counts[inst.id] ?? 0 }))
        .filter(({ inst, count }) => inst.usable && count + inst.room > 0);
    if (bins.length < 2) return 0;
    const total = bins.reduce((s, b) => s + b.count, 0);
    const levels = service.levels;

    // Groups: the outer levels (provider, AZ) nest; instances are the innermost bins when spread on instanceId.
    const groupKey = (depth: number, inst: BoundInstance): string =>
        levels.slice(0, depth + 1).map((l) => (l === "az" ? inst.az : l === "provider" ? inst.capacityProvider ?? "" : inst.id)).join("|");

    let bound = 0;
    const split = (members: typeof bins, depth: number, target: number): void => {
        if (depth === levels.length) {
            // Below the last spread level the instances are not balanced against each other: only the group's total.
            const count = members.reduce((s, m) => s + m.count, 0);
            bound += Math.max(0, count - target);
            return;
        }
        const groups = new Map<string, typeof bins>();
        for (const m of members) {
            const key = groupKey(depth, m.inst);
            groups.set(key, [...(groups.get(key) ?? []), m]);
        }
        const keys = [...groups.keys()];
        const groupBins = keys.map((key) => {
            const g = groups.get(key)!;
            return { key, count: g.reduce((s, m) => s + m.count, 0), cap: g.reduce((s, m) => s + m.count + m.inst.room, 0) };
        });
        const targets = levels[depth] === "provider" ? groupBins.map((g) => g.count) : evenSplit(groupBins, target);
        keys.forEach((key, i) => split(groups.get(key)!, depth + 1, targets[i]));
    };
    split(bins, 0, total);
    return bound;
}
