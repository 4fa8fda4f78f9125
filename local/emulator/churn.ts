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

/** The periodic behaviours' settings (EcsEmulator.setChurn); each 0 = off. */
export interface ChurnSettings {
    steadyStateReemitMs: number;
    agentReconnectsPerHour: number;
    agentDisconnectMs: number;
}

export class PeriodicChurn {
    private readonly steadyTimers = new Map<ServiceState, Timer>();
    private readonly agentTimers = new Map<InstanceState, Timer>();
    /** Agents churn has disconnected: they reconnect whatever the settings become. */
    private readonly down = new Set<InstanceState>();
    private settings: ChurnSettings;

    constructor(private readonly core: EmulatorCore) {
        const { agentReconnectsPerHour, agentDisconnectMs } = core.faults.config;
        const steadyStateReemitMs = core.timing.steadyStateReemitMs;
        this.settings = { steadyStateReemitMs, agentReconnectsPerHour, agentDisconnectMs };
    }

    /** Changes the settings from now on (unset keys keep theirs); stopping one lets the world go idle. */
    configure(settings: Partial<ChurnSettings>): void {
        this.settings = { ...this.settings, ...settings };
        for (const [name, value] of Object.entries(this.settings)) {
            if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
                throw new Error(`churn.${name} must be a non-negative number, got ${String(value)}`);
            }
        }
        if (this.settings.steadyStateReemitMs <= 0) {
            for (const timer of this.steadyTimers.values()) timer.cancel();
            this.steadyTimers.clear();
        } else {
            // Services already steady report it again one period from now.
            for (const cluster of this.core.clusters.values()) {
                for (const service of cluster.services.values()) {
                    if (service.steady && !this.steadyTimers.has(service)) this.steadyStateReached(service);
                }
            }
        }
        for (const instance of this.core.instancesByEc2.values()) {
            if (!this.down.has(instance)) this.scheduleDisconnect(instance);
        }
    }

    /** The service arrived in steady state: with re-emission on, it reports it again every period while steady. */
    steadyStateReached(service: ServiceState): void {
        const period = this.settings.steadyStateReemitMs;
        this.steadyTimers.get(service)?.cancel();
        this.steadyTimers.delete(service);
        if (period <= 0) return;
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

    /** The fault configuration changed (EcsEmulator.setFaults): agent churn follows it. */
    faultsChanged(): void {
        const { agentReconnectsPerHour, agentDisconnectMs } = this.core.faults.config;
        this.configure({ agentReconnectsPerHour, agentDisconnectMs });
    }

    private scheduleDisconnect(instance: InstanceState): void {
        const rate = this.settings.agentReconnectsPerHour;
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
            this.down.add(instance);
            setAgentConnected(this.core, instance, false);
            const reconnect = this.core.schedule(this.core.clock.now() + this.settings.agentDisconnectMs, () => {
                this.agentTimers.delete(instance);
                this.down.delete(instance);
                if (instance.status === "INACTIVE") return;
                setAgentConnected(this.core, instance, true);
                this.scheduleDisconnect(instance);
            });
            this.agentTimers.set(instance, reconnect);
        });
        this.agentTimers.set(instance, timer);
    }
}
