// How errors appear in logs and summaries: the name, the message and the request id, never a stack, a client
// configuration or a request (which could carry credentials).

export function errorText(err: unknown): string {
    if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 500);
    return String(err).slice(0, 500);
}

export interface ErrorSummary {
    name: string;
    message: string;
    httpStatusCode?: number;
    requestId?: string;
}

export function summarizeError(err: unknown): ErrorSummary {
    if (!(err instanceof Error)) return { name: "Error", message: String(err).slice(0, 500) };
    const meta = (err as { $metadata?: { httpStatusCode?: unknown; requestId?: unknown } }).$metadata;
    return {
        name: err.name,
        message: err.message.slice(0, 500),
        ...(typeof meta?.httpStatusCode === "number" ? { httpStatusCode: meta.httpStatusCode } : {}),
        ...(typeof meta?.requestId === "string" ? { requestId: meta.requestId } : {}),
    };
}
