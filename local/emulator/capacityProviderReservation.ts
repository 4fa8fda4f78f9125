// The CapacityProviderReservation metric and the desired capacity its target tracking asks for (developer guide
// "Automatically manage Amazon ECS capacity with cluster auto scaling":
// "CapacityProviderReservation = (number of instances needed) / (number of running instances) x 100"; the managed
// scale-out steps of "Amazon ECS managed scaling behavior"; the managed scale-in steps of the same page).

import type { ManagedScalingSettings } from "./autoScalingGroups";
import type { Reservation } from "./model";

export interface ReservationInput {
    /** Running instances N: the group's registered, ACTIVE container instances that are not being terminated. */
    running: number;
    /**
     * Of those, the ones without a non-daemon task ("A container instance is considered empty even when daemon tasks
     * are running").
     */
    empty: number;
    /** Reservations of the provider's PROVISIONING tasks. */
    provisioning: readonly Reservation[];
    /** What one instance of the group registers. */
    instance: Reservation;
    settings: ManagedScalingSettings;
}

export interface ReservationResult {
    /** Instances needed, M. */
    needed: number;
    /** CapacityProviderReservation, percent. */
    reservation: number;
    /** The desired capacity target tracking settles on (before the group's min/max). */
    desired: number;
}

/**
 * Instances the provisioning tasks need, binpacked per group of identical requirements on empty instances of the
 * group's type ("For each group of tasks, Amazon ECS calculates the number of instances that are required to run the
 * unplaced tasks. This calculation uses a binpack strategy"). A task larger than an instance is left out ("the
 * calculation considers the task as not compatible").
 */
export function instancesForProvisioningTasks(tasks: readonly Reservation[], instance: Reservation): number {
    const groups = new Map<string, { cpu: number; memory: number; n: number }>();
    for (const t of tasks) {
        if (t.cpu > instance.cpu || t.memory > instance.memory) continue;
        const key = `${t.cpu}/${t.memory}`;
        const g = groups.get(key) ?? { cpu: t.cpu, memory: t.memory, n: 0 };
        g.n++;
        groups.set(key, g);
    }
    let instances = 0;
    for (const g of groups.values()) {
        const byCpu = g.cpu > 0 ? Math.floor(instance.cpu / g.cpu) : Infinity;
        const byMemory = g.memory > 0 ? Math.floor(instance.memory / g.memory) : Infinity;
        const perInstance = Math.min(byCpu, byMemory);
        instances += Math.ceil(g.n / Math.max(1, perInstance));
    }
    return instances;
}

export function capacityProviderReservation(input: ReservationInput): ReservationResult {
    const { running, settings } = input;
    const extra = instancesForProvisioningTasks(input.provisioning, input.instance);
    let needed: number;
    if (extra > 0) {
        // Scale-out: "either the minimumScalingStepSize, if the maximum calculated instance count is less than the
        // minimum scaling step size, or the lower of either the maximumScalingStepSize or the maximum calculated
        // instance count value".
        const step = extra < settings.minimumScalingStepSize
            ? settings.minimumScalingStepSize
            : Math.min(settings.maximumScalingStepSize, extra);
        needed = running + step;
    } else {
        // Scale-in: the instances running a non-daemon task are the ones needed.
        needed = running - input.empty;
    }
    // With no running instance and tasks to place, ECS publishes 200% (scale-out considerations: "Amazon ECS always
    // scales-out to 200%"); with neither, the group is at its target.
    const reservation = running === 0 ? (needed > 0 ? 200 : 100) : (needed / running) * 100;
    // Target tracking: the capacity at which the metric equals targetCapacity.
    const desired = Math.ceil((needed * 100) / settings.targetCapacity - 1e-9);
    return { needed, reservation, desired };
}
