// The function's requests to the emulator without a socket. Over loopback HTTP the emulator received the
// observe's concurrent reads (instances and tasks, services, scalable targets run side by side) in whatever order
// the sockets delivered them, which depends on real time: the calls' numbers, the emulated time each took and so
// what a mid-pass disruption hit differed from one play to the next, and a failing seed did not replay.
//
// Installed around one invocation (with the SDK clock), this hands each request the SDK's HTTP handler would send
// to the emulator's endpoint straight to the emulator, as it was built (serialized, signed, with its user agent),
// and gives the SDK an HTTP response the same way the socket would have: everything above the transport (the
// middleware stack, retries, parsing) is the deployed function's own. Requests are handled in the order they are
// handed over, which for the same seed is always the same. Requests to any other endpoint use the real handler.

import { Readable } from "node:stream";
import type { RawRequest } from "../emulator";
import type { ApiResponse } from "../emulator";
import { responseHeaders } from "../emulator/protocol";

interface SdkHttpRequest {
    method?: string;
    protocol?: string;
    hostname?: string;
    port?: number;
    path?: string;
    headers?: Record<string, string>;
    body?: unknown;
}

interface HandlerClass {
    prototype: { handle(request: SdkHttpRequest, options?: unknown): Promise<{ response: unknown }> };
}

/** The SDK's HTTP handler module (the same instance the loaded function requires). */
const HANDLER_MODULE = "@smithy/node-http-handler";
const PROTOCOLS_MODULE = "@smithy/core/protocols";

export interface InProcessServer {
    /** `http://127.0.0.1:<port>`: requests to it are served in-process. */
    endpoint: string;
    serve(request: RawRequest): ApiResponse;
    /**
     * Resolves when the request reaches the server (its network latency on an emulated clock, where several
     * invocations run at once); a promise that never settles drops it (a dead container's call). Absent: at once.
     */
    arrive?(): Promise<void>;
}

function bodyText(body: unknown): string {
    if (body === undefined || body === null) return "";
    if (typeof body === "string") return body;
    // Through its bytes: the SDK's JSON body is a Uint8Array whose valueOf (which Buffer.from(object) calls) warns.
    if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
    throw new Error(`in-process transport: unsupported request body (${typeof body})`);
}

/** Whether the request goes to `endpoint` (scheme, host and port). */
export function targets(request: SdkHttpRequest, endpoint: URL): boolean {
    const port = request.port ?? (request.protocol === "https:" ? 443 : 80);
    return request.protocol === endpoint.protocol && request.hostname === endpoint.hostname && String(port) === endpoint.port;
}

/** Installs the transport; returns the function that puts the real handler back. Not reentrant. */
export function installInProcessTransport(server: InProcessServer): () => void {
    const handlerClass = (require(HANDLER_MODULE) as { NodeHttpHandler: HandlerClass }).NodeHttpHandler;
    const { HttpResponse } = require(PROTOCOLS_MODULE) as { HttpResponse: new (init: { statusCode: number; reason?: string; headers: Record<string, string>; body: unknown }) => unknown };
    const endpoint = new URL(server.endpoint);
    const realHandle = handlerClass.prototype.handle;
    handlerClass.prototype.handle = async function (this: unknown, request: SdkHttpRequest, options?: unknown) {
        if (!targets(request, endpoint)) return realHandle.call(this, request, options);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
        if (server.arrive) await server.arrive();
        const answer = server.serve({ method: request.method, headers, body: bodyText(request.body) });
        if (answer.realDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, answer.realDelayMs));
        const payload = JSON.stringify(answer.body);
        return { response: new HttpResponse({ statusCode: answer.status, headers: responseHeaders(answer.requestId, payload), body: Readable.from([Buffer.from(payload)]) }) };
    };
    return () => {
        handlerClass.prototype.handle = realHandle;
    };
}
