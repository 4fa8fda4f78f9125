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
    res.writeHead(status, {
        "Content-Type": "application/x-amz-json-1.1",
        "Content-Length": Buffer.byteLength(payload),
        "x-amzn-RequestId": requestId,
    });
    res.end(payload);
}

/** Serves one HTTP request with `handle`. */
export async function serveHttp(req: IncomingMessage, res: ServerResponse, handle: ApiHandler, newRequestId: () => string): Promise<void> {
    if (req.method !== "POST") {
        send(res, 404, newRequestId(), errorBody("UnknownOperationException", "Only POST / is served."));
        return;
    }
    let input: Json;
    try {
        const text = await readBody(req);
        input = text.trim() === "" ? {} : (JSON.parse(text) as Json);
        if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("not an object");
    } catch {
        send(res, 400, newRequestId(), errorBody("SerializationException", "The request body is not a JSON object."));
        return;
    }
    const target = String(req.headers["x-amz-target"] ?? "");
    let response: ApiResponse;
    try {
        response = handle(target, input, { accessKeyId: accessKeyIdOf(req.headers.authorization), userAgent: req.headers["user-agent"] });
    } catch (e) {
        console.error("ecs emulator: internal error", e);
        send(res, 500, newRequestId(), errorBody("ServerException", "Internal emulator error."));
        return;
    }
    if (response.realDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, response.realDelayMs));
    send(res, response.status, response.requestId, response.body);
}
