// EventBridge event-pattern matching, for the features the deployed patterns use: exact matching of strings,
// numbers, booleans and null against a list of allowed values, nested objects, and arrays in the event (an
// array matches when any of its elements does). Other pattern operators ({prefix}, {numeric}, …) are refused
// loudly rather than silently mis-matched.

import type { EventPattern } from "../rebalancer/eventPatterns";

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function matchesValues(allowed: unknown[], actual: unknown): boolean {
    for (const a of allowed) {
        if (isPlainObject(a)) throw new Error(`event pattern operator ${JSON.stringify(a)} is not supported by the local bus`);
    }
    const candidates = Array.isArray(actual) ? actual : [actual];
    return candidates.some((c) => (typeof c !== "object" || c === null) && allowed.some((a) => a === c));
}

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
    if (!isPlainObject(event)) return false;
    for (const [key, rule] of Object.entries(pattern)) {
        const actual = event[key];
        if (Array.isArray(rule)) {
            if (actual === undefined || !matchesValues(rule, actual)) return false;
        } else if (isPlainObject(rule)) {
            if (!isPlainObject(actual) || !matchesPattern(rule, actual)) return false;
        } else {
            throw new Error(`event pattern field ${key} must be a list of values or an object, got ${JSON.stringify(rule)}`);
        }
    }
    return true;
}
