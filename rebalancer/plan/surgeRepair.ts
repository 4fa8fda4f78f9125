// Finishing or undoing a surge: a service carrying the surge marker is handled before anything else, whatever
// its other state, so that no pass ever leaves a surged desiredCount behind.
//
// The restore is exact: the rebalancer chooses the tasks that leave (restoreVictims.ts), protects every other task
// from scale-in for RESTORE_PROTECTION_MINUTES, then puts desiredCount back, so ECS's scale-in — whichever task its
// undocumented choice inside an AZ would take — can only stop the victims. The marker records when the protection was
// set and for how long, so a later pass clears exactly that protection once the scale-in is done (or any pass after
// a crash: left alone, it lapses within minutes), and never a protection the service's owner set.

import type { Service, Task } from "../model";
import { countsTowardFloor, healthyFloor } from "./limits";
import { decodeSurgeMarker, encodeSurgeMarker, LAST_MOVE_TAG, SURGE_TAG, type SurgeMarker } from "./markers";
import type { IsOwnersProtection, RestoreChoice } from "./restoreVictims";
import type { Action, Outcome } from "./types";

/** How long the tasks that stay are protected: ECS scales in within seconds; a killed pass leaves nothing longer. */
export const RESTORE_PROTECTION_MINUTES = 5;
/** Our protection expires between the marker's time + its minutes and this much later (the writes take a moment). */
const OWN_PROTECTION_SLACK_MS = 180_000;

export interface SurgeRepair {
    outcome: Outcome;
    detail: string;
    actions: Action[];
    /** How long the surge has been open (seconds since its marker was written), when the marker is readable. */
    ageSeconds?: number;
    /** Tasks whose scale-in protection the repair needs read first (the plan reads them and plans again). */
    unreadProtection?: string[];
}

export interface RepairContext {
    now: number;
    surgeTimeoutSeconds: number;
    /** The tasks of the service desired RUNNING (what ListTasks returned). */
    tasks: readonly Task[];
    /** The final planning round: protection still unread counts as the owner's (never touched, never a victim). */
    unreadProtectionIsProtected: boolean;
    chooseVictims(count: number, ownersProtection: IsOwnersProtection): RestoreChoice;
}


function serviceSettled(service: Service): boolean {
    const primary = service.deployments[0];
    return service.deployments.length <= 1 && (!primary?.rolloutState || primary.rolloutState === "COMPLETED") &&
        service.runningCount === service.desiredCount && service.pendingCount === 0;
}

/** A protection this marker's restore set: enabled, and lapsing when ours does. */
function ownProtection(marker: SurgeMarker, task: Task): boolean {
    if (!marker.restore || task.protectionEnabled !== true || task.protectionExpiresAt === undefined) return false;
    const lapses = (marker.restore.at + marker.restore.minutes * 60) * 1000;
    return task.protectionExpiresAt >= lapses - 5_000 && task.protectionExpiresAt <= lapses + OWN_PROTECTION_SLACK_MS;
}

/**
 * Without protection (it could not be read), ECS's scale-in stops (running + pending − owner) tasks by placement
 * strategy, not by state: at worst every one is a running task, leaving owner − pending running. A task still
 * starting becomes RUNNING or STOPPED within minutes; until then, restoring could cross the floor.
 */
function floorGuard(service: Service, marker: SurgeMarker): SurgeRepair | undefined {
    const floor = healthyFloor(marker.owner, service.minimumHealthyPercent);
    const worstRunning = service.runningCount + service.pendingCount > marker.owner ? marker.owner - service.pendingCount : service.runningCount;
    if (service.pendingCount === 0 || worstRunning >= floor) return undefined;
    return {
        outcome: "waiting",
        detail: `surge timed out, but ${service.pendingCount} task(s) still starting and protection unread: ECS's scale-in could stop running tasks instead and leave ${worstRunning} running, below the floor of ${floor}; restoring once they start or stop`,
        actions: [],
    };
}

export function repairSurge(service: Service, ctx: RepairContext): SurgeRepair | undefined {
    const repair = repairOf(service, ctx);
    const marker = decodeSurgeMarker(service.tags[SURGE_TAG]);
    if (!repair || marker === undefined || marker === "malformed") return repair;
    return { ...repair, ageSeconds: Math.max(0, Math.floor(ctx.now / 1000) - marker.at) };
}

function repairOf(service: Service, ctx: RepairContext): SurgeRepair | undefined {
    const marker = decodeSurgeMarker(service.tags[SURGE_TAG]);
    if (marker === undefined) return undefined;
    const base = { service: service.name, serviceArn: service.arn };
    const clear = (tagKeys: string[]): Action => ({ kind: "clear-marker", ...base, tagKeys });
    if (marker === "malformed") {
        return { outcome: "restore", detail: `unreadable ${SURGE_TAG} tag removed; desiredCount left as it is`, actions: [clear([SURGE_TAG])] };
    }
    const unread = ctx.unreadProtectionIsProtected ? [] : ctx.tasks.filter((t) => t.protectionEnabled === undefined).map((t) => t.arn);
    const ours = ctx.tasks.filter((t) => ownProtection(marker, t));
    const stillOurs = marker.restore !== undefined && ctx.now < (marker.restore.at + marker.restore.minutes * 60) * 1000 + OWN_PROTECTION_SLACK_MS;
    const unprotectOurs = (): Action[] => (ours.length > 0 ? [{ kind: "unprotect-tasks", ...base, taskArns: ours.map((t) => t.arn) }] : []);

    if (marker.restore && service.desiredCount !== marker.desired) {
        // The restore was made (desiredCount is the owner's, or the owner changed it since): once ECS's scale-in is
        // done, the protection the restore set comes off, then the marker.
        if (service.desiredCount === marker.owner && !serviceSettled(service) && stillOurs) {
            return { outcome: "waiting", detail: `restore to ${marker.owner} in progress: ECS is stopping the surplus tasks`, actions: [] };
        }
        if (stillOurs && unread.length > 0) return { outcome: "waiting", detail: "reading the scale-in protection the restore set", actions: [], unreadProtection: unread };
        const owner = service.desiredCount === marker.owner ? "" : ` (desiredCount is now ${service.desiredCount}, its owner's)`;
        return {
            outcome: "restore",
            detail: `surge to ${marker.desired} restored to ${marker.owner}${owner}: ${ours.length} task(s) unprotected, marker removed`,
            actions: [...unprotectOurs(), clear(service.desiredCount === marker.owner ? [SURGE_TAG] : [SURGE_TAG, LAST_MOVE_TAG])],
        };
    }
    if (marker.restore?.done) {
        // The restore was made and desiredCount is the surged value again: its owner set it after the restore. The
        // owner's value stands; the protection the restore set comes off, then the marker.
        if (stillOurs && unread.length > 0) return { outcome: "waiting", detail: "reading the scale-in protection the restore set", actions: [], unreadProtection: unread };
        return {
            outcome: "restore",
            detail: `desiredCount is ${service.desiredCount} again after the restore to ${marker.owner}: its owner's, left as it is; ${ours.length} task(s) unprotected, marker removed`,
            actions: [...unprotectOurs(), clear([SURGE_TAG, LAST_MOVE_TAG])],
        };
    }
    if (service.desiredCount !== marker.desired) {
        // Its owner changed desiredCount since (or the surge never applied): the owner's value stands.
        return {
            outcome: "restore",
            detail: `desiredCount is ${service.desiredCount}, not the surged ${marker.desired}: left to its owner, marker removed`,
            actions: [clear([SURGE_TAG, LAST_MOVE_TAG])],
        };
    }
    const restore = { kind: "restore-desired" as const, ...base, desiredCount: marker.owner };
    if (service.deployments.length > 1) {
        // The owner deploys during the surge: ECS runs a deployment within maximumPercent of the desiredCount it
        // finds, and the surged one allows more than the owner's (chaos seed 1952266426). The owner's value now,
        // without protection (it would hold the deployment's replacements back) and without waiting for starting
        // tasks: during a deployment ECS itself keeps minimumHealthyPercent of desiredCount running
        // (deployment-type-ecs.html), and the floor is that of the owner's value.
        return {
            outcome: "restore",
            detail: `the owner's deployment started during the surge to ${marker.desired}: desiredCount ${marker.desired} → ${marker.owner}, so the deployment runs within the owner's limits`,
            actions: [...unprotectOurs(), { ...restore, why: "owner's deployment during the surge" }, clear([SURGE_TAG])],
        };
    }
    const ageSeconds = Math.floor(ctx.now / 1000) - marker.at;
    const complete = serviceSettled(service) && ctx.tasks.every((t) => countsTowardFloor(t, ctx.now));
    const timedOut = ageSeconds >= ctx.surgeTimeoutSeconds;
    if (!complete && !timedOut) {
        const detail = serviceSettled(service)
            ? `surge to ${marker.desired}: its tasks run, waiting for them to count as healthy`
            : `surge to ${marker.desired} in progress for ${ageSeconds}s (running ${service.runningCount})`;
        return { outcome: "waiting", detail, actions: [] };
    }
    if (unread.length > 0) return { outcome: "waiting", detail: "reading scale-in protection before the restore", actions: [], unreadProtection: unread };
    if (!complete && ctx.tasks.some((t) => t.protectionEnabled === undefined)) {
        // Some protection could not be read: ECS's scale-in may stop any of those tasks, running ones included.
        const guard = floorGuard(service, marker);
        if (guard) return guard;
    }
    const listed = ctx.tasks.length;
    if (service.runningCount + service.pendingCount !== listed) {
        // The counts and the task list were read moments apart and disagree (a task started or stopped in between):
        // victims chosen from the list would not cover ECS's whole scale-in. The next read agrees.
        return {
            outcome: "waiting",
            detail: `surge to ${marker.desired}: ${service.runningCount} running + ${service.pendingCount} pending, ${listed} listed; restoring once they agree`,
            actions: [],
        };
    }
    // Exact restore: the victims leave, every other task is protected first (the owner's protections stay as they are).
    const ownersProtection: IsOwnersProtection = (t) => t.protectionEnabled !== false && !ownProtection(marker, t);
    const choice = ctx.chooseVictims(ctx.tasks.length - marker.owner, ownersProtection);
    const protect = choice.keep.filter((t) => !ownersProtection(t));
    // A redone restore: what an earlier one protected and this one does not (its victims among them) is released.
    const release = ctx.tasks.filter((t) => ownProtection(marker, t) && !protect.includes(t));
    const at = Math.floor(ctx.now / 1000);
    const why = complete ? "surge complete" : "surge timed out";
    return {
        outcome: "restore",
        detail: `${complete ? "surge tasks running" : `surge not complete after ${ageSeconds}s`}: ${protect.length} task(s) protected from scale-in for ${RESTORE_PROTECTION_MINUTES} min, desiredCount ${marker.desired} → ${marker.owner}; ECS's scale-in stops the ${choice.victims.length} unprotected one(s)`,
        actions: [
            { kind: "mark-surge", ...base, markerTag: encodeSurgeMarker({ ...marker, restore: { at, minutes: RESTORE_PROTECTION_MINUTES } }) },
            ...(release.length > 0 ? [{ kind: "unprotect-tasks" as const, ...base, taskArns: release.map((t) => t.arn) }] : []),
            ...(protect.length > 0 ? [{ kind: "protect-tasks" as const, ...base, taskArns: protect.map((t) => t.arn), expiresInMinutes: RESTORE_PROTECTION_MINUTES }] : []),
            { ...restore, why, victims: choice.victims.map((t) => t.arn) },
            // Made: from now on a desiredCount back at the surged value is the owner's, never a restore to redo.
            { kind: "mark-surge", ...base, markerTag: encodeSurgeMarker({ ...marker, restore: { at, minutes: RESTORE_PROTECTION_MINUTES, done: true } }) },
        ],
    };
}
