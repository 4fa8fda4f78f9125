// How balanced one service is, level by level: targets derived hierarchically (instances inside each AZ share
// the AZ's target, never balanced independently of it), the lower bound on moves, and the skew.

import type { LevelCounts } from "./types";
import { windowTargets, type TargetBin } from "./targets";
import type { ServiceLayout } from "./bins";

interface TreeNode {
    /** Index in creation order (0 … nodes − 1). */
    id: number;
    key: string;
    level: number;
    children: TreeNode[];
    /** Positions in the layout's instance list, for the finest level's nodes. */
    members: number[];
}

/** The bins of a layout as a tree: one level per spread level, members (instances) at the leaves. */
export class BinTree {
    readonly roots: TreeNode[] = [];
    readonly leaves: TreeNode[] = [];
    /** Leaf index of each instance position. */
    readonly leafOf: number[];
    private nodeTotal = 0;
    private caps?: number[];

    constructor(readonly layout: ServiceLayout) {
        const byPath = new Map<string, TreeNode>();
        this.leafOf = new Array(layout.instances.length);
        const depth = layout.levels.length;
        layout.keys.forEach((keys, position) => {
            let siblings = this.roots;
            let path = "";
            let node: TreeNode | undefined;
            for (let level = 0; level < depth; level++) {
                path += `\u0000${keys[level]}`;
                node = byPath.get(path);
                if (!node) {
                    node = { id: this.nodeTotal++, key: keys[level], level, children: [], members: [] };
                    byPath.set(path, node);
                    siblings.push(node);
                    if (level === depth - 1) this.leaves.push(node);
                }
                siblings = node.children;
            }
            node!.members.push(position);
        });
        const leafIndex = new Map(this.leaves.map((leaf, i) => [leaf, i]));
        for (const leaf of this.leaves) for (const p of leaf.members) this.leafOf[p] = leafIndex.get(leaf)!;
    }

    /**
     * Positions with the same class are interchangeable for evaluateProgress: one fewer task on either gives the same
     * surplus and skew (same parent bin, same count, same cap; or the same leaf, which counts its members together).
     * Lets a search over "remove one task where it helps most" evaluate each class once instead of each instance.
     */
    positionClass(p: number, count: number): number {
        const leaf = this.leafOf[p]!;
        // Counts and caps stay below 10^6 (ECS: 5,000 tasks per service), nodes below 10^3 × instances: exact doubles.
        if (this.leaves[leaf]!.members.length > 1) return -(leaf * 1e6 + count) - 1;
        return (this.parentOf()[p]! * 1e6 + count) * 1e6 + this.layout.caps[p]!;
    }

    private parents?: number[];

    /** Per position, an id of its leaf's parent node (the AZ when the levels are AZ then instance). */
    private parentOf(): number[] {
        if (this.parents) return this.parents;
        const ids = new Map<string, number>();
        this.parents = this.layout.keys.map((keys) => {
            const path = keys.slice(0, -1).join("\u0000");
            let id = ids.get(path);
            if (id === undefined) ids.set(path, (id = ids.size));
            return id;
        });
        return this.parents;
    }

    /** Most tasks of the service each node's instances can hold, by node id (the layout's caps do not change). */
    nodeCaps(): number[] {
        if (this.caps) return this.caps;
        const caps = new Array<number>(this.nodeTotal);
        const visit = (n: TreeNode): number => {
            let k = 0;
            for (const p of n.members) k += this.layout.caps[p];
            for (const child of n.children) k += visit(child);
            caps[n.id] = k;
            return k;
        };
        this.roots.forEach(visit);
        return (this.caps = caps);
    }
}

export interface Balance {
    leafCounts: number[];
    leafTargets: number[];
    lowerBound: number;
    /** Worst max − min among sibling bins, over all levels. */
    skew: number;
    byLevel: Record<string, LevelCounts>;
}

/** Counts and caps per node, computed once per evaluation. */
function aggregate(tree: BinTree, counts: readonly number[]): { count: Map<TreeNode, number>; cap: Map<TreeNode, number> } {
    const count = new Map<TreeNode, number>();
    const cap = new Map<TreeNode, number>();
    const visit = (n: TreeNode): void => {
        let c = 0, k = 0;
        for (const p of n.members) { c += counts[p]; k += tree.layout.caps[p]; }
        for (const child of n.children) { visit(child); c += count.get(child)!; k += cap.get(child)!; }
        count.set(n, c);
        cap.set(n, k);
    };
    tree.roots.forEach(visit);
    return { count, cap };
}

/** The surplus and skew of a service with these counts: what evaluateBalance judges, without the per-level report. */
export interface Progress {
    lowerBound: number;
    skew: number;
}

/**
 * evaluateBalance's lower bound and skew alone, for the many candidate outcomes a prediction weighs (chaos-found
 * tie judgements evaluate one per tied choice): node counts in arrays, caps computed once per tree, no report.
 */
export function evaluateProgress(tree: BinTree, counts: readonly number[], threshold: number): Progress {
    const { layout } = tree;
    const caps = tree.nodeCaps();
    const count = new Array<number>(caps.length);
    const visit = (n: TreeNode): number => {
        let c = 0;
        for (const p of n.members) c += counts[p];
        for (const child of n.children) c += visit(child);
        count[n.id] = c;
        return c;
    };
    let total = 0;
    for (const r of tree.roots) total += visit(r);
    let skew = 0, lowerBound = 0;
    const assign = (siblings: TreeNode[], goal: number): void => {
        if (siblings.length === 0) return;
        const level = siblings[0].level;
        const fixed = layout.fixedLevels[level];
        const targets = fixed ? siblings.map((n) => count[n.id]) : windowTargets(siblings.map((n) => ({ key: n.key, count: count[n.id], cap: caps[n.id] })), goal, threshold);
        if (!fixed) {
            let min = Infinity, max = -Infinity;
            for (const n of siblings) {
                if (count[n.id] < min) min = count[n.id];
                if (count[n.id] > max) max = count[n.id];
            }
            skew = Math.max(skew, max - min);
        }
        siblings.forEach((n, i) => {
            if (n.children.length === 0) lowerBound += Math.max(0, count[n.id] - targets[i]);
            else assign(n.children, targets[i]);
        });
    };
    assign(tree.roots, total);
    return { lowerBound, skew };
}

export function evaluateBalance(tree: BinTree, counts: readonly number[], threshold: number): Balance {
    const { layout } = tree;
    const { count, cap } = aggregate(tree, counts);
    const target = new Map<TreeNode, number>();
    const byLevel: Record<string, LevelCounts> = {};
    for (const level of layout.levels) byLevel[level] = { counts: {}, targets: {} };
    let skew = 0;

    const assign = (siblings: TreeNode[], total: number): void => {
        if (siblings.length === 0) return;
        const level = siblings[0].level;
        const bins: TargetBin[] = siblings.map((n) => ({ key: n.key, count: count.get(n)!, cap: cap.get(n)! }));
        const targets = layout.fixedLevels[level] ? bins.map((b) => b.count) : windowTargets(bins, total, threshold);
        let min = Infinity, max = -Infinity;
        siblings.forEach((n, i) => {
            target.set(n, targets[i]);
            const name = layout.levels[level];
            byLevel[name].counts[n.key] = (byLevel[name].counts[n.key] ?? 0) + bins[i].count;
            byLevel[name].targets[n.key] = (byLevel[name].targets[n.key] ?? 0) + targets[i];
            min = Math.min(min, bins[i].count);
            max = Math.max(max, bins[i].count);
        });
        if (!layout.fixedLevels[level]) skew = Math.max(skew, max - min);
        siblings.forEach((n, i) => assign(n.children, targets[i]));
    };
    const total = tree.roots.reduce((s, r) => s + count.get(r)!, 0);
    assign(tree.roots, total);

    const leafCounts = tree.leaves.map((l) => count.get(l)!);
    const leafTargets = tree.leaves.map((l) => target.get(l)!);
    let lowerBound = 0;
    for (let i = 0; i < leafCounts.length; i++) if (leafCounts[i] > leafTargets[i]) lowerBound += leafCounts[i] - leafTargets[i];
    return { leafCounts, leafTargets, lowerBound, skew, byLevel };
}

/**
 * Classes of positions weighed per removal (removalOutcomes): a removal lowers the surplus by one at most, and does
 * where a bin holds the most, so the fullest classes hold the best choice; weighing every instance of a 5,000-task
 * service made plan() 20 times slower at 100,000 tasks (bench part 2).
 */
export const REMOVAL_CLASSES_WEIGHED = 3;

/**
 * Surplus and skew after one fewer task on each of `positions` (those with a task to remove), for the positions
 * whose class (BinTree.positionClass) is among the REMOVAL_CLASSES_WEIGHED fullest; the others are left out.
 * Interchangeable positions share one evaluation. The restore's victim choice and its prediction both use it.
 */
export function removalOutcomes(tree: BinTree, counts: number[], positions: Iterable<number>, threshold: number): Map<number, Progress> {
    const classes = new Map<number, { count: number; members: number[] }>();
    for (const p of positions) {
        const key = tree.positionClass(p, counts[p]!);
        let c = classes.get(key);
        if (!c) classes.set(key, (c = { count: counts[p]!, members: [] }));
        c.members.push(p);
    }
    const fullest = [...classes.entries()].sort((a, b) => b[1].count - a[1].count || a[0] - b[0]).slice(0, REMOVAL_CLASSES_WEIGHED);
    const out = new Map<number, Progress>();
    for (const [, c] of fullest) {
        const p = c.members[0]!;
        counts[p]--;
        const after = evaluateProgress(tree, counts, threshold);
        counts[p]++;
        for (const m of c.members) out.set(m, after);
    }
    return out;
}
