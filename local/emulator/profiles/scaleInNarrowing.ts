// The part of ECS's scale-in choice every reading shares (developer guide "Amazon ECS task placement strategies"
// and "Amazon ECS services"): each strategy in order narrows the tasks to stop. spread on an attribute keeps the
// tasks whose value (AZ, …) holds the most of the service's tasks ("maintain a balance across Availability
// Zones"); binpack keeps those whose instance has the most cpu/memory left once the task stops ("the container
// instance that has the most available resources left after task termination has that task terminated"); random
// does not narrow. Whether a spread on the instance narrows too is where the readings differ.

import type { InstanceState, PlacementStrategy, PlacedTask } from "../model";
import { spreadValue } from "../placement";

function remainingAfterStop(task: PlacedTask, field: string | undefined): number {
    const i = task.instance;
    return field === "memory"
        ? i.registered.memory - i.used.memory + task.reservation.memory
        : i.registered.cpu - i.used.cpu + task.reservation.cpu;
}

export function isInstanceSpread(strategy: PlacementStrategy): boolean {
    return strategy.type === "spread" && (strategy.field === "instanceId" || strategy.field === "host");
}

/** Counts of a group's tasks per spread value, kept up to date as tasks are picked. */
export class SpreadCounts {
    private readonly byField = new Map<string, Map<string, number>>();

    constructor(private readonly groupCounts: Map<InstanceState, number>) {}

    of(field: string, instance: InstanceState): number {
        if (field === "instanceId" || field === "host") return this.groupCounts.get(instance) ?? 0;
        let counts = this.byField.get(field);
        if (!counts) {
            counts = new Map();
            for (const [i, n] of this.groupCounts) counts.set(spreadValue(field, i), (counts.get(spreadValue(field, i)) ?? 0) + n);
            this.byField.set(field, counts);
        }
        return counts.get(spreadValue(field, instance)) ?? 0;
    }

    /** The task on `instance` leaves the group. */
    remove(instance: InstanceState): void {
        this.groupCounts.set(instance, (this.groupCounts.get(instance) ?? 1) - 1);
        for (const [field, counts] of this.byField) {
            const v = spreadValue(field, instance);
            counts.set(v, (counts.get(v) ?? 1) - 1);
        }
    }
}

/** The tasks each strategy in turn keeps; `instanceSpreadNarrows` false leaves a spread on the instance out. */
export function narrowByStrategies(
    set: PlacedTask[], strategies: readonly PlacementStrategy[], counts: SpreadCounts, instanceSpreadNarrows: boolean,
): PlacedTask[] {
    let left = set;
    for (const s of strategies) {
        if (left.length <= 1 || s.type === "random") continue;
        if (isInstanceSpread(s) && !instanceSpreadNarrows) continue;
        const scores = left.map((t) => (s.type === "binpack" ? remainingAfterStop(t, s.field) : counts.of(s.field!, t.instance)));
        const best = Math.max(...scores);
        left = left.filter((_, n) => scores[n] === best);
    }
    return left;
}
