// The reading of the service-scheduler pages (developer guide "Amazon ECS services", "Service scheduler concepts";
// "Update Amazon ECS service parameters"): a scale-in stops the task "that leaves the remaining tasks with the best
// spread", favouring the Availability Zone, then the container instance, with the most running tasks of the
// service: every spread strategy narrows, the instance level included. Then (the emulator's choice, undocumented)
// tasks not yet RUNNING go first, and the rest is chosen by the seeded RNG. Placement ties: seeded RNG (ECS documents
// no tie-break). AZ rebalancing (service-rebalancing.html) starts its task in the AZ with the fewest tasks only
// with room under maximumPercent for one more, tries only that AZ, and acts as soon as the service is steady.
// This is the emulator's behaviour before profiles existed.

import type { EcsProfile, ScaleInRequest } from "./profile";
import { narrowByStrategies, SpreadCounts } from "./scaleInNarrowing";
import type { PlacedTask } from "../model";

/** Narrowing by every strategy, then not-yet-RUNNING tasks first, then seeded random: one task at a time. */
export function chooseNarrowedAtRandom(request: ScaleInRequest, instanceSpreadNarrows: boolean): PlacedTask[] {
    const left = [...request.candidates];
    const chosen: PlacedTask[] = [];
    const counts = new SpreadCounts(request.groupCounts);
    while (chosen.length < request.count && left.length > 0) {
        let set = narrowByStrategies(left, request.strategies, counts, instanceSpreadNarrows);
        const notRunning = set.filter((t) => t.lastStatus !== "RUNNING");
        if (notRunning.length > 0) set = notRunning;
        const pick = request.rng.pick(set);
        chosen.push(pick);
        left.splice(left.indexOf(pick), 1);
        counts.remove(pick.instance);
    }
    return chosen;
}

export const servicePageProfile: EcsProfile = {
    name: "service-page",
    description: "scale-in narrows by every spread level (AZ, then the instance with the most tasks) as the service-scheduler pages say; random ties; AZ rebalancing starts a task only within maximumPercent, in the emptiest AZ, at once",
    chooseTasksToStop: (request) => chooseNarrowedAtRandom(request, true),
    randomPlacementTies: true,
    breakPlacementTie: (tie) => tie.rng.pick(tie.tied),
    azRebalancing: {
        method: "start-first",
        triesOtherZones: false,
        delayMs: () => 0,
    },
};
