// Every choice AWS leaves open, made the worst way for a rebalancer, reproducibly (state and seed decide):
// - scale-in: the documented narrowing (spread on attributes such as the AZ, binpack), then, inside what is left
//   (the placement-strategy page lets any task of the AZ go), the task whose loss leaves the service the least evenly
//   spread over its instances (imbalance.ts) — typically the one a surge just started on an empty instance — the
//   newest first among equals;
// - placement ties: the tied instance that leaves the service the least evenly spread, then the one with the least
//   room left (fewest choices for the next task);
// - AZ rebalancing: only within maximumPercent (the strictest reading), only the emptiest AZ, and late: 10 to 40
//   minutes (seeded) after the service becomes steady — the page gives no latency ("continuously monitors").

import type { InstanceState, PlacedTask } from "../model";
import { SpreadGroups, spreadFields } from "./imbalance";
import type { EcsProfile, PlacementTie, ScaleInRequest } from "./profile";
import { narrowByStrategies, SpreadCounts } from "./scaleInNarrowing";

const AZ_REBALANCING_DELAY_MS = { min: 10 * 60_000, max: 40 * 60_000 };

function roomLeft(i: InstanceState): number {
    return (i.registered.memory - i.used.memory) * 1e6 + (i.registered.cpu - i.used.cpu);
}

function chooseWorstToStop(request: ScaleInRequest): PlacedTask[] {
    const left = [...request.candidates];
    const chosen: PlacedTask[] = [];
    const counts = new SpreadCounts(request.groupCounts);
    const universe = new Set(request.eligible);
    for (const t of request.candidates) universe.add(t.instance);
    for (const [i, n] of request.groupCounts) if (n > 0) universe.add(i);
    const instances = [...universe];
    const position = new Map(instances.map((i, j) => [i, j]));
    const groups = new SpreadGroups(instances, spreadFields(request.strategies));
    instances.forEach((i, j) => groups.set(j, request.groupCounts.get(i) ?? 0));
    while (chosen.length < request.count && left.length > 0) {
        const set = narrowByStrategies(left, request.strategies, counts, false);
        const memo = new Map<string, number>();
        const change = (t: PlacedTask) => groups.change(position.get(t.instance)!, -1, memo);
        const pick = set.reduce((worst, t) => {
            const a = change(t), b = change(worst);
            if (a !== b) return a > b ? t : worst;
            if (t.createdAt !== worst.createdAt) return t.createdAt > worst.createdAt ? t : worst;
            return t.seq > worst.seq ? t : worst;
        });
        chosen.push(pick);
        left.splice(left.indexOf(pick), 1);
        counts.remove(pick.instance);
        const j = position.get(pick.instance)!;
        groups.set(j, request.groupCounts.get(pick.instance) ?? 0);
    }
    return chosen;
}

/** Per candidate list (the same array until the cluster's instances change) and spread fields, kept up to date. */
const placementGroups = new WeakMap<readonly InstanceState[], Map<string, SpreadGroups>>();

function worstPlacement(tie: PlacementTie): number {
    const fields = spreadFields(tie.strategies);
    let byFields = placementGroups.get(tie.universe);
    if (!byFields) placementGroups.set(tie.universe, (byFields = new Map()));
    let groups = byFields.get(fields.join("\u0000"));
    if (!groups) byFields.set(fields.join("\u0000"), (groups = new SpreadGroups(tie.universe, fields)));
    for (let j = 0; j < tie.universe.length; j++) groups.set(j, tie.universeCounts[j]!);
    const memo = new Map<string, number>();
    let best = tie.tied[0]!;
    let bestChange = groups.change(best, 1, memo);
    for (const j of tie.tied.slice(1)) {
        const change = groups.change(j, 1, memo);
        const a = tie.universe[j]!, b = tie.universe[best]!;
        if (change > bestChange || (change === bestChange && (roomLeft(a) < roomLeft(b) || (roomLeft(a) === roomLeft(b) && a.arn > b.arn)))) {
            best = j;
            bestChange = change;
        }
    }
    return best;
}

export const adversarialProfile: EcsProfile = {
    name: "adversarial",
    description: "every undocumented choice made the worst way for a rebalancer: scale-in stops the task whose loss leaves the service least evenly spread inside the documented AZ rule; ties go to the least even placement; AZ rebalancing only within maximumPercent, only the emptiest AZ, 10–40 min late",
    chooseTasksToStop: chooseWorstToStop,
    randomPlacementTies: false,
    breakPlacementTie: worstPlacement,
    azRebalancing: {
        method: "start-first",
        triesOtherZones: false,
        delayMs: (_service, rng) => AZ_REBALANCING_DELAY_MS.min + rng.int(AZ_REBALANCING_DELAY_MS.max - AZ_REBALANCING_DELAY_MS.min + 1),
    },
};
