// EcsEmulator: a local ECS control plane (plus Application Auto Scaling's DescribeScalableTargets) that the real
// AWS SDKs talk to over HTTP, with its world on a controllable clock.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { rootCause } from "./causes";
import type { ChurnSettings } from "./churn";
import { VirtualClock, type Clock } from "./clock";
import { EmulatorControl } from "./control";
import { EmulatorCore } from "./core";
import { EcsError } from "./errors";
import type { EventListener, TaskChangeListener } from "./events";
import type { FaultConfig, FaultCounts } from "./faults";
import { AUTOSCALING_OPERATIONS, AUTOSCALING_TARGET_PREFIX, ECS_OPERATIONS, ECS_TARGET_PREFIX } from "./operations";
import type { Operation } from "./operations/common";
import { errorBody, serveHttp, serveRequest, type ApiResponse, type CallerIdentity, type RawRequest } from "./protocol";
import type { Json } from "./serialize";
import { resolveTiming, type Timing } from "./timing";
import { ecsProfile } from "./profiles/profiles";
import type { EcsProfile, EcsProfileName } from "./profiles/profile";

export interface EcsEmulatorOptions {
    /** Default: a new VirtualClock (time moves only when told to). */
    clock?: Clock;
    /** Seeds every random choice (ids, placement ties, faults, event ids). Default 1. */
    seed?: number;
    /** Default us-east-1. */
    region?: string;
    /** Default 123456789012. */
    accountId?: string;
    timing?: Partial<Timing>;
    faults?: Partial<FaultConfig>;
    /** The reading of what AWS leaves undocumented (profiles/): default "service-page". */
    profile?: EcsProfileName;
}

/** One API call as a middleware sees it. */
export interface ApiCallInfo {
    /** The X-Amz-Target value. */
    target: string;
    /** The operation name (the target's part after the dot). */
    operation: string;
    input: Json;
    caller: CallerIdentity;
}

/**
 * Sees an API call before ECS does: calls `next()` to let ECS handle it (and may read or replace the answer), or
 * answers itself without calling it, and then the call never reaches ECS (not counted, no latency, no faults).
 */
export type ApiMiddleware = (call: ApiCallInfo, next: () => ApiResponse) => ApiResponse;

export class EcsEmulator {
    readonly clock: Clock;
    readonly timing: Timing;
    readonly region: string;
    readonly accountId: string;
    /** The ECS behaviour profile this emulator plays. */
    readonly profile: EcsProfile;
    /** Scenario and test access to the world, outside the API. */
    readonly control: EmulatorControl;
    private readonly core: EmulatorCore;
    private readonly ownsClock: boolean;
    private readonly calls = new Map<string, number>();
    private readonly middlewares: ApiMiddleware[] = [];
    private server?: Server;

    constructor(options: EcsEmulatorOptions = {}) {
        this.ownsClock = options.clock === undefined;
        this.clock = options.clock ?? new VirtualClock();
        this.timing = resolveTiming(options.timing);
        this.region = options.region ?? "us-east-1";
        this.accountId = options.accountId ?? "123456789012";
        this.profile = ecsProfile(options.profile);
        this.core = new EmulatorCore(this.clock, this.timing, options.seed ?? 1, this.region, this.accountId, options.faults ?? {}, this.profile);
        this.control = new EmulatorControl(this.core);
    }

    /** HTTP calls by operation, throttled and failed ones included. */
    get apiCalls(): Record<string, number> {
        return Object.fromEntries(this.calls);
    }

    resetApiCalls(): void {
        this.calls.clear();
    }

    get faultsInjected(): FaultCounts {
        return { ...this.core.faults.counts };
    }

    /** Events emitted so far, by detail-type (before delivery faults). */
    get eventsEmitted(): Record<string, number> {
        return Object.fromEntries(this.core.bus.emitted);
    }

    /** Every EventBridge-shaped event, once the change that produced it is complete. Returns an unsubscribe. */
    onEvent(listener: EventListener): () => void {
        return this.core.bus.onEvent(listener);
    }

    /** Every task state transition with its cause. Returns an unsubscribe. */
    onTaskChange(listener: TaskChangeListener): () => void {
        return this.core.bus.onTaskChange(listener);
    }

    /**
     * Faults from now on (unset keys off), e.g. to stop them after a chaos phase; counts and throttling buckets
     * carry on.
     */
    setFaults(faults: Partial<FaultConfig>): void {
        this.core.faults.reconfigure(faults);
        this.core.churn.faultsChanged();
    }

    /**
     * The periodic behaviours from now on (churn.ts; unset keys keep their values, 0 turns one off):
     * SERVICE_STEADY_STATE re-emission and agent reconnect churn, e.g. on for a scenario's churn window, then off.
     */
    setChurn(settings: Partial<ChurnSettings>): void {
        this.core.churn.configure(settings);
        this.core.bus.flush();
    }

    /**
     * Other callers in the account and Region spend `count` tokens of the throttling bucket `operation` belongs
     * to (ECS's buckets are shared by every caller); returns how many they could spend. No effect on an
     * operation ECS does not throttle.
     */
    spendThrottleTokens(operation: string, count: number): number {
        return this.core.faults.spendThrottleTokens(operation, count);
    }

    /** Adds an API middleware (none by default; the first added sees calls first). Returns a remove function. */
    useApiMiddleware(middleware: ApiMiddleware): () => void {
        this.middlewares.push(middleware);
        return () => {
            const i = this.middlewares.indexOf(middleware);
            if (i >= 0) this.middlewares.splice(i, 1);
        };
    }

    /** An error answer a middleware can give instead of ECS's (a fixed request id: no random stream is used). */
    static errorResponse(type: string, message: string, status = 400): ApiResponse {
        return { status, requestId: "00000000-0000-0000-0000-000000000000", body: errorBody(type, message), realDelayMs: 0 };
    }

    /** Handles one API call as the HTTP server does: `target` is the X-Amz-Target header value. */
    call(target: string, input: Json, caller: CallerIdentity = {}): ApiResponse {
        if (this.middlewares.length === 0) return this.handle(target, input, caller);
        const info: ApiCallInfo = { target, operation: target.split(".")[1] ?? "", input, caller };
        const through = (i: number): ApiResponse => (i === this.middlewares.length ? this.handle(target, input, caller) : this.middlewares[i](info, () => through(i + 1)));
        return through(0);
    }

    private handle(target: string, input: Json, caller: CallerIdentity): ApiResponse {
        const core = this.core;
        const requestId = core.rng.ids.uuid();
        const [prefix, operationName = ""] = target.split(".");
        const ecs = prefix === ECS_TARGET_PREFIX;
        const table: Readonly<Record<string, Operation>> | undefined = ecs ? ECS_OPERATIONS : prefix === AUTOSCALING_TARGET_PREFIX ? AUTOSCALING_OPERATIONS : undefined;
        this.calls.set(operationName || target, (this.calls.get(operationName || target) ?? 0) + 1);
        this.clock.elapse(this.timing.apiLatencyMs);
        core.retention.forgetExpired(this.clock.now());
        const respond = (status: number, body: Json): ApiResponse => ({ status, requestId, body, realDelayMs });
        let realDelayMs = 0;
        try {
            const operation = table && Object.hasOwn(table, operationName) ? table[operationName] : undefined;
            if (!operation) return respond(400, errorBody("UnknownOperationException", `Unknown operation ${target}.`));
            const faults = core.faults.forCall(operationName);
            realDelayMs = faults.realDelayMs;
            if (faults.error) return respond(faults.error.status, errorBody(faults.error.type, faults.error.message));
            const cause = rootCause({ type: "api", operation: operationName, requestId, accessKeyId: caller.accessKeyId, userAgent: caller.userAgent }, operationName);
            return respond(200, operation(core, input, { operation: operationName, cause }));
        } catch (e) {
            if (e instanceof EcsError) return respond(e.status, errorBody(e.type, e.message));
            throw e;
        } finally {
            core.bus.flush();
        }
    }

    /**
     * Answers a request exactly as the HTTP server would, without a socket (an in-process transport: requests are
     * then handled in the order they are handed over, which real sockets do not guarantee for concurrent ones).
     */
    serveRequest(req: RawRequest): ApiResponse {
        return serveRequest(req, (target, input, caller) => this.call(target, input, caller), () => this.core.rng.ids.uuid());
    }

    /** Serves the API on 127.0.0.1; resolves the endpoint URL (port 0 picks a free port). */
    listen(port = 0): Promise<string> {
        if (this.server) return Promise.reject(new Error("EcsEmulator is already listening"));
        const server = createServer((req, res) => {
            void serveHttp(req, res, (target, input, caller) => this.call(target, input, caller), () => this.core.rng.ids.uuid());
        });
        server.keepAliveTimeout = 1000;
        this.server = server;
        return new Promise((resolve, reject) => {
            server.once("error", reject);
            server.listen(port, "127.0.0.1", () => {
                server.off("error", reject);
                resolve(this.endpoint!);
            });
        });
    }

    /** `http://127.0.0.1:<port>` while listening. */
    get endpoint(): string | undefined {
        const address = this.server?.address() as AddressInfo | null | undefined;
        return address ? `http://127.0.0.1:${address.port}` : undefined;
    }

    /** Stops the server (open connections included) and, when the emulator made its clock, its timers. */
    async close(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        if (this.ownsClock) this.clock.dispose();
        if (!server) return;
        await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
        });
    }
}
