// The adversarial profile's yardstick: how far a group's tasks are from an even spread over the spread levels of
// its strategies (capacity ignored). At each level, every bin's surplus over an even split of its parent's tasks
// (the extra tasks of an uneven split going to the bins that hold the most); summed over the levels. It is the
// emulator's own measure, independent of the rebalancer's planner, so the adversary cannot be tuned to it.

import type { InstanceState, PlacementStrategy } from "../model";
import { spreadValue } from "../placement";

/** The leading spread fields of a strategy list (a service that spreads on nothing is judged per instance). */
export function spreadFields(strategies: readonly PlacementStrategy[]): string[] {
    const fields: string[] = [];
    for (const s of strategies) {
        if (s.type !== "spread") break;
        const field = s.field === "host" ? "instanceId" : s.field!;
        if (!fields.includes(field)) fields.push(field);
        if (field === "instanceId") break;
    }
    return fields.length > 0 ? fields : ["instanceId"];
}

/**
 * Σ max(0, c − t) over one sibling group of k bins holding T tasks, t = q or q + 1 (q = ⌊T/k⌋, the r = T − qk
 * extra to the fullest bins): Σ max(0, c − q) − min(r, #{c > q}), since each of the r fullest bins above q owes one
 * task less.
 */
export function groupSurplus(counts: Iterable<number>, bins: number): number {
    if (bins === 0) return 0;
    let total = 0;
    for (const c of counts) total += c;
    const q = Math.floor(total / bins);
    const r = total - q * bins;
    let above = 0, over = 0;
    for (const c of counts) {
        if (c > q) {
            above += c - q;
            over++;
        }
    }
    return above - Math.min(r, over);
}

/**
 * A group's tasks over a fixed set of instances, bin by bin at every spread level (parent path → bin value → tasks),
 * kept up to date one instance at a time, so a judgement costs the sibling groups it touches, not a scan.
 */
export class SpreadGroups {
    private readonly groups: Map<string, Map<string, number>>[];
    /** Per instance and level: its parent path's key and its bin value. */
    private readonly parents: string[][];
    private readonly values: string[][];
    private readonly counts: Int32Array;

    constructor(readonly instances: readonly InstanceState[], readonly fields: readonly string[]) {
        this.groups = fields.map(() => new Map());
        this.parents = [];
        this.values = [];
        this.counts = new Int32Array(instances.length);
        instances.forEach((instance) => {
            const values = fields.map((f) => spreadValue(f, instance));
            const parents = values.map((_, level) => values.slice(0, level).join("\u0000"));
            this.values.push(values);
            this.parents.push(parents);
            values.forEach((value, level) => {
                let bins = this.groups[level]!.get(parents[level]!);
                if (!bins) this.groups[level]!.set(parents[level]!, (bins = new Map()));
                bins.set(value, bins.get(value) ?? 0);
            });
        });
    }

    /** Sets the tasks on the instance at position `j`. */
    set(j: number, count: number): void {
        const delta = count - this.counts[j]!;
        if (delta === 0) return;
        this.counts[j] = count;
        this.fields.forEach((_, level) => {
            const bins = this.groups[level]!.get(this.parents[j]![level]!)!;
            const value = this.values[j]![level]!;
            bins.set(value, bins.get(value)! + delta);
        });
    }

    total(): number {
        let sum = 0;
        for (const level of this.groups) for (const bins of level.values()) sum += groupSurplus(bins.values(), bins.size);
        return sum;
    }

    /**
     * How the imbalance changes if the instance at `j` gains (`delta` 1) or loses (−1) a task: only the sibling
     * groups on its path change. Instances alike (same path above the instance level, same count) are judged once.
     */
    change(j: number, delta: 1 | -1, memo: Map<string, number>): number {
        const last = this.fields.length - 1;
        const key = `${this.parents[j]![last]}|${this.fields[last] === "instanceId" ? `#${this.counts[j]}` : this.values[j]![last]}`;
        const known = memo.get(key);
        if (known !== undefined) return known;
        let change = 0;
        this.fields.forEach((_, level) => {
            const bins = this.groups[level]!.get(this.parents[j]![level]!)!;
            const value = this.values[j]![level]!;
            const before = groupSurplus(bins.values(), bins.size);
            bins.set(value, bins.get(value)! + delta);
            change += groupSurplus(bins.values(), bins.size) - before;
            bins.set(value, bins.get(value)! - delta);
        });
        memo.set(key, change);
        return change;
    }
}

/** The group's imbalance over these instances. */
export function spreadImbalance(count: (i: InstanceState) => number, instances: readonly InstanceState[], fields: readonly string[]): number {
    const groups = new SpreadGroups(instances, fields);
    instances.forEach((i, j) => groups.set(j, count(i)));
    return groups.total();
}
