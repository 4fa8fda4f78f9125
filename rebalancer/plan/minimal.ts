// The `minimal` strategy: move only surplus tasks, each move predicted to lower the surplus by exactly one.
// With headroom above the healthy floor it stops surplus tasks (ECS places the replacements on the emptiest
// instances); with none it surges: desiredCount + k within maximumPercent, so ECS starts the k tasks on the
// emptiest instances first, and a later pass puts desiredCount back so ECS's balanced scale-in removes the surplus.
// When ECS's placement rules make no move productive, weaker ones are allowed in turn (see Acceptance): one move
// that lowers the skew, a detour surge sure to lower the surplus at a bounded extra cost, a harmless chance. The
// flap guard (plan/index.ts, movesWithoutImprovement) bounds the moves that do not pay off, so passes cannot loop.

import type { Task } from "../model";
import { evaluateProgress, type Progress } from "./balance";
import { PredictedService, type TieResolution } from "./ecsPrediction";
import { ceilingOf, countsTowardFloor, healthyFloor } from "./limits";
import { encodeLastMove, encodeSurgeMarker } from "./markers";
import type { RebalanceStrategy, StrategyInput, StrategyResult } from "./strategy";
import type { Action } from "./types";


/** Tasks on each eligible position that may be stopped, best victim first. */
function movableTasks(input: StrategyInput): Task[][] {
    const { layout, tasks, index, settings, now } = input;
    const byPosition = new Map<number, number>();
    layout.instances.forEach((i, p) => byPosition.set(i, p));
    const movable: Task[][] = layout.instances.map(() => []);
    const minAgeMs = settings.minTaskAgeSeconds * 1000;
    for (const task of tasks) {
        const i = task.containerInstanceArn === undefined ? undefined : index.indexByArn.get(task.containerInstanceArn);
        const p = i === undefined ? undefined : byPosition.get(i);
        if (p === undefined) continue;
        if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING") continue;
        if (task.protectionEnabled === true || (task.protectionEnabled === undefined && input.unreadProtectionIsProtected)) continue;
        if (task.startedAt === undefined || now - task.startedAt < minAgeMs) continue;
        movable[p].push(task);
    }
    // Unhealthy tasks cost no serving capacity; then the newest (least warmed up); then a stable order.
    for (const list of movable) {
        list.sort((a, b) =>
            Number(b.healthStatus === "UNHEALTHY") - Number(a.healthStatus === "UNHEALTHY") ||
            (b.startedAt ?? 0) - (a.startedAt ?? 0) ||
            (a.arn < b.arn ? -1 : 1));
    }
    return movable;
}

/**
 * How far a pass may go when no move is predicted to be productive:
 * - "productive": every move lowers the surplus by one (worst-case ECS tie-breaks);
 * - "skew": one move that, even at worst, lowers the skew without raising the surplus;
 * - "detour": the smallest surge that, even at worst, lowers the surplus, though by less than the tasks it starts —
 *   where ECS's placement and scale-in cannot be steered one task at a time (chaos seed 353933094: one new task
 *   lands in the AZ with the fewest and the scale-in takes it back; two reach the instance that needs one). Its k
 *   tasks lower the surplus by at least k − DETOUR_EXTRA_TASKS, so at most that many restarts are spent for nothing,
 *   and k is at most the surplus + DETOUR_EXTRA_TASKS. Before a chance: a sure cost is better than a tie-break ECS may
 *   resolve the same way every time (seed 2134452936: five one-task chances lost where a surge of two was sure);
 * - "chance": one move (or one surge) that at worst makes nothing worse and at best lowers the surplus or the skew —
 *   where ECS's undocumented tie-break decides. The flap guard bounds how often it is repeated if it did not help.
 */
export type Acceptance = "productive" | "skew" | "detour" | "chance";

/** How many of a detour surge's tasks may be started (and stopped by ECS's scale-in) without lowering the surplus. */
export const DETOUR_EXTRA_TASKS = 2;

/** The order progress is judged in (the flap guard's too): a lower surplus, or the same surplus and a lower skew. */
function better(a: Progress, than: Progress): boolean {
    return a.lowerBound < than.lowerBound || (a.lowerBound === than.lowerBound && a.skew < than.skew);
}

function accepts(input: StrategyInput, worst: number[], best: () => number[] | undefined, moves: number, level: Acceptance): boolean {
    const threshold = input.settings.skewThreshold;
    const now: Progress = input.balance;
    const after = evaluateProgress(input.tree, worst, threshold);
    if (after.lowerBound === now.lowerBound - moves) return true;
    if (level === "skew") return moves === 1 && after.lowerBound <= now.lowerBound && after.skew < now.skew;
    // At most DETOUR_EXTRA_TASKS tasks started for nothing: k tasks lower the surplus by at least k − that.
    if (level === "detour") return after.lowerBound < now.lowerBound && after.lowerBound <= now.lowerBound - (moves - DETOUR_EXTRA_TASKS);
    if (level === "chance") {
        if (better(now, after)) return false;
        const bestCounts = best();
        return bestCounts !== undefined && better(evaluateProgress(input.tree, bestCounts, threshold), now);
    }
    return false;
}

interface Victim {
    task: Task;
    position: number;
}

function stopReason(input: StrategyInput, position: number): string {
    const instance = input.index.instances[input.layout.instances[position]];
    return `ecs-rebalancer: moving a surplus task of ${input.service.name} off ${instance.ec2InstanceId} (${instance.az || "no AZ"})`.slice(0, 255);
}

/** ECS's replacements for these stops, predicted with its ties resolved one way; undefined when one cannot be placed. */
function predictStops(input: StrategyInput, victims: Victim[], ties: TieResolution): PredictedService | undefined {
    const predicted = new PredictedService(input.index, input.layout, input.tree, input.balance.leafTargets, new Map(), ties, input.settings.skewThreshold);
    for (const v of victims) predicted.stop(input.layout.instances[v.position]);
    for (let n = 0; n < victims.length; n++) if (predicted.place() === undefined) return undefined;
    return predicted;
}

/** Grows a wave of stops one victim at a time while the prediction says every stop is a productive move. */
function planStopWave(input: StrategyInput, limit: number, level: Acceptance): { victims: Victim[]; prediction?: PredictedService; movableFound: boolean } {
    const { layout, tree, balance } = input;
    const movable = movableTasks(input);
    const movableFound = movable.some((list, p) => list.length > 0 && balance.leafCounts[tree.leafOf[p]] > balance.leafTargets[tree.leafOf[p]]);
    let victims: Victim[] = [];
    let prediction: PredictedService | undefined;
    while (victims.length < limit) {
        const stopsAt = new Map<number, number>();
        for (const v of victims) stopsAt.set(v.position, (stopsAt.get(v.position) ?? 0) + 1);
        const stopsInLeaf = new Map<number, number>();
        for (const [p, n] of stopsAt) stopsInLeaf.set(tree.leafOf[p], (stopsInLeaf.get(tree.leafOf[p]) ?? 0) + n);
        const leafExcess = (p: number) => {
            const leaf = tree.leafOf[p];
            return balance.leafCounts[leaf] - (stopsInLeaf.get(leaf) ?? 0) - balance.leafTargets[leaf];
        };
        const candidates = layout.instances
            .map((_, p) => p)
            .filter((p) => leafExcess(p) > 0 && movable[p].length > (stopsAt.get(p) ?? 0))
            .sort((a, b) =>
                leafExcess(b) - leafExcess(a) ||
                (layout.counts[b] - (stopsAt.get(b) ?? 0)) - (layout.counts[a] - (stopsAt.get(a) ?? 0)) ||
                (input.index.instances[layout.instances[a]].arn < input.index.instances[layout.instances[b]].arn ? -1 : 1));
        let accepted = false;
        for (const p of candidates.slice(0, 8)) {
            const trial = [...victims, { task: movable[p][stopsAt.get(p) ?? 0], position: p }];
            const predicted = predictStops(input, trial, "worst");
            if (!predicted) continue;
            if (accepts(input, predicted.eligibleCounts(), () => predictStops(input, trial, "best")?.eligibleCounts(), trial.length, level)) {
                victims = trial;
                prediction = predicted;
                accepted = true;
                break;
            }
        }
        if (!accepted || !accepts(input, prediction!.eligibleCounts(), () => undefined, victims.length, "productive")) break;
    }
    return { victims, prediction, movableFound };
}

/**
 * The largest surge whose predicted start-then-scale-in lowers the surplus by one per task (or, when allowed,
 * a surge of one that lowers only the skew). Every size is tried: a size that does not help says nothing about
 * the next one (one new task can land in the AZ ECS fills first and be taken back, where two reach the AZ that
 * needs them).
 */
function planSurge(input: StrategyInput, limit: number, level: Acceptance): { size: number; prediction?: PredictedService } {
    const { tasks, index } = input;
    const protectedOn = new Map<number, number>();
    for (const t of tasks) {
        const i = t.containerInstanceArn === undefined ? undefined : index.indexByArn.get(t.containerInstanceArn);
        if (i !== undefined && t.protectionEnabled === true) protectedOn.set(i, (protectedOn.get(i) ?? 0) + 1);
    }
    /**
     * k new tasks placed by ECS (ties resolved one way), then the k the restore chooses removed (the others are
     * protected from scale-in: surgeRepair.ts); undefined when they do not fit.
     */
    const predictSurge = (k: number, ties: TieResolution): PredictedService | undefined => {
        const predicted = new PredictedService(index, input.layout, input.tree, input.balance.leafTargets, protectedOn, ties, input.settings.skewThreshold);
        for (let n = 0; n < k; n++) if (predicted.place() === undefined) return undefined;
        for (let n = 0; n < k; n++) if (predicted.removeChosen() === undefined) return undefined;
        return predicted;
    };
    let best: { size: number; prediction?: PredictedService } = { size: 0 };
    for (let k = 1; k <= limit; k++) {
        const predicted = predictSurge(k, "worst");
        // No room for k new tasks means none for more.
        if (!predicted) break;
        if (accepts(input, predicted.eligibleCounts(), () => undefined, k, "productive")) best = { size: k, prediction: predicted };
        else if (best.size === 0 && level !== "productive" && (level !== "skew" || k === 1) &&
            accepts(input, predicted.eligibleCounts(), () => predictSurge(k, "best")?.eligibleCounts(), k, level)) {
            // A surge that is not surely productive: the smallest that qualifies, and no bigger one is looked for.
            return { size: k, prediction: predicted };
        }
    }
    return best;
}

function result(partial: Partial<StrategyResult> & Pick<StrategyResult, "outcome" | "detail">, input: StrategyInput): StrategyResult {
    return { actions: [], moves: 0, predictedCounts: input.layout.counts, placements: new Map(), unreadProtection: [], ...partial };
}

export const minimalStrategy: RebalanceStrategy = {
    name: "minimal",
    planService(input: StrategyInput): StrategyResult {
        const { service, tasks, balance, settings, layout } = input;
        const limit = Math.min(settings.maxMovesPerService, input.budget, balance.lowerBound);
        const floor = healthyFloor(service.desiredCount, service.minimumHealthyPercent);
        const headroom = tasks.filter((t) => countsTowardFloor(t, input.now)).length - floor;
        const ceiling = ceilingOf(service.desiredCount, service.maximumPercent);
        const room = ceiling - tasks.length;
        const canSurge = room >= 1 && !service.autoScaled;
        const at = Math.floor(input.now / 1000);
        const lastMove = (kind: "stop" | "surge", level: Acceptance): Action => ({
            kind: "record-move",
            service: service.name,
            serviceArn: service.arn,
            tag: encodeLastMove({ kind, sure: level === "productive" || level === "detour", lowerBound: input.streak.lowerBound, skew: input.streak.skew, fingerprint: input.fingerprint, at, tries: input.streak.tries + 1 }),
        });

        const qualifier = (level: Acceptance): string =>
            level === "skew" ? "; lowers the skew only (ECS would not place a task where it lowers the surplus)"
                : level === "chance" ? "; a chance: ECS's tie-break decides whether it helps, and at worst it changes nothing"
                    : level === "detour" ? "; sure to lower the surplus, with more tasks than it removes: ECS would take back a smaller surge where it lands"
                        : "";
        const stopResult = (wave: ReturnType<typeof planStopWave>, level: Acceptance): StrategyResult => {
            const actions: Action[] = wave.victims.map((v) => ({
                kind: "stop-task",
                service: service.name,
                serviceArn: service.arn,
                taskArn: v.task.arn,
                containerInstanceArn: v.task.containerInstanceArn!,
                reason: stopReason(input, v.position),
            }));
            return result({
                outcome: "move",
                detail: `stop ${wave.victims.length} surplus task(s); ${headroom} above the healthy floor of ${floor}${qualifier(level)}`,
                actions: [...actions, lastMove("stop", level)],
                moves: wave.victims.length,
                predictedCounts: wave.prediction!.eligibleCounts(),
                placements: wave.prediction!.placements(),
                unreadProtection: wave.victims.filter((v) => v.task.protectionEnabled === undefined).map((v) => v.task.arn),
            }, input);
        };
        const surgeResult = (surge: ReturnType<typeof planSurge>, level: Acceptance): StrategyResult => {
            const desiredCount = service.desiredCount + surge.size;
            return result({
                outcome: "surge",
                detail: `desiredCount ${service.desiredCount} → ${desiredCount} (ceiling ${ceiling}): ECS starts ${surge.size} task(s) on under-target instances, then scales in where the surplus is${qualifier(level)}`,
                actions: [
                    {
                        kind: "surge",
                        service: service.name,
                        serviceArn: service.arn,
                        ownerDesired: service.desiredCount,
                        desiredCount,
                        markerTag: encodeSurgeMarker({ owner: service.desiredCount, desired: desiredCount, at }),
                    },
                    lastMove("surge", level),
                ],
                moves: surge.size,
                predictedCounts: surge.prediction!.eligibleCounts(),
                placements: surge.prediction!.placements(),
            }, input);
        };

        // Productive moves first (stops, then a surge); a skew-only move only when none exists; then a detour (a
        // surge only); a chance last.
        let movableFound = headroom < 1;
        const levels: Acceptance[] = input.sureMovesOnly ? ["productive", "detour"] : ["productive", "skew", "detour", "chance"];
        for (const level of levels) {
            if (headroom >= 1 && level !== "detour") {
                const wave = planStopWave(input, Math.min(limit, headroom), level);
                movableFound ||= wave.movableFound;
                if (wave.victims.length > 0) return stopResult(wave, level);
            }
            if (canSurge) {
                const sizeLimit = level === "detour"
                    ? Math.min(settings.maxMovesPerService, input.budget, balance.lowerBound + DETOUR_EXTRA_TASKS, room)
                    : Math.min(limit, room);
                const surge = planSurge(input, sizeLimit, level);
                if (surge.size > 0) return surgeResult(surge, level);
            }
        }

        if (headroom < 1 && room < 1) {
            return result({
                outcome: "skipped",
                reason: "no-headroom",
                detail: `stopping a task would go below the healthy floor (${floor} of ${service.desiredCount}) and starting one first would pass the ceiling (${ceiling})`,
            }, input);
        }
        if (headroom < 1 && service.autoScaled) {
            return result({
                outcome: "skipped",
                reason: "auto-scaled-needs-surge",
                detail: "only a surge of desiredCount could move a task, and Service Auto Scaling owns desiredCount",
            }, input);
        }
        if (!movableFound) {
            return result({ outcome: "skipped", reason: "no-movable-task", detail: "every surplus task is protected from scale-in or younger than the minimum age" }, input);
        }
        return result({
            outcome: "skipped",
            reason: "no-safe-move",
            detail: `no move is predicted to help: ECS would place a moved task where it does not lower the surplus or the skew (${layout.instances.length} eligible instances)`,
        }, input);
    },
};
