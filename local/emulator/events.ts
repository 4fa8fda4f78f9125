// EventBridge events as ECS emits them (source "aws.ecs"; shapes of ../shared/reference/events/*.json), and the
// outbox that delivers them and task transitions to listeners once the change that produced them is complete.

import type { Cause } from "./causes";
import type { Clock } from "./clock";
import type { FaultInjector } from "./faults";
import type { DeploymentState, InstanceState, ServiceState, TaskState, TaskStatus } from "./model";
import type { Rng } from "./random";
import { describeContainerInstance, describeTask, isoMillis, isoSeconds, type Json } from "./serialize";

export interface EcsEvent {
    version: "0";
    id: string;
    "detail-type": string;
    source: "aws.ecs";
    account: string;
    time: string;
    region: string;
    resources: string[];
    detail: Json;
}

export const CONTAINER_INSTANCE_STATE_CHANGE = "ECS Container Instance State Change";
export const TASK_STATE_CHANGE = "ECS Task State Change";
export const SERVICE_ACTION = "ECS Service Action";
export const DEPLOYMENT_STATE_CHANGE = "ECS Deployment State Change";

/** One task state transition, with the cause of the start or stop it belongs to. */
export interface TaskChange {
    /** Epoch ms on the emulator's clock. */
    time: number;
    clusterArn: string;
    taskArn: string;
    /** Service name, for service tasks. */
    service?: string;
    deploymentId?: string;
    /** Undefined while the task is PROVISIONING (no instance yet). */
    containerInstanceArn?: string;
    ec2InstanceId?: string;
    availabilityZone?: string;
    /** undefined for the creation of the task. */
    from?: TaskStatus;
    to: TaskStatus;
    desiredStatus: "RUNNING" | "STOPPED";
    /** The start's cause for PENDING/RUNNING, the stop's cause for STOPPING/STOPPED. */
    cause: Cause;
}

export type EventListener = (event: EcsEvent) => void;
export type TaskChangeListener = (change: TaskChange) => void;

export class EventBus {
    private readonly eventListeners = new Set<EventListener>();
    private readonly taskListeners = new Set<TaskChangeListener>();
    private queue: (() => void)[] = [];
    private flushing = false;
    /** Events emitted (before delivery faults), by detail-type. */
    readonly emitted = new Map<string, number>();

    constructor(
        private readonly clock: Clock,
        private readonly faults: FaultInjector,
        private readonly rng: Rng,
        private readonly accountId: string,
        private readonly region: string,
    ) {}

    onEvent(listener: EventListener): () => void {
        this.eventListeners.add(listener);
        return () => this.eventListeners.delete(listener);
    }

    onTaskChange(listener: TaskChangeListener): () => void {
        this.taskListeners.add(listener);
        return () => this.taskListeners.delete(listener);
    }

    /** `detail` is built only when someone listens (events are the bulk of the work in large clusters). */
    emit(detailType: string, resources: string[], detail: () => Json): void {
        this.emitted.set(detailType, (this.emitted.get(detailType) ?? 0) + 1);
        if (this.eventListeners.size === 0) return;
        const now = this.clock.now();
        const event: EcsEvent = {
            version: "0",
            id: this.rng.uuid(),
            "detail-type": detailType,
            source: "aws.ecs",
            account: this.accountId,
            time: isoSeconds(now),
            region: this.region,
            resources,
            detail: detail(),
        };
        const { delayMs, duplicate } = this.faults.forEvent();
        const deliver = () => this.deliver(event);
        if (delayMs > 0) this.clock.schedule(now + delayMs, () => this.later(deliver));
        else this.queue.push(deliver);
        if (duplicate) this.clock.schedule(now + delayMs + this.faults.config.eventDelayMs, () => this.later(deliver));
    }

    taskChanged(change: TaskChange): void {
        this.queue.push(() => {
            for (const l of [...this.taskListeners]) l(change);
        });
    }

    /** Delivers everything queued by the change that just completed, in emission order. */
    flush(): void {
        if (this.flushing) return;
        this.flushing = true;
        try {
            while (this.queue.length > 0) {
                const batch = this.queue;
                this.queue = [];
                for (const deliver of batch) deliver();
            }
        } finally {
            this.flushing = false;
        }
    }

    private later(deliver: () => void): void {
        this.queue.push(deliver);
        this.flush();
    }

    /** Listeners share the event object (a duplicate delivery too): they must treat it as read-only. */
    private deliver(event: EcsEvent): void {
        for (const l of [...this.eventListeners]) l(event);
    }
}

/** "ECS Container Instance State Change": registration, agent and status changes, task starts and stops. */
export function containerInstanceEventDetail(instance: InstanceState, now: number): Json {
    return {
        ...describeContainerInstance(instance, false, isoMillis),
        clusterArn: instance.cluster.arn,
        updatedAt: isoMillis(now),
    };
}

/** "ECS Task State Change". ECS does not put the task's health status in these events. */
export function taskEventDetail(task: TaskState): Json {
    const detail: Json = { ...describeTask(task, false, isoMillis), updatedAt: isoMillis(task.updatedAt) };
    delete detail.healthStatus;
    return detail;
}

export function serviceActionDetail(service: ServiceState, eventType: "INFO" | "WARN" | "ERROR", eventName: string, now: number, extra: Json = {}): Json {
    return { eventType, eventName, clusterArn: service.cluster.arn, createdAt: isoMillis(now), ...extra };
}

/** "ECS Deployment State Change": no clusterArn in the detail; the service ARN is resources[0]. */
export function deploymentEventDetail(deployment: DeploymentState, eventType: "INFO" | "ERROR", eventName: string, reason: string, now: number): Json {
    return { eventType, eventName, deploymentId: deployment.id, updatedAt: isoMillis(now), reason };
}
