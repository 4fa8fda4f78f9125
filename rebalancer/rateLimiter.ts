// A token bucket that paces one pass's ECS writes: at most `ratePerSecond` on average, `burst` at once.

export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface TokenBucket {
    /** Waits until a token is available and takes it; resolves to the time waited. */
    take(): Promise<number>;
}

export function createTokenBucket(ratePerSecond: number, burst: number, clock: Clock): TokenBucket {
    const rate = Math.max(ratePerSecond, 0.001);
    const capacity = Math.max(1, burst);
    let tokens = capacity;
    let last = clock.now();
    const refill = () => {
        const now = clock.now();
        tokens = Math.min(capacity, tokens + ((now - last) * rate) / 1000);
        last = now;
    };
    return {
        async take() {
            refill();
            let waited = 0;
            if (tokens < 1) {
                const wait = Math.ceil(((1 - tokens) * 1000) / rate);
                await clock.sleep(wait);
                waited = wait;
                refill();
                // A clock that did not advance during the sleep (a test's) still pays for exactly one token.
                tokens = Math.max(tokens, 1);
            }
            tokens -= 1;
            return waited;
        },
    };
}
