// Which services the rebalancer may touch at all (the "evictor" of the design): every refusal carries a reason.
// Instance-level questions (eligible instances, constraints it cannot evaluate) are answered in bins.ts.

import type { Service } from "../model";
import type { SkipReason } from "./types";

export interface Skip {
    reason: SkipReason;
    detail: string;
}

/** The first placement strategy decides whether spreading is the service's goal at all. */
export function firstStrategyRefusal(service: Service): Skip | undefined {
    const first = service.placementStrategy[0];
    if (first && first.type !== "spread") {
        return {
            reason: "binpack-or-random",
            detail: `first placement strategy is ${first.type}${first.field ? `(${first.field})` : ""}: ECS would put a moved task back where it was, or anywhere`,
        };
    }
    return undefined;
}

/** True while ECS is still changing the service: moves would race its deployment or scaling. */
export function midDeployment(service: Service): string | undefined {
    if (service.deployments.length > 1) return `${service.deployments.length} deployments in progress`;
    const primary = service.deployments[0];
    if (primary?.rolloutState && primary.rolloutState !== "COMPLETED") return `rollout ${primary.rolloutState}`;
    if (service.runningCount !== service.desiredCount) return `running ${service.runningCount} of desired ${service.desiredCount}`;
    if (service.pendingCount > 0) return `${service.pendingCount} tasks pending`;
    return undefined;
}

export function serviceRefusal(service: Service, skipTag: string): Skip | undefined {
    if (service.schedulingStrategy === "DAEMON") return { reason: "daemon", detail: "DAEMON services run one task per instance: nothing to spread" };
    if (service.status !== "ACTIVE") return { reason: "not-active", detail: `service status is ${service.status}` };
    if (service.launchType && service.launchType !== "EC2") {
        return { reason: "not-ec2", detail: `launch type ${service.launchType}: ECS decides placement, not container instances` };
    }
    if (service.deploymentController !== "ECS") {
        return { reason: "controller-not-ecs", detail: `deployment controller ${service.deploymentController} owns this service's tasks` };
    }
    if ((service.tags[skipTag] ?? "").toLowerCase() === "true") return { reason: "opted-out", detail: `tagged ${skipTag}=true` };
    if (service.desiredCount === 0) return { reason: "desired-zero", detail: "desiredCount is 0" };
    const strategy = firstStrategyRefusal(service);
    if (strategy) return strategy;
    const busy = midDeployment(service);
    if (busy) return { reason: "mid-deployment", detail: busy };
    return undefined;
}
