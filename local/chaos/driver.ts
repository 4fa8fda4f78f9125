// The chaos run's clock and invocations: discrete-event, as the scenario runner steps (emulator timers, the
// function's queued invocations, the schedule), with its own notion of quiet so that a run ends on evidence:
//
//   settle  until the world has no timer left and no invocation is queued (between scenario steps);
//   quiet   until a *full* pass (every target cluster observed and planned, the pass completed) wrote nothing,
//           having started with the world settled and every task older than the function's minimum task age,
//           i.e. the rebalancer looked at a still cluster it was allowed to act on and chose to do nothing,
//           with no surge open (one waiting for its tasks is not done: it ends by a restore, a write), and no
//           decision waiting on time (revisitAt: an AZ level left to ECS, taken back if ECS does not act).
//           Redundant, ignored, failed and killed invocations never count as quiet.
//
// Both stop at an emulated-time limit and an invocation cap, and say which.

import type { LocalEventBus } from "../eventBus";
import type { InvocationRecord, SerialLambda } from "../lambdaRuntime";
import { WRITE_OPERATIONS } from "../scenario/runner";
import type { ScenarioWorld } from "../scenario/world";
import type { RebalancerCalls } from "./rebalancerCalls";

export interface DriveResult {
    /** settle: the world settled; quiet: a quiet full pass happened. */
    reached: boolean;
    /** Why it stopped without reaching it. */
    stoppedBy?: "time limit" | "invocation cap" | "nothing left to happen";
    invocations: number;
}

export interface InvocationOutcome extends InvocationRecord {
    /** Writes of this invocation that reached ECS. */
    writes: number;
}

type ClusterSummary = { outcome?: string; writes?: number; surgesInProgress?: number; revisitAt?: string };

export class ChaosDriver {
    readonly invocations: InvocationOutcome[] = [];

    constructor(
        private readonly world: ScenarioWorld,
        private readonly lambda: SerialLambda,
        private readonly bus: LocalEventBus,
        private readonly calls: RebalancerCalls,
        /** Emulated time of the world's last task change. */
        private readonly lastChangeAt: () => number,
        private readonly minTaskAgeMs: number,
        private readonly maxInvocations: number,
    ) {}

    settle(limitMs: number): Promise<DriveResult> {
        return this.drive("settle", limitMs);
    }

    quiet(limitMs: number): Promise<DriveResult> {
        return this.drive("quiet", limitMs);
    }

    private writesSince(index: number): number {
        return this.calls.reached.slice(index).filter((c) => WRITE_OPERATIONS.has(c.operation)).length;
    }

    /**
     * A pass that looked at every target cluster to the end and changed nothing. A direct invocation answers with
     * its clusters' summaries; a queue batch answers with batchItemFailures only, and its record carries the
     * summaries its "queue batch" log gave (none when it was killed: a dead container prints nothing).
     */
    private static quietFullPass(o: InvocationOutcome): boolean {
        const clusters = (o.clusters ?? (o.result as { clusters?: unknown[] } | undefined)?.clusters) as ClusterSummary[] | undefined;
        return !o.error && o.writes === 0 && !!clusters && clusters.length > 0 &&
            clusters.every((c) => c.outcome === "completed" && (c.writes ?? 0) === 0 && (c.surgesInProgress ?? 0) === 0 &&
                (c.revisitAt === undefined || Date.parse(c.revisitAt) <= o.startedAt));
    }

    private async drive(mode: "settle" | "quiet", limitMs: number): Promise<DriveResult> {
        const { clock } = this.world;
        const deadline = clock.now() + limitMs;
        const done = (reached: boolean, stoppedBy?: DriveResult["stoppedBy"]): DriveResult => ({ reached, ...(stoppedBy ? { stoppedBy } : {}), invocations: this.invocations.length });
        for (;;) {
            if ((this.lambda.nextDueAt() ?? Infinity) <= clock.now()) {
                if (this.invocations.length >= this.maxInvocations) return done(false, "invocation cap");
                const worldSettled = clock.nextTimerAt() === undefined;
                const before = this.calls.reached.length;
                const record = await this.lambda.runNext();
                if (!record) continue;
                const outcome: InvocationOutcome = { ...record, writes: this.writesSince(before) };
                this.invocations.push(outcome);
                const aged = record.startedAt >= this.lastChangeAt() + this.minTaskAgeMs;
                if (mode === "quiet" && worldSettled && aged && ChaosDriver.quietFullPass(outcome)) return done(true);
                continue;
            }
            const worldIdle = clock.nextTimerAt() === undefined;
            if (mode === "settle" && worldIdle && this.lambda.queued === 0) return done(true);
            const next = [clock.nextTimerAt(), this.lambda.nextDueAt(), mode === "quiet" || !worldIdle ? this.bus.nextScheduleAt() : undefined]
                .filter((t): t is number => t !== undefined);
            if (next.length === 0) return done(false, "nothing left to happen");
            const at = Math.max(clock.now(), Math.min(...next));
            if (at > deadline) return done(false, "time limit");
            clock.advance(at - clock.now());
            this.bus.fireDueSchedules();
        }
    }
}
