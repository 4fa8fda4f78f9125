// Which tasks the service scheduler stops when it has too many (scale-in, deployments, AZ rebalancing), per the
// developer guide: each strategy in order narrows the choice (spread: the value — AZ, instance — holding the
// most of the service's tasks; binpack: the instance with the most of cpu/memory left after the task stops;
// random: no narrowing); then tasks not yet RUNNING go first; the rest is chosen by the seeded RNG.
// Protected tasks are the caller's to exclude.

import type { InstanceState, PlacementStrategy, TaskState } from "./model";
import { spreadValue } from "./placement";
import type { Rng } from "./random";

function remainingAfterStop(task: TaskState, field: string | undefined): number {
    const i = task.instance;
    return field === "memory"
        ? i.registered.memory - i.used.memory + task.reservation.memory
        : i.registered.cpu - i.used.cpu + task.reservation.cpu;
}

/**
 * Picks up to `count` tasks among `candidates`, one at a time, so that each pick sees the previous ones gone.
 * `groupCounts` holds the service's tasks (desired RUNNING) per instance; it is updated as tasks are picked.
 */
export function chooseTasksToStop(
    candidates: readonly TaskState[],
    count: number,
    strategies: readonly PlacementStrategy[],
    groupCounts: Map<InstanceState, number>,
    rng: Rng,
): TaskState[] {
    const left = [...candidates];
    const chosen: TaskState[] = [];
    const valueCounts = new Map<string, Map<string, number>>();
    const countOf = (field: string, instance: InstanceState): number => {
        if (field === "instanceId" || field === "host") return groupCounts.get(instance) ?? 0;
        let counts = valueCounts.get(field);
        if (!counts) {
            counts = new Map();
            for (const [i, n] of groupCounts) counts.set(spreadValue(field, i), (counts.get(spreadValue(field, i)) ?? 0) + n);
            valueCounts.set(field, counts);
        }
        return counts.get(spreadValue(field, instance)) ?? 0;
    };

    while (chosen.length < count && left.length > 0) {
        let set = left;
        for (const s of strategies) {
            if (set.length === 1 || s.type === "random") continue;
            const scores = set.map((t) => (s.type === "binpack" ? remainingAfterStop(t, s.field) : countOf(s.field!, t.instance)));
            const best = Math.max(...scores);
            set = set.filter((_, n) => scores[n] === best);
        }
        const notRunning = set.filter((t) => t.lastStatus !== "RUNNING");
        if (notRunning.length > 0) set = notRunning;
        const pick = rng.pick(set);
        chosen.push(pick);
        left.splice(left.indexOf(pick), 1);
        groupCounts.set(pick.instance, (groupCounts.get(pick.instance) ?? 1) - 1);
        for (const [field, counts] of valueCounts) {
            const v = spreadValue(field, pick.instance);
            counts.set(v, (counts.get(v) ?? 1) - 1);
        }
    }
    return chosen;
}
