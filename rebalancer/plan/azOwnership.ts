// Who balances a service across AZs. With availabilityZoneRebalancing ECS does (bins.ts, ecsRebalancesAzs), and the
// plan leaves the AZ level alone so the two controllers never fight. But ECS's rebalancing starts its task in the
// AZ with the fewest tasks of the service (service-rebalancing.html): when every such AZ is full for the task, it
// cannot start one and nothing moves, while another AZ may have room (chaos seed 1782261033: AZs 4 / 0 / 2, the
// empty AZ full, the third with room). Then the AZ level is the rebalancer's until that AZ has room again, and
// with it, ECS's rebalancing has nothing to undo: it can only try the full AZ.

import type { Service } from "../model";
import { ecsRebalancesAzs } from "./bins";
import type { ClusterIndex } from "./clusterIndex";
import type { EligibilityCache } from "./eligibilityCache";
import { extraRoom, type Requirements } from "./requirements";

/** ECS's AZ rebalancing owns the service's AZ level now: set for it, and able to start its next task. */
export function ecsOwnsAzLevel(service: Service, req: Requirements, index: ClusterIndex, cache: EligibilityCache): boolean {
    return ecsRebalancesAzs(service) && !ecsAzRebalancingBlocked(service, req, index, cache);
}

/** The AZs ECS would start the next rebalancing task in (fewest tasks) all lack room for it, while AZs differ by more than one. */
function ecsAzRebalancingBlocked(service: Service, req: Requirements, index: ClusterIndex, cache: EligibilityCache): boolean {
    const { passes } = cache.filterSet(req);
    const zones = cache.zonesOf(req);
    if (zones.size < 2) return false;
    const tasksIn = new Map<string, number>();
    const held = new Map<number, number>();
    for (const t of index.tasksOf(service.name)) {
        const i = t.containerInstanceArn === undefined ? undefined : index.indexByArn.get(t.containerInstanceArn);
        if (i === undefined || !passes[i]) continue;
        held.set(i, (held.get(i) ?? 0) + 1);
        const az = index.instances[i].az;
        tasksIn.set(az, (tasksIn.get(az) ?? 0) + 1);
    }
    const countIn = (az: string) => tasksIn.get(az) ?? 0;
    const counts = [...zones].map(countIn);
    const fewest = Math.min(...counts);
    if (Math.max(...counts) - fewest <= 1) return false;
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
