// Which tasks leave when a surge ends. ECS's scale-in chooses by placement strategy, and inside an AZ AWS documents
// two readings (the instance with the most tasks, "Amazon ECS services"; a random task, "Amazon ECS task placement
// strategies"), so the rebalancer chooses instead: it protects every other task from scale-in (UpdateTaskProtection:
// "your task will not be terminated by scale-in events from Service Auto Scaling or deployments", API reference)
// and lowers desiredCount, and the unprotected victims are all ECS may stop. The victims are the tasks whose leaving
// balances the service best: each in turn from the instance where removing one lowers the surplus (then the skew)
// most, tasks not yet running and tasks outside the service's bins first.

import type { Service, Task } from "../model";
import { BinTree, evaluateProgress, removalOutcomes } from "./balance";
import { buildLayout, effectiveStrategies, keyAt, levelOfField, LEVEL_INSTANCE } from "./bins";
import type { ClusterIndex } from "./clusterIndex";
import { restoreBetter } from "./ecsPrediction";
import { isRequirements, requirementsOf, type RequirementsContext } from "./requirements";

/** A protection the service's owner set: the rebalancer neither chooses such a task nor touches its protection. */
export type IsOwnersProtection = (task: Task) => boolean;

export interface RestoreChoice {
    /** The tasks ECS's scale-in is to stop. */
    victims: Task[];
    /**
     * The other tasks ECS's scale-in could take instead, which the rebalancer protects (those its owner protected
     * are left as they are). Tasks it can never take by the documented AZ rule are left out (saferValues).
     */
    keep: Task[];
}

/** Victims first within an instance: unhealthy, then the newest (least warmed up), then a stable order. */
function victimOrder(a: Task, b: Task): number {
    return Number(b.healthStatus === "UNHEALTHY") - Number(a.healthStatus === "UNHEALTHY") ||
        (b.startedAt ?? 0) - (a.startedAt ?? 0) || (a.arn < b.arn ? -1 : 1);
}

export function chooseRestoreVictims(
    service: Service, count: number, index: ClusterIndex, ctx: RequirementsContext, ownersProtection: IsOwnersProtection, threshold: number,
): RestoreChoice {
    const tasks = index.tasksOf(service.name);
    const removable = tasks.filter((t) => !ownersProtection(t));
    const victims: Task[] = [];
    const take = (t: Task) => {
        victims.push(t);
        removable.splice(removable.indexOf(t), 1);
    };
    // A task not yet running serves nobody: it goes first.
    for (const t of [...removable].filter((t) => t.lastStatus !== "RUNNING").sort(victimOrder)) if (victims.length < count) take(t);
    const req = requirementsOf(service, ctx);
    const built = victims.length < count && isRequirements(req) ? buildLayout(service, req, index, { anyLevels: true }) : undefined;
    if (built && "layout" in built) {
        const { layout } = built;
        const tree = new BinTree(layout);
        const position = new Map(layout.instances.map((i, p) => [index.instances[i].arn, p]));
        const counts = [...layout.counts];
        for (const v of victims) {
            const p = position.get(v.containerInstanceArn ?? "");
            if (p !== undefined) counts[p]--;
        }
        // One at a time, as the prediction does (ecsPrediction.ts removeChosen): the instance where one fewer balances
        // best; a task outside the bins (a draining instance, one the service can no longer use) changes nothing there.
        while (victims.length < count && removable.length > 0) {
            const now = evaluateProgress(tree, counts, threshold);
            let best: { task: Task; p?: number; bound: number; skew: number; outside: boolean } | undefined;
            const seen = new Set<string>();
            const inBins = new Set<number>();
            for (const t of removable) {
                const p = position.get(t.containerInstanceArn ?? "");
                if (p !== undefined) inBins.add(p);
            }
            const outcomes = removalOutcomes(tree, counts, inBins, threshold);
            for (const t of [...removable].sort(victimOrder)) {
                const instance = t.containerInstanceArn ?? "";
                if (seen.has(instance)) continue;
                seen.add(instance);
                const p = position.get(instance);
                let after = now;
                if (p !== undefined) {
                    const weighed = outcomes.get(p);
                    if (!weighed) continue;
                    after = weighed;
                }
                const candidate = { task: t, p, bound: after.lowerBound, skew: after.skew, outside: p === undefined };
                if (!best || restoreBetter(candidate, best, instance, best.task.containerInstanceArn ?? "")) best = candidate;
            }
            take(best!.task);
            if (best!.p !== undefined) counts[best!.p]--;
        }
    }
    // No layout (a constraint the planner cannot read, or one instance left): the instances holding the most.
    while (victims.length < count && removable.length > 0) {
        const held = new Map<string, number>();
        for (const t of tasks) if (!victims.includes(t)) held.set(t.containerInstanceArn ?? "", (held.get(t.containerInstanceArn ?? "") ?? 0) + 1);
        const fullest = [...removable].sort((a, b) => (held.get(b.containerInstanceArn ?? "") ?? 0) - (held.get(a.containerInstanceArn ?? "") ?? 0) || victimOrder(a, b))[0]!;
        take(fullest);
    }
    const safe = saferValues(service, tasks, victims, index);
    return { victims, keep: tasks.filter((t) => !victims.includes(t) && !safe.has(t)) };
}

/**
 * Tasks ECS's scale-in can never take instead of the victims, by the one rule both scale-in pages document: with a
 * spread on an attribute first (the AZ), it stops "tasks ... that maintain a balance across Availability Zones",
 * i.e. in the value holding the most tasks. A value without victims whose tasks never outnumber what a value with
 * victims keeps (its count ≤ the least count any value with victims ends at) is never the fullest while a victim is
 * left: its tasks need no protection. That is the case whichever way ECS treats protected tasks in its count.
 */
function saferValues(service: Service, tasks: readonly Task[], victims: readonly Task[], index: ClusterIndex): Set<Task> {
    const first = effectiveStrategies(service)[0];
    const level = first?.type === "spread" ? levelOfField(first.field) : undefined;
    if (level === undefined || level === LEVEL_INSTANCE) return new Set();
    const valueOf = (t: Task): string | undefined => {
        const i = t.containerInstanceArn === undefined ? undefined : index.indexByArn.get(t.containerInstanceArn);
        return i === undefined ? undefined : keyAt(level, index.instances[i]);
    };
    const count = new Map<string, number>();
    const victimsIn = new Map<string, number>();
    for (const t of tasks) {
        const v = valueOf(t);
        if (v === undefined) return new Set();
        count.set(v, (count.get(v) ?? 0) + 1);
        if (victims.includes(t)) victimsIn.set(v, (victimsIn.get(v) ?? 0) + 1);
    }
    let leastKept = Infinity;
    for (const [v, n] of victimsIn) leastKept = Math.min(leastKept, count.get(v)! - n);
    return new Set(tasks.filter((t) => !victimsIn.has(valueOf(t)!) && count.get(valueOf(t)!)! <= leastKept));
}
