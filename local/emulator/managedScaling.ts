// ECS cluster auto scaling for Auto Scaling group capacity providers: the CapacityProviderReservation metric moves
// the group's desired capacity through ECS's CloudWatch alarms, and EC2 Auto Scaling launches or terminates
// instances to match. Every rule names its page:
// - developer guide "Automatically manage Amazon ECS capacity with cluster auto scaling" (cluster-auto-scaling): the
//   metric, its formula, "Every minute" for scale-out, "15 data points (15 minutes)" for scale-in, scale-out
//   stopping a scale-in in progress;
// - "Amazon ECS managed scaling behavior": step sizes, instanceWarmupPeriod blocking the next scale-out, empty
//   instances (daemon tasks do not count);
// - "Managed termination protection" (same guide): with it, instances running non-daemon tasks are protected from
//   scale-in and only the others are terminated; without it the group picks by its termination policy;
// - "Safely stop Amazon ECS workloads running on EC2 instances" (managed instance draining): an instance the group
//   terminates is set DRAINING first, its tasks are replaced, and it is terminated once they are gone;
// - EC2 Auto Scaling user guide, default termination policy: the AZ with the most instances, then at random;
//   instances are launched balanced over the group's AZs.
// Nothing repeats on its own: an alarm is pending only while the metric is off target.

import {
    checkGroupSizes,
    inServiceOrPending,
    groupSize,
    readCapacityProviderInput,
    type AutoScalingGroupState,
    type CapacityProviderInput,
    type CapacityProviderState,
    type GroupInstance,
} from "./autoScalingGroups";
import { capacityProviderReservation, type ReservationResult } from "./capacityProviderReservation";
import { follows, rootCause, type Cause } from "./causes";
import type { EmulatorCore } from "./core";
import { clientException, invalidParameter } from "./errors";
import { registerInstance, setInstanceStatus, terminate } from "./instances";
import type { ClusterState, InstanceState } from "./model";

const AUTO_SCALING: Cause = rootCause(
    { type: "control", action: "managed scaling", actor: "ECS cluster auto scaling" },
    "managed scaling",
);

function hasNonDaemonTask(instance: InstanceState): boolean {
    for (const t of instance.resident) {
        if (t.desiredStatus === "RUNNING" && t.service?.schedulingStrategy !== "DAEMON") return true;
    }
    return false;
}

export class ManagedScaling {
    readonly providers = new Map<string, CapacityProviderState>();
    private readonly byCluster = new Map<ClusterState, CapacityProviderState[]>();
    private readonly dirty = new Set<CapacityProviderState>();
    private evaluating = false;

    constructor(private readonly core: EmulatorCore) {}

    /** Creates the provider and its group, whose first `desiredCapacity` instances register at once. */
    create(input: CapacityProviderInput, cluster: ClusterState, cause: Cause): CapacityProviderState {
        const settings = readCapacityProviderInput(input);
        if (this.providers.has(input.name)) {
            throw clientException(`The capacity provider ${input.name} already exists.`);
        }
        const core = this.core;
        const now = core.clock.now();
        const group: AutoScalingGroupState = {
            ...settings.group,
            arn: `arn:aws:autoscaling:${core.region}:${core.accountId}:autoScalingGroup:${core.rng.ids.uuid()}` +
                `:autoScalingGroupName/${settings.group.name}`,
            instances: [],
            createdAt: now,
            sizeHistory: [],
        };
        const provider: CapacityProviderState = {
            name: input.name,
            arn: core.arns.capacityProvider(input.name),
            cluster,
            group,
            managedScaling: settings.managedScaling,
            managedTerminationProtection: settings.managedTerminationProtection,
            managedDraining: settings.managedDraining,
        };
        this.providers.set(provider.name, provider);
        this.byCluster.set(cluster, [...(this.byCluster.get(cluster) ?? []), provider]);
        if (!cluster.capacityProviders.includes(provider.name)) cluster.capacityProviders.push(provider.name);
        for (let n = 0; n < group.desiredCapacity; n++) {
            this.register(provider, this.newMember(provider, undefined), cause);
        }
        this.recordSize(provider);
        return provider;
    }

    /** Whether a task of this provider that finds no room waits PROVISIONING for managed scaling. */
    scalesFor(cluster: ClusterState, providerName: string | undefined): boolean {
        const p = providerName === undefined ? undefined : this.providers.get(providerName);
        return p !== undefined && p.cluster === cluster && p.managedScaling.status === "ENABLED";
    }

    /**
     * The operator changes the group (the walk-through's `update-auto-scaling-group`): EC2 Auto Scaling launches or
     * terminates instances to match the new desired capacity at once.
     */
    setGroupCapacity(
        providerName: string,
        change: { minSize?: number; maxSize?: number; desiredCapacity?: number },
        cause: Cause,
    ): void {
        const p = this.provider(providerName);
        const g = p.group;
        const next = {
            minSize: change.minSize ?? g.minSize,
            maxSize: change.maxSize ?? g.maxSize,
            desiredCapacity: change.desiredCapacity ?? g.desiredCapacity,
        };
        checkGroupSizes(next, "autoScalingGroup");
        Object.assign(g, next);
        this.matchDesired(p, cause);
        this.markDirty(p);
    }

    provider(name: string): CapacityProviderState {
        const p = this.providers.get(name);
        if (!p) throw invalidParameter(`The specified capacity provider ${name} does not exist.`);
        return p;
    }

    /** The provider's metric now (what ECS would publish this minute). */
    reservationOf(p: CapacityProviderState): ReservationResult {
        const g = p.group;
        const running: InstanceState[] = [];
        for (const m of g.instances) {
            if (m.state !== "InService") continue;
            const i = this.core.instancesByEc2.get(m.ec2InstanceId);
            if (i && i.status === "ACTIVE") running.push(i);
        }
        const provisioning = [];
        for (const t of p.cluster.activeTasks.values()) {
            if (!t.instance && t.capacityProviderName === p.name) provisioning.push(t.reservation);
        }
        return capacityProviderReservation({
            running: running.length,
            empty: running.filter((i) => !hasNonDaemonTask(i)).length,
            provisioning,
            instance: { cpu: g.cpu, memory: g.memory },
            settings: p.managedScaling,
        });
    }

    /** Tasks or instances of the cluster changed: its providers look again (coalesced, at the current time). */
    clusterChanged(cluster: ClusterState): void {
        const providers = this.byCluster.get(cluster);
        if (!providers) return;
        for (const p of providers) this.markDirty(p);
    }

    private markDirty(p: CapacityProviderState): void {
        this.dirty.add(p);
        if (this.evaluating) return;
        this.evaluating = true;
        this.core.schedule(this.core.clock.now(), () => {
            this.evaluating = false;
            const batch = [...this.dirty];
            this.dirty.clear();
            for (const provider of batch) this.evaluate(provider);
        });
    }

    private evaluate(p: CapacityProviderState): void {
        this.finishDrainedMembers(p);
        this.replaceLostMembers(p);
        // A group the operator left above its desired capacity (protected instances) tries again as tasks leave.
        if (inServiceOrPending(p.group).length > p.group.desiredCapacity) this.matchDesired(p, AUTO_SCALING);
        if (p.managedScaling.status !== "ENABLED") return;
        const direction = this.alarmState(p).direction;
        if (p.alarm && p.alarm.direction !== direction) {
            // "When Amazon ECS requests a scale-out ... while a scale-in process is in progress, the scale-in
            // process is stopped".
            p.alarm.timer.cancel();
            p.alarm = undefined;
        }
        if (!direction || p.alarm) return;
        const delay = direction === "out" ? this.core.timing.scaleOutAlarmMs : this.core.timing.scaleInAlarmMs;
        this.setAlarm(p, direction, this.core.clock.now() + delay);
    }

    /**
     * Which of ECS's two alarms is in alarm: the high one when the metric is above targetCapacity and target tracking
     * would raise the desired capacity, the low one when it is below and would lower it (cluster-auto-scaling).
     */
    private alarmState(p: CapacityProviderState): { direction?: "out" | "in"; wanted: number } {
        const result = this.reservationOf(p);
        p.reservation = result.reservation;
        const g = p.group;
        const target = p.managedScaling.targetCapacity;
        const wanted = Math.min(g.maxSize, Math.max(g.minSize, result.desired));
        if (result.reservation > target && wanted > g.desiredCapacity) return { direction: "out", wanted };
        if (result.reservation < target && wanted < g.desiredCapacity) return { direction: "in", wanted };
        return { wanted };
    }

    private setAlarm(p: CapacityProviderState, direction: "out" | "in", at: number): void {
        p.alarm = { direction, timer: this.core.schedule(at, () => this.alarmFired(p, direction)) };
    }

    /** The alarm's period is over: target tracking sets the desired capacity if the metric is still off target. */
    private alarmFired(p: CapacityProviderState, direction: "out" | "in"): void {
        p.alarm = undefined;
        const g = p.group;
        const { direction: still, wanted } = this.alarmState(p);
        const now = this.core.clock.now();
        if (direction === "out" && still === "out") {
            // "The scale-out is blocked for Instances that are within the instanceWarmupPeriod".
            const warmupMs = p.managedScaling.instanceWarmupPeriod * 1000;
            const warmUntil = Math.max(...inServiceOrPending(g).map((m) => (m.launchedAt ?? -Infinity) + warmupMs));
            if (warmUntil > now) return this.setAlarm(p, "out", warmUntil);
            g.desiredCapacity = wanted;
            this.matchDesired(p, follows(AUTO_SCALING, "scale-out"));
        } else if (direction === "in" && still === "in") {
            g.desiredCapacity = wanted;
            this.matchDesired(p, follows(AUTO_SCALING, "scale-in"));
        }
        this.markDirty(p);
    }

    /** EC2 Auto Scaling launches or terminates members until those in service or pending match the desired capacity. */
    private matchDesired(p: CapacityProviderState, cause: Cause): void {
        const g = p.group;
        let members = inServiceOrPending(g);
        while (members.length < g.desiredCapacity) {
            this.launch(p, cause);
            members = inServiceOrPending(g);
        }
        while (members.length > g.desiredCapacity) {
            const victim = this.chooseMemberToTerminate(p, members);
            if (!victim) break; // every candidate is protected from scale-in: the group waits for one to empty
            this.startTermination(p, victim, cause);
            members = inServiceOrPending(g);
        }
        this.recordSize(p);
    }

    /** The group's default termination policy over members not protected from scale-in: the fullest AZ, then random. */
    private chooseMemberToTerminate(p: CapacityProviderState, members: GroupInstance[]): GroupInstance | undefined {
        const candidates = members.filter((m) => !this.protectedFromScaleIn(p, m));
        if (candidates.length === 0) return undefined;
        const perAz = new Map<string, number>();
        for (const m of members) perAz.set(m.availabilityZone, (perAz.get(m.availabilityZone) ?? 0) + 1);
        const most = Math.max(...candidates.map((m) => perAz.get(m.availabilityZone)!));
        const inFullest = candidates.filter((m) => perAz.get(m.availabilityZone) === most);
        return this.core.rng.autoScaling.pick(inFullest);
    }

    /**
     * Managed termination protection: ECS keeps scale-in protection on instances that run non-daemon tasks and
     * removes it once they have none. An instance still launching runs nothing yet.
     */
    private protectedFromScaleIn(p: CapacityProviderState, m: GroupInstance): boolean {
        if (p.managedTerminationProtection !== "ENABLED" || m.state !== "InService") return false;
        const instance = this.core.instancesByEc2.get(m.ec2InstanceId);
        return instance !== undefined && hasNonDaemonTask(instance);
    }

    private newMember(p: CapacityProviderState, launchedAt: number | undefined): GroupInstance {
        const g = p.group;
        // Balanced over the group's AZs: the AZ with the fewest members, in the group's order on ties.
        const perAz = new Map(g.availabilityZones.map((az) => [az, 0]));
        for (const m of inServiceOrPending(g)) perAz.set(m.availabilityZone, (perAz.get(m.availabilityZone) ?? 0) + 1);
        const az = [...perAz].reduce((best, cur) => (cur[1] < best[1] ? cur : best))[0];
        const member: GroupInstance = {
            ec2InstanceId: `${g.name}-${g.instances.length + 1}`,
            availabilityZone: az,
            launchedAt,
            state: "Pending",
        };
        g.instances.push(member);
        return member;
    }

    private launch(p: CapacityProviderState, cause: Cause): void {
        const member = this.newMember(p, this.core.clock.now());
        member.timer = this.core.schedule(this.core.clock.now() + this.core.timing.instanceLaunchMs, () => {
            member.timer = undefined;
            this.register(p, member, follows(cause, "instance launched"));
        });
    }

    /** The instance's ECS agent registers it with the cluster, under the provider (container instance event). */
    private register(p: CapacityProviderState, member: GroupInstance, cause: Cause): void {
        member.state = "InService";
        registerInstance(this.core, p.cluster, {
            ec2InstanceId: member.ec2InstanceId,
            availabilityZone: member.availabilityZone,
            instanceType: p.group.instanceType,
            cpu: p.group.cpu,
            memory: p.group.memory,
            capacityProviderName: p.name,
        }, cause);
    }

    /** With managed draining the instance is set DRAINING and terminated once its tasks are gone; otherwise at once. */
    private startTermination(p: CapacityProviderState, member: GroupInstance, cause: Cause): void {
        const instance = this.core.instancesByEc2.get(member.ec2InstanceId);
        if (member.state === "Pending" || !instance) {
            member.timer?.cancel();
            member.timer = undefined;
            return this.terminated(member);
        }
        member.state = "Terminating";
        if (p.managedDraining === "ENABLED" && instance.resident.size > 0) {
            setInstanceStatus(this.core, instance, "DRAINING", follows(cause, "managed draining"));
            return;
        }
        terminate(this.core, instance, cause);
        this.terminated(member);
    }

    /**
     * A member terminated from outside (EC2, a Spot interruption) is no longer in service: the group launches a
     * replacement to keep its desired capacity (EC2 Auto Scaling health checks).
     */
    private replaceLostMembers(p: CapacityProviderState): void {
        let lost = false;
        for (const m of p.group.instances) {
            if (m.state !== "InService") continue;
            const instance = this.core.instancesByEc2.get(m.ec2InstanceId);
            if (instance && instance.status !== "INACTIVE") continue;
            this.terminated(m);
            lost = true;
        }
        if (lost) this.matchDesired(p, follows(AUTO_SCALING, "replace terminated instance"));
    }

    /** Draining members whose last task has stopped are terminated (the lifecycle hook completes). */
    private finishDrainedMembers(p: CapacityProviderState): void {
        for (const m of p.group.instances) {
            if (m.state !== "Terminating") continue;
            const instance = this.core.instancesByEc2.get(m.ec2InstanceId);
            if (instance && instance.resident.size > 0) continue;
            if (instance) {
                terminate(this.core, instance, follows(instance.drainCause ?? AUTO_SCALING, "instance terminated"));
            }
            this.terminated(m);
            this.recordSize(p);
        }
    }

    private terminated(member: GroupInstance): void {
        member.state = "Terminated";
        member.terminatedAt = this.core.clock.now();
    }

    private recordSize(p: CapacityProviderState): void {
        const size = groupSize(p.group);
        const last = p.group.sizeHistory[p.group.sizeHistory.length - 1];
        if (last?.size !== size) p.group.sizeHistory.push({ time: this.core.clock.now(), size });
    }
}
