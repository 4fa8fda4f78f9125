// AWS API calls of one pass: counted by operation (for the pass log, the ApiCalls metric and the tests) and
// batched to the per-call limits. Counts requests that returned (one per page, batch or write); SDK retries of the
// same request are not counted.

export type ApiCalls = Record<string, number>;

export function countCall(calls: ApiCalls, operation: string): void {
    calls[operation] = (calls[operation] ?? 0) + 1;
}

export function totalCalls(calls: ApiCalls): number {
    return Object.values(calls).reduce((a, b) => a + b, 0);
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}
