// Why a task started or stopped. Every start and stop carries a chain of steps that ends at a root: an HTTP API
// write call, a control action (the scenario runner, EC2, an autoscaler), or the scheduler's own initiative.
// A runner counts "tasks moved because of X" by looking at the root.

export type RootCause =
    | {
          type: "api";
          /** ECS or Application Auto Scaling operation name, e.g. "StopTask", "UpdateService". */
          operation: string;
          requestId: string;
          /** From the SigV4 Authorization header (`Credential=<key>/...`): tells callers apart. */
          accessKeyId?: string;
          userAgent?: string;
      }
    | { type: "control"; action: string; actor?: string }
    | { type: "scheduler"; reason: string };

export interface Cause {
    /** What happened at this link, e.g. "StopTask", "replace stopped task", "scale-in", "deployment". */
    step: string;
    /** The cause this one follows from (a replacement follows from the stop that made it necessary). */
    parent?: Cause;
    /** The end of the chain, shared by every link. */
    root: RootCause;
}

export function rootCause(root: RootCause, step: string): Cause {
    return { step, root };
}

/** A new link that follows from `parent` and keeps its root. */
export function follows(parent: Cause, step: string): Cause {
    return { step, parent, root: parent.root };
}

export function schedulerCause(reason: string): Cause {
    return { step: reason, root: { type: "scheduler", reason } };
}

/** The chain from this link to the root, most recent first (for logs and assertions). */
export function causeChain(cause: Cause): string[] {
    const steps: string[] = [];
    for (let c: Cause | undefined = cause; c; c = c.parent) steps.push(c.step);
    return steps;
}
