// The Lambda time a pass's reads may use: every read (observe's pages and batches, the planner's extra reads) checks
// it before its next request, and stops the pass before its writes when too little time is left to plan and write.
import type { Deadline } from "./act";
import { WRITE_DEADLINE_MARGIN_MS } from "./act";

/**
 * No read request starts with less time left than this: the writes' own margin (one throttled write can retry for
 * many seconds) plus time to plan and make a few writes.
 */
export const READ_DEADLINE_MARGIN_MS = WRITE_DEADLINE_MARGIN_MS + 5_000;

/** Thrown between two reads when the time left is below READ_DEADLINE_MARGIN_MS; the pass ends with outcome "deadline". */
export class ReadDeadlineError extends Error {
    override readonly name = "ReadDeadline";

    constructor(
        /** The read that was about to be made ("ListTasks", "DescribeTasks", …). */
        readonly before: string,
        readonly remainingMs: number,
    ) {
        super(`${Math.max(0, Math.round(remainingMs))} ms left before ${before}: below the ${READ_DEADLINE_MARGIN_MS} ms the pass keeps to plan and write`);
    }
}

export function isReadDeadline(err: unknown): err is ReadDeadlineError {
    return err instanceof ReadDeadlineError;
}

/** Throws ReadDeadlineError when `operation` should not be started with the time left. */
export function checkReadDeadline(deadline: Deadline | undefined, operation: string): void {
    if (!deadline) return;
    const remaining = deadline.remainingMs();
    if (remaining < READ_DEADLINE_MARGIN_MS) throw new ReadDeadlineError(operation, remaining);
}
