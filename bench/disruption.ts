// The disruption ratio: tasks the rebalancer stopped ÷ the runner's lower bound on the tasks that had to move.
// 1.00 is the goal (nothing moved that did not have to), above 1 is extra disruption, below 1 means the strategy
// left surplus behind. With a lower bound of 0 there is nothing to divide by: the run is "nothing needed" when it
// stopped nothing, and "n stopped, 0 needed" otherwise; such runs are left out of the geometric mean.

export type DisruptionRatio =
    | { kind: "ratio"; value: number }
    | { kind: "none-needed" }
    | { kind: "none-needed-but-stopped"; stopped: number };

export function disruptionRatio(tasksStopped: number, lowerBound: number): DisruptionRatio {
    if (!Number.isInteger(tasksStopped) || tasksStopped < 0 || !Number.isInteger(lowerBound) || lowerBound < 0) {
        throw new Error(`disruption ratio needs counts ≥ 0, got ${tasksStopped} stopped and a lower bound of ${lowerBound}`);
    }
    if (lowerBound === 0) return tasksStopped === 0 ? { kind: "none-needed" } : { kind: "none-needed-but-stopped", stopped: tasksStopped };
    return { kind: "ratio", value: tasksStopped / lowerBound };
}

export function formatRatio(r: DisruptionRatio): string {
    switch (r.kind) {
        case "ratio": {
            // Two decimals, or three when two would round a miss to "1.00".
            const two = r.value.toFixed(2);
            return two === "1.00" && r.value !== 1 ? r.value.toFixed(3) : two;
        }
        case "none-needed":
            return "— (0 needed)";
        case "none-needed-but-stopped":
            return `∞ (${r.stopped} stopped, 0 needed)`;
    }
}

/** The ratios that enter the geometric mean: only runs with a positive lower bound. */
export function ratiosForMean(ratios: readonly DisruptionRatio[]): number[] {
    return ratios.flatMap((r) => (r.kind === "ratio" ? [r.value] : []));
}
