// The only place the rebalancer changes ECS. Act builds the exact requests; a writer either sends them (live)
// or records them (dry-run), so a dry run goes through the same code as a real one and writes nothing.
import type { AwsClients } from "./awsClients";
import type { ApiCalls } from "./apiCalls";
import { countCall } from "./apiCalls";

/** Every write the rebalancer can make. UpdateService carries desiredCount or forceNewDeployment, nothing else. */
export type EcsWrite =
    | { operation: "StopTask"; input: { cluster: string; task: string; reason: string } }
    | { operation: "UpdateService"; input: { cluster: string; service: string; desiredCount: number } }
    | { operation: "UpdateService"; input: { cluster: string; service: string; forceNewDeployment: true } }
    | { operation: "TagResource"; input: { resourceArn: string; tags: Array<{ key: string; value: string }> } }
    | { operation: "UntagResource"; input: { resourceArn: string; tagKeys: string[] } }
    | { operation: "UpdateTaskProtection"; input: { cluster: string; tasks: string[]; protectionEnabled: boolean; expiresInMinutes?: number } };

/**
 * A write ECS answered but did not carry out for some of its tasks (UpdateTaskProtection's failures): ECS's own
 * answer, so it carries the response's metadata (status, request id) like an SDK error. A plain Error with a name,
 * not a subclass: the closure Pulumi serializes does not keep a subclass's link to Error.
 */
export function partialWriteError(operation: string, failures: Array<{ arn?: string; reason?: string }>, metadata: unknown): Error {
    const detail = failures.map((f) => `${(f.arn ?? "?").split("/").pop()} ${f.reason ?? ""}`.trim()).join(", ");
    const err = new Error(`${operation} failed for ${failures.length} task(s): ${detail}`);
    err.name = "PartialWriteError";
    return Object.assign(err, { $metadata: metadata });
}

export interface EcsWriter {
    readonly dryRun: boolean;
    write(write: EcsWrite): Promise<void>;
}

/** Sends each write to ECS. The input object is passed as built, so nothing can be added on the way. */
export function liveWriter(clients: AwsClients, calls: ApiCalls): EcsWriter {
    const sdk = require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs");
    return {
        dryRun: false,
        async write(w) {
            countCall(calls, w.operation);
            switch (w.operation) {
                case "StopTask":
                    await clients.ecs.send(new sdk.StopTaskCommand({ ...w.input }));
                    return;
                case "UpdateService":
                    await clients.ecs.send(new sdk.UpdateServiceCommand({ ...w.input }));
                    return;
                case "TagResource":
                    await clients.ecs.send(new sdk.TagResourceCommand({ resourceArn: w.input.resourceArn, tags: w.input.tags.map((t) => ({ ...t })) }));
                    return;
                case "UntagResource":
                    await clients.ecs.send(new sdk.UntagResourceCommand({ resourceArn: w.input.resourceArn, tagKeys: [...w.input.tagKeys] }));
                    return;
                case "UpdateTaskProtection": {
                    // A task it could not update (gone, or no longer running) means the service changed: the
                    // sequence stops here, before desiredCount goes back, and the next pass plans again.
                    const out = await clients.ecs.send(new sdk.UpdateTaskProtectionCommand({ ...w.input, tasks: [...w.input.tasks] }));
                    if (out.failures && out.failures.length > 0) throw partialWriteError(w.operation, out.failures, out.$metadata);
                    return;
                }
            }
        },
    };
}

/** Records each write instead of sending it. */
export function dryRunWriter(): EcsWriter & { readonly recorded: EcsWrite[] } {
    const recorded: EcsWrite[] = [];
    return {
        dryRun: true,
        recorded,
        async write(w) {
            recorded.push(w);
        },
    };
}
