// What this container remembers between invocations, used only to skip passes that cannot find anything new:
// the rebalancer's own stops fire container-instance events, and without this each would start another pass.
// Losing it (a cold start) only costs a redundant pass; it never changes a decision.

export interface InstanceEventMemory {
    /** Why a pass for this container-instance event would be redundant, or undefined when it is needed. */
    redundant(containerInstanceArn: string, version: number): string | undefined;
    /** A pass ran to completion for this event: the same event again is a duplicate. */
    noteHandled(containerInstanceArn: string, version: number): void;
    /**
     * A pass read these instance versions and completed with every write it planned made: events up to them
     * describe nothing that pass did not already act on (its own writes raise the versions and wake the next).
     */
    noteSeen(instances: ReadonlyArray<{ arn: string; version: number }>): void;
    /** Why a pass for a service event emitted at `emittedAt` would be redundant, or undefined when it is needed. */
    redundantServiceEvent(clusterArn: string, emittedAt: number | undefined): string | undefined;
    /** A pass of this cluster that started at `startedAt` completed with every write it planned made. */
    noteSettledPass(clusterArn: string, startedAt: number): void;
    readonly size: number;
}

/**
 * A service event is covered by a pass that started after it was emitted. Events carry whole seconds and the
 * clocks of ECS and Lambda may differ a little: only events older than this before the pass's start count.
 */
export const SERVICE_EVENT_MARGIN_MS = 2_000;

/** Instances remembered at most (ECS allows 5,000 per cluster); the least recently noted go first. */
export const EVENT_MEMORY_LIMIT = 20_000;

export function createInstanceEventMemory(limit = EVENT_MEMORY_LIMIT): InstanceEventMemory {
    const seenByPass = new Map<string, number>();
    const settledPassStart = new Map<string, number>();
    const handled = new Map<string, number>();
    const remember = (map: Map<string, number>, arn: string, version: number) => {
        const prev = map.get(arn);
        map.delete(arn);
        map.set(arn, prev === undefined ? version : Math.max(prev, version));
        while (map.size > limit) map.delete(map.keys().next().value as string);
    };
    return {
        redundant(arn, version) {
            const seen = handled.get(arn);
            if (seen !== undefined && version === seen) return `duplicate event: instance version ${version} already handled`;
            if (seen !== undefined && version < seen) return `stale event: instance version ${version} < ${seen}, already handled`;
            const seenVersion = seenByPass.get(arn);
            if (seenVersion !== undefined && version <= seenVersion) {
                return `instance version ${version} ≤ ${seenVersion}, already seen by a completed pass`;
            }
            return undefined;
        },
        noteHandled: (arn, version) => remember(handled, arn, version),
        redundantServiceEvent(clusterArn, emittedAt) {
            const passStart = settledPassStart.get(clusterArn);
            if (emittedAt === undefined || passStart === undefined || emittedAt + SERVICE_EVENT_MARGIN_MS > passStart) return undefined;
            return `service event of ${new Date(emittedAt).toISOString()} already covered by a pass that started ${new Date(passStart).toISOString()}`;
        },
        noteSettledPass(clusterArn, startedAt) {
            settledPassStart.set(clusterArn, Math.max(settledPassStart.get(clusterArn) ?? 0, startedAt));
        },
        noteSeen(instances) {
            for (const i of instances) remember(seenByPass, i.arn, i.version);
        },
        get size() {
            return seenByPass.size + handled.size;
        },
    };
}
