// Several Lambda invocations running at once on one emulated clock: the fleet simulation's engine. The scenario
// and chaos runners play one invocation at a time, and an invocation's waits move the clock itself; with many
// clusters served side by side that would make one invocation's wait pass for all of them. Here every wait is a
// timer on the emulator's VirtualClock instead — an API call arrives `latencyMs` after it is sent, the SDK's retry
// back-off and the function's own pacing fire after their delay — and time moves only when every running
// invocation is blocked on such a timer (a discrete-event simulation): calls from different invocations then reach
// ECS's throttling buckets in emulated-time order, as they would in AWS.
//
// Which invocation (container) made a call or a wait is known from AsyncLocalStorage; a killed container's calls
// never arrive and its waits never fire, so it stops where it was, as a process Lambda killed.

import { AsyncLocalStorage } from "node:async_hooks";
import type { VirtualClock } from "../emulator";
import type { RawRequest } from "../emulator";
import type { ApiResponse } from "../emulator";
import { installSdkClock } from "../chaos/sdkClock";
import { installInProcessTransport } from "../chaos/sdkTransport";

export interface Container {
    id: string;
    dead: boolean;
}

/** One API call as ECS received it. */
export interface ReceivedCall {
    at: number;
    container: string | undefined;
    operation: string;
    /** The `cluster` the call named (ARN or name), if any. */
    cluster?: string;
    /** True for a list call's first page (no nextToken): a read of the cluster starts. */
    firstPage: boolean;
    throttled: boolean;
}

export interface ConcurrentServer {
    endpoint: string;
    serve(request: RawRequest): ApiResponse;
}

/** Turns of the real event loop with no new activity before the invocations count as blocked. */
const QUIET_TURNS = 2;
/** Real waits tolerated while invocations run but no timer is pending (something outside the clock). */
const MAX_STALLED_TURNS = 2_000;

export class ConcurrentInvocations {
    readonly calls: ReceivedCall[] = [];
    private readonly storage = new AsyncLocalStorage<Container>();
    private readonly active = new Set<Container>();
    private holds = 0;
    /** Counts everything that can let an invocation go on (a call arriving, a wait ending, one starting or ending). */
    private activity = 0;
    /** `activity` when the invocations were last found blocked. */
    private quietAt = -1;
    private restore?: () => void;

    constructor(
        readonly clock: VirtualClock,
        private readonly latencyMs: number,
    ) {}

    /** Installs the SDK's clock and the in-process transport for the whole simulation. */
    install(server: ConcurrentServer, seed: number): void {
        const restoreClock = installSdkClock({ now: () => this.clock.now(), advance: () => undefined, wait: (ms, fn) => this.wait(ms, fn) }, seed);
        const restoreTransport = installInProcessTransport({
            endpoint: server.endpoint,
            arrive: () => this.arrive(),
            serve: (request) => this.serve(server, request),
        });
        this.restore = () => {
            restoreTransport();
            restoreClock();
        };
    }

    uninstall(): void {
        this.restore?.();
        this.restore = undefined;
    }

    /** The function's own timers (loadLambda's `setTimeout`): fire on the clock, never for a dead container. */
    readonly setTimeout = (fn: () => void, ms?: number): unknown => {
        this.wait(Math.max(0, ms ?? 0), fn);
        return undefined;
    };

    /**
     * Marks work about to become an invocation (a container loading): the simulation lets it run before time moves.
     * Returns the function that ends the hold.
     */
    hold(): () => void {
        this.holds++;
        this.activity++;
        let released = false;
        return () => {
            if (released) return;
            released = true;
            this.holds--;
            this.activity++;
        };
    }

    /** Runs `fn` as an invocation in `container`; the simulation does not advance past it while it runs. */
    async run<T>(container: Container, fn: () => Promise<T>): Promise<T> {
        this.active.add(container);
        this.activity++;
        try {
            return await this.storage.run(container, fn);
        } finally {
            this.active.delete(container);
            this.activity++;
        }
    }

    /**
     * Lets every running invocation go on until each is blocked on a timer, then fires the timers due next.
     * Returns false when no timer is left (only a killed invocation can still be "running" then).
     */
    async step(): Promise<boolean> {
        await this.quiesce();
        const next = this.clock.nextTimerAt();
        if (next === undefined) return false;
        this.clock.advance(next - this.clock.now());
        return true;
    }

    /** Steps until the clock reaches `atMs` (timers due then have fired) or nothing is left to run. */
    async runUntil(atMs: number): Promise<void> {
        for (;;) {
            // Invocations get to run only when something happened to them; the world's own timers (and any timer while
            // no invocation runs or starts) fire back to back.
            if (this.busy() && this.activity !== this.quietAt) await this.quiesce();
            const next = this.clock.nextTimerAt();
            if (next === undefined || next > atMs) break;
            this.clock.advance(next - this.clock.now());
        }
        if (this.clock.now() < atMs) this.clock.advance(atMs - this.clock.now());
        await this.quiesce();
    }

    private busy(): boolean {
        return this.holds > 0 || this.active.size > 0;
    }

    /** Waits (real time) until nothing new happened for a few turns of the event loop. */
    private async quiesce(): Promise<void> {
        let seen = -1;
        let quiet = 0;
        let stalled = 0;
        while (quiet < QUIET_TURNS) {
            await new Promise((resolve) => setImmediate(resolve));
            const now = this.activity * 1_000_003 + this.clock.pendingTimers();
            if (now === seen) quiet++;
            else {
                seen = now;
                quiet = 0;
            }
            if (quiet === QUIET_TURNS && this.clock.pendingTimers() === 0 && this.liveRunning() && ++stalled < MAX_STALLED_TURNS) {
                // An invocation runs, but no timer will wake it: it waits on something real (a stream, a socket).
                quiet = 0;
                await new Promise((resolve) => setTimeout(resolve, 1));
            }
        }
        this.quietAt = this.activity;
    }

    /** Whether an invocation of a live container is running or starting. */
    get busyNow(): boolean {
        return this.holds > 0 || this.liveRunning();
    }

    /** Whether an invocation of a live container is running (a killed one never ends, and waits on nothing). */
    private liveRunning(): boolean {
        for (const c of this.active) if (!c.dead) return true;
        return false;
    }

    private wait(ms: number, fn: () => void): void {
        const container = this.storage.getStore();
        this.activity++;
        this.clock.schedule(this.clock.now() + ms, () => {
            if (container?.dead) return;
            this.activity++;
            fn();
        });
    }

    private arrive(): Promise<void> {
        const container = this.storage.getStore();
        this.activity++;
        return new Promise((resolve) => {
            this.clock.schedule(this.clock.now() + this.latencyMs, () => {
                // A killed container's call never reaches ECS (and its caller waits forever).
                if (container?.dead) return;
                this.activity++;
                resolve();
            });
        });
    }

    private serve(server: ConcurrentServer, request: RawRequest): ApiResponse {
        const container = this.storage.getStore();
        const response = server.serve(request);
        this.calls.push({ at: this.clock.now(), container: container?.id, ...describeCall(request), throttled: isThrottle(response) });
        return response;
    }
}

function describeCall(request: RawRequest): Pick<ReceivedCall, "operation" | "cluster" | "firstPage"> {
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.slice(target.lastIndexOf(".") + 1);
    let input: { cluster?: unknown; nextToken?: unknown; NextToken?: unknown } = {};
    try {
        input = JSON.parse(request.body || "{}") as typeof input;
    } catch {
        // Not JSON: the emulator answers it with an error; the call is still counted.
    }
    return {
        operation,
        ...(typeof input.cluster === "string" ? { cluster: input.cluster } : {}),
        firstPage: input.nextToken === undefined && input.NextToken === undefined,
    };
}

function isThrottle(response: ApiResponse): boolean {
    const body = response.body as { __type?: unknown } | undefined;
    return response.status >= 400 && typeof body?.__type === "string" && body.__type.includes("Throttling");
}
