// The ECS service scheduler. It reacts to changes (a task stopped or became RUNNING, desiredCount or the
// deployment changed, instances came or went) after `timing.schedulerDelayMs`, and reconciles each changed
// service: DAEMON services first (one task per eligible instance), then REPLICA services: scale-in to
// desiredCount (balanced), replacements and scale-out, rolling deployments and draining within
// minimumHealthyPercent (rounded up) and maximumPercent (rounded down), deployment rollout state and the
// circuit breaker, steady-state detection, and Availability Zone rebalancing.
//
// Causes: every task missing from a service has a recorded reason (`startCauses`, oldest first); the task started
// to fill the gap follows from it. Stops the scheduler chooses follow from what made them necessary (the
// desiredCount change, the deployment, the drain).

import { follows, schedulerCause, type Cause } from "./causes";
import type { Timer } from "./clock";
import type { EmulatorCore } from "./core";
import { DEPLOYMENT_STATE_CHANGE, SERVICE_ACTION, deploymentEventDetail, serviceActionDetail } from "./events";
import { nextCapacityProvider } from "./capacityProviders";
import {
    AZ_ATTRIBUTE,
    availabilityZoneOf,
    isPlaced,
    isProtected,
    type ClusterState,
    type DeploymentState,
    type InstanceState,
    type PlacementStrategy,
    type ServiceState,
    type TaskDefinitionState,
    type TaskState,
} from "./model";
import { compileConstraints, DEFAULT_SERVICE_STRATEGY, PlacementSession, type PlacementFailure } from "./placement";
import { resourceShortage } from "./resources";
import { DeploymentStrategyRunner } from "./deploymentStrategy";

/** Circuit breaker failure threshold: half the desired count, at least 10 and at most 200 (deployment-circuit-breaker.md). */
export function circuitBreakerThreshold(desiredCount: number): number {
    return Math.min(200, Math.max(10, Math.ceil(desiredCount / 2)));
}

export function effectiveStrategies(service: ServiceState): readonly PlacementStrategy[] {
    return service.placementStrategy.length > 0 ? service.placementStrategy : DEFAULT_SERVICE_STRATEGY;
}


function groupCounts(service: ServiceState): Map<InstanceState, number> {
    const counts = new Map<InstanceState, number>();
    for (const t of service.activeTasks) if (t.instance) counts.set(t.instance, (counts.get(t.instance) ?? 0) + 1);
    return counts;
}

/** Instances that could hold the service's tasks: ACTIVE, agent connected, of its capacity providers, meeting its memberOf. */
function eligibleInstances(service: ServiceState): InstanceState[] {
    const providers = service.capacityProviderStrategy.map((s) => s.capacityProvider);
    const td = service.deployments[0]?.taskDefinition;
    const memberOf = compileConstraints([...service.placementConstraints, ...(td?.placementConstraints ?? [])]).memberOf;
    return [...service.cluster.instances.values()].filter((i) =>
        i.status === "ACTIVE" && i.agentConnected &&
        (providers.length === 0 || providers.includes(i.capacityProviderName ?? "")) &&
        memberOf.every((q) => q.matches(i)));
}

function taskIds(tasks: readonly TaskState[]): string {
    return tasks.map((t) => `(task ${t.id})`).join(" ");
}

export class ServiceScheduler {
    private readonly dirty = new Set<ServiceState>();
    private tickTimer?: Timer;
    private readonly retryTimers = new Map<ServiceState, Timer>();
    /** Services whose AZ rebalancing found no room for its task: they look again when room is freed. */
    private readonly azRebalancingWaiting = new Set<ServiceState>();
    /** AZs with ACTIVE, connected instances, per cluster and capacity-provider set, for the current topology. */
    private readonly zoneCache = new WeakMap<ClusterState, { version: number; byProviders: Map<string, Set<string>> }>();

    /** BLUE_GREEN / LINEAR / CANARY deployments: which blue tasks stay, and their stages (deploymentStrategy.ts). */
    private readonly strategies: DeploymentStrategyRunner;

    constructor(private readonly core: EmulatorCore) {
        this.strategies = new DeploymentStrategyRunner(core, (service) => this.markDirty(service));
    }

    /** Reconcile the service at the next scheduler tick. */
    markDirty(service: ServiceState): void {
        if (service.status === "INACTIVE") return;
        this.dirty.add(service);
        if (!this.tickTimer) {
            this.tickTimer = this.core.schedule(this.core.clock.now() + this.core.timing.schedulerDelayMs, () => this.tick());
        }
    }

    /** A task's desired status became STOPPED. Unless the scheduler chose the stop, a replacement is owed. */
    taskLeft(task: TaskState, bySchedulerChoice: boolean): void {
        const service = task.service;
        if (!service) return;
        // A draining instance's daemon tasks go once the other tasks have: look again at its daemons.
        if (task.instance?.status === "DRAINING" && service.schedulingStrategy !== "DAEMON") {
            for (const t of task.instance.resident) if (t.service?.schedulingStrategy === "DAEMON") this.markDirty(t.service);
        }
        if (!bySchedulerChoice && task.stopCause) {
            const cause = follows(task.stopCause, "replace stopped task");
            if (service.schedulingStrategy === "DAEMON") service.daemonCauses.set(task.instance?.id ?? "", cause);
            else this.owe(service, cause);
        }
        this.markDirty(service);
    }

    taskRunning(task: TaskState): void {
        if (task.service) this.markDirty(task.service);
    }

    /** A container health check failed: ECS replaces the task (its reason is queued for the replacement). */
    taskUnhealthy(task: TaskState): void {
        const service = task.service;
        if (!service || service.schedulingStrategy === "DAEMON") return;
        this.owe(service, schedulerCause("replace unhealthy task"));
        this.markDirty(service);
    }

    /**
     * Counts toward minimumHealthyPercent (API reference, DeploymentConfiguration): with a container health check
     * once HEALTHY; without one, 40 s after it is RUNNING (timing.healthyDelayMs).
     */
    private isHealthy(task: TaskState): boolean {
        if (task.lastStatus !== "RUNNING") return false;
        if (task.taskDefinition.hasHealthCheck) return task.healthStatus === "HEALTHY";
        return this.core.clock.now() - (task.startedAt ?? 0) >= this.core.timing.healthyDelayMs;
    }

    /** Resources were released in the cluster: services short of room may now place. */
    capacityFreed(cluster: ClusterState): void {
        for (const s of cluster.blockedServices) this.markDirty(s);
        for (const s of this.azRebalancingWaiting) {
            if (s.cluster !== cluster) continue;
            this.azRebalancingWaiting.delete(s);
            this.markDirty(s);
        }
    }

    /** Instances joined, left, or changed state: daemons, blocked services and AZ balance need a look. */
    instancesChanged(cluster: ClusterState): void {
        cluster.topologyVersion++;
        this.core.managedScaling.clusterChanged(cluster);
        for (const s of cluster.services.values()) {
            if (s.schedulingStrategy === "DAEMON" || cluster.blockedServices.has(s) || this.azRebalancingApplies(s)) this.markDirty(s);
        }
    }

    /**
     * Records `cause` for every task the service now misses (desired minus the current deployment's tasks on
     * ACTIVE instances) that has no recorded reason yet.
     */
    owe(service: ServiceState, cause: Cause): void {
        if (service.schedulingStrategy === "DAEMON") return;
        const deficit = service.desiredCount - this.split(service).incoming.length;
        while (service.startCauses.length < deficit) service.startCauses.push(cause);
    }

    /** Starts a deployment of `taskDefinition`; the previous PRIMARY becomes ACTIVE and is replaced. */
    startDeployment(service: ServiceState, taskDefinition: TaskDefinitionState, cause: Cause, reason?: string): DeploymentState {
        const core = this.core;
        const now = core.clock.now();
        const id = `ecs-svc/${core.rng.ids.digits(19)}`;
        const deployment: DeploymentState = {
            id,
            status: "PRIMARY",
            taskDefinition,
            desiredCount: service.desiredCount,
            createdAt: now,
            updatedAt: now,
            rolloutState: "IN_PROGRESS",
            rolloutStateReason: reason ?? `ECS deployment ${id} in progress.`,
            failedTasks: 0,
            cause,
        };
        for (const d of service.deployments) if (d.status === "PRIMARY") d.status = "ACTIVE";
        service.deployments.unshift(deployment);
        this.strategies.begin(service, deployment);
        service.steady = false;
        core.bus.emit(DEPLOYMENT_STATE_CHANGE, [service.arn], () => deploymentEventDetail(deployment, "INFO", "SERVICE_DEPLOYMENT_IN_PROGRESS", deployment.rolloutStateReason, now));
        this.owe(service, follows(cause, "deployment"));
        this.markDirty(service);
        return deployment;
    }

    private tick(): void {
        this.tickTimer = undefined;
        const batch = [...this.dirty];
        this.dirty.clear();
        // Daemon tasks are placed first (they reserve their share of a new instance before replicas fill it).
        batch.sort((a, b) => Number(b.schedulingStrategy === "DAEMON") - Number(a.schedulingStrategy === "DAEMON") || a.seq - b.seq);
        for (const service of batch) {
            this.reconcile(service);
            // Deliver each service's events as it is done (bounded queue in large clusters; state is consistent here).
            this.core.bus.flush();
        }
    }

    private reconcile(service: ServiceState): void {
        if (service.status === "INACTIVE") return;
        if (service.status === "DRAINING") return this.reconcileDeleted(service);
        // A service found out of steady state (desired count changed, a task left...) reports the next arrival.
        if (!this.isSteady(service)) service.steady = false;
        if (service.schedulingStrategy === "DAEMON") this.reconcileDaemon(service);
        else {
            this.reconcileReplica(service);
            this.strategies.advance(service, () => this.greenReady(service), (blue) => {
                for (const t of blue) this.stopOutgoing(service, t);
                if (blue.length === 0) return;
                this.core.serviceEvent(service, `has stopped ${blue.length} running tasks: ${taskIds(blue)}.`);
            });
        }
        this.updateDeployments(service);
        this.updateSteadyState(service);
    }

    /**
     * Tasks of the current deployment on ACTIVE instances (incoming) and those being replaced (outgoing): an older
     * deployment's, a draining instance's, and an UNHEALTHY task's (ECS replaces it).
     */
    private split(service: ServiceState): { incoming: TaskState[]; outgoing: TaskState[] } {
        const primary = service.deployments[0];
        const incoming: TaskState[] = [];
        const outgoing: TaskState[] = [];
        for (const t of service.activeTasks) {
            if (t.deploymentId === primary?.id && t.instance?.status !== "DRAINING" && t.healthStatus !== "UNHEALTHY") incoming.push(t);
            else outgoing.push(t);
        }
        return { incoming, outgoing };
    }

    /** The current deployment's tasks are all there and healthy (a blue/green-family deployment may shift traffic). */
    private greenReady(service: ServiceState): boolean {
        const { incoming } = this.split(service);
        return incoming.length >= service.desiredCount && incoming.every((t) => this.isHealthy(t));
    }

    /** split() without the blue tasks a BLUE_GREEN / LINEAR / CANARY deployment keeps until its clean-up. */
    private rolloutSplit(service: ServiceState, held: ReadonlySet<TaskState>): ReturnType<ServiceScheduler["split"]> {
        const { incoming, outgoing } = this.split(service);
        return { incoming, outgoing: held.size ? outgoing.filter((t) => !held.has(t)) : outgoing };
    }

    private reconcileReplica(service: ServiceState): void {
        const core = this.core;
        const now = core.clock.now();
        const primary = service.deployments[0]!;
        const desired = service.desiredCount;
        const { minimumHealthyPercent, maximumPercent } = service.deploymentConfiguration;
        const minHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);
        const maxTotal = Math.floor((desired * maximumPercent) / 100);
        const strategies = effectiveStrategies(service);
        const frozen = primary.rolloutState === "FAILED";
        // Blue tasks of a blue/green-family deployment: outside the rolling limits until its clean-up.
        const held = this.strategies.held(service);

        this.placeProvisioningTasks(service);
        let { incoming, outgoing } = this.rolloutSplit(service, held);
        const deficit = Math.max(0, desired - incoming.length);
        if (service.startCauses.length > deficit) service.startCauses.splice(0, service.startCauses.length - deficit);

        // Outgoing tasks that are not RUNNING serve nobody: they go at once (draining docs: "stopped immediately").
        if (!frozen) {
            for (const t of outgoing) if (t.lastStatus !== "RUNNING") this.stopOutgoing(service, t);
        }

        // Scale-in to desiredCount: balanced, protected tasks never chosen. During AZ rebalancing the surplus task
        // goes only once the surge task runs.
        if (incoming.length > desired && !(service.azRebalancing && incoming.some((t) => t.lastStatus !== "RUNNING"))) {
            const candidates = incoming.filter((t) => !isProtected(t, now));
            const victims = this.chooseTasksToStop(service, candidates, incoming.length - desired);
            const cause = service.azRebalancing ? schedulerCause("AZ rebalancing") : follows(service.desiredCause, "scale-in");
            const reason = service.azRebalancing ? `AZ rebalancing initiated by (deployment ${primary.id})` : `Scaling activity initiated by (deployment ${primary.id})`;
            for (const v of victims) this.stopByChoice(v, reason, cause);
            if (victims.length && service.azRebalancing) {
                const az = availabilityZoneOf(victims[0]!.instance) ?? "";
                this.rebalancingTasks(service, "TASKS_STOPPED", `has stopped ${victims.length} running tasks in Availability Zone ${az} due to AZ rebalancing: ${taskIds(victims)}.`);
            } else if (victims.length) core.serviceEvent(service, `has stopped ${victims.length} running tasks: ${taskIds(victims)}.`);
        }
        // maximumPercent bounds the tasks RUNNING or PENDING during a deployment or a drain ("an upper limit on the
        // number of your service's tasks that are allowed in the RUNNING or PENDING state"), as a share of the
        // desiredCount now. When the owner lowers desiredCount mid-deployment, tasks already starting can exceed
        // it: those not yet running go (they serve nobody, so the floor is untouched). A task that became RUNNING
        // before this tick is past stopping this way; the deployment's own stops bring the count down.
        ({ incoming, outgoing } = this.rolloutSplit(service, held));
        const excess = incoming.length + outgoing.length - maxTotal;
        if (excess > 0) {
            const starting = [...incoming, ...outgoing].filter((t) => t.lastStatus !== "RUNNING" && !isProtected(t, now));
            const victims = this.chooseTasksToStop(service, starting, excess);
            for (const v of victims) this.stopByChoice(v, `Scaling activity initiated by (deployment ${primary.id})`, follows(service.desiredCause, "scale-in"));
            if (victims.length) core.serviceEvent(service, `has stopped ${victims.length} running tasks: ${taskIds(victims)}.`);
        }
        if (frozen) return;

        // Replacements, scale-out and rollout: start within maximumPercent, stop the replaced tasks within
        // minimumHealthyPercent; a second round uses the room the stops made.
        for (let round = 0; round < 2; round++) {
            ({ incoming, outgoing } = this.rolloutSplit(service, held));
            const starts = Math.min(desired - incoming.length, maxTotal - incoming.length - outgoing.length);
            if (starts > 0) this.startTasks(service, primary, starts);
            ({ incoming, outgoing } = this.rolloutSplit(service, held));
            let healthy = 0;
            for (const t of incoming) if (this.isHealthy(t)) healthy++;
            for (const t of outgoing) if (this.isHealthy(t)) healthy++;
            for (const t of held) if (t.desiredStatus === "RUNNING" && this.isHealthy(t)) healthy++;
            if (this.stopUnhealthy(service, incoming, outgoing, healthy, minHealthy, starts > 0)) continue;
            const stoppable = outgoing.filter((t) => t.lastStatus === "RUNNING" && t.healthStatus !== "UNHEALTHY" && !(t.deploymentId !== primary.id && isProtected(t, now)));
            const allowed = Math.min(healthy - minHealthy, stoppable.length);
            if (allowed <= 0) return;
            const victims = this.chooseTasksToStop(service, stoppable, allowed);
            for (const v of victims) this.stopOutgoing(service, v);
            core.serviceEvent(service, `has stopped ${victims.length} running tasks: ${taskIds(victims)}.`);
        }
    }

    /** Which of `candidates` ECS stops: documented narrowing, then the profile's reading of the rest (profiles/). */
    private chooseTasksToStop(service: ServiceState, candidates: readonly TaskState[], count: number): TaskState[] {
        if (count <= 0 || candidates.length === 0) return [];
        // A PROVISIONING task serves nobody and holds nothing: it goes first (emulator choice; ECS documents no order).
        const provisioning = candidates.filter((t) => !isPlaced(t)).slice(0, count);
        const placed = candidates.filter(isPlaced);
        if (provisioning.length === count || placed.length === 0) return provisioning;
        let eligible: InstanceState[] | undefined;
        return [...provisioning, ...this.core.profile.chooseTasksToStop({
            candidates: placed,
            strategies: effectiveStrategies(service),
            groupCounts: groupCounts(service),
            get eligible() {
                return (eligible ??= eligibleInstances(service));
            },
            rng: this.core.rng.placement,
            count: count - provisioning.length,
        })];
    }

    /**
     * Unhealthy tasks go once their replacements are healthy ("Amazon ECS will first start a healthy replacement for
     * each unhealthy task ... before terminating it", What's New, 2023-10-23; replacements within maximumPercent);
     * when maximumPercent leaves no room to start one, "the scheduler stops the unhealthy tasks one-by-one — using the
     * minimumHealthyPercent as a constraint" (API reference, DeploymentConfiguration). Stopping one costs no healthy
     * task. Returns whether it stopped any.
     */
    private stopUnhealthy(service: ServiceState, incoming: TaskState[], outgoing: TaskState[], healthy: number, minHealthy: number, started: boolean): boolean {
        const unhealthy = outgoing.filter((t) => t.healthStatus === "UNHEALTHY" && t.lastStatus === "RUNNING");
        if (unhealthy.length === 0) return false;
        const desired = service.desiredCount;
        const replacing = incoming.length > desired - unhealthy.length || started;
        const healthyIncoming = incoming.filter((t) => this.isHealthy(t)).length;
        const count = replacing
            ? Math.min(unhealthy.length, healthyIncoming - (desired - unhealthy.length))
            : healthy >= minHealthy ? 1 : 0;
        if (count <= 0) return false;
        const victims = unhealthy.slice(0, count);
        for (const v of victims) this.stopByChoice(v, "Task failed container health checks", schedulerCause("unhealthy task"));
        this.core.serviceEvent(service, `has stopped ${victims.length} running tasks: ${taskIds(victims)}.`);
        return true;
    }

    private stopOutgoing(service: ServiceState, task: TaskState): void {
        const primary = service.deployments[0]!;
        if (task.instance?.status === "DRAINING") {
            const cause = follows(task.instance.drainCause ?? schedulerCause("draining"), "drain instance");
            this.stopByChoice(task, "Task stopped during instance draining", cause);
        } else {
            this.stopByChoice(task, `Scaling activity initiated by (deployment ${primary.id})`, follows(primary.cause, "deployment"));
        }
    }

    private stopByChoice(task: TaskState, reason: string, cause: Cause): void {
        this.core.lifecycle.stop(task, { stopCode: "ServiceSchedulerInitiated", reason, cause, bySchedulerChoice: true });
    }

    /**
     * PROVISIONING tasks take an instance of their capacity provider as soon as one has room, oldest first (they
     * place "when capacity arrives", developer guide "Amazon ECS cluster auto scaling").
     */
    private placeProvisioningTasks(service: ServiceState): void {
        const waiting = [...service.activeTasks].filter((t) => !t.instance).sort((a, b) => a.seq - b.seq);
        if (waiting.length === 0) return;
        const sessions = new Map<TaskDefinitionState, PlacementSession>();
        const placed: TaskState[] = [];
        for (const task of waiting) {
            const td = task.taskDefinition;
            let session = sessions.get(td);
            if (!session) {
                session = new PlacementSession(this.core.rng.placement, {
                    cluster: service.cluster,
                    taskDefinition: td,
                    strategies: effectiveStrategies(service),
                    constraints: compileConstraints([...service.placementConstraints, ...td.placementConstraints]),
                    groupCounts: groupCounts(service),
                }, this.core.profile);
                sessions.set(td, session);
            }
            const result = session.place(task.capacityProviderName);
            if (!("instance" in result)) continue;
            this.core.lifecycle.place(task, result.instance);
            session.commit(result.instance);
            placed.push(task);
        }
        if (placed.length) this.core.serviceEvent(service, `has placed ${placed.length} PROVISIONING tasks: ${taskIds(placed)}.`);
    }

    /** Places and launches up to `count` tasks of the deployment; returns how many started. */
    private startTasks(service: ServiceState, deployment: DeploymentState, count: number, restrictToAz?: string, cause?: Cause): number {
        const core = this.core;
        const td = deployment.taskDefinition;
        const counts = groupCounts(service);
        const session = new PlacementSession(core.rng.placement, {
            cluster: service.cluster,
            taskDefinition: td,
            strategies: effectiveStrategies(service),
            constraints: compileConstraints([...service.placementConstraints, ...td.placementConstraints]),
            groupCounts: counts,
            restrict: restrictToAz === undefined ? undefined : (i) => availabilityZoneOf(i) === restrictToAz,
        }, core.profile);
        const providerCounts = new Map<string, number>();
        for (const t of service.activeTasks) {
            if (t.capacityProviderName) providerCounts.set(t.capacityProviderName, (providerCounts.get(t.capacityProviderName) ?? 0) + 1);
        }
        const started: TaskState[] = [];
        // ECS gives each task its capacity provider first, by base and weight, and only then looks for an instance
        // of that provider ("Amazon ECS selects a capacity provider for each task by following the capacity
        // provider strategy ... Amazon ECS follows the rest of these steps for a single capacity provider",
        // developer guide "Amazon ECS managed scaling behavior"). A provider with no room keeps its share waiting;
        // the other providers' shares are placed all the same.
        const failedProviders = new Map<string | undefined, PlacementFailure>();
        let unplaced = 0;
        let firstFailure: PlacementFailure | undefined;
        const provisioned: TaskState[] = [];
        for (let n = 0; n < count; n++) {
            const provider = nextCapacityProvider(service.capacityProviderStrategy, providerCounts);
            if (provider !== undefined) providerCounts.set(provider, (providerCounts.get(provider) ?? 0) + 1);
            const known = failedProviders.get(provider);
            const result = known ? { failure: known } : session.place(provider);
            if ("failure" in result && restrictToAz === undefined && core.managedScaling.scalesFor(service.cluster, provider)) {
                // A provider with managed scaling keeps the task PROVISIONING, with no instance, until the group has
                // room for it ("If the Auto Scaling group can't scale out to accommodate the number of tasks run, the
                // tasks fails to transition beyond the PROVISIONING state", Auto Scaling group capacity providers).
                failedProviders.set(provider, result.failure);
                provisioned.push(core.lifecycle.provision({
                    taskDefinition: td,
                    service,
                    deploymentId: deployment.id,
                    group: `service:${service.name}`,
                    startedBy: deployment.id,
                    launchType: "EC2",
                    capacityProviderName: provider,
                    tags: service.propagateTags === "SERVICE" ? service.tags : service.propagateTags === "TASK_DEFINITION" ? td.tags : undefined,
                    cause: cause ?? service.startCauses.shift() ?? schedulerCause("service scheduler"),
                }, service.cluster));
                continue;
            }
            if ("failure" in result) {
                failedProviders.set(provider, result.failure);
                firstFailure ??= result.failure;
                unplaced++;
                // Without a provider every task has the same candidates: none of the rest can be placed either.
                if (provider === undefined) {
                    unplaced += count - n - 1;
                    break;
                }
                continue;
            }
            const task = core.lifecycle.launch({
                instance: result.instance,
                taskDefinition: td,
                service,
                deploymentId: deployment.id,
                group: `service:${service.name}`,
                startedBy: deployment.id,
                launchType: provider === undefined ? service.launchType ?? "EC2" : "EC2",
                capacityProviderName: provider,
                tags: service.propagateTags === "SERVICE" ? service.tags : service.propagateTags === "TASK_DEFINITION" ? td.tags : undefined,
                cause: cause ?? service.startCauses.shift() ?? schedulerCause("service scheduler"),
            });
            session.commit(result.instance);
            started.push(task);
        }
        if (firstFailure) this.placementFailed(service, deployment, unplaced, firstFailure, restrictToAz);
        else if (restrictToAz === undefined) this.placementSucceeded(service);
        if (started.length) core.serviceEvent(service, `has started ${started.length} tasks: ${taskIds(started)}.`);
        if (provisioned.length) core.serviceEvent(service, `has started ${provisioned.length} tasks: ${taskIds(provisioned)} (PROVISIONING).`);
        return started.length + provisioned.length;
    }

    private placementSucceeded(service: ServiceState): void {
        service.placementFailure = undefined;
        // A service with PROVISIONING tasks stays blocked: new capacity must wake it to place them.
        if ([...service.activeTasks].some((t) => !t.instance)) service.cluster.blockedServices.add(service);
        else service.cluster.blockedServices.delete(service);
        this.retryTimers.get(service)?.cancel();
        this.retryTimers.delete(service);
    }

    private placementFailed(service: ServiceState, deployment: DeploymentState, unplaced: number, failure: PlacementFailure, az?: string): void {
        const core = this.core;
        const now = core.clock.now();
        const report = () => {
            const extra: Record<string, unknown> = { reason: failure.reason };
            if (service.capacityProviderStrategy.length > 0) {
                extra.capacityProviderArns = service.capacityProviderStrategy.map((s) => core.arns.capacityProvider(s.capacityProvider));
            } else {
                extra.containerInstanceArns = failure.instance ? [failure.instance.arn] : [];
            }
            core.bus.emit(SERVICE_ACTION, [service.arn], () => serviceActionDetail(service, "ERROR", "SERVICE_TASK_PLACEMENT_FAILURE", now, extra));
            const where = az === undefined ? "" : ` in Availability Zone ${az}`;
            core.serviceEvent(service, `was unable to place a task${where} because no container instance met all of its requirements. ${failure.message}`);
        };
        // A failed AZ-rebalancing surge leaves the service as it was (steady, desired count met).
        if (az !== undefined) return report();
        const previous = service.placementFailure;
        service.placementFailure = { reason: failure.reason, instanceArn: failure.instance?.arn };
        service.cluster.blockedServices.add(service);
        // ECS repeats a placement-failure message only once its cause changed.
        if (!previous || previous.reason !== failure.reason || previous.instanceArn !== failure.instance?.arn) report();
        if (deployment.rolloutState !== "IN_PROGRESS") return;
        deployment.failedTasks += unplaced;
        deployment.updatedAt = now;
        const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
        if (!breaker.enable) return;
        if (deployment.failedTasks >= circuitBreakerThreshold(service.desiredCount)) {
            this.failDeployment(service, deployment);
        } else if (!this.retryTimers.has(service)) {
            // ECS keeps trying to launch while the breaker counts failures.
            this.retryTimers.set(
                service,
                core.schedule(now + core.timing.placementRetryMs, () => {
                    this.retryTimers.delete(service);
                    this.markDirty(service);
                }),
            );
        }
    }

    private failDeployment(service: ServiceState, deployment: DeploymentState): void {
        const core = this.core;
        const now = core.clock.now();
        deployment.rolloutState = "FAILED";
        deployment.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
        deployment.updatedAt = now;
        core.bus.emit(DEPLOYMENT_STATE_CHANGE, [service.arn], () => deploymentEventDetail(deployment, "ERROR", "SERVICE_DEPLOYMENT_FAILED", deployment.rolloutStateReason, now));
        core.serviceEvent(service, `(deployment ${deployment.id}) deployment failed: tasks failed to start.`);
        const last = service.lastCompleted;
        if (service.deploymentConfiguration.deploymentCircuitBreaker.rollback && last) {
            this.startDeployment(
                service,
                last.taskDefinition,
                follows(deployment.cause, "circuit breaker rollback"),
                `ECS deployment circuit breaker: rolling back to deploymentId ${last.id}.`,
            );
        }
    }

    /** Deleted with force (or scaled to 0 first): every task goes, then the service becomes INACTIVE. */
    private reconcileDeleted(service: ServiceState): void {
        const primary = service.deployments[0];
        const tasks = [...service.activeTasks];
        for (const t of tasks) this.stopByChoice(t, `Scaling activity initiated by (deployment ${primary?.id ?? ""})`, follows(service.desiredCause, "delete service"));
        if (service.activeTasks.size > 0) return;
        const now = this.core.clock.now();
        service.status = "INACTIVE";
        service.deletedAt = now;
        for (const d of service.deployments) d.status = "INACTIVE";
        service.cluster.services.delete(service);
        service.cluster.blockedServices.delete(service);
        this.core.retention.serviceDeleted(service);
    }

    /** DAEMON: exactly one task of the current deployment on each ACTIVE, connected instance meeting the constraints. */
    private reconcileDaemon(service: ServiceState): void {
        const core = this.core;
        const primary = service.deployments[0]!;
        const td = primary.taskDefinition;
        const constraints = compileConstraints([...service.placementConstraints, ...td.placementConstraints]);
        const byInstance = new Map<InstanceState, TaskState[]>();
        for (const t of service.activeTasks) {
            if (!t.instance) continue;
            const list = byInstance.get(t.instance) ?? [];
            list.push(t);
            byInstance.set(t.instance, list);
        }
        let eligible = 0;
        let waiting = false;
        let failure: PlacementFailure | undefined;
        const started: TaskState[] = [];
        for (const instance of service.cluster.instances.values()) {
            if (instance.status === "INACTIVE") continue;
            const tasks = byInstance.get(instance) ?? [];
            if (instance.status === "DRAINING") {
                // Daemon tasks are stopped last: once no other service task is left on the instance.
                const othersLeft = [...instance.resident].some((t) => t.desiredStatus === "RUNNING" && t.service !== service && t.service?.schedulingStrategy !== "DAEMON");
                if (!othersLeft) for (const t of tasks) this.stopOutgoing(service, t);
                continue;
            }
            const fits = instance.status === "ACTIVE" && constraints.memberOf.every((q) => q.matches(instance));
            if (!fits) {
                for (const t of tasks) this.stopByChoice(t, "Task stopped because its container instance no longer meets the placement constraints", schedulerCause("daemon placement constraint"));
                continue;
            }
            if (!instance.agentConnected) continue;
            eligible++;
            const current = tasks.filter((t) => t.deploymentId === primary.id);
            for (const t of tasks) if (t.deploymentId !== primary.id || current.indexOf(t) > 0) this.stopOutgoing(service, t);
            if (current.length > 0) continue;
            const shortage = resourceShortage(instance, td);
            if (shortage) {
                // Room may come back as the replaced task stops; otherwise the instance is too small.
                if ([...instance.resident].some((t) => t.service === service)) waiting = true;
                else failure ??= { reason: shortage, instance, message: `The closest matching (container-instance ${instance.id}) has insufficient resources (${shortage}).` };
                continue;
            }
            const cause = service.daemonCauses.get(instance.id) ?? (instance.registrationCause ? follows(instance.registrationCause, "daemon") : schedulerCause("daemon"));
            service.daemonCauses.delete(instance.id);
            started.push(
                core.lifecycle.launch({
                    instance,
                    taskDefinition: td,
                    service,
                    deploymentId: primary.id,
                    group: `service:${service.name}`,
                    startedBy: primary.id,
                    launchType: "EC2",
                    cause,
                }),
            );
        }
        service.desiredCount = eligible;
        primary.desiredCount = eligible;
        if (started.length) core.serviceEvent(service, `has started ${started.length} tasks: ${taskIds(started)}.`);
        if (failure) this.placementFailed(service, primary, 1, failure);
        else if (waiting) service.cluster.blockedServices.add(service);
        else this.placementSucceeded(service);
    }

    /** Rollout state, INACTIVE deployments, and the deployments' desired counts. */
    private updateDeployments(service: ServiceState): void {
        const core = this.core;
        const now = core.clock.now();
        const primary = service.deployments[0]!;
        const active = new Map<string, number>();
        for (const t of service.activeTasks) active.set(t.deploymentId ?? "", (active.get(t.deploymentId ?? "") ?? 0) + 1);
        service.deployments = service.deployments.filter((d) => {
            if (d === primary || (active.get(d.id) ?? 0) > 0) return true;
            d.status = "INACTIVE";
            return false;
        });
        primary.desiredCount = service.desiredCount;
        for (const d of service.deployments) if (d !== primary) d.desiredCount = active.get(d.id) ?? 0;
        if (primary.rolloutState !== "IN_PROGRESS" || service.deployments.length > 1) return;
        // A blue/green-family deployment completes after its clean-up, not when the blue tasks happen to be gone.
        if (primary.strategyProgress && primary.strategyProgress.stage !== "CLEAN_UP") return;
        const { incoming, outgoing } = this.split(service);
        if (outgoing.length > 0 || incoming.length !== service.desiredCount || !incoming.every((t) => this.isHealthy(t))) return;
        primary.rolloutState = "COMPLETED";
        primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
        primary.updatedAt = now;
        service.lastCompleted = { id: primary.id, taskDefinition: primary.taskDefinition };
        core.bus.emit(DEPLOYMENT_STATE_CHANGE, [service.arn], () => deploymentEventDetail(primary, "INFO", "SERVICE_DEPLOYMENT_COMPLETED", primary.rolloutStateReason, now));
        core.serviceEvent(service, `(deployment ${primary.id}) deployment completed.`);
    }

    /** SERVICE_STEADY_STATE on the way into steady state: one deployment, done, every task running, nothing leaving. */
    private isSteady(service: ServiceState): boolean {
        const primary = service.deployments[0]!;
        const { incoming, outgoing } = this.split(service);
        return (
            service.deployments.length === 1 &&
            primary.rolloutState === "COMPLETED" &&
            outgoing.length === 0 &&
            incoming.length === service.desiredCount &&
            incoming.every((t) => this.isHealthy(t)) &&
            service.placementFailure === undefined
        );
    }

    private updateSteadyState(service: ServiceState): void {
        const core = this.core;
        const steady = this.isSteady(service);
        if (steady && !service.steady) {
            core.bus.emit(SERVICE_ACTION, [service.arn], () => serviceActionDetail(service, "INFO", "SERVICE_STEADY_STATE", core.clock.now()));
            core.serviceEvent(service, "has reached a steady state.");
            core.churn.steadyStateReached(service);
        } else if (!steady && service.steady) {
            core.churn.steadyStateLeft(service);
        }
        service.steady = steady;
        if (steady) this.rebalanceAvailabilityZones(service);
        else if (!service.azRebalancing) service.azRebalancingAfter = undefined;
    }

    /**
     * Availability Zone rebalancing (service-rebalancing.html): ECS "starts monitoring a service after it reaches the
     * steady state"; with an uneven spread it starts a task in the AZ with the fewest tasks and, once it runs, the
     * ordinary scale-in stops one in the AZ with the most ("the scheduler waits for the new tasks" first). Repeats
     * until no two AZs differ by more than one task. What the page leaves open — whether maximumPercent must leave
     * room for the extra task, whether another AZ is tried, how soon ECS acts — is the profile's reading.
     */
    private rebalanceAvailabilityZones(service: ServiceState): void {
        const core = this.core;
        const now = core.clock.now();
        if (!this.azRebalancingApplies(service)) return;
        const reading = core.profile.azRebalancing;
        const desired = service.desiredCount;
        const { maximumPercent, minimumHealthyPercent } = service.deploymentConfiguration;
        const canStart = desired + 1 <= Math.floor((desired * maximumPercent) / 100);
        if (!canStart && reading.method === "start-first") return;
        const counts = new Map<string, number>();
        for (const az of this.eligibleZones(service)) counts.set(az, 0);
        for (const t of service.activeTasks) {
            const az = availabilityZoneOf(t.instance);
            if (az !== undefined && counts.has(az)) counts.set(az, counts.get(az)! + 1);
        }
        const zones = [...counts].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
        const spreadText = zones.map(([az, n]) => `${n} tasks in ${az}`).join(", ");
        const most = zones.length > 0 ? zones[zones.length - 1]![1] : 0;
        if (zones.length < 2 || most - zones[0]![1] <= 1) {
            service.azRebalancingAfter = undefined;
            if (service.azRebalancing) {
                service.azRebalancing = false;
                core.bus.emit(SERVICE_ACTION, [service.arn], () => serviceActionDetail(service, "INFO", "SERVICE_REBALANCING_COMPLETED", now));
                core.serviceEvent(service, `is AZ balanced with ${spreadText}.`);
            }
            return;
        }
        // How soon ECS acts once it sees the imbalance: the page gives no latency.
        if (service.azRebalancingAfter === undefined) {
            service.azRebalancingAfter = now + reading.delayMs(service, core.rng.profile);
            if (service.azRebalancingAfter > now) core.schedule(service.azRebalancingAfter, () => this.markDirty(service));
        }
        if (now < service.azRebalancingAfter) return;
        // ECS rebalances by stopping a task where there are too many: if every task there is protected from
        // scale-in, the balanced scale-in would stop the task just started instead, and again, for ever.
        const fullest = zones[zones.length - 1]![0];
        const movable = [...service.activeTasks].filter((t) => availabilityZoneOf(t.instance) === fullest && t.lastStatus === "RUNNING" && !isProtected(t, now));
        if (movable.length === 0) return;
        const healthy = [...service.activeTasks].filter((t) => this.isHealthy(t)).length;
        const canStopFirst = reading.method === "start-or-stop" && healthy - 1 >= Math.ceil((desired * minimumHealthyPercent) / 100);
        if (!canStart && !canStopFirst) return;
        // The AZs a task may go to: the emptiest, or (reading) any AZ two or more below the fullest, emptiest first.
        const targets = reading.triesOtherZones ? zones.filter(([, n]) => n <= most - 2).map(([az]) => az) : [zones[0]![0]];
        if (!service.azRebalancing) {
            service.azRebalancing = true;
            core.bus.emit(SERVICE_ACTION, [service.arn], () => serviceActionDetail(service, "INFO", "SERVICE_REBALANCING_STARTED", now));
            core.serviceEvent(service, `is not AZ balanced with ${spreadText}. AZ Rebalancing in progress.`);
        }
        let started = 0;
        if (canStart) {
            for (const az of targets) {
                started = this.startTasks(service, service.deployments[0]!, 1, az, schedulerCause("AZ rebalancing"));
                if (started > 0) {
                    this.rebalancingTasks(service, "TASKS_STARTED", `has started 1 tasks in Availability Zone ${az} to AZ Rebalance: ${taskIds(this.newestTasks(service, 1))}.`);
                    break;
                }
            }
        } else if (targets.some((az) => this.hasRoomIn(service, az))) {
            // Stop first, within minimumHealthyPercent: the replacement goes where the spread sends it, an AZ with room.
            const [victim] = this.chooseTasksToStop(service, movable, 1);
            if (victim) {
                this.stopByChoice(victim, `AZ rebalancing initiated by (deployment ${service.deployments[0]!.id})`, schedulerCause("AZ rebalancing"));
                this.rebalancingTasks(service, "TASKS_STOPPED", `has stopped 1 running tasks in Availability Zone ${fullest} due to AZ rebalancing: ${taskIds([victim])}.`);
                started = 1;
            }
        }
        if (started === 0) {
            service.azRebalancing = false;
            // ECS keeps monitoring: try again once a task leaves and frees room.
            this.azRebalancingWaiting.add(service);
        }
    }

    /** A TASKS_STARTED / TASKS_STOPPED service action and its service event (track-service-rebalancing.html). */
    private rebalancingTasks(service: ServiceState, eventName: "TASKS_STARTED" | "TASKS_STOPPED", message: string): void {
        const now = this.core.clock.now();
        this.core.bus.emit(SERVICE_ACTION, [service.arn], () => serviceActionDetail(service, "INFO", eventName, now));
        this.core.serviceEvent(service, message);
    }

    private newestTasks(service: ServiceState, n: number): TaskState[] {
        return [...service.activeTasks].sort((a, b) => b.seq - a.seq).slice(0, n);
    }

    /** Whether a task of the service fits in the AZ now (a placement tried and not committed). */
    private hasRoomIn(service: ServiceState, az: string): boolean {
        const primary = service.deployments[0]!;
        const session = new PlacementSession(this.core.rng.placement, {
            cluster: service.cluster,
            taskDefinition: primary.taskDefinition,
            strategies: effectiveStrategies(service),
            constraints: compileConstraints([...service.placementConstraints, ...primary.taskDefinition.placementConstraints]),
            groupCounts: groupCounts(service),
            restrict: (i) => availabilityZoneOf(i) === az,
        }, this.core.profile);
        const providers = service.capacityProviderStrategy.map((c) => c.capacityProvider);
        return (providers.length === 0 ? [undefined] : providers).some((p) => "instance" in session.place(p));
    }

    /** AZs where the service could run a task (ACTIVE, connected instances of its providers meeting its constraints). */
    private eligibleZones(service: ServiceState): Set<string> {
        const providers = service.capacityProviderStrategy.map((s) => s.capacityProvider);
        const memberOf = compileConstraints(service.placementConstraints).memberOf;
        const collect = () => {
            const zones = new Set<string>();
            for (const i of service.cluster.instances.values()) {
                const az = availabilityZoneOf(i);
                if (az === undefined || i.status !== "ACTIVE" || !i.agentConnected) continue;
                if (providers.length > 0 && !providers.includes(i.capacityProviderName ?? "")) continue;
                if (memberOf.every((q) => q.matches(i))) zones.add(az);
            }
            return zones;
        };
        if (memberOf.length > 0) return collect();
        const version = service.cluster.topologyVersion;
        let cache = this.zoneCache.get(service.cluster);
        if (!cache || cache.version !== version) this.zoneCache.set(service.cluster, (cache = { version, byProviders: new Map() }));
        const key = providers.join(",");
        let zones = cache.byProviders.get(key);
        if (!zones) cache.byProviders.set(key, (zones = collect()));
        return zones;
    }

    private azRebalancingApplies(service: ServiceState): boolean {
        const first = effectiveStrategies(service)[0];
        return (
            service.status === "ACTIVE" &&
            service.schedulingStrategy === "REPLICA" &&
            service.availabilityZoneRebalancing === "ENABLED" &&
            service.deploymentController.type === "ECS" &&
            service.desiredCount > 0 &&
            service.deploymentConfiguration.maximumPercent > 100 &&
            first?.type === "spread" &&
            first.field === `attribute:${AZ_ATTRIBUTE}` &&
            !service.placementConstraints.some((c) => c.type === "memberOf" && (c.expression ?? "").includes(AZ_ATTRIBUTE))
        );
    }
}
