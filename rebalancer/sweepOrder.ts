// The order a scheduled sweep visits the target clusters in: the least recently passed first. A sweep that runs
// out of Lambda time stops starting passes (pass.ts, PASS_START_MARGIN_MS); in a fixed order the same last clusters
// would then never get a scheduled pass. Remembered per container: a cold container starts in the configured order.

export interface SweepOrder {
    /** `clusters` ordered for a sweep: never passed first (configured order), then oldest pass first. */
    order(clusters: readonly string[]): string[];
    /** A pass of the cluster started (a pass that did not start for lack of time is not one). */
    notePassStarted(clusterArn: string, startedAt: number): void;
}

export function createSweepOrder(): SweepOrder {
    const lastStart = new Map<string, number>();
    return {
        order(clusters) {
            return clusters
                .map((arn, index) => ({ arn, index, last: lastStart.get(arn) ?? Number.NEGATIVE_INFINITY }))
                .sort((a, b) => a.last - b.last || a.index - b.index)
                .map((c) => c.arn);
        },
        notePassStarted(clusterArn, startedAt) {
            lastStart.set(clusterArn, Math.max(lastStart.get(clusterArn) ?? Number.NEGATIVE_INFINITY, startedAt));
        },
    };
}
