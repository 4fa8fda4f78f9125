// What ECS will do with this service's tasks, by its documented rules, so the plan only makes moves that help:
// where the service scheduler places a new task (fit, then each strategy in order: spread keeps the values with
// the fewest of the service's tasks, binpack the least remaining resource), and which task a scale-in removes
// (spread: the value with the most tasks; binpack: the most remaining resource). ECS leaves ties undocumented,
// so a prediction resolves every tie one way: against the plan (the least helpful choice, the default) or for it
// (the most helpful, to tell a move that could help from one that cannot).

export type TieResolution = "worst" | "best";

import type { ClusterIndex } from "./clusterIndex";
import { keyAt, levelOfField, type ServiceLayout } from "./bins";
import { extraRoom } from "./requirements";
import { evaluateProgress, removalOutcomes, type BinTree } from "./balance";
import { ProviderSplit } from "./providerSplit";

/** The restore's order: a lower surplus, then a lower skew, then outside the bins, then a stable order by ARN. */
export function restoreBetter(
    a: { bound: number; skew: number; outside: boolean }, b: { bound: number; skew: number; outside: boolean }, arnA: string, arnB: string,
): boolean {
    if (a.bound !== b.bound) return a.bound < b.bound;
    if (a.skew !== b.skew) return a.skew < b.skew;
    if (a.outside !== b.outside) return a.outside;
    return arnA < arnB;
}

export class PredictedService {
    /** Tasks of the service per cluster instance index, as predicted. */
    readonly tasksOn: Map<number, number>;
    /** New tasks the prediction placed per cluster instance (they use its free resources). */
    private readonly placedOn = new Map<number, number>();
    /** Protected tasks per cluster instance (never removed by scale-in). */
    private readonly protectedOn: Map<number, number>;
    private readonly positionOf = new Map<number, number>();
    private readonly valueCounts = new Map<string, Map<string, number>>();
    /** Tasks given a capacity provider that had no room for them: they wait there, and count in its share. */
    private readonly unplacedIn = new Map<string, number>();

    constructor(
        private readonly index: ClusterIndex,
        readonly layout: ServiceLayout,
        private readonly tree: BinTree,
        /** Leaf targets the prediction judges choices against (the plan's targets). */
        private readonly leafTargets: readonly number[],
        protectedOn: Map<number, number> = new Map(),
        private readonly ties: TieResolution = "worst",
        /**
         * The skew threshold. Given, ECS's tied choices are judged by their outcome on the whole service: the
         * worst resolution takes the least balanced (the highest surplus, then skew), the best the most balanced.
         * A score per instance against fixed targets cannot see that stopping in one of two equally full AZs
         * balances the service while stopping in the other only undoes the move (chaos seeds 346684938,
         * 1584461210: a surge judged sure was a coin toss).
         */
        private readonly threshold?: number,
    ) {
        this.tasksOn = new Map(layout.countsOnAnyInstance);
        this.protectedOn = protectedOn;
        layout.instances.forEach((i, p) => this.positionOf.set(i, p));
        for (const s of layout.strategies) {
            if (s.type !== "spread") continue;
            const level = levelOfField(s.field);
            if (this.valueCounts.has(level)) continue;
            const counts = new Map<string, number>();
            for (const [i, n] of this.tasksOn) {
                const key = keyAt(level, index.instances[i]);
                counts.set(key, (counts.get(key) ?? 0) + n);
            }
            this.valueCounts.set(level, counts);
        }
    }

    /** Counts per eligible position, in the layout's order (what balance is judged on). */
    eligibleCounts(): number[] {
        return this.layout.instances.map((i) => this.tasksOn.get(i) ?? 0);
    }

    private add(i: number, delta: number): void {
        this.tasksOn.set(i, (this.tasksOn.get(i) ?? 0) + delta);
        for (const [level, counts] of this.valueCounts) {
            const key = keyAt(level, this.index.instances[i]);
            counts.set(key, (counts.get(key) ?? 0) + delta);
        }
    }

    /** How far above its target the instance's leaf would be; instances outside the bins count as on target. */
    private leafExcess(i: number, afterDelta: number): number {
        const p = this.positionOf.get(i);
        if (p === undefined) return 0;
        const leaf = this.tree.leafOf[p];
        let count = 0;
        for (const member of this.tree.leaves[leaf].members) count += this.tasksOn.get(this.layout.instances[member]) ?? 0;
        return count + afterDelta - this.leafTargets[leaf];
    }

    /** A task stopped here: it leaves the counts at once, but holds its resources until it is STOPPED. */
    stop(i: number): void {
        this.add(i, -1);
    }

    private roomFor(i: number): number {
        const p = this.positionOf.get(i);
        if (p === undefined) return 0;
        const initial = this.layout.countsOnAnyInstance.get(i) ?? 0;
        const room = extraRoom(this.index, i, this.layout, initial) - (this.placedOn.get(i) ?? 0);
        if (this.layout.distinctInstance && (this.tasksOn.get(i) ?? 0) > 0) return 0;
        return room;
    }

    private remaining(i: number, field: string | undefined): number {
        const placed = this.placedOn.get(i) ?? 0;
        return field === "cpu"
            ? this.index.freeCpu[i] - placed * this.layout.shape.cpu
            : this.index.freeMemory[i] - placed * this.layout.shape.memory;
    }

    /** Narrows candidates strategy by strategy; `pickMost` for scale-in. */
    private applyStrategies(candidates: number[], scaleIn: boolean): number[] {
        let remaining = candidates;
        for (const s of this.layout.strategies) {
            if (remaining.length <= 1) break;
            if (s.type === "spread") {
                const level = levelOfField(s.field);
                const counts = this.valueCounts.get(level)!;
                const valueOf = (i: number) => counts.get(keyAt(level, this.index.instances[i])) ?? 0;
                const best = scaleIn ? Math.max(...remaining.map(valueOf)) : Math.min(...remaining.map(valueOf));
                remaining = remaining.filter((i) => valueOf(i) === best);
            } else if (s.type === "binpack") {
                const valueOf = (i: number) => this.remaining(i, s.field);
                const best = scaleIn ? Math.max(...remaining.map(valueOf)) : Math.min(...remaining.map(valueOf));
                remaining = remaining.filter((i) => valueOf(i) === best);
            }
            // random: every candidate stays possible.
        }
        return remaining;
    }

    /**
     * Places one new task where ECS could; returns the instance, or undefined when nothing fits. `allowed` narrows
     * the instances ECS considers (the capacity provider it chose for the task).
     */
    place(allowed?: (i: number) => boolean): number | undefined {
        // A service split between capacity providers: ECS first gives the task its provider, by base and weight
        // over the tasks each holds, then places it on that provider's instances only (providerSplit.ts).
        const provider = allowed === undefined ? this.nextProvider() : undefined;
        const inProvider = provider === undefined ? allowed : (i: number) => this.index.instances[i].capacityProviderName === provider;
        const candidates = this.layout.instances.filter((i) => this.roomFor(i) >= 1 && (inProvider === undefined || inProvider(i)));
        if (candidates.length === 0) {
            if (provider !== undefined) this.unplacedIn.set(provider, (this.unplacedIn.get(provider) ?? 0) + 1);
            return undefined;
        }
        const ties = this.applyStrategies(candidates, false);
        // Least helpful tie: the instance whose leaf would end furthest above its target (most helpful: nearest).
        const chosen = this.pick(ties, (i) => this.leafExcess(i, 1), "high", 1);
        this.add(chosen, 1);
        this.placedOn.set(chosen, (this.placedOn.get(chosen) ?? 0) + 1);
        return chosen;
    }

    /** The capacity provider ECS gives the next task of a split service (undefined when it has no split). */
    private nextProvider(): string | undefined {
        if (this.layout.providerSplit.length < 2) return undefined;
        const held = new Map(this.unplacedIn);
        for (const [i, n] of this.tasksOn) {
            const name = this.index.instances[i].capacityProviderName;
            if (name !== undefined) held.set(name, (held.get(name) ?? 0) + n);
        }
        return new ProviderSplit(this.layout.providerSplit, held).next();
    }

    /**
     * Removes the task a surge's restore chooses (restoreVictims.ts: the others are protected from scale-in, so ECS's
     * own choice does not matter): from the instance where one fewer lowers the surplus, then the skew, most; a task
     * outside the service's bins (it changes neither) when no instance does better. Returns the instance, or
     * undefined when none can go.
     */
    removeChosen(): number | undefined {
        const counts = this.eligibleCounts();
        const now = evaluateProgress(this.tree, counts, this.threshold ?? 1);
        let best: { i: number; bound: number; skew: number; outside: boolean } | undefined;
        const removable = [...this.tasksOn].filter(([i, n]) => n - (this.protectedOn.get(i) ?? 0) > 0).map(([i]) => i);
        const inBins = removable.map((i) => this.positionOf.get(i)).filter((p): p is number => p !== undefined);
        const outcomes = removalOutcomes(this.tree, counts, inBins, this.threshold ?? 1);
        for (const i of removable) {
            const p = this.positionOf.get(i);
            let after = now;
            if (p !== undefined) {
                const weighed = outcomes.get(p);
                if (!weighed) continue;
                after = weighed;
            }
            const candidate = { i, bound: after.lowerBound, skew: after.skew, outside: p === undefined };
            if (!best || restoreBetter(candidate, best, this.index.instances[i].arn, this.index.instances[best.i].arn)) best = candidate;
        }
        if (best) this.add(best.i, -1);
        return best?.i;
    }

    /** Removes one task the way ECS's scale-in would; returns the instance, or undefined when none can go. */
    scaleIn(): number | undefined {
        const candidates: number[] = [];
        for (const [i, n] of this.tasksOn) if (n - (this.protectedOn.get(i) ?? 0) > 0) candidates.push(i);
        if (candidates.length === 0) return undefined;
        const ties = this.applyStrategies(candidates, true);
        // Least helpful tie: the instance whose leaf is least above its target (most helpful: furthest).
        const chosen = this.pick(ties, (i) => this.leafExcess(i, 0), "low", -1);
        this.add(chosen, -1);
        return chosen;
    }

    /**
     * Resolves a tie: `harmful` says which end of the score hurts the plan ("high": a high score is the least
     * helpful); the worst resolution takes that end, the best the other. Equal scores: a stable order by ARN.
     */
    private pick(candidates: number[], score: (i: number) => number, harmful: "high" | "low", delta: number): number {
        const sign = (harmful === "high") === (this.ties === "worst") ? 1 : -1;
        // The score first (cheap); among the choices it cannot tell apart, the outcome on the whole service.
        let extremes: number[] = [];
        let extremeScore = -Infinity;
        for (const i of candidates) {
            const s = sign * score(i);
            if (s > extremeScore) {
                extremes = [i];
                extremeScore = s;
            } else if (s === extremeScore) {
                extremes.push(i);
            }
        }
        const ties = this.threshold !== undefined && extremes.length > 1 ? this.extremeOutcomes(extremes, delta) : extremes;
        let chosen = ties[0];
        for (const i of ties.slice(1)) if (this.index.instances[i].arn > this.index.instances[chosen].arn) chosen = i;
        return chosen;
    }

    /**
     * Choices that change the service alike: the same leaf when a leaf holds several instances, else an instance
     * with the same parents, count and target as another (their outcomes differ at most through the room each
     * has left, which the score already weighed).
     */
    private outcomeClass(i: number): string {
        const p = this.positionOf.get(i);
        if (p === undefined) return "outside";
        const leaf = this.tree.leafOf[p];
        if (this.tree.leaves[leaf].members.length > 1) return `leaf ${leaf}`;
        return `${this.layout.keys[p].slice(0, -1).join("\u0000")}|${this.tasksOn.get(i) ?? 0}|${this.leafTargets[leaf]}`;
    }

    /** The candidates whose change by `delta` leaves the service least balanced (worst) or most balanced (best). */
    private extremeOutcomes(candidates: number[], delta: number): number[] {
        const classes = new Map<string, number[]>();
        for (const i of candidates) {
            const key = this.outcomeClass(i);
            const members = classes.get(key);
            if (members) members.push(i);
            else classes.set(key, [i]);
        }
        if (classes.size === 1) return candidates;
        const sign = this.ties === "worst" ? -1 : 1;
        const counts = this.eligibleCounts();
        let chosen: number[] = [];
        let chosenBound = Infinity, chosenSkew = Infinity;
        for (const members of classes.values()) {
            const p = this.positionOf.get(members[0]);
            if (p !== undefined) counts[p] += delta;
            const b = evaluateProgress(this.tree, counts, this.threshold!);
            if (p !== undefined) counts[p] -= delta;
            const bound = sign * b.lowerBound, skew = sign * b.skew;
            if (bound < chosenBound || (bound === chosenBound && skew < chosenSkew)) {
                chosen = [...members];
                chosenBound = bound;
                chosenSkew = skew;
            } else if (bound === chosenBound && skew === chosenSkew) {
                chosen.push(...members);
            }
        }
        return chosen;
    }

    /** Instances where the prediction placed new tasks, for the cluster-wide resource ledger. */
    placements(): Map<number, number> {
        return new Map(this.placedOn);
    }
}
