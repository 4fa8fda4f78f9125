// An ECS behaviour profile: one reading of what AWS's documentation leaves open. The scheduler and the placement
// engine ask their profile where ECS's choice is not documented; everything documented is the same in every
// profile. One module per reading (servicePage.ts, placementPage.ts, adversarial.ts); `profiles.ts` names them.

import type { InstanceState, PlacementStrategy, ServiceState, PlacedTask } from "../model";
import type { Rng } from "../random";

export type EcsProfileName = "service-page" | "placement-page" | "adversarial";

/** What a scale-in choice sees: the tasks it may stop, how many, and the service's tasks per instance. */
export interface ScaleInRequest {
    /** Tasks that may be stopped (protected ones already left out by the caller). */
    /** Placed tasks only: the scheduler stops PROVISIONING tasks before it asks (scheduler.ts). */
    candidates: readonly PlacedTask[];
    count: number;
    strategies: readonly PlacementStrategy[];
    /** The service's tasks with desired status RUNNING, per instance; updated as tasks are picked. */
    groupCounts: Map<InstanceState, number>;
    /** Instances that could hold the service's tasks (ACTIVE, connected, its providers, its constraints). */
    eligible: readonly InstanceState[];
    rng: Rng;
}

/** What a placement tie-break sees: the candidates the strategies could not tell apart. */
export interface PlacementTie {
    /** Positions in `universe` of the tied candidates. */
    tied: readonly number[];
    strategies: readonly PlacementStrategy[];
    /**
     * Every candidate instance of this placement, with room or not, and the group's tasks on each before this
     * placement. The same array for every placement of a cluster until its instances change (a cache key).
     */
    universe: readonly InstanceState[];
    universeCounts: ArrayLike<number>;
    rng: Rng;
}

/** When a steady service whose AZs are uneven gets a task from ECS's AZ rebalancing (service-rebalancing.html). */
export interface AzRebalancingReading {
    /**
     * How ECS makes room for the AZ with the fewest tasks: "start-first" only with room under maximumPercent for one
     * more task (floor(desired × max% / 100) ≥ desired + 1); "start-or-stop" also by stopping a task in the AZ with
     * the most first, when minimumHealthyPercent leaves room (ECS then replaces it by its spread placement).
     */
    readonly method: "start-first" | "start-or-stop";
    /** Whether AZs other than the one with the fewest tasks are tried when it has no room. */
    readonly triesOtherZones: boolean;
    /** Emulated time between the service reaching steady state and ECS acting on its AZ imbalance. */
    delayMs(service: ServiceState, rng: Rng): number;
}

export interface EcsProfile {
    readonly name: EcsProfileName;
    /** One line: the reading, with the pages it follows. */
    readonly description: string;
    /** Which tasks the service scheduler stops when it has too many (scale-in, deployments, draining, AZ rebalancing). */
    chooseTasksToStop(request: ScaleInRequest): PlacedTask[];
    /**
     * Whether placement ties are broken at random (the placement engine may then stop scanning at the first
     * candidate no other can beat); otherwise every tied candidate is collected and `breakPlacementTie` decides.
     */
    readonly randomPlacementTies: boolean;
    /** The position in `tie.universe` of the instance chosen among the tied ones. */
    breakPlacementTie(tie: PlacementTie): number;
    readonly azRebalancing: AzRebalancingReading;
}
