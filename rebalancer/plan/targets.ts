// Targets for one level of bins: how many tasks each bin should hold so that the bins are within the skew
// threshold (bins that are full are exempt), moving as few tasks as possible.
//
// For a window [m, m + threshold] every bin's target is its count clamped into the window (and to its capacity);
// the surplus Σ max(0, count − target) is then the number of tasks that must leave. The best m is found among the
// few feasible ones; the remaining difference to the total is spread one task at a time, lowest targets first and,
// among equals, to the bins that already hold the most (so the ceilings go where the tasks already are).

export interface TargetBin {
    key: string;
    count: number;
    /** Most tasks the bin can hold (its current tasks included). */
    cap: number;
}

function clamp(x: number, lo: number, hi: number): number {
    return x < lo ? lo : x > hi ? hi : x;
}

function sumMin(bins: TargetBin[], level: number): number {
    let s = 0;
    for (const b of bins) s += Math.min(b.cap, level);
    return s;
}

/** Smallest m ≥ 0 with f(m) ≥ total for a nondecreasing f, searching [0, hi]. */
function firstAtLeast(f: (m: number) => number, total: number, hi: number): number {
    let lo = 0;
    while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (f(mid) >= total) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

function windowCost(bins: TargetBin[], total: number, m: number, threshold: number): number {
    let surplus = 0, sum = 0;
    for (const b of bins) {
        const lo = Math.min(b.cap, m), hi = Math.min(b.cap, m + threshold);
        if (b.count > hi) surplus += b.count - hi;
        sum += clamp(b.count, lo, hi);
    }
    return surplus + Math.max(0, sum - total);
}

export function isWithinThreshold(bins: TargetBin[], threshold: number): boolean {
    if (bins.length === 0) return true;
    let min = Infinity, max = -Infinity;
    for (const b of bins) {
        if (b.count < min) min = b.count;
        if (b.count > max) max = b.count;
    }
    return max - min <= threshold;
}

export function windowTargets(bins: TargetBin[], total: number, threshold: number): number[] {
    if (bins.length === 0) return [];
    const capacity = bins.reduce((s, b) => s + b.cap, 0);
    const goal = Math.min(total, capacity);
    let countSum = 0;
    for (const b of bins) countSum += b.count;
    if (countSum === goal && isWithinThreshold(bins, threshold) && bins.every((b) => b.count <= b.cap)) return bins.map((b) => b.count);

    // Feasible windows: the ceilings can hold the goal, and the floors do not exceed it.
    const maxCount = bins.reduce((s, b) => Math.max(s, b.cap), 0);
    const mLow = firstAtLeast((m) => sumMin(bins, m + threshold), goal, maxCount);
    const mHigh = firstAtLeast((m) => (sumMin(bins, m + 1) > goal ? 1 : 0), 1, maxCount);
    let bestM = mLow, bestCost = Infinity;
    for (let m = mLow; m <= Math.max(mLow, mHigh); m++) {
        const cost = windowCost(bins, goal, m, threshold);
        if (cost <= bestCost) { bestCost = cost; bestM = m; }
    }

    const lo = bins.map((b) => Math.min(b.cap, bestM));
    const hi = bins.map((b) => Math.min(b.cap, bestM + threshold));
    const targets = bins.map((b, i) => clamp(b.count, lo[i], hi[i]));
    let diff = goal - targets.reduce((s, t) => s + t, 0);
    const order = bins.map((_, i) => i);
    while (diff > 0) {
        // Raise the lowest targets first; among equals, the bins holding the most.
        order.sort((a, b) => targets[a] - targets[b] || bins[b].count - bins[a].count || (bins[a].key < bins[b].key ? -1 : 1));
        let moved = false;
        for (const i of order) {
            if (diff === 0) break;
            if (targets[i] < hi[i]) { targets[i]++; diff--; moved = true; }
        }
        if (!moved) break;
    }
    while (diff < 0) {
        // Lower the highest targets first; among equals, the bins holding the least.
        order.sort((a, b) => targets[b] - targets[a] || bins[a].count - bins[b].count || (bins[a].key < bins[b].key ? 1 : -1));
        let moved = false;
        for (const i of order) {
            if (diff === 0) break;
            if (targets[i] > lo[i]) { targets[i]--; diff++; moved = true; }
        }
        if (!moved) break;
    }
    return targets;
}

export function surplus(counts: readonly number[], targets: readonly number[]): number {
    let s = 0;
    for (let i = 0; i < counts.length; i++) if (counts[i] > targets[i]) s += counts[i] - targets[i];
    return s;
}
