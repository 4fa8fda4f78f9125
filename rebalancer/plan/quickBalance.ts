// The lower bound and skew of one service without laying out every instance: the instances holding its tasks
// are bins of their own, and the empty instances that could take a task are counted per group (AZ, capacity
// provider) by how much room they have. Exact: it computes what balance.ts computes on the full layout (a test
// holds the two together), and says so when it cannot be exact (room beyond ROOM_CLIP matters, or the levels are
// not capacity provider / AZ / instance) so the caller falls back to the full layout.

import type { Service } from "../model";
import { keyAt, LEVEL_AZ, LEVEL_INSTANCE, LEVEL_PROVIDER } from "./bins";
import type { ClusterIndex } from "./clusterIndex";
import { ROOM_CLIP, type EligibilityCache } from "./eligibilityCache";
import { extraRoom, type Requirements } from "./requirements";
import { windowTargets } from "./targets";
import type { LevelCounts } from "./types";

export interface QuickBalance {
    lowerBound: number;
    skew: number;
    /** Counts and targets per level, instances excepted (they would be most of the cluster). */
    byLevel: Record<string, LevelCounts>;
    /** Instances that hold or could take the service's task. */
    bins: number;
}

interface Explicit {
    count: number;
    cap: number;
}

interface Group {
    keys: string[];
    explicit: Explicit[];
    empties: Int32Array;
}

function sumMin(explicit: Explicit[], empties: Int32Array, x: number): number {
    let s = 0;
    for (const e of explicit) s += Math.min(e.cap, x);
    for (let v = 1; v <= ROOM_CLIP; v++) if (empties[v]) s += empties[v] * Math.min(v, x);
    return s;
}

/** The fewest moves to bring one group's instances within the threshold around `total` tasks; undefined if not exact. */
function instanceLevelSurplus(group: Group, total: number, threshold: number): number | undefined {
    const { explicit, empties } = group;
    let capacity = 0, maxCap = 0;
    for (const e of explicit) { capacity += e.cap; maxCap = Math.max(maxCap, e.cap); }
    for (let v = 1; v <= ROOM_CLIP; v++) { capacity += empties[v] * v; if (empties[v]) maxCap = Math.max(maxCap, v); }
    const clipped = empties[ROOM_CLIP] > 0;
    if (clipped && capacity < total) return undefined;
    const goal = Math.min(total, capacity);
    const hiBound = Math.max(maxCap, goal);
    let lo = 0, hi = hiBound;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sumMin(explicit, empties, mid + threshold) >= goal) hi = mid;
        else lo = mid + 1;
    }
    const mLow = lo;
    lo = 0;
    hi = hiBound;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sumMin(explicit, empties, mid + 1) > goal) hi = mid;
        else lo = mid + 1;
    }
    const mHigh = Math.max(mLow, lo);
    if (clipped && mHigh + threshold > ROOM_CLIP) return undefined;
    let best = Infinity;
    for (let m = mLow; m <= mHigh; m++) {
        let surplus = 0, sum = 0;
        for (const e of explicit) {
            const l = Math.min(e.cap, m), h = Math.min(e.cap, m + threshold);
            if (e.count > h) surplus += e.count - h;
            sum += e.count < l ? l : e.count > h ? h : e.count;
        }
        for (let v = 1; v <= ROOM_CLIP; v++) if (empties[v]) sum += empties[v] * Math.min(v, m);
        best = Math.min(best, surplus + Math.max(0, sum - goal));
    }
    return best;
}

function groupSkew(group: Group): number {
    let max = 0, min = Infinity, empty = false;
    for (const e of group.explicit) { max = Math.max(max, e.count); min = Math.min(min, e.count); }
    for (let v = 1; v <= ROOM_CLIP; v++) if (group.empties[v]) empty = true;
    if (empty || min === Infinity) min = 0;
    return max - min;
}

export function quickBalance(
    service: Service,
    req: Requirements,
    levels: string[],
    fixedLevels: boolean[],
    index: ClusterIndex,
    cache: EligibilityCache,
    threshold: number,
): QuickBalance | undefined {
    const instanceLevel = levels[levels.length - 1] === LEVEL_INSTANCE;
    const outer = instanceLevel ? levels.slice(0, -1) : levels;
    const supported = outer.every((l, i) => (l === LEVEL_PROVIDER && i === 0) || l === LEVEL_AZ) && new Set(outer).size === outer.length;
    if (!supported) return undefined;

    const groupKeys = (i: number) => outer.map((l) => keyAt(l, index.instances[i]));
    const groupName = (keys: string[]) => keys.join("\u0000");
    const { passes } = cache.filterSet(req);
    const histograms = cache.roomHistograms(req, outer.join("+"), (i) => groupName(groupKeys(i)));

    const counts = new Map<number, number>();
    let totalTasks = 0;
    for (const t of index.tasksOf(service.name)) {
        const i = t.containerInstanceArn === undefined ? undefined : index.indexByArn.get(t.containerInstanceArn);
        if (i === undefined || !passes[i]) continue;
        counts.set(i, (counts.get(i) ?? 0) + 1);
        totalTasks++;
    }

    const groups = new Map<string, Group>();
    const groupFor = (keys: string[]): Group => {
        const name = groupName(keys);
        let g = groups.get(name);
        if (!g) {
            const hist = histograms.get(name);
            groups.set(name, (g = { keys, explicit: [], empties: hist ? Int32Array.from(hist) : new Int32Array(ROOM_CLIP + 1) }));
        }
        return g;
    };
    for (const [i, count] of counts) {
        const g = groupFor(groupKeys(i));
        g.explicit.push({ count, cap: count + extraRoom(index, i, req, count) });
        const asEmpty = cache.emptyRoom(i, req);
        if (asEmpty > 0) g.empties[asEmpty]--;
    }
    for (const name of histograms.keys()) {
        const hist = histograms.get(name)!;
        const keys = name === "" && outer.length === 0 ? [] : name.split("\u0000");
        if (!groups.has(name) && hist.some((n) => n > 0)) groupFor(keys);
    }

    let bins = 0;
    for (const g of groups.values()) {
        bins += g.explicit.length;
        for (let v = 1; v <= ROOM_CLIP; v++) bins += g.empties[v];
    }

    // Outer levels: targets group by group, exactly as on the full layout.
    const byLevel: Record<string, LevelCounts> = {};
    for (const l of outer) byLevel[l] = { counts: {}, targets: {} };
    const countOf = (g: Group) => g.explicit.reduce((s, e) => s + e.count, 0);
    const capOf = (g: Group): number | undefined => {
        let cap = 0;
        for (const e of g.explicit) cap += e.cap;
        for (let v = 1; v <= ROOM_CLIP; v++) cap += g.empties[v] * v;
        // A clipped capacity is only a lower bound; it cannot matter if it exceeds every target it could get.
        return g.empties[ROOM_CLIP] > 0 && cap <= totalTasks + threshold ? undefined : cap;
    };
    let skew = 0, lowerBound = 0, exact = true;
    const assign = (members: Group[], depth: number, total: number): void => {
        if (!exact) return;
        if (depth === outer.length) {
            // members is a single finest group.
            const g = members[0];
            if (instanceLevel) {
                skew = Math.max(skew, groupSkew(g));
                const s = instanceLevelSurplus(g, total, threshold);
                if (s === undefined) exact = false;
                else lowerBound += s;
            } else {
                lowerBound += Math.max(0, countOf(g) - total);
            }
            return;
        }
        const level = outer[depth];
        const byKey = new Map<string, Group[]>();
        for (const g of members) {
            const k = g.keys[depth];
            byKey.set(k, [...(byKey.get(k) ?? []), g]);
        }
        const keys = [...byKey.keys()];
        const binCounts = keys.map((k) => byKey.get(k)!.reduce((s, g) => s + countOf(g), 0));
        const binCaps: number[] = [];
        for (const k of keys) {
            let cap = 0;
            for (const g of byKey.get(k)!) {
                const c = capOf(g);
                if (c === undefined) { exact = false; return; }
                cap += c;
            }
            binCaps.push(cap);
        }
        const targets = fixedLevels[depth]
            ? binCounts
            : windowTargets(keys.map((key, n) => ({ key, count: binCounts[n], cap: binCaps[n] })), total, threshold);
        if (!fixedLevels[depth] && keys.length > 0) skew = Math.max(skew, Math.max(...binCounts) - Math.min(...binCounts));
        keys.forEach((k, n) => {
            byLevel[level].counts[k] = (byLevel[level].counts[k] ?? 0) + binCounts[n];
            byLevel[level].targets[k] = (byLevel[level].targets[k] ?? 0) + targets[n];
            assign(byKey.get(k)!, depth + 1, targets[n]);
        });
    };
    const all = [...groups.values()];
    if (outer.length === 0) {
        if (all.length > 0) assign(all, 0, totalTasks);
    } else {
        assign(all, 0, totalTasks);
    }
    return exact ? { lowerBound, skew, byLevel, bins } : undefined;
}
