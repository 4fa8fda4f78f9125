// Task lifecycle on the emulated clock: (PROVISIONING →) PENDING → RUNNING (start delay) → STOPPING (desired
// STOPPED) → STOPPED (stop delay). A task is PROVISIONING, without an instance, while its capacity provider's managed
// scaling brings capacity (developer guide "Amazon ECS cluster auto scaling"). Each transition updates the indexes and counters, bumps the task's version, emits the task (and,
// when resources change, container-instance) event, and reports the transition with its cause.

import type { Cause } from "./causes";
import type { EmulatorCore } from "./core";
import { TASK_STATE_CHANGE, taskEventDetail } from "./events";
import type { ClusterState, InstanceState, ServiceState, TaskDefinitionState, TaskState, TaskStatus, Tags } from "./model";
import { assignPorts, release, reserve } from "./resources";

export interface LaunchRequest {
    /** Undefined: the task is created PROVISIONING and placed later (`place`). */
    instance?: InstanceState;
    taskDefinition: TaskDefinitionState;
    service?: ServiceState;
    deploymentId?: string;
    group: string;
    startedBy?: string;
    launchType?: string;
    capacityProviderName?: string;
    overrides?: Record<string, unknown>;
    tags?: Tags;
    cause: Cause;
    /** Start RUNNING at once (scenario set-up of tasks that already run). */
    running?: boolean;
}

export interface StopRequest {
    /** ECS's stop code; absent where ECS gives none (tasks orphaned by a forced deregistration). */
    stopCode?: string;
    reason: string;
    cause: Cause;
    /** The instance is gone: skip STOPPING and the stop delay (EC2 termination). */
    immediate?: boolean;
    /** The service scheduler chose this stop itself (scale-in, deployment, draining): no replacement is owed. */
    bySchedulerChoice?: boolean;
}

export class TaskLifecycle {
    constructor(private readonly core: EmulatorCore) {}

    launch(req: LaunchRequest & { instance: InstanceState }): TaskState {
        const task = this.create(req, req.instance.cluster);
        this.occupy(task, req.instance, req.running === true);
        return task;
    }

    /** A task of a capacity provider with no room: PROVISIONING, no instance, holding nothing until `place`. */
    provision(req: Omit<LaunchRequest, "instance" | "running">, cluster: ClusterState): TaskState {
        const task = this.create(req, cluster);
        this.changed(task, undefined, req.cause);
        return task;
    }

    /** A PROVISIONING task gets its instance: PENDING there, started after the start delay. */
    place(task: TaskState, instance: InstanceState): void {
        if (task.lastStatus !== "PROVISIONING" || task.instance) throw new Error(`task ${task.id} is not PROVISIONING`);
        this.occupy(task, instance, false);
    }

    private create(req: LaunchRequest, cluster: ClusterState): TaskState {
        const core = this.core;
        const td = req.taskDefinition;
        const now = core.clock.now();
        const id = core.rng.ids.hex(32);
        const containerDefinitions = td.description.containerDefinitions as Record<string, unknown>[];
        const task: TaskState = {
            seq: core.nextSeq(),
            id,
            arn: core.arns.task(cluster.name, id),
            cluster,
            service: req.service,
            deploymentId: req.deploymentId,
            taskDefinition: td,
            group: req.group,
            startedBy: req.startedBy,
            launchType: req.launchType,
            capacityProviderName: req.capacityProviderName,
            lastStatus: req.instance ? "PENDING" : "PROVISIONING",
            desiredStatus: "RUNNING",
            healthStatus: "UNKNOWN",
            createdAt: now,
            updatedAt: now,
            version: 0,
            containers: containerDefinitions.map((c) => {
                const name = String(c.name);
                return {
                    arn: core.arns.container(cluster.name, id, core.rng.ids.uuid()),
                    name,
                    image: String(c.image),
                    lastStatus: "PENDING",
                    networkBindings: [],
                    cpu: String(c.cpu ?? 0),
                    memory: c.memory !== undefined ? String(c.memory) : undefined,
                    memoryReservation: c.memoryReservation !== undefined ? String(c.memoryReservation) : undefined,
                    runtimeId: `${id}-${core.rng.ids.hex(10)}`,
                };
            }),
            reservation: { ...td.reservation },
            tcpPorts: [],
            udpPorts: [],
            dynamicPorts: [],
            overrides: req.overrides ?? { containerOverrides: containerDefinitions.map((c) => ({ name: c.name })), inferenceAcceleratorOverrides: [] },
            tags: new Map(req.tags ?? []),
            startCause: req.cause,
            holdsResources: false,
        };
        cluster.tasks.add(task);
        cluster.activeTasks.add(task);
        cluster.tasksById.set(id, task);
        if (req.service) {
            req.service.tasks.add(task);
            req.service.activeTasks.add(task);
        }
        return task;
    }

    /** The task takes its resources and ports on the instance and is PENDING there (RUNNING at once if `running`). */
    private occupy(task: TaskState, instance: InstanceState, running: boolean): void {
        const core = this.core;
        const now = core.clock.now();
        const td = task.taskDefinition;
        const ports = assignPorts(instance, td);
        const from = task.instance === undefined && task.lastStatus === "PROVISIONING" && task.version > 0 ? "PROVISIONING" : undefined;
        task.instance = instance;
        task.lastStatus = "PENDING";
        task.connectivityAt = now;
        task.pullStartedAt = now;
        task.updatedAt = now;
        for (const c of task.containers) c.networkBindings.push(...(ports.bindings.get(c.name) ?? []));
        task.tcpPorts.push(...ports.tcp);
        task.udpPorts.push(...ports.udp);
        task.dynamicPorts.push(...ports.dynamic);
        task.holdsResources = true;
        reserve(instance, td, ports);
        instance.tasks.add(task);
        instance.resident.add(task);
        instance.runningTasksCount++;
        this.count(task, +1);
        this.changed(task, from, task.startCause);
        core.emitInstanceEvent(instance);
        if (running) this.markRunning(task);
        else task.timer = core.schedule(now + core.timing.taskStartMs, () => this.markRunning(task));
    }

    /** Asks the task to stop. Returns false when it was already on its way to STOPPED. */
    stop(task: TaskState, req: StopRequest): boolean {
        if (task.desiredStatus === "STOPPED") {
            if (req.immediate && task.lastStatus !== "STOPPED") this.finishStop(task, false);
            return false;
        }
        const core = this.core;
        const now = core.clock.now();
        task.desiredStatus = "STOPPED";
        task.stopCode = req.stopCode;
        task.stoppedReason = req.reason;
        task.stopCause = req.cause;
        task.updatedAt = now;
        task.timer?.cancel();
        task.timer = undefined;
        task.cluster.activeTasks.delete(task);
        task.service?.activeTasks.delete(task);
        if (task.instance) task.instance.runningTasksCount--;
        core.scheduler.taskLeft(task, req.bySchedulerChoice === true);
        if (task.lastStatus === "PENDING" || task.lastStatus === "PROVISIONING" || req.immediate) {
            this.finishStop(task, !req.immediate);
            return true;
        }
        this.count(task, -1);
        const from = task.lastStatus;
        task.lastStatus = "STOPPING";
        task.stoppingAt = now;
        this.count(task, +1);
        this.changed(task, from, req.cause);
        const stopMs = task.taskDefinition.stopTimeoutMs ?? core.timing.taskStopMs;
        task.timer = core.schedule(now + stopMs, () => this.finishStop(task, true));
        return true;
    }

    private markRunning(task: TaskState): void {
        const core = this.core;
        const now = core.clock.now();
        task.timer = undefined;
        this.count(task, -1);
        task.lastStatus = "RUNNING";
        task.startedAt = now;
        task.pullStoppedAt = now;
        task.updatedAt = now;
        for (const c of task.containers) c.lastStatus = "RUNNING";
        this.count(task, +1);
        this.changed(task, "PENDING", task.startCause);
        if (task.taskDefinition.hasHealthCheck) {
            task.timer = core.schedule(now + core.timing.healthCheckMs, () => this.checkHealth(task));
        } else {
            // It counts toward minimumHealthyPercent 40 s from now: the scheduler looks again then.
            task.timer = core.schedule(now + core.timing.healthyDelayMs, () => {
                task.timer = undefined;
                core.scheduler.taskRunning(task);
            });
        }
        core.scheduler.taskRunning(task);
    }

    /**
     * The container health check's verdict: HEALTHY, or UNHEALTHY on an instance whose health checks fail. ECS replaces
     * an unhealthy task (scheduler.ts); one that passes again is HEALTHY again.
     */
    private checkHealth(task: TaskState): void {
        task.timer = undefined;
        const status = task.instance?.healthChecksFailing ? "UNHEALTHY" : "HEALTHY";
        if (status === task.healthStatus) return;
        task.healthStatus = status;
        task.updatedAt = this.core.clock.now();
        this.emitTaskEvent(task);
        if (status === "UNHEALTHY") this.core.scheduler.taskUnhealthy(task);
        else this.core.scheduler.taskRunning(task);
    }

    /** The instance's health checks start or stop failing: its running tasks with a health check are checked again. */
    recheckHealth(instance: InstanceState): void {
        const now = this.core.clock.now();
        for (const task of instance.resident) {
            if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING" || !task.taskDefinition.hasHealthCheck || task.timer) continue;
            task.timer = this.core.schedule(now + this.core.timing.healthCheckMs, () => this.checkHealth(task));
        }
    }

    /** STOPPED: resources go back to the instance, which then reports the change unless it is gone. */
    private finishStop(task: TaskState, instanceEvent: boolean): void {
        const core = this.core;
        const now = core.clock.now();
        task.timer?.cancel();
        task.timer = undefined;
        const from = task.lastStatus;
        this.count(task, -1);
        task.lastStatus = "STOPPED";
        task.stoppingAt ??= now;
        task.stoppedAt = now;
        task.executionStoppedAt = now;
        task.updatedAt = now;
        for (const c of task.containers) {
            if (c.lastStatus === "RUNNING") c.exitCode = 143;
            c.lastStatus = "STOPPED";
        }
        const instance = task.instance;
        if (instance && task.holdsResources) {
            release(instance, task.reservation, task.tcpPorts, task.udpPorts, task.dynamicPorts);
            instance.resident.delete(task);
        }
        task.holdsResources = false;
        this.changed(task, from, task.stopCause!);
        if (instanceEvent && instance) core.emitInstanceEvent(instance);
        core.retention.taskStopped(task);
        core.scheduler.capacityFreed(task.cluster);
    }

    /**
     * Counters that follow lastStatus: the cluster's running and pending counts and the instance's pending count.
     * (An instance's runningTasksCount counts tasks whose desired status is RUNNING, per the API reference.)
     */
    private count(task: TaskState, delta: number): void {
        if (task.lastStatus === "RUNNING") task.cluster.runningTasksCount += delta;
        if (task.lastStatus === "PENDING") {
            task.cluster.pendingTasksCount += delta;
            if (task.instance) task.instance.pendingTasksCount += delta;
        }
    }

    private changed(task: TaskState, from: TaskStatus | undefined, cause: Cause): void {
        this.emitTaskEvent(task);
        // Managed scaling counts PROVISIONING tasks and instances without non-daemon tasks.
        this.core.managedScaling.clusterChanged(task.cluster);
        this.core.bus.taskChanged({
            time: this.core.clock.now(),
            clusterArn: task.cluster.arn,
            taskArn: task.arn,
            service: task.service?.name,
            deploymentId: task.deploymentId,
            containerInstanceArn: task.instance?.arn,
            ec2InstanceId: task.instance?.ec2InstanceId,
            availabilityZone: task.instance?.attributes.get("ecs.availability-zone"),
            from,
            to: task.lastStatus,
            desiredStatus: task.desiredStatus,
            cause,
        });
    }

    private emitTaskEvent(task: TaskState): void {
        task.version++;
        this.core.bus.emit(TASK_STATE_CHANGE, [task.arn], () => taskEventDetail(task));
    }
}
