// The container instances' user data: join the cluster with a few agent settings. Pure, so it is tested alone
// (launch templates take it base64-encoded, unlike aws.ec2.Instance).
import { isClusterName } from "../../rebalancer/settings";

export interface EcsUserDataArgs {
    clusterName: string;
    /** How long the agent waits after SIGTERM before SIGKILL when it stops a task (moves included). */
    containerStopTimeoutSeconds?: number;
}

/** ECS agent settings written to /etc/ecs/ecs.config, in order. */
export function ecsAgentConfig(args: EcsUserDataArgs): [string, string][] {
    // The name is interpolated into a shell script: accept only what ECS accepts for cluster names.
    if (!isClusterName(args.clusterName)) throw new Error(`invalid ECS cluster name for user data: ${JSON.stringify(args.clusterName)}`);
    const stopTimeout = args.containerStopTimeoutSeconds ?? 30;
    if (!Number.isInteger(stopTimeout) || stopTimeout < 1 || stopTimeout > 3600) throw new Error(`invalid container stop timeout: ${stopTimeout}`);
    return [
        ["ECS_CLUSTER", args.clusterName],
        // Tasks can read their own metadata file (placement, ports) without IMDS.
        ["ECS_ENABLE_CONTAINER_METADATA", "true"],
        ["ECS_CONTAINER_STOP_TIMEOUT", `${stopTimeout}s`],
    ];
}

/** The user data script, as text. */
export function buildEcsUserData(args: EcsUserDataArgs): string {
    const lines = ecsAgentConfig(args).map(([k, v]) => `${k}=${v}`);
    return ["#!/bin/bash", "set -euo pipefail", "cat >> /etc/ecs/ecs.config <<'ECS_CONFIG'", ...lines, "ECS_CONFIG", ""].join("\n");
}

/** The user data as a launch template wants it. */
export function encodeUserData(script: string): string {
    return Buffer.from(script, "utf8").toString("base64");
}
