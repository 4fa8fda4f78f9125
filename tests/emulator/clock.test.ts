// The two clocks: VirtualClock (discrete events, time moves only when told) and ScaledClock (real time × speed).

import { ScaledClock, VirtualClock } from "../../local/emulator";

test("VirtualClock fires timers in time order, then scheduling order, each at its own time", () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    clock.schedule(300, () => fired.push(`c@${clock.now()}`));
    clock.schedule(100, () => {
        fired.push(`a@${clock.now()}`);
        clock.schedule(100, () => fired.push(`a2@${clock.now()}`)); // due now: runs next, not re-entrantly
    });
    clock.schedule(100, () => fired.push(`b@${clock.now()}`));
    const cancelled = clock.schedule(200, () => fired.push("never"));
    cancelled.cancel();
    clock.advance(250);
    expect(fired).toEqual(["a@100", "b@100", "a2@100"]);
    expect(clock.now()).toBe(250);
    clock.advance(50);
    expect(fired.at(-1)).toBe("c@300");
});

test("runUntilIdle drains the queue, or stops at its limit", () => {
    const clock = new VirtualClock(0);
    let ticks = 0;
    const tick = () => {
        ticks++;
        if (ticks < 5) clock.schedule(clock.now() + 1_000, tick);
    };
    clock.schedule(1_000, tick);
    expect(clock.runUntilIdle()).toBe(true);
    expect(ticks).toBe(5);
    expect(clock.now()).toBe(5_000);
    const forever = () => clock.schedule(clock.now() + 1_000, forever);
    forever();
    expect(clock.runUntilIdle(10_500)).toBe(false);
    expect(clock.now()).toBe(15_500);
    clock.dispose();
    expect(clock.pendingTimers()).toBe(0);
});

test("ScaledClock runs real time times its speed", async () => {
    const clock = new ScaledClock(100, 0);
    const start = clock.now();
    const fired = await new Promise<number>((resolve) => clock.schedule(start + 2_000, () => resolve(clock.now())));
    expect(fired - start).toBeGreaterThanOrEqual(2_000);
    expect(fired - start).toBeLessThan(2_000 + 100 * 200);
    expect(() => new ScaledClock(0)).toThrow();
    clock.dispose();
});

describe("VirtualClock.nextTimerAt", () => {
    it("tells when the next live timer fires, skipping cancelled ones", () => {
        const clock = new VirtualClock(1000);
        expect(clock.nextTimerAt()).toBeUndefined();
        const first = clock.schedule(5000, () => undefined);
        clock.schedule(3000, () => undefined);
        clock.schedule(7000, () => undefined);
        expect(clock.nextTimerAt()).toBe(3000);
        clock.advance(2000);
        expect(clock.nextTimerAt()).toBe(5000);
        first.cancel();
        expect(clock.nextTimerAt()).toBe(7000);
    });
});
