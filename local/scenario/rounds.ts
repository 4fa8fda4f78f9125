// Rounds of a scenario and the per-round lower bound: what a rebalancer that cannot know the next round had to
// move in the run it played, beside the final-state bound (`minimalMoves`, lowerBound.ts, on what ECS alone left).
//
// A ROUND is one step that changes the cluster (any step but `advance`) with the `advance` steps that follow it;
// round 0 ("start") is the starting cluster with any `advance` before the first such step. Why there: the runner
// applies each step only once the world has settled (ECS's reactions and the rebalancer's invocations they queued
// are done, runner.ts), so every step that changes the cluster comes after the rebalancer has had its chance at the
// previous one, and the rebalancer cannot know it is coming. An `advance` only lets time pass; it disturbs nothing.
// The boundaries are read from the file as it is (FORMAT.md is shared with files from outside the project, so no
// marker is added), and the argument below holds for any split into intervals: the split decides only how tight
// the sum is, never whether it is a lower bound.
//
// THE BOUND of round k, per spread service X (the services lowerBound.ts counts):
//   S = the run's state of X just before the rebalancer's first task change of X in the round (a stop, or the
//       start of a surge task) — the state it chose to act on, after ECS's reactions to the round's steps and
//       to the earlier rounds; E = the state of X at the end of the round (the next round's first step, or the
//       end of the play);
//   bound_k(X) = max(0, LB(S) − LB(E)), LB being lowerBound.ts's textbook rule, both on the room each instance
//       has for X at E; 0 when the rebalancer did not touch X in the round. The per-round bound is Σ over rounds
//       and services.
// Why it is a lower bound on the tasks the rebalancer stopped in the round: LB(C) is the distance
// d(C, B) = Σ_i max(0, C_i − B_i) from C to the nearest balanced placement B of the same tasks on the same
// instances, and d obeys the triangle inequality (max(0, a + b) ≤ max(0, a) + max(0, b)), so with B the placement
// nearest E, LB(S) ≤ d(S, E) + LB(E). d(S, E) counts tasks of X that were on an instance at S and are no longer
// there at E: each was stopped in between. So LB(S) − LB(E) ≤ the tasks of X stopped in the round — provided the
// only stops and starts of X after S are the rebalancer's (checked: any other start or stop of X — ECS still
// placing the round's replacements, ECS's own AZ rebalancing, a health-check replacement — and the round's
// service counts for nothing), that X runs as many tasks at S as at E on the same usable instances (checked
// likewise), and that B is one of the balanced placements LB(S) chooses among: hence both are computed with the
// room each instance has for X at E (other services' tasks move too, and ECS may fill an instance X could have
// used: mixed-sizes-near-capacity), and where S holds more of X on an instance than E's room allows, the round's
// service counts for nothing.
// It cannot be gamed upwards: every stop that does not lower LB by one is paid for in the ratio (stopped ÷ bound
// ≥ 1 always). Nor downwards unseen: a rebalancer that leaves a round unbalanced has a small bound_k, and its
// `left` (LB(E), per round) says so.
//
// The definition is Σ LB(S_k). It is the same number when every round ends balanced (LB(E_k) = 0), which
// is what an online rebalancer must do; subtracting LB(E_k) keeps it a lower bound for a rebalancer that does not
// (the imbalance it leaves would otherwise count again in the next round's S). It is a bound on this run's moves,
// given the states this run went through (where earlier rounds put tasks decides what a later one unbalances),
// not a minimum over every possible rebalancer.

import type { ScenarioStep } from "./scenarioFile";

/** A round: the indexes of its steps in the file (none for a start with no leading `advance`). */
export interface RoundSpan {
    steps: number[];
}

/** Splits the steps into rounds: round 0 is the start; each step that changes the cluster opens the next. */
export function splitRounds(steps: readonly ScenarioStep[]): RoundSpan[] {
    const rounds: RoundSpan[] = [{ steps: [] }];
    steps.forEach((step, i) => {
        if ("advance" in step) rounds[rounds.length - 1].steps.push(i);
        else rounds.push({ steps: [i] });
    });
    return rounds;
}

/** One service's state at one moment, as the bound reads it. */
export interface ServiceState {
    /** lowerBound.ts on this state. */
    bound: number;
    /** Its running tasks, on any instance. */
    running: number;
    /** The instances that could hold its task (sorted ids). */
    bins: string[];
}

/** One spread service in one round the rebalancer touched it in. */
export interface ServiceRound {
    service: string;
    /** Just before the rebalancer's first task change of the service in the round (its bound on atEnd's room). */
    atFirstMove: ServiceState;
    atEnd: ServiceState;
    /** Starts and stops of its tasks after atFirstMove that are not the rebalancer's. */
    otherChanges: number;
    /** Instances that held more of it at atFirstMove than they have room for at atEnd. */
    overRoom: string[];
}

/** The round's bound for one service, or why it counts for nothing (the argument's conditions, header). */
export function serviceRoundBound(r: ServiceRound): { bound: number; unmeasured?: string } {
    if (r.otherChanges > 0) return { bound: 0, unmeasured: `${r.service}: ${r.otherChanges} start(s)/stop(s) not the rebalancer's after its first move` };
    if (r.atFirstMove.running !== r.atEnd.running) return { bound: 0, unmeasured: `${r.service}: ${r.atFirstMove.running} running at its first move, ${r.atEnd.running} at the end` };
    if (r.atFirstMove.bins.join(",") !== r.atEnd.bins.join(",")) return { bound: 0, unmeasured: `${r.service}: the instances that can hold it changed within the round` };
    if (r.overRoom.length > 0) return { bound: 0, unmeasured: `${r.service}: ${r.overRoom.join(", ")} held more of it than they have room for at the end` };
    return { bound: Math.max(0, r.atFirstMove.bound - r.atEnd.bound) };
}

/** A round as the report carries it. */
export interface RoundReport {
    /** The round's steps as the timeline words them ("start" for round 0). */
    steps: string[];
    /** Σ serviceRoundBound over the services the rebalancer touched in the round. */
    bound: number;
    /** lowerBound.ts on the state at the end of the round: what the rebalancer left to move (0: balanced). */
    left: number;
    /** Tasks the rebalancer stopped in the round. */
    stopped: number;
    /** Services whose round counts for nothing, and why (the argument's conditions did not hold). */
    unmeasured: string[];
}

export function roundReport(steps: string[], services: readonly ServiceRound[], left: number, stopped: number): RoundReport {
    const judged = services.map(serviceRoundBound);
    return {
        steps,
        bound: judged.reduce((s, j) => s + j.bound, 0),
        left,
        stopped,
        unmeasured: judged.flatMap((j) => (j.unmeasured ? [j.unmeasured] : [])),
    };
}

/** The per-round bound: Σ over the rounds. */
export function perRoundBound(rounds: readonly RoundReport[]): number {
    return rounds.reduce((s, r) => s + r.bound, 0);
}

/**
 * Multi-round: moves were needed in more than one round, so the final-state bound leaves some out and the run is
 * judged against the per-round bound. With one such round, the final-state bound stays the yardstick.
 */
export function isMultiRound(rounds: readonly RoundReport[]): boolean {
    return rounds.filter((r) => r.bound > 0).length >= 2;
}
