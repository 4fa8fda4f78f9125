// The emulator's shared state and services: clock, seeded random streams, ARNs, the resources of the account
// and Region, the event outbox, and the task lifecycle and service scheduler that act on them.

import { Arns } from "./arns";
import { PeriodicChurn } from "./churn";
import type { Clock, Timer } from "./clock";
import { CONTAINER_INSTANCE_STATE_CHANGE, containerInstanceEventDetail, EventBus } from "./events";
import { FaultInjector, type FaultConfig } from "./faults";
import { TaskLifecycle } from "./lifecycle";
import type { ClusterState, InstanceState, ServiceState, TaskDefinitionState } from "./model";
import { OrderedIndex } from "./orderedIndex";
import type { EcsProfile } from "./profiles/profile";
import { Rng } from "./random";
import { ManagedScaling } from "./managedScaling";
import { Retention } from "./retention";
import { ServiceScheduler } from "./scheduler";
import type { Timing } from "./timing";

export interface ScalableTargetState {
    readonly seq: number;
    /** `service/<cluster>/<service>` */
    readonly resourceId: string;
    minCapacity: number;
    maxCapacity: number;
    readonly createdAt: number;
    readonly arnSuffix: string;
}

/** Service event messages kept per service (DescribeServices shows the most recent ones). */
const SERVICE_EVENTS_KEPT = 100;

export class EmulatorCore {
    readonly arns: Arns;
    readonly rng: { ids: Rng; placement: Rng; faults: Rng; eventFaults: Rng; events: Rng; profile: Rng; autoScaling: Rng; churn: Rng };
    readonly faults: FaultInjector;
    readonly bus: EventBus;
    readonly retention: Retention;
    readonly lifecycle: TaskLifecycle;
    readonly scheduler: ServiceScheduler;
    /** Auto Scaling group capacity providers and ECS cluster auto scaling (managedScaling.ts). */
    readonly managedScaling: ManagedScaling;
    /** What ECS repeats on its own (steady-state re-emission, agent reconnects): off by default. */
    readonly churn: PeriodicChurn;

    readonly clusters = new OrderedIndex<ClusterState>();
    readonly clustersByName = new Map<string, ClusterState>();
    readonly taskDefinitions = new OrderedIndex<TaskDefinitionState>();
    /** Revisions of each family, in revision order. */
    readonly families = new Map<string, TaskDefinitionState[]>();
    /** The current registration of each EC2 instance. */
    readonly instancesByEc2 = new Map<string, InstanceState>();
    readonly scalableTargets = new OrderedIndex<ScalableTargetState>();
    readonly scalableTargetsById = new Map<string, ScalableTargetState>();

    private seq = 0;

    constructor(
        readonly clock: Clock,
        readonly timing: Timing,
        readonly seed: number,
        readonly region: string,
        readonly accountId: string,
        faults: Partial<FaultConfig>,
        /** The reading of ECS's undocumented choices this emulator plays (profiles/). */
        readonly profile: EcsProfile,
    ) {
        this.arns = new Arns(region, accountId);
        this.rng = {
            ids: Rng.stream(seed, "ids"),
            placement: Rng.stream(seed, "placement"),
            faults: Rng.stream(seed, "faults"),
            eventFaults: Rng.stream(seed, "event faults"),
            events: Rng.stream(seed, "events"),
            // The profile's own draws (e.g. when the adversary's AZ rebalancing acts), so that placement stays the
            // same for a seed whatever else a profile draws.
            profile: Rng.stream(seed, "profile"),
            // EC2 Auto Scaling's random choice among instances it may terminate.
            autoScaling: Rng.stream(seed, "auto scaling"),
            // Agent churn's own draws: turning it on changes nothing else a seed decides.
            churn: Rng.stream(seed, "churn"),
        };
        this.faults = new FaultInjector(faults, clock, this.rng.faults, this.rng.eventFaults);
        this.bus = new EventBus(clock, this.faults, this.rng.events, accountId, region);
        this.retention = new Retention(timing.stoppedTaskRetentionMs, timing.inactiveRetentionMs);
        this.lifecycle = new TaskLifecycle(this);
        this.scheduler = new ServiceScheduler(this);
        this.managedScaling = new ManagedScaling(this);
        this.churn = new PeriodicChurn(this);
    }

    nextSeq(): number {
        return ++this.seq;
    }

    /** A timer whose work is complete, events delivered, when it returns. */
    schedule(atMs: number, fn: () => void): Timer {
        return this.clock.schedule(atMs, () => {
            fn();
            this.bus.flush();
        });
    }

    /** Bumps the instance's version and emits its state-change event (ECS does both together). */
    emitInstanceEvent(instance: InstanceState): void {
        instance.version++;
        this.bus.emit(CONTAINER_INSTANCE_STATE_CHANGE, [instance.arn], () => containerInstanceEventDetail(instance, this.clock.now()));
    }

    /** Adds a service event message (what DescribeServices lists under `events`). */
    serviceEvent(service: ServiceState, message: string): void {
        service.events.unshift({ id: this.rng.ids.uuid(), createdAt: this.clock.now(), message: `(service ${service.name}) ${message}` });
        if (service.events.length > SERVICE_EVENTS_KEPT) service.events.length = SERVICE_EVENTS_KEPT;
    }
}
