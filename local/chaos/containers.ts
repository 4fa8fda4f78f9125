// The function's Lambda containers under chaos: each one loads the deployed closure afresh and signs its calls
// with its own user-agent app id. A container dies when its invocation runs past the Lambda timeout, or where the
// chaos plan kills it:
//   - "crash" at call k: the process dies before the call is sent, so calls 1…k-1 reached ECS and none after;
//   - "timeout" at call k: the call reaches ECS but hangs until the Lambda timeout, and its answer is lost.
// A dead container is abandoned: its in-flight and later calls never reach ECS, it prints nothing more, the
// invocation fails (the Lambda service retries the event; with delivery queue the batch returns to the queue), and the next invocation runs in a fresh container.

import type { ApiResponse } from "../emulator";
import { EcsEmulator, type VirtualClock } from "../emulator";
import type { LambdaContext, LambdaHandlerFn } from "../lambdaHost";
import type { SerialLambda } from "../lambdaRuntime";
import type { RebalancerUnderTest } from "../scenario/rebalancers";
import type { RebalancerCalls } from "./rebalancerCalls";
import { installSdkClock } from "./sdkClock";
import { installInProcessTransport, type InProcessServer } from "./sdkTransport";

export interface KillPlan {
    /** The rebalancer's call (numbered over the run, 1-based) at which its container dies. */
    atCall: number;
    kind: "crash" | "timeout";
}

export const CONTAINER_PREFIX = "chaos-container-";
/** The name of a harness-made invocation failure, so it is never mistaken for the function's own error. */
export const HARNESS_ERROR_NAME = "ChaosContainerKilled";
/** How the Lambda runtime shows such a failure: `<name>: <message>`. */
export const HARNESS_ERROR_PREFIX = `${HARNESS_ERROR_NAME}: `;

interface Container {
    id: string;
    dead?: "crash" | "timeout";
    /** Emulated time the running invocation must end by. */
    deadline: number;
}

export interface ContainerStats {
    containers: number;
    crashes: number;
    timeouts: number;
}

/** The answer an abandoned container's call gets; it never reaches ECS, and nobody reads it. */
function abandoned(container: string | undefined): ApiResponse {
    return EcsEmulator.errorResponse("AccessDeniedException", `call from abandoned Lambda container ${container ?? "(none)"} never reached ECS`);
}

export class LambdaContainers {
    readonly stats: ContainerStats = { containers: 0, crashes: 0, timeouts: 0 };
    private readonly byId = new Map<string, Container>();
    private readonly kills = new Map<number, KillPlan["kind"]>();
    private running?: Container;
    private invocations = 0;

    constructor(
        private readonly rebalancer: RebalancerUnderTest,
        private readonly lambda: SerialLambda,
        private readonly clock: VirtualClock,
        calls: RebalancerCalls,
        private readonly options: { kills: KillPlan[]; env: Record<string, string>; seed: number; server?: InProcessServer },
    ) {
        if (!rebalancer.newContainer) throw new Error(`the ${rebalancer.strategy} rebalancer has no Lambda containers to manage`);
        for (const k of options.kills) this.kills.set(k.atCall, k.kind);
        calls.gate((_call, id) => this.refuse(id, calls.reached.length + 1));
        calls.onAnswer((call, response) => (this.kills.get(call.index) === "timeout" && this.running ? this.hang(response) : response));
    }

    /** Replaces the container the rebalancer started with by the first chaos container. */
    async start(): Promise<void> {
        this.lambda.replaceHandler(await this.fresh());
    }

    /** No more planned kills (the timeout still applies: it is the function's, not a fault). */
    disarm(): void {
        this.kills.clear();
    }

    private refuse(id: string | undefined, nextIndex: number): ApiResponse | undefined {
        const container = id === undefined ? undefined : this.byId.get(id);
        if (!container || container.dead) return abandoned(id);
        if (this.clock.now() > container.deadline) {
            container.dead = "timeout";
            return abandoned(id);
        }
        if (this.kills.get(nextIndex) === "crash") {
            // Once: the call never happened, so the next container's first call gets the same number.
            this.kills.delete(nextIndex);
            container.dead = "crash";
            return abandoned(id);
        }
        return undefined;
    }

    /** The call was handled, but its answer never comes back before the Lambda timeout. */
    private hang(_response: ApiResponse): ApiResponse {
        const container = this.running!;
        this.clock.advance(Math.max(0, container.deadline - this.clock.now()) + 1);
        container.dead = "timeout";
        return abandoned(container.id);
    }

    private async fresh(): Promise<LambdaHandlerFn> {
        const container: Container = { id: `${CONTAINER_PREFIX}${++this.stats.containers}`, deadline: Number.POSITIVE_INFINITY };
        this.byId.set(container.id, container);
        const inner = await this.rebalancer.newContainer!({ env: { ...this.options.env, AWS_SDK_UA_APP_ID: container.id }, muted: () => container.dead !== undefined });
        return async (event: unknown, context: LambdaContext) => {
            container.deadline = this.clock.now() + context.getRemainingTimeInMillis();
            this.running = container;
            const restoreClock = installSdkClock({ now: () => this.clock.now(), advance: (ms) => this.clock.advance(ms) }, this.options.seed + ++this.invocations);
            const restoreTransport = this.options.server ? installInProcessTransport(this.options.server) : () => undefined;
            let result: unknown;
            try {
                result = await inner(event, context);
            } finally {
                restoreTransport();
                restoreClock();
                this.running = undefined;
            }
            if (!container.dead && this.clock.now() > container.deadline) container.dead = "timeout";
            if (!container.dead) return result;
            if (container.dead === "crash") this.stats.crashes++;
            else this.stats.timeouts++;
            this.lambda.replaceHandler(await this.fresh());
            const seconds = (this.lambda.options.timeoutMs / 1000).toFixed(2);
            const error = new Error(container.dead === "timeout" ? `Task timed out after ${seconds} seconds` : "Runtime exited with error: signal: killed");
            error.name = HARNESS_ERROR_NAME;
            throw error;
        };
    }
}
