// The deployed function's Lambda containers in the fleet simulation: each loads the closure Pulumi serialized
// (its own SDK clients, caches and event memory), runs one invocation at a time, and is reused while warm. Lambda
// reuses an idle container when one exists (which one is not documented; the most recently used here) and starts a
// new one otherwise. An invocation that runs past the function's timeout is killed with its container (Lambda
// "Task timed out"): its calls and waits stop where they were, and the next invocation gets a fresh container.

import type { LambdaContext, LambdaHandlerFn } from "../lambdaHost";
import { loadLambda } from "../lambdaHost";
import type { ConcurrentInvocations, Container } from "./concurrentInvocations";

export interface FleetInvocation {
    container: string;
    startedAt: number;
    endedAt: number;
    result?: unknown;
    error?: string;
}

export const TIMED_OUT = "Task timed out";

interface LoadedContainer extends Container {
    handler: LambdaHandlerFn;
    busy: boolean;
    lastUsedAt: number;
}

export class FleetContainers {
    readonly invocations: FleetInvocation[] = [];
    private readonly idle: LoadedContainer[] = [];
    private created = 0;
    private requests = 0;

    constructor(
        private readonly engine: ConcurrentInvocations,
        private readonly indexJs: string,
        private readonly functionName: string,
        private readonly timeoutMs: number,
    ) {}

    get containersStarted(): number {
        return this.created;
    }

    /** One invocation, as the Lambda service runs it: on a warm idle container when there is one. */
    async invoke(event: unknown): Promise<unknown> {
        const release = this.engine.hold();
        let container: LoadedContainer;
        try {
            container = this.idle.pop() ?? (await this.load());
        } catch (err) {
            release();
            throw err;
        }
        container.busy = true;
        const clock = this.engine.clock;
        const startedAt = clock.now();
        const deadline = startedAt + this.timeoutMs;
        const context: LambdaContext = {
            functionName: this.functionName,
            awsRequestId: `fleet-${++this.requests}`,
            getRemainingTimeInMillis: () => Math.max(0, deadline - clock.now()),
        };
        const record: FleetInvocation = { container: container.id, startedAt, endedAt: startedAt };
        try {
            record.result = await new Promise<unknown>((resolve, reject) => {
                const timer = clock.schedule(deadline, () => {
                    container.dead = true;
                    reject(new Error(`${TIMED_OUT} after ${(this.timeoutMs / 1000).toFixed(2)} seconds`));
                });
                const running = this.engine.run(container, () => container.handler(event, context));
                release();
                running.then(
                    (value) => (timer.cancel(), resolve(value)),
                    (err: unknown) => (timer.cancel(), reject(err)),
                );
            });
            return record.result;
        } catch (err) {
            record.error = err instanceof Error ? err.message : String(err);
            throw err;
        } finally {
            record.endedAt = clock.now();
            this.invocations.push(record);
            container.busy = false;
            container.lastUsedAt = record.endedAt;
            if (!container.dead) this.idle.push(container);
        }
    }

    private async load(): Promise<LoadedContainer> {
        const id = `fleet-container-${++this.created}`;
        const handler = await loadLambda(this.indexJs, {
            // The function's environment is the simulation's process environment (fleetSimulation sets it once:
            // invocations overlap, and loadLambda's per-call environment would be restored under another's feet).
            env: {},
            now: () => this.engine.clock.now(),
            setTimeout: this.engine.setTimeout,
            functionName: this.functionName,
        });
        return { id, dead: false, handler, busy: false, lastUsedAt: this.engine.clock.now() };
    }
}
