// The AWS JSON 1.1 protocol over HTTP: `POST /` with `X-Amz-Target: <Service>.<Operation>`, JSON in and out,
// errors as {"__type", "message"} with HTTP 400 (500 for ServerException) and an `x-amzn-RequestId` header.
// Requests are not authenticated; the SigV4 access key id is only read to tell callers apart.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Json } from "./serialize";

export interface ApiResponse {
    status: number;
    requestId: string;
    body: Json;
    /** Real milliseconds to wait before answering (latency fault for timeout tests). */
    realDelayMs: number;
}

export interface CallerIdentity {
    accessKeyId?: string;
    userAgent?: string;
}

export type ApiHandler = (target: string, input: Json, caller: CallerIdentity) => ApiResponse;

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function errorBody(type: string, message: string): Json {
    return { __type: type, message };
}

/** `Credential=AKID/20260101/us-east-1/ecs/aws4_request` → AKID. */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
    const m = authorization ? /Credential=([^/,\s]+)\//.exec(authorization) : null;
    return m?.[1];
}

async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) throw new Error("request body too large");
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, requestId: string, body: Json): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, responseHeaders(requestId, payload));
    res.end(payload);
}

/** A request as it arrived, whatever carried it: method, headers (lower-case names) and body text. */
export interface RawRequest {
    method: string | undefined;
    headers: Record<string, string | string[] | undefined>;
    body: string;
}

/** Answers one raw request with `handle`: the protocol's checks, parsing and caller identity, transport aside. */
export function serveRequest(req: RawRequest, handle: ApiHandler, newRequestId: () => string): ApiResponse {
    const answer = (status: number, body: Json): ApiResponse => ({ status, requestId: newRequestId(), body, realDelayMs: 0 });
    if (req.method !== "POST") return answer(404, errorBody("UnknownOperationException", "Only POST / is served."));
    let input: Json;
    try {
        input = req.body.trim() === "" ? {} : (JSON.parse(req.body) as Json);
        if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("not an object");
    } catch {
        return answer(400, errorBody("SerializationException", "The request body is not a JSON object."));
    }
    const header = (name: string): string | undefined => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
    };
    try {
        return handle(String(header("x-amz-target") ?? ""), input, { accessKeyId: accessKeyIdOf(header("authorization")), userAgent: header("user-agent") });
    } catch (e) {
        console.error("ecs emulator: internal error", e);
        return answer(500, errorBody("ServerException", "Internal emulator error."));
    }
}

/** The response headers the protocol sends with `payload`. */
export function responseHeaders(requestId: string, payload: string): Record<string, string> {
    return {
        "content-type": "application/x-amz-json-1.1",
        "content-length": String(Buffer.byteLength(payload)),
        "x-amzn-requestid": requestId,
    };
}

/** Serves one HTTP request with `handle`. */
export async function serveHttp(req: IncomingMessage, res: ServerResponse, handle: ApiHandler, newRequestId: () => string): Promise<void> {
    let body: string;
    try {
        body = await readBody(req);
    } catch {
        send(res, 400, newRequestId(), errorBody("SerializationException", "The request body is not a JSON object."));
        return;
    }
    const response = serveRequest({ method: req.method, headers: req.headers, body }, handle, newRequestId);
    if (response.realDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, response.realDelayMs));
    send(res, response.status, response.requestId, response.body);
}
