// Every API request the emulator received, as it received it (operation, input, the caller's access key id):
// assertions about what the rebalancer wrote read this, not the rebalancer's own account of it.

import type { EcsEmulator } from "../../../local/emulator";

export interface ReceivedRequest {
    operation: string;
    input: Record<string, unknown>;
    accessKeyId?: string;
    /** HTTP status the emulator answered. */
    status: number;
    /** Emulated time of the call. */
    time: number;
}

/** ECS and Application Auto Scaling operations that change something. */
export const WRITE_OPERATION = /^(Create|Delete|Update|Register|Deregister|Put|Stop|Start|Run|Tag|Untag|Submit|Execute)/;

export function isWrite(r: ReceivedRequest): boolean {
    return WRITE_OPERATION.test(r.operation);
}

export class RequestLog {
    readonly requests: ReceivedRequest[] = [];
    private readonly restore: () => void;

    constructor(emulator: EcsEmulator) {
        // The HTTP server calls `this.call(...)` per request, so wrapping the instance's method sees every request.
        const original = emulator.call.bind(emulator);
        emulator.call = (target, input, caller = {}) => {
            const response = original(target, input, caller);
            this.requests.push({
                operation: target.split(".")[1] ?? target,
                input: JSON.parse(JSON.stringify(input)) as Record<string, unknown>,
                accessKeyId: caller.accessKeyId,
                status: response.status,
                time: emulator.clock.now(),
            });
            return response;
        };
        this.restore = () => {
            emulator.call = original;
        };
    }

    /** Requests made with this access key id, from `from` on (an index into `requests`). */
    by(accessKeyId: string, from = 0): ReceivedRequest[] {
        return this.requests.slice(from).filter((r) => r.accessKeyId === accessKeyId);
    }

    get length(): number {
        return this.requests.length;
    }

    dispose(): void {
        this.restore();
    }
}
