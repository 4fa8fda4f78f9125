// Room ECS is about to use: a service whose tasks ECS has not all placed (it waits for room, or its scheduler has
// not acted yet) gets them on the instances ECS would choose as soon as room is there. The plan reserves that room
// first, so a surge elsewhere does not take it from under the waiting service.

import type { Service } from "../model";
import { BinTree, evaluateBalance } from "./balance";
import { buildLayout } from "./bins";
import type { ClusterIndex } from "./clusterIndex";
import { PredictedService } from "./ecsPrediction";
import { ProviderSplit } from "./providerSplit";
import { isRequirements, requirementsOf, type RequirementsContext } from "./requirements";

export function reserveRoomForWaitingTasks(services: Service[], index: ClusterIndex, ctx: RequirementsContext): void {
    for (const service of services) {
        // Tasks not on an instance yet (a capacity provider's PROVISIONING tasks, listed without one) wait as well.
        const waiting = service.desiredCount - index.tasksOf(service.name).filter((t) => t.containerInstanceArn !== undefined).length;
        if (waiting <= 0 || service.status !== "ACTIVE" || service.schedulingStrategy === "DAEMON") continue;
        const req = requirementsOf(service, ctx);
        if (!isRequirements(req)) continue;
        const built = buildLayout(service, req, index, { anyLevels: true });
        if ("skip" in built) continue;
        const tree = new BinTree(built.layout);
        const targets = evaluateBalance(tree, built.layout.counts, 1).leafTargets;
        const predicted = new PredictedService(index, built.layout, tree, targets);
        const split = splitOf(service, index);
        const full = new Set<string | undefined>();
        for (let n = 0; n < waiting && !(split === undefined && full.size > 0); n++) {
            // A task whose provider has no room waits there; it takes no room elsewhere (chaos seed 1933115050).
            const provider = split?.next();
            if (full.has(provider)) continue;
            const placed = predicted.place(provider === undefined ? undefined : (i) => index.instances[i].capacityProviderName === provider);
            if (placed === undefined) full.add(provider);
        }
        for (const [i, count] of predicted.placements()) {
            for (let k = 0; k < count; k++) index.reserve(i, req.shape.cpu, req.shape.memory, req.shape.staticPorts);
        }
    }
}

/** The provider split of a service over several capacity providers, from its tasks now; undefined with one or none. */
function splitOf(service: Service, index: ClusterIndex): ProviderSplit | undefined {
    if (service.capacityProviderStrategy.length < 2) return undefined;
    const held = new Map<string, number>();
    for (const t of index.tasksOf(service.name)) {
        const i = t.containerInstanceArn === undefined ? undefined : index.indexByArn.get(t.containerInstanceArn);
        const provider = i === undefined ? undefined : index.instances[i].capacityProviderName;
        if (provider !== undefined) held.set(provider, (held.get(provider) ?? 0) + 1);
    }
    return new ProviderSplit(service.capacityProviderStrategy, held);
}
