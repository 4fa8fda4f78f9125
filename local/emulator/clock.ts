// The emulator's notion of time. Everything that takes time in ECS (task start/stop, scheduler reaction, throttle
// refill, event timestamps) is scheduled on a Clock, so tests can run hours of emulated time in milliseconds.

export interface Timer {
    readonly at: number;
    cancel(): void;
}

export interface Clock {
    /** Epoch milliseconds. */
    now(): number;
    /** Runs `fn` once the clock reaches `atMs` (immediately-due timers run on the next turn, never synchronously). */
    schedule(atMs: number, fn: () => void): Timer;
    /** Time an API call takes on this clock: a virtual clock moves by it, a real one has already spent it. */
    elapse(ms: number): void;
    /** Cancels every pending timer (the emulator calls it on close). */
    dispose(): void;
}

interface HeapEntry {
    at: number;
    seq: number;
    fn: () => void;
    cancelled: boolean;
}

/** 2026-01-01T00:00:00Z: a fixed start so runs are reproducible. */
export const DEFAULT_EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * Discrete-event clock: time moves only when told to (advance, runUntilIdle, or an API call's latency), and due
 * timers fire in (time, scheduling order).
 */
export class VirtualClock implements Clock {
    private current: number;
    private readonly heap: HeapEntry[] = [];
    private seq = 0;

    constructor(startMs: number = DEFAULT_EPOCH_MS) {
        this.current = startMs;
    }

    now(): number {
        return this.current;
    }

    schedule(atMs: number, fn: () => void): Timer {
        const entry: HeapEntry = { at: Math.max(atMs, this.current), seq: this.seq++, fn, cancelled: false };
        this.push(entry);
        return {
            at: entry.at,
            cancel: () => {
                entry.cancelled = true;
            },
        };
    }

    elapse(ms: number): void {
        this.advance(ms);
    }

    /** Moves time forward by `ms`, firing every timer due on the way at its own time. */
    advance(ms: number): void {
        const target = this.current + Math.max(0, ms);
        this.runDue(target);
        this.current = Math.max(this.current, target);
    }

    /**
     * Fires timers in order until none is left or the next one lies beyond `limitMs` from now.
     * Returns true when the queue drained (the emulated world is idle), false when the limit stopped it
     * (time is then left at the limit).
     */
    runUntilIdle(limitMs: number = 24 * 3600_000): boolean {
        const end = this.current + limitMs;
        this.runDue(end);
        if (this.pendingTimers() === 0) return true;
        this.current = Math.max(this.current, end);
        return false;
    }

    /** When the next timer fires (undefined when none is waiting): a runner steps from one event to the next. */
    nextTimerAt(): number | undefined {
        while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
        return this.heap[0]?.at;
    }

    /** Timers still waiting to fire. */
    pendingTimers(): number {
        let n = 0;
        for (const e of this.heap) if (!e.cancelled) n++;
        return n;
    }

    dispose(): void {
        for (const e of this.heap) e.cancelled = true;
        this.heap.length = 0;
    }

    private runDue(until: number): void {
        for (;;) {
            const top = this.heap[0];
            if (top === undefined || top.at > until) return;
            this.pop();
            if (top.cancelled) continue;
            this.current = Math.max(this.current, top.at);
            top.fn();
        }
    }

    private push(e: HeapEntry): void {
        const h = this.heap;
        h.push(e);
        let i = h.length - 1;
        while (i > 0) {
            const p = (i - 1) >> 1;
            if (!before(h[i]!, h[p]!)) break;
            [h[i], h[p]] = [h[p]!, h[i]!];
            i = p;
        }
    }

    private pop(): void {
        const h = this.heap;
        const last = h.pop()!;
        if (h.length === 0) return;
        h[0] = last;
        let i = 0;
        for (;;) {
            const l = 2 * i + 1;
            const r = l + 1;
            let m = i;
            if (l < h.length && before(h[l]!, h[m]!)) m = l;
            if (r < h.length && before(h[r]!, h[m]!)) m = r;
            if (m === i) return;
            [h[i], h[m]] = [h[m]!, h[i]!];
            i = m;
        }
    }
}

function before(a: HeapEntry, b: HeapEntry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Real time multiplied by `speed` (server mode): 60 makes a minute of ECS time pass every real second. */
export class ScaledClock implements Clock {
    private readonly realStart = performance.now();
    private readonly timers = new Set<NodeJS.Timeout>();

    constructor(
        readonly speed: number = 1,
        private readonly startMs: number = Date.now(),
    ) {
        if (!(speed > 0)) throw new Error(`ScaledClock speed must be > 0, got ${speed}`);
    }

    now(): number {
        return Math.floor(this.startMs + (performance.now() - this.realStart) * this.speed);
    }

    schedule(atMs: number, fn: () => void): Timer {
        let handle: NodeJS.Timeout;
        const arm = () => {
            handle = setTimeout(() => {
                this.timers.delete(handle);
                // Node may fire a timer up to a millisecond early; emulated time must never run backwards.
                if (this.now() < atMs) arm();
                else fn();
            }, Math.max(0, (atMs - this.now()) / this.speed));
            // Pending emulated work must not keep a process alive on its own (the HTTP server does in server mode).
            handle.unref();
            this.timers.add(handle);
        };
        arm();
        return {
            at: atMs,
            cancel: () => {
                clearTimeout(handle);
                this.timers.delete(handle);
            },
        };
    }

    elapse(): void {
        // Real time already passed while the request was handled.
    }

    dispose(): void {
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
    }
}
