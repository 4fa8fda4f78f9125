// Who balances a service across AZs. With availabilityZoneRebalancing ECS does (bins.ts, ecsRebalancesAzs), and the
// plan leaves the AZ level alone so the two controllers never fight. But ECS's rebalancing starts its task in the
// AZ with the fewest tasks of the service (service-rebalancing.html): when every such AZ is full for the task, it
// cannot start one and nothing moves, while another AZ may have room (chaos seed 1782261033: AZs 4 / 0 / 2, the
// empty AZ full, the third with room). Then the AZ level is the rebalancer's until that AZ has room again, and
// with it, ECS's rebalancing has nothing to undo: it can only try the full AZ.
//
// When ECS's AZ rebalancing acts is not documented (nor whether it acts at all with little room under maximumPercent),
// so the plan does not predict it: it observes. AZs uneven by more than one, and nothing changed for the service (no
// task started, no deployment change, no usable instance registered) for azRebalancingGraceSeconds: ECS is not
// acting, and the AZ level is the rebalancer's. Any task ECS starts resets the clock, so the level goes back to ECS
// as soon as ECS acts again.

import type { Service } from "../model";
import { ecsRebalancesAzs } from "./bins";
import type { ClusterIndex } from "./clusterIndex";
import type { EligibilityCache } from "./eligibilityCache";
import { extraRoom, type Requirements } from "./requirements";

export interface AzOwnership {
    /** ECS's AZ rebalancing has the level (the plan leaves it alone). */
    ecsOwns: boolean;
    /** Why the rebalancer has it although ECS's AZ rebalancing is set, for the decision's detail. */
    takenBack?: string;
    /** ECS has it with the AZs uneven: when the rebalancer takes it back if ECS does nothing until then (epoch ms). */
    reviewAt?: number;
}

/** Who has the service's AZ level now: ECS's AZ rebalancing when set for it, able to start its next task and acting. */
export function azOwnership(service: Service, req: Requirements, index: ClusterIndex, cache: EligibilityCache, now: number, graceSeconds: number): AzOwnership {
    if (!ecsRebalancesAzs(service)) return { ecsOwns: false };
    const zones = azCounts(service, req, index, cache);
    if (zones === undefined) return { ecsOwns: true };
    if (ecsAzRebalancingBlocked(zones, req, index, cache)) {
        return { ecsOwns: false, takenBack: "every AZ with the fewest tasks is full for its next task: ECS's AZ rebalancing cannot start one" };
    }
    const quietSince = lastEcsAction(service, index, cache.filterSet(req).passes);
    if (quietSince === undefined) return { ecsOwns: true };
    if (now - quietSince >= graceSeconds * 1000) {
        const minutes = Math.floor((now - quietSince) / 60_000);
        return { ecsOwns: false, takenBack: `AZs uneven and nothing started or deployed for ${minutes} min (grace ${graceSeconds} s): ECS's AZ rebalancing is not acting` };
    }
    return { ecsOwns: true, reviewAt: quietSince + graceSeconds * 1000 };
}

/**
 * Since when ECS has had the service's AZ imbalance before it and done nothing: the newest task start, deployment
 * change, or registration of an instance the service can use (a new AZ's first instance is what makes the
 * imbalance one ECS's rebalancing could fix; az-outage-recovery: tasks 30 min old when AZ c came back). Undefined
 * while a task is still starting (ECS is acting).
 */
function lastEcsAction(service: Service, index: ClusterIndex, usable: ArrayLike<number>): number | undefined {
    let last: number | undefined;
    index.instances.forEach((instance, i) => {
        if (usable[i] && instance.registeredAt !== undefined) last = Math.max(last ?? 0, instance.registeredAt);
    });
    for (const t of index.tasksOf(service.name)) {
        if (t.startedAt === undefined) return undefined; // a task still starting: ECS is acting
        last = Math.max(last ?? 0, t.startedAt);
    }
    for (const d of service.deployments) if (d.updatedAt !== undefined) last = Math.max(last ?? 0, d.updatedAt);
    return last;
}

interface ZoneCounts {
    zones: Set<string>;
    tasksIn: Map<string, number>;
    /** The service's tasks per instance index, on instances that pass its filters. */
    held: Map<number, number>;
}

/** The service's tasks per AZ (those it may use), when its AZs differ by more than one; otherwise undefined. */
function azCounts(service: Service, req: Requirements, index: ClusterIndex, cache: EligibilityCache): ZoneCounts | undefined {
    const { passes } = cache.filterSet(req);
    const zones = cache.zonesOf(req);
    if (zones.size < 2) return undefined;
    const tasksIn = new Map<string, number>();
    const held = new Map<number, number>();
    for (const t of index.tasksOf(service.name)) {
        const i = t.containerInstanceArn === undefined ? undefined : index.indexByArn.get(t.containerInstanceArn);
        if (i === undefined || !passes[i]) continue;
        held.set(i, (held.get(i) ?? 0) + 1);
        const az = index.instances[i].az;
        tasksIn.set(az, (tasksIn.get(az) ?? 0) + 1);
    }
    const counts = [...zones].map((az) => tasksIn.get(az) ?? 0);
    return Math.max(...counts) - Math.min(...counts) <= 1 ? undefined : { zones, tasksIn, held };
}

/** The AZs ECS would start the next rebalancing task in (fewest tasks) all lack room for it. */
function ecsAzRebalancingBlocked({ zones, tasksIn, held }: ZoneCounts, req: Requirements, index: ClusterIndex, cache: EligibilityCache): boolean {
    const countIn = (az: string) => tasksIn.get(az) ?? 0;
    const fewest = Math.min(...[...zones].map(countIn));
    // Room in an AZ: an instance holding some of the service's tasks with room for one more, or one holding none
    // (the per-AZ histogram of empty room, less the instances that do hold some).
    const roomy = new Set<string>();
    const emptyWithRoom = new Map<string, number>();
    for (const [az, hist] of cache.roomHistograms(req, "az", (i) => index.instances[i].az)) {
        emptyWithRoom.set(az, hist.reduce((sum, n, room) => (room > 0 ? sum + n : sum), 0));
    }
    for (const [i, count] of held) {
        const az = index.instances[i].az;
        if (extraRoom(index, i, req, count) > 0) roomy.add(az);
        if (cache.emptyRoom(i, req) > 0) emptyWithRoom.set(az, (emptyWithRoom.get(az) ?? 0) - 1);
    }
    for (const [az, n] of emptyWithRoom) if (n > 0) roomy.add(az);
    return ![...zones].some((az) => countIn(az) === fewest && roomy.has(az));
}
