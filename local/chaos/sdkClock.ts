// The AWS SDK's own waits on the emulated clock while a function runs. In Lambda the process belongs to the
// function, and the SDK's retry back-off and its adaptive rate limiter wait in real time while ECS's throttling
// buckets refill. Locally ECS's buckets refill on the emulated clock, so those waits must pass there too: a
// throttled call then retries after the same back-off, and finds the bucket refilled as it would be in AWS. The
// back-off's jitter draws from a seeded stream, so a run replays.
//
// Installed around one invocation, removed after it. Only the SDK's retry module is affected: its `setTimeout`
// calls are recognised by their caller (the HTTP handler's socket timers stay real), the rate limiter's clock and
// sleep are its documented static hooks.

import { Rng } from "../emulator/random";

export interface EmulatedTime {
    now(): number;
    /** Lets `ms` of emulated time pass (the world moves on meanwhile). */
    advance(ms: number): void;
    /**
     * Runs `fn` once `ms` of emulated time have passed, without moving the clock itself: where several invocations
     * run at once (local/fleet), one invocation's wait must not make time pass for the others. Absent: the wait
     * advances the clock (one invocation at a time).
     */
    wait?(ms: number, fn: () => void): void;
}

/** The SDK module whose waits are moved (the same instance the loaded function requires). */
const RETRY_MODULE = "@smithy/core/retry";
/** Frames of that module in a stack trace. */
const RETRY_FRAME = /[\\/]@smithy[\\/]core[\\/]dist-cjs[\\/]submodules[\\/]retry[\\/]/;

interface RateLimiterClass {
    setTimeoutFn: (fn: () => void, delay: number) => unknown;
    prototype: { getCurrentTimeInSeconds(): number };
}

/**
 * True when the stack taken inside the patched `setTimeout` shows the retry module itself as its caller (its
 * back-off sleep). Only the immediate caller counts: the HTTP handler's socket timers are set from deeper inside a
 * retried request, and must stay real.
 */
export function isRetryWait(stack: string | undefined): boolean {
    // [0] "Error", [1] the patched setTimeout, [2] its caller.
    return RETRY_FRAME.test((stack ?? "").split("\n")[2] ?? "");
}

/**
 * Installs the emulated clock for the SDK; returns the function that restores everything. Not reentrant: one
 * invocation at a time, as reserved concurrency 1 runs them.
 */
export function installSdkClock(time: EmulatedTime, seed: number): () => void {
    const g = globalThis as unknown as { setTimeout: typeof setTimeout; Math: Math };
    const realSetTimeout = g.setTimeout;
    const realRandom = g.Math.random;
    const limiter = (require(RETRY_MODULE) as { DefaultRateLimiter: RateLimiterClass }).DefaultRateLimiter;
    const realLimiterSleep = limiter.setTimeoutFn;
    const realLimiterNow = limiter.prototype.getCurrentTimeInSeconds;
    const jitter = Rng.stream(seed, "sdk jitter");

    const emulatedWait = (fn: (...a: unknown[]) => void, ms: number | undefined, args: unknown[]) => {
        // Whole milliseconds, at least one, as Node's timers: a fraction would be lost on an epoch-ms clock and the
        // rate limiter, waiting for it, would wait forever.
        const wholeMs = Math.max(1, Math.ceil(Number.isFinite(ms) ? ms! : 1));
        if (time.wait) {
            time.wait(wholeMs, () => fn(...args));
            return undefined;
        }
        time.advance(wholeMs);
        return realSetTimeout(() => fn(...args), 0);
    };
    const patchedSetTimeout = function (this: unknown, fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) {
        if (typeof fn === "function" && (ms ?? 0) > 0 && isRetryWait(new Error().stack)) return emulatedWait(fn, ms, args);
        return realSetTimeout(fn, ms, ...args);
    } as unknown as typeof setTimeout;

    g.setTimeout = patchedSetTimeout;
    g.Math.random = () => jitter.next();
    limiter.setTimeoutFn = (fn, delay) => emulatedWait(fn, delay, []);
    limiter.prototype.getCurrentTimeInSeconds = () => time.now() / 1000;
    return () => {
        g.setTimeout = realSetTimeout;
        g.Math.random = realRandom;
        limiter.setTimeoutFn = realLimiterSleep;
        limiter.prototype.getCurrentTimeInSeconds = realLimiterNow;
    };
}
