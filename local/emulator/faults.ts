// Fault injection, all off by default and driven by its own seeded random stream: throttling, server errors,
// added latency, and duplicated or delayed (hence out-of-order) event delivery. Every injected fault is counted.

import type { Clock } from "./clock";
import { EcsError, serverException, throttling } from "./errors";
import type { Rng } from "./random";
import { Throttler } from "./throttling";

export interface FaultConfig {
    /** Apply ECS's per-category token buckets (burst, then the sustained rate). */
    throttling: boolean;
    /** Fraction of calls answered with ServerException (HTTP 500) instead of being handled. */
    serverErrorRate: number;
    /** Fraction of calls that take longer: `emulatedMs` on the emulated clock and/or `realMs` of real waiting (timeouts). */
    latency: { rate: number; emulatedMs: number; realMs: number };
    /** Fraction of events delivered twice (the copy `eventDelayMs` later). */
    eventDuplicateRate: number;
    /** Fraction of events held back `eventDelayMs`, so later events overtake them. */
    eventDelayRate: number;
    eventDelayMs: number;
    /** Limit error and latency injection to these operations (all when empty). Throttling follows the table. */
    operations: string[];
    /**
     * ECS agents disconnect and reconnect this many times an hour per instance on average (seeded); 0 = off, the
     * default (periodic: runUntilIdle() then never finds the world idle). See churn.ts.
     */
    agentReconnectsPerHour: number;
    /** How long a churned agent stays disconnected. Emulator choice. */
    agentDisconnectMs: number;
}

export const DEFAULT_FAULTS: Readonly<FaultConfig> = {
    throttling: false,
    serverErrorRate: 0,
    latency: { rate: 0, emulatedMs: 0, realMs: 0 },
    eventDuplicateRate: 0,
    eventDelayRate: 0,
    eventDelayMs: 5_000,
    operations: [],
    agentReconnectsPerHour: 0,
    agentDisconnectMs: 5_000,
};

export interface FaultCounts {
    throttled: number;
    serverErrors: number;
    latency: number;
    eventDuplicates: number;
    eventDelays: number;
    /** Agent disconnections started by agent churn (each followed by its reconnection). */
    agentReconnects: number;
}

export interface CallFaults {
    /** Answer with this error instead of handling the call. */
    error?: EcsError;
    /** Real milliseconds to wait before answering. */
    realDelayMs: number;
}

export class FaultInjector {
    readonly config: FaultConfig;
    readonly counts: FaultCounts = {
        throttled: 0,
        serverErrors: 0,
        latency: 0,
        eventDuplicates: 0,
        eventDelays: 0,
        agentReconnects: 0,
    };
    private readonly throttler = new Throttler();

    constructor(
        config: Partial<FaultConfig>,
        private readonly clock: Clock,
        private readonly rng: Rng,
        /** Separate stream: whether anyone listens to events must not change the faults of API calls. */
        private readonly eventRng: Rng,
    ) {
        this.config = { ...DEFAULT_FAULTS, ...config, latency: { ...DEFAULT_FAULTS.latency, ...config.latency } };
    }

    /** Replaces the configuration from now on (unset keys take their defaults: off); counts and buckets stay. */
    reconfigure(config: Partial<FaultConfig>): void {
        Object.assign(this.config, { ...DEFAULT_FAULTS, ...config, latency: { ...DEFAULT_FAULTS.latency, ...config.latency } });
    }

    /** Other callers in the account spend tokens of the operation's throttling bucket; returns how many. */
    spendThrottleTokens(operation: string, count: number): number {
        return this.throttler.spend(operation, count, this.clock.now());
    }

    /** Decides the faults of one API call (ECS or Application Auto Scaling), in ECS's order: throttling first. */
    forCall(operation: string): CallFaults {
        const result: CallFaults = { realDelayMs: 0 };
        if (this.config.throttling && !this.throttler.admit(operation, this.clock.now())) {
            this.counts.throttled++;
            result.error = throttling();
            return result;
        }
        const targeted = this.config.operations.length === 0 || this.config.operations.includes(operation);
        if (!targeted) return result;
        const { latency } = this.config;
        if (this.rng.chance(latency.rate)) {
            this.counts.latency++;
            this.clock.elapse(latency.emulatedMs);
            result.realDelayMs = latency.realMs;
        }
        if (this.rng.chance(this.config.serverErrorRate)) {
            this.counts.serverErrors++;
            result.error = serverException();
        }
        return result;
    }

    /** How one emitted event is delivered: its delay, and whether a duplicate follows. */
    forEvent(): { delayMs: number; duplicate: boolean } {
        let delayMs = 0;
        if (this.eventRng.chance(this.config.eventDelayRate)) {
            this.counts.eventDelays++;
            delayMs = this.config.eventDelayMs;
        }
        const duplicate = this.eventRng.chance(this.config.eventDuplicateRate);
        if (duplicate) this.counts.eventDuplicates++;
        return { delayMs, duplicate };
    }
}
