// The reading of the placement-strategy page (developer guide "Amazon ECS task placement strategies", spread: "When
// the spread strategy is used and a scale-in action is taken, Amazon ECS selects tasks to terminate that maintain a
// balance across Availability Zones. Within an Availability Zone, tasks are selected at random."): a spread on an
// attribute narrows, a spread on the instance does not — inside the AZ any task may go. Placement ties: seeded RNG.
// AZ rebalancing, whose page names no rule for maximumPercent: the other reading of it — any room ECS has, a start
// within maximumPercent or else a stop within minimumHealthyPercent (the replacement then goes to the AZ with the
// fewest), and when that AZ has no room, the next emptiest is tried.

import type { EcsProfile } from "./profile";
import { chooseNarrowedAtRandom } from "./servicePage";

export const placementPageProfile: EcsProfile = {
    name: "placement-page",
    description: "scale-in keeps the AZs balanced and picks at random inside the AZ, as the placement-strategy page says; random ties; AZ rebalancing starts a task within maximumPercent or stops one within minimumHealthyPercent, and tries the next emptiest AZ",
    chooseTasksToStop: (request) => chooseNarrowedAtRandom(request, false),
    randomPlacementTies: true,
    breakPlacementTie: (tie) => tie.rng.pick(tie.tied),
    azRebalancing: {
        method: "start-or-stop",
        triesOtherZones: true,
        delayMs: () => 0,
    },
};
