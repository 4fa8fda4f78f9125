// `delivery: direct` in the fleet simulation: EventBridge invokes the function asynchronously, reserved
// concurrency 1 runs one invocation at a time, and events wait in Lambda's async queue meanwhile (retried once,
// dropped after the maximum event age: the deployed settings). The async-invocation contract is
// local/lambdaRuntime.ts's; here its invocations run in the fleet's containers, side by side with the world.

import type { BusTarget } from "../eventBus";
import { LocalAsyncLambda } from "../lambdaRuntime";
import type { FleetContainers } from "./fleetContainers";
import type { DeployedRebalancer } from "../deployedRebalancer";
import type { VirtualClock } from "../emulator";

export class DirectDelivery implements BusTarget {
    readonly lambda: LocalAsyncLambda;

    constructor(containers: FleetContainers, private readonly clock: VirtualClock, deployed: DeployedRebalancer) {
        this.lambda = new LocalAsyncLambda((event) => containers.invoke(event), clock, {
            timeoutMs: deployed.timeoutSeconds * 1000,
            maximumRetryAttempts: deployed.maximumRetryAttempts,
            maximumEventAgeMs: deployed.maximumEventAgeSeconds * 1000,
            functionName: deployed.functionName,
        });
    }

    enqueue(event: unknown): void {
        this.lambda.enqueue(event);
        this.pump();
    }

    /** Starts the next due invocation when none runs; a retry due later gets a timer that calls back here. */
    pump(): void {
        if (this.lambda.busy) return;
        const due = this.lambda.nextDueAt();
        if (due === undefined) return;
        if (due > this.clock.now()) {
            this.clock.schedule(due, () => this.pump());
            return;
        }
        void this.lambda.runNext().then(() => this.pump());
    }

    /** Events Lambda dropped (maximum event age) or sent to the dead-letter queue after their retries. */
    get lost(): number {
        return this.lambda.deadLetters.length;
    }

    get backlog(): number {
        return this.lambda.queued;
    }
}
