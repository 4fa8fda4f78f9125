// The rebalancer's API calls as ECS receives them, told apart from everyone else's by the function's access key,
// and the Lambda container that made each one by the app id in its user agent (AWS_SDK_UA_APP_ID, which the SDK
// appends as `app/<id>`). Gates run first and may refuse a call so it never reaches ECS (a dead container's);
// the calls that pass are numbered, shown to listeners (mid-pass disruptions), handled, and recorded.

import { EcsEmulator, type ApiCallInfo, type ApiResponse } from "../emulator";
import type { Json } from "../emulator/serialize";

export interface RebalancerCall {
    /** 1, 2, … over the run: the calls that reached ECS. */
    index: number;
    operation: string;
    input: Json;
    /** The `app/<id>` of the caller's user agent (undefined when absent). */
    container?: string;
    /** Emulated time the call arrived. */
    time: number;
    status?: number;
    errorType?: string;
    /** ECS's request id (the root of every task change the call causes). */
    requestId?: string;
}

/** Refuses a call (returns the answer it gets instead) or lets it through (undefined). */
export type CallGate = (call: ApiCallInfo, container: string | undefined) => ApiResponse | undefined;
/** Sees a numbered call before ECS handles it; may change the world (a mid-pass disruption). */
export type CallListener = (call: RebalancerCall) => void;
/** Sees a call after ECS handled it; may replace the answer (a container that dies waiting for it). */
export type CallAfterListener = (call: RebalancerCall, response: ApiResponse) => ApiResponse;

const APP_ID = /(?:^|\s)app\/([A-Za-z0-9._-]+)/;

export function containerOf(userAgent: string | undefined): string | undefined {
    return userAgent ? APP_ID.exec(userAgent)?.[1] : undefined;
}

export function errorTypeOf(response: ApiResponse): string | undefined {
    const body = response.body as { __type?: unknown } | undefined;
    return response.status >= 400 && typeof body?.__type === "string" ? body.__type : undefined;
}

export class RebalancerCalls {
    /** Every call that reached ECS, in order. */
    readonly reached: RebalancerCall[] = [];
    /** Calls refused by a gate (never reached ECS). */
    blocked = 0;
    private readonly gates: CallGate[] = [];
    private readonly before: CallListener[] = [];
    private readonly after: CallAfterListener[] = [];
    private readonly remove: () => void;

    constructor(
        private readonly emulator: EcsEmulator,
        readonly accessKeyId: string,
    ) {
        this.remove = emulator.useApiMiddleware((call, next) => (call.caller.accessKeyId === accessKeyId ? this.handle(call, next) : next()));
    }

    gate(gate: CallGate): void {
        this.gates.push(gate);
    }

    onCall(listener: CallListener): void {
        this.before.push(listener);
    }

    onAnswer(listener: CallAfterListener): void {
        this.after.push(listener);
    }

    close(): void {
        this.remove();
    }

    private handle(call: ApiCallInfo, next: () => ApiResponse): ApiResponse {
        const container = containerOf(call.caller.userAgent);
        for (const gate of this.gates) {
            const refused = gate(call, container);
            if (refused) {
                this.blocked++;
                return refused;
            }
        }
        const record: RebalancerCall = { index: this.reached.length + 1, operation: call.operation, input: call.input, container, time: this.emulator.clock.now() };
        this.reached.push(record);
        for (const listener of this.before) listener(record);
        let response = next();
        record.status = response.status;
        record.requestId = response.requestId;
        record.errorType = errorTypeOf(response);
        for (const listener of this.after) response = listener(record, response);
        return response;
    }
}
