// What the planner decides: one decision per service (with its reason) and the ordered ECS writes that carry it out.

export type SkipReason =
    | "daemon"
    | "not-active"
    | "not-ec2"
    | "desired-zero"
    | "mid-deployment"
    | "controller-not-ecs"
    | "opted-out"
    | "not-selected"
    | "invalid-service-tag"
    | "binpack-or-random"
    | "fewer-than-2-instances"
    | "unsupported-constraint"
    | "auto-scaled-needs-surge"
    | "no-headroom"
    | "no-improvement"
    | "no-safe-move"
    | "no-movable-task"
    | "pass-cap-reached"
    | "redeploy-did-not-help"
    | "native-deployment-strategy";

export type Outcome =
    | "balanced" // nothing to do: within the skew threshold, or no move would lower the surplus
    | "move" // stop surplus tasks now (within the healthy floor)
    | "surge" // raise desiredCount so ECS starts tasks on under-target instances first
    | "restore" // a surge is done (or timed out): put desiredCount back, ECS scales in where the surplus is
    | "waiting" // a surge is in progress
    | "redeploy" // forceNewDeployment
    | "skipped";

export interface LevelCounts {
    /** Tasks per bin (AZ name, attribute value or container instance ARN) at this level. */
    counts: Record<string, number>;
    targets: Record<string, number>;
}

/** The settings a service's own tags override (plan/serviceTags.ts), only the keys it sets. */
export interface ServiceOverrides {
    skewThreshold?: number;
    dryRun?: boolean;
    maxMovesPerService?: number;
}

export interface ServiceDecision {
    service: string;
    serviceArn: string;
    outcome: Outcome;
    reason?: SkipReason;
    /** Settings the service's tags override for it. */
    overrides?: ServiceOverrides;
    /** In a live pass, the service's actions are only recorded (its tag says dryRun=true): act does not send them. */
    dryRunOnly?: true;
    /** A service with a surge marker: seconds since the surge began. */
    surgeAgeSeconds?: number;
    /** One sentence for people: why this outcome. */
    detail: string;
    /** The spread levels this service is balanced on, outermost first: "az", "instance" or "attribute:<name>". */
    levels: string[];
    /** Per level: counts now and targets (instances are keyed by container instance ARN). */
    byLevel: Record<string, LevelCounts>;
    /**
     * Levels whose split the plan keeps as it is (targets = counts): "az" when ECS's AZ rebalancing owns it,
     * "capacity-provider" when ECS splits by base and weight. Absent when none.
     */
    fixedLevels?: string[];
    /** ECS's AZ rebalancing is set for the service, but the rebalancer balances its AZs: why (azOwnership.ts). */
    azLevelTakenBack?: string;
    /** max − min at the worst level now, and as predicted once the planned moves are done. */
    skewBefore: number;
    skewAfter: number;
    /** Σ max(0, count − target) over the finest level: the fewest tasks that must move. */
    lowerBound: number;
    /** Tasks this pass moves (stops, surge size, or the tasks a redeploy replaces). */
    moves: number;
    /** The lower bound predicted after this pass's moves. */
    lowerBoundAfter: number;
}

export type Action =
    | { kind: "stop-task"; service: string; serviceArn: string; taskArn: string; containerInstanceArn: string; reason: string }
    | { kind: "surge"; service: string; serviceArn: string; ownerDesired: number; desiredCount: number; markerTag: Tag }
    | {
        kind: "restore-desired"; service: string; serviceArn: string; desiredCount: number; why: string;
        /** The tasks ECS's scale-in must take (the others are protected first): checked still running right before. */
        victims?: string[];
    }
    /** Scale-in protection on tasks that must stay through a surge's restore (UpdateTaskProtection, 10 at a time). */
    | { kind: "protect-tasks"; service: string; serviceArn: string; taskArns: string[]; expiresInMinutes: number }
    /** Clears the protection the rebalancer set (never one the owner set: the plan tells them apart by expiry). */
    | { kind: "unprotect-tasks"; service: string; serviceArn: string; taskArns: string[] }
    /** Rewrites the surge marker (the restore under way, and its protection's time and expiry). */
    | { kind: "mark-surge"; service: string; serviceArn: string; markerTag: Tag }
    | { kind: "clear-marker"; service: string; serviceArn: string; tagKeys: string[] }
    | { kind: "redeploy"; service: string; serviceArn: string }
    | { kind: "record-move"; service: string; serviceArn: string; tag: Tag };

export interface Tag {
    key: string;
    value: string;
}

export interface PlanMetrics {
    services: number;
    servicesBalanced: number;
    servicesUnbalanced: number;
    servicesSkipped: number;
    /** Services whose surge is still open: waiting for its tasks (or the floor) before desiredCount goes back. */
    surgesInProgress: number;
    tasksToMove: number;
    lowerBound: number;
    worstSkewBefore: number;
    worstSkewAfter: number;
    skipReasons: Partial<Record<SkipReason, number>>;
}

export interface Plan {
    clusterArn: string;
    strategy: string;
    decisions: ServiceDecision[];
    /** In execution order; the actions of one service are contiguous. */
    actions: Action[];
    /** Stop victims whose scale-in protection has not been read yet (the handler reads them and plans again). */
    unreadProtection: string[];
    /** Task definitions whose host-port facts the plan would use but the snapshot does not hold. */
    unreadTaskDefinitions: string[];
    /**
     * The earliest time (epoch ms) a decision changes by time alone, with nothing else changing: an uneven AZ level
     * left to ECS's AZ rebalancing is taken back then if ECS has not acted. Absent when no decision waits on time.
     */
    revisitAt?: number;
    metrics: PlanMetrics;
}
