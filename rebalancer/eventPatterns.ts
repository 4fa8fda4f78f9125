// The EventBridge patterns that wake the rebalancer, and the per-cluster sweep message of delivery `queue`. Plain
// data: the infra deploys exactly these, and the local event bus matches emulated events against exactly these.

export const CONTAINER_INSTANCE_STATE_CHANGE = "ECS Container Instance State Change";
export const SERVICE_ACTION = "ECS Service Action";
export const SCHEDULED_EVENT = "Scheduled Event";
export const SERVICE_STEADY_STATE = "SERVICE_STEADY_STATE";

export type EventPattern = Record<string, unknown>;

/**
 * An instance of a target cluster changed while it can take tasks (registration, agent reconnect, task starts and
 * stops). Draining and disconnected instances are left out: they are never a reason to look.
 */
export function containerInstancePattern(clusterArns: string[]): EventPattern {
    return {
        source: ["aws.ecs"],
        "detail-type": [CONTAINER_INSTANCE_STATE_CHANGE],
        detail: { clusterArn: [...clusterArns], status: ["ACTIVE"], agentConnected: [true] },
    };
}

/** A service of a target cluster reached steady state: the moment to continue a multi-step move. */
export function serviceSteadyStatePattern(clusterArns: string[]): EventPattern {
    return {
        source: ["aws.ecs"],
        "detail-type": [SERVICE_ACTION],
        detail: { clusterArn: [...clusterArns], eventName: [SERVICE_STEADY_STATE] },
    };
}

export const DEFAULT_SCHEDULE = "rate(15 minutes)";

/**
 * Delivery `queue`: each cluster's sweep is its own queued message, written by that cluster's schedule rule with an
 * input transformer (a rule's SQS target has one fixed message group, so the rules are per cluster). The message is
 * an event envelope the handler classifies like any other: this source and detail-type, and the cluster in
 * `detail.clusterArn`. The schedule event's id and time are copied in, so every sweep's body differs and the FIFO
 * queue's content-based deduplication drops only a redelivery of the same schedule event.
 */
export const CLUSTER_SWEEP_SOURCE = "ecs-rebalancer";
export const CLUSTER_SWEEP = "Cluster Sweep";

export interface InputTransformer {
    inputPaths: Record<string, string>;
    inputTemplate: string;
}

/**
 * The sweep rule's input transformer for one cluster. Placeholders outside quotes take the JSON value (a quoted
 * string); see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html.
 */
export function clusterSweepTransformer(clusterArn: string): InputTransformer {
    return {
        inputPaths: { id: "$.id", time: "$.time" },
        inputTemplate:
            `{"version":"0","id":<id>,"source":${JSON.stringify(CLUSTER_SWEEP_SOURCE)},"detail-type":${JSON.stringify(CLUSTER_SWEEP)},` +
            `"time":<time>,"detail":{"clusterArn":${JSON.stringify(clusterArn)}}}`,
    };
}
