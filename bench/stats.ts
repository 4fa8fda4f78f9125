// Summary statistics the benchmark reports: medians of repeated measurements, geometric means of ratios, and the
// growth of a cost per 10× size.

export function median(values: readonly number[]): number {
    if (values.length === 0) throw new Error("median of nothing");
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Geometric mean; 0 when any value is 0 (a strategy that moved nothing where moves were needed). */
export function geometricMean(values: readonly number[]): number {
    if (values.length === 0) throw new Error("geometric mean of nothing");
    if (values.some((v) => v < 0 || !Number.isFinite(v))) throw new Error(`geometric mean needs finite values ≥ 0, got ${values.join(", ")}`);
    if (values.some((v) => v === 0)) return 0;
    return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

/**
 * How much a cost grows when the size grows 10×, from two measurements: (c2 / c1) ^ (1 / log10(s2 / s1)).
 * 10 means linear, 100 quadratic, 1 constant.
 */
export function growthPer10x(size1: number, cost1: number, size2: number, cost2: number): number {
    if (!(size2 > size1) || size1 <= 0) throw new Error(`growth needs 0 < size1 < size2, got ${size1} and ${size2}`);
    if (!(cost1 > 0) || !(cost2 > 0)) throw new Error(`growth needs positive costs, got ${cost1} and ${cost2}`);
    return Math.pow(cost2 / cost1, 1 / Math.log10(size2 / size1));
}
