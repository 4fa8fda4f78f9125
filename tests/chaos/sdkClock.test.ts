// The SDK's retry back-off and adaptive rate limiter on the emulated clock: a throttled call is retried after an
// emulated wait, so ECS's bucket (refilled on that clock) lets it through, in no real time, the same way for the
// same seed; everything is put back afterwards.

import { ECSClient, ListServicesCommand } from "@aws-sdk/client-ecs";
import { installSdkClock, isRetryWait } from "../../local/chaos/sdkClock";
import { EcsEmulator, VirtualClock } from "../../local/emulator";

async function throttledThenRetried(seed: number, retryMode: "adaptive" | "standard" = "adaptive"): Promise<{ emulatedMs: number; realMs: number; attempts: number; throttled: number }> {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ clock, faults: { throttling: true }, timing: { apiLatencyMs: 0 } });
    emulator.control.createCluster("c");
    const endpoint = await emulator.listen();
    const client = new ECSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIDT", secretAccessKey: "s" }, retryMode, maxAttempts: 8 });
    const restore = installSdkClock({ now: () => clock.now(), advance: (ms) => clock.advance(ms) }, seed);
    try {
        emulator.spendThrottleTokens("ListServices", 1000);
        const started = clock.now(), real = Date.now();
        const res = await client.send(new ListServicesCommand({ cluster: "c" }));
        return { emulatedMs: clock.now() - started, realMs: Date.now() - real, attempts: res.$metadata.attempts ?? 0, throttled: emulator.faultsInjected.throttled };
    } finally {
        restore();
        client.destroy();
        await emulator.close();
    }
}

test("a throttled call waits out its back-off on the emulated clock and succeeds once the bucket refilled", async () => {
    const r = await throttledThenRetried(7);
    expect(r.attempts).toBe(r.throttled + 1);
    expect(r.throttled).toBeGreaterThan(0);
    // A token comes back after 50 ms at 20 per second: the retries waited at least that long, emulated, and no
    // more than the SDK's back-off allows (the HTTP handler's own 3 s socket timers never move the clock).
    expect(r.emulatedMs).toBeGreaterThanOrEqual(50);
    expect(r.emulatedMs).toBeLessThan(3_000);
    expect(r.realMs).toBeLessThan(2_000);
});

test("standard retries: the back-off itself (not only the adaptive limiter) passes on the emulated clock", async () => {
    const r = await throttledThenRetried(3, "standard");
    expect(r.throttled).toBeGreaterThan(0);
    expect(r.emulatedMs).toBeGreaterThan(0);
    expect(r.realMs).toBeLessThan(500);
});

test("only a wait set by the retry module itself is moved, not a timer set deeper inside a retried request", () => {
    const retry = "/n/node_modules/@smithy/core/dist-cjs/submodules/retry/index.js:533:42";
    const http = "/n/node_modules/@smithy/node-http-handler/dist-cjs/index.js:337:40";
    expect(isRetryWait(`Error\n    at patched (sdkClock.ts:1:1)\n    at sleep (${retry})\n    at x (y.js:1:1)`)).toBe(true);
    expect(isRetryWait(`Error\n    at patched (sdkClock.ts:1:1)\n    at handle (${http})\n    at retry (${retry})`)).toBe(false);
});

test("the back-off's jitter is seeded: the same seed waits the same", async () => {
    expect(await throttledThenRetried(11)).toMatchObject(await throttledThenRetried(11).then(({ realMs: _r, ...rest }) => rest));
});

test("uninstalling puts the real timers, randomness and rate-limiter clock back", () => {
    const realSetTimeout = globalThis.setTimeout, realRandom = Math.random;
    const { DefaultRateLimiter } = require("@smithy/core/retry") as { DefaultRateLimiter: { setTimeoutFn: unknown; prototype: { getCurrentTimeInSeconds: unknown } } };
    const realSleep = DefaultRateLimiter.setTimeoutFn, realNow = DefaultRateLimiter.prototype.getCurrentTimeInSeconds;
    const restore = installSdkClock({ now: () => 0, advance: () => undefined }, 1);
    expect(globalThis.setTimeout).not.toBe(realSetTimeout);
    restore();
    expect([globalThis.setTimeout, Math.random, DefaultRateLimiter.setTimeoutFn, DefaultRateLimiter.prototype.getCurrentTimeInSeconds])
        .toEqual([realSetTimeout, realRandom, realSleep, realNow]);
});
