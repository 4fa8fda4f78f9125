// The interface every rebalancing strategy implements: given one unbalanced, eligible service, decide this pass's
// moves. Filters (serviceFilter.ts, bins.ts), the flap guard and the pass budget are applied before a strategy runs.

import type { Service, Task } from "../model";
import type { Settings } from "../settings";
import type { Balance, BinTree } from "./balance";
import type { ServiceLayout } from "./bins";
import type { ClusterIndex } from "./clusterIndex";
import type { Action, Outcome, SkipReason } from "./types";

export interface StrategyInput {
    service: Service;
    tasks: Task[];
    layout: ServiceLayout;
    tree: BinTree;
    balance: Balance;
    index: ClusterIndex;
    settings: Settings;
    /** Epoch milliseconds the snapshot was taken at. */
    now: number;
    /** Tasks the pass may still move. */
    budget: number;
    fingerprint: string;
    /** Treat tasks whose scale-in protection was not read as protected (the final planning round). */
    unreadProtectionIsProtected: boolean;
    /** Only moves sure to lower the surplus: the last unsure move (skew-only or a chance) did not help. */
    sureMovesOnly: boolean;
    /** What this pass's move is recorded against (the flap guard's streak, markers.ts). */
    streak: MoveStreak;
}

/** The imbalance moves in this situation are judged against, and how many were made without improving on it. */
export interface MoveStreak {
    lowerBound: number;
    skew: number;
    tries: number;
}

export interface StrategyResult {
    outcome: Outcome;
    reason?: SkipReason;
    detail: string;
    actions: Action[];
    moves: number;
    /** Predicted tasks per eligible position once the moves are done (layout order). */
    predictedCounts: number[];
    /** Instances where ECS is predicted to start tasks, for the cluster-wide resource ledger. */
    placements: Map<number, number>;
    /** Victims whose protection the snapshot does not hold. */
    unreadProtection: string[];
}

export interface RebalanceStrategy {
    readonly name: Settings["strategy"];
    planService(input: StrategyInput): StrategyResult;
}
