// What ECS repeats on its own, off by default (both are periodic: while one is on, the world never goes idle and
// VirtualClock.runUntilIdle() runs to its limit; with both off, nothing repeats and it returns once settled).
//
// - SERVICE_STEADY_STATE re-emitted while a service stays steady, every `timing.steadyStateReemitMs`: "The service
//   scheduler reports the status periodically, so you might receive this message multiple times" (developer guide
//   "Amazon ECS service event messages" and "Amazon ECS events", service action events). The period is not
//   documented: the emulator's choice, given by the caller.
// - ECS agents disconnecting and reconnecting, `faults.agentReconnectsPerHour` times an hour per instance on average
//   (seeded, exponential gaps), each time down for `faults.agentDisconnectMs`: "The Amazon ECS container agent
//   disconnects and reconnects several times per hour as a part of its normal operation" (developer guide "Amazon
//   ECS events", container instance state change events). Each change is a container instance event with a new
//   version, as any agent connection change is.

import type { Timer } from "./clock";
import type { EmulatorCore } from "./core";
import { SERVICE_ACTION, serviceActionDetail } from "./events";
import { setAgentConnected } from "./instances";
import type { InstanceState, ServiceState } from "./model";

const HOUR_MS = 3_600_000;

export class PeriodicChurn {
    private readonly steadyTimers = new WeakMap<ServiceState, Timer>();
    private readonly agentTimers = new Map<InstanceState, Timer>();

    constructor(private readonly core: EmulatorCore) {}

    /** The service arrived in steady state: with re-emission on, it reports it again every period while steady. */
    steadyStateReached(service: ServiceState): void {
        const period = this.core.timing.steadyStateReemitMs;
        if (period <= 0) return;
        this.steadyTimers.get(service)?.cancel();
        const timer = this.core.schedule(this.core.clock.now() + period, () => {
            this.steadyTimers.delete(service);
            if (!service.steady || service.status !== "ACTIVE") return;
            const now = this.core.clock.now();
            const detail = () => serviceActionDetail(service, "INFO", "SERVICE_STEADY_STATE", now);
            this.core.bus.emit(SERVICE_ACTION, [service.arn], detail);
            this.core.serviceEvent(service, "has reached a steady state.");
            this.steadyStateReached(service);
        });
        this.steadyTimers.set(service, timer);
    }

    /** The service left steady state: no re-emission until it arrives again. */
    steadyStateLeft(service: ServiceState): void {
        this.steadyTimers.get(service)?.cancel();
        this.steadyTimers.delete(service);
    }

    /** An instance registered: with agent churn on, its agent will disconnect now and then. */
    instanceRegistered(instance: InstanceState): void {
        this.scheduleDisconnect(instance);
    }

    /** The fault configuration changed: start (or stop) agent churn for every registered instance. */
    faultsChanged(): void {
        for (const instance of this.core.instancesByEc2.values()) this.scheduleDisconnect(instance);
    }

    private scheduleDisconnect(instance: InstanceState): void {
        const rate = this.core.faults.config.agentReconnectsPerHour;
        this.agentTimers.get(instance)?.cancel();
        this.agentTimers.delete(instance);
        if (rate <= 0 || instance.status === "INACTIVE") return;
        // Exponential gaps: reconnects are independent of each other, `rate` an hour on average.
        const gap = Math.max(1, Math.round((-Math.log(1 - this.core.rng.churn.next()) / rate) * HOUR_MS));
        const timer = this.core.schedule(this.core.clock.now() + gap, () => {
            this.agentTimers.delete(instance);
            if (instance.status === "INACTIVE") return;
            // An agent already disconnected (by the control API) is left alone; churn resumes after its next gap.
            if (!instance.agentConnected) return this.scheduleDisconnect(instance);
            this.core.faults.counts.agentReconnects++;
            setAgentConnected(this.core, instance, false);
            const down = this.core.schedule(this.core.clock.now() + this.core.faults.config.agentDisconnectMs, () => {
                this.agentTimers.delete(instance);
                if (instance.status === "INACTIVE") return;
                setAgentConnected(this.core, instance, true);
                this.scheduleDisconnect(instance);
            });
            this.agentTimers.set(instance, down);
        });
        this.agentTimers.set(instance, timer);
    }
}
