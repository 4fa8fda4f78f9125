// Hand-built plans (the planner's output type) for the runtime tests.
import type { Action, Plan, ServiceDecision } from "../../../rebalancer/plan/types";
import type { ClusterSnapshot } from "../../../rebalancer/model";
import type { PlanFunction } from "../../../rebalancer/planRounds";

export function decision(service: string, serviceArn: string, outcome: ServiceDecision["outcome"], extra: Partial<ServiceDecision> = {}): ServiceDecision {
    return {
        service,
        serviceArn,
        outcome,
        detail: `${service}: ${outcome}`,
        levels: ["az", "instance"],
        byLevel: {},
        skewBefore: outcome === "balanced" ? 0 : 2,
        skewAfter: 0,
        lowerBound: outcome === "balanced" ? 0 : 1,
        moves: 0,
        lowerBoundAfter: 0,
        ...extra,
    };
}

export function planOf(clusterArn: string, decisions: ServiceDecision[], actions: Action[], extra: Partial<Plan> = {}): Plan {
    const skipped = decisions.filter((d) => d.outcome === "skipped");
    const skipReasons: Record<string, number> = {};
    for (const d of skipped) if (d.reason) skipReasons[d.reason] = (skipReasons[d.reason] ?? 0) + 1;
    return {
        clusterArn,
        strategy: "minimal",
        decisions,
        actions,
        unreadProtection: [],
        unreadTaskDefinitions: [],
        metrics: {
            services: decisions.length,
            servicesBalanced: decisions.filter((d) => d.outcome === "balanced").length,
            servicesUnbalanced: decisions.filter((d) => d.lowerBound > 0).length,
            servicesSkipped: skipped.length,
            surgesInProgress: decisions.filter((d) => d.outcome === "waiting").length,
            tasksToMove: decisions.reduce((n, d) => n + d.moves, 0),
            lowerBound: decisions.reduce((n, d) => n + d.lowerBound, 0),
            worstSkewBefore: Math.max(0, ...decisions.map((d) => d.skewBefore)),
            worstSkewAfter: Math.max(0, ...decisions.map((d) => d.skewAfter)),
            skipReasons,
        },
        ...extra,
    };
}

/** A planner that records what it was given and answers from a function of the snapshot. */
export function recordingPlanner(answer: (s: ClusterSnapshot, options?: { unreadProtectionIsProtected?: boolean }) => Plan) {
    const seen: Array<{ snapshot: ClusterSnapshot; options?: { unreadProtectionIsProtected?: boolean } }> = [];
    const plan: PlanFunction = (snapshot, _settings, options) => {
        seen.push({ snapshot, ...(options ? { options } : {}) });
        return answer(snapshot, options);
    };
    return { plan, seen };
}

/** Says every service is balanced and plans nothing. */
export const quietPlanner: PlanFunction = (s) =>
    planOf(s.clusterArn, s.services.map((svc) => decision(svc.name, svc.arn, "balanced")), []);

export function fakeClock(start = Date.parse("2026-03-01T00:00:00Z")) {
    const clock = {
        t: start,
        slept: 0,
        now: () => clock.t,
        sleep: async (ms: number) => {
            clock.t += ms;
            clock.slept += ms;
        },
    };
    return clock;
}
