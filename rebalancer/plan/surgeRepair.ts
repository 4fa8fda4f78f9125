// Finishing or undoing a surge: a service carrying the surge marker is handled before anything else, whatever
// its other state, so that no pass ever leaves a surged desiredCount behind.

import type { Service } from "../model";
import { decodeSurgeMarker, LAST_MOVE_TAG, SURGE_TAG } from "./markers";
import type { Action, Outcome } from "./types";

export interface SurgeRepair {
    outcome: Outcome;
    detail: string;
    actions: Action[];
    /** How long the surge has been open (seconds since its marker was written), when the marker is readable. */
    ageSeconds?: number;
}

function steady(service: Service): boolean {
    const primary = service.deployments[0];
    return service.deployments.length <= 1 && (!primary?.rolloutState || primary.rolloutState === "COMPLETED") &&
        service.runningCount === service.desiredCount && service.pendingCount === 0;
}

export function repairSurge(service: Service, nowMs: number, surgeTimeoutSeconds: number): SurgeRepair | undefined {
    const repair = repairOf(service, nowMs, surgeTimeoutSeconds);
    const marker = decodeSurgeMarker(service.tags[SURGE_TAG]);
    if (!repair || marker === undefined || marker === "malformed") return repair;
    return { ...repair, ageSeconds: Math.max(0, Math.floor(nowMs / 1000) - marker.at) };
}

function repairOf(service: Service, nowMs: number, surgeTimeoutSeconds: number): SurgeRepair | undefined {
    const marker = decodeSurgeMarker(service.tags[SURGE_TAG]);
    if (marker === undefined) return undefined;
    const clear = (tagKeys: string[]): Action => ({ kind: "clear-marker", service: service.name, serviceArn: service.arn, tagKeys });
    if (marker === "malformed") {
        return { outcome: "restore", detail: `unreadable ${SURGE_TAG} tag removed; desiredCount left as it is`, actions: [clear([SURGE_TAG])] };
    }
    if (service.desiredCount !== marker.desired) {
        // Its owner changed desiredCount since (or the surge never applied): the owner's value stands.
        return {
            outcome: "restore",
            detail: `desiredCount is ${service.desiredCount}, not the surged ${marker.desired}: left to its owner, marker removed`,
            actions: [clear([SURGE_TAG, LAST_MOVE_TAG])],
        };
    }
    const restore: Action = { kind: "restore-desired", service: service.name, serviceArn: service.arn, desiredCount: marker.owner, why: "" };
    if (steady(service)) {
        return {
            outcome: "restore",
            detail: `surge tasks running: desiredCount ${marker.desired} → ${marker.owner}; ECS scales in where the surplus is`,
            actions: [{ ...restore, why: "surge complete" }, clear([SURGE_TAG])],
        };
    }
    const ageSeconds = Math.floor(nowMs / 1000) - marker.at;
    /**
     * Back to the owner's value before the surge completes. ECS's scale-in stops (running + pending − owner) tasks
     * and chooses them by placement strategy, not by state: at worst every one is a running task, leaving
     * owner − pending running. A task still starting becomes RUNNING or STOPPED within minutes; until then,
     * restoring could cross the floor.
     */
    const restoreEarly = (why: string, reason: string): SurgeRepair => {
        const floor = Math.ceil((marker.owner * service.minimumHealthyPercent) / 100);
        const worstRunning = service.runningCount + service.pendingCount > marker.owner ? marker.owner - service.pendingCount : service.runningCount;
        if (service.pendingCount > 0 && worstRunning < floor) {
            return {
                outcome: "waiting",
                detail: `${reason}, but ${service.pendingCount} task(s) still starting: ECS's scale-in could stop running tasks instead and leave ${worstRunning} running, below the floor of ${floor}; restoring once they start or stop`,
                actions: [],
            };
        }
        return {
            outcome: "restore",
            detail: `${reason}: desiredCount ${marker.desired} → ${marker.owner}`,
            actions: [{ ...restore, why }, clear([SURGE_TAG])],
        };
    };
    if (service.deployments.length > 1) {
        // The owner deploys during the surge: ECS runs a deployment within maximumPercent of the desiredCount it
        // finds, and the surged one allows more than the owner's (chaos seed 1952266426). The owner's value now,
        // without waiting for starting tasks: during a deployment ECS itself keeps minimumHealthyPercent of
        // desiredCount running (deployment-type-ecs.html), and the floor is that of the owner's value.
        return {
            outcome: "restore",
            detail: `the owner's deployment started during the surge to ${marker.desired}: desiredCount ${marker.desired} → ${marker.owner}, so the deployment runs within the owner's limits`,
            actions: [{ ...restore, why: "owner's deployment during the surge" }, clear([SURGE_TAG])],
        };
    }
    if (ageSeconds >= surgeTimeoutSeconds) return restoreEarly("surge timed out", `surge not complete after ${ageSeconds}s`);
    return { outcome: "waiting", detail: `surge to ${marker.desired} in progress for ${ageSeconds}s (running ${service.runningCount})`, actions: [] };
}
