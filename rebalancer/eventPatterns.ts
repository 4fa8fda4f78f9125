// The EventBridge patterns that wake the rebalancer. Plain data: the infra deploys exactly these,
// and the local event bus matches emulated events against exactly these.

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
