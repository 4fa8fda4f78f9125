// What every operation shares: the call's context and cause, input checks that answer the way ECS does,
// name-or-ARN resolution, and nextToken pagination.

import { clusterName, clusterOfResourceArn, resourceId, serviceName } from "../arns";
import type { Cause } from "../causes";
import type { EmulatorCore } from "../core";
import { clusterNotFound, invalidParameter } from "../errors";
import type { ClusterState, InstanceState, ServiceState, Tags, TaskState } from "../model";
import type { Json } from "../serialize";

export interface CallContext {
    /** Operation name (API calls) or control action. */
    operation: string;
    /** The root of every task start/stop this call causes. */
    cause: Cause;
}

export type Operation = (core: EmulatorCore, input: Json, call: CallContext) => Json;

export function optionalString(input: Json, key: string): string | undefined {
    const v = input[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw invalidParameter(`${key} must be a string.`);
    return v;
}

export function requiredString(input: Json, key: string): string {
    const v = optionalString(input, key);
    if (v === undefined || v === "") throw invalidParameter(`${key} can not be blank.`);
    return v;
}

export function optionalInteger(input: Json, key: string): number | undefined {
    const v = input[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v)) throw invalidParameter(`${key} must be an integer.`);
    return v;
}

export function optionalBoolean(input: Json, key: string): boolean | undefined {
    const v = input[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") throw invalidParameter(`${key} must be a boolean.`);
    return v;
}

export function optionalList<T = unknown>(input: Json, key: string): T[] | undefined {
    const v = input[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw invalidParameter(`${key} must be a list.`);
    return v as T[];
}

/** A list of identifiers with ECS's batch limit: empty → "<Name> cannot be empty.", too long → "... at most N items." */
export function identifierList(input: Json, key: string, label: string, max: number): string[] {
    const list = optionalList<string>(input, key) ?? [];
    if (list.length === 0) throw invalidParameter(`${label[0]!.toUpperCase()}${label.slice(1)} cannot be empty.`);
    if (list.length > max) throw invalidParameter(`${label} can have at most ${max} items.`);
    for (const v of list) if (typeof v !== "string" || v === "") throw invalidParameter(`${label} must be non-empty strings.`);
    return list;
}

/**
 * A Describe* answer over identifiers: each found resource described, each missing one a MISSING failure named by
 * its ARN (the identifier itself when it is one, else the ARN its short id would have).
 */
export function describeEach<T>(ids: readonly string[], find: (id: string) => T | undefined, describe: (found: T) => Json, arnOf: (id: string) => string): { found: Json[]; failures: Json[] } {
    const found: Json[] = [];
    const failures: Json[] = [];
    for (const id of ids) {
        const resource = find(id);
        if (resource !== undefined) found.push(describe(resource));
        else failures.push({ arn: id.startsWith("arn:") ? id : arnOf(id), reason: "MISSING" });
    }
    return { found, failures };
}

/** The ACTIVE cluster named by a name or ARN (default "default"). */
export function resolveCluster(core: EmulatorCore, identifier: unknown): ClusterState {
    if (identifier !== undefined && identifier !== null && typeof identifier !== "string") throw invalidParameter("cluster must be a string.");
    const name = clusterName((identifier as string | undefined) || "default");
    const cluster = core.clustersByName.get(name);
    if (!cluster || cluster.status !== "ACTIVE") throw clusterNotFound();
    return cluster;
}

export function findService(cluster: ClusterState, identifier: string): ServiceState | undefined {
    return cluster.servicesByName.get(serviceName(identifier));
}

export function findTask(cluster: ClusterState, identifier: string): TaskState | undefined {
    const owner = clusterOfResourceArn(identifier);
    if (owner !== undefined && owner !== cluster.name) return undefined;
    return cluster.tasksById.get(resourceId(identifier));
}

export function findInstance(cluster: ClusterState, identifier: string): InstanceState | undefined {
    const owner = clusterOfResourceArn(identifier);
    if (owner !== undefined && owner !== cluster.name) return undefined;
    return cluster.instancesById.get(resourceId(identifier));
}

export interface Page {
    afterSeq: number;
    limit: number;
}

/** maxResults (1..max, default `defaultLimit`) and nextToken; tokens are opaque and tied to the operation. */
export function readPage(input: Json, operation: string, defaultLimit: number, max: number, field = "maxResults", tokenField = "nextToken"): Page {
    const limit = optionalInteger(input, field) ?? defaultLimit;
    if (limit < 1 || limit > max) throw invalidParameter(`${field} must be between 1 and ${max}.`);
    const token = optionalString(input, tokenField);
    if (token === undefined || token === "") return { afterSeq: 0, limit };
    try {
        const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { op?: string; after?: number };
        if (decoded.op === operation && typeof decoded.after === "number") return { afterSeq: decoded.after, limit };
    } catch {
        // fall through
    }
    throw invalidParameter(`The ${tokenField} is not valid.`);
}

export function nextToken(operation: string, afterSeq: number): string {
    return Buffer.from(JSON.stringify({ op: operation, after: afterSeq }), "utf8").toString("base64url");
}

/** `tags` as ECS takes them ([{key, value}]): at most 50, keys 1–128 characters, values up to 256, no `aws:` prefix. */
export function readTags(input: Json, key = "tags"): Tags {
    const list = optionalList<{ key?: unknown; value?: unknown }>(input, key) ?? [];
    if (list.length > 50) throw invalidParameter("Tags can have at most 50 items.");
    const tags: Tags = new Map();
    for (const t of list) {
        if (typeof t?.key !== "string" || t.key.length < 1 || t.key.length > 128) throw invalidParameter("Tag keys must be between 1 and 128 characters.");
        const value = t.value === undefined ? "" : t.value;
        if (typeof value !== "string" || value.length > 256) throw invalidParameter("Tag values must be at most 256 characters.");
        if (t.key.toLowerCase().startsWith("aws:")) throw invalidParameter("Tag keys with the prefix 'aws:' are reserved.");
        tags.set(t.key, value);
    }
    return tags;
}
