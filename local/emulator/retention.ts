// ECS keeps STOPPED tasks, deregistered instances and deleted services describable for a while, then forgets them.
// Expiry is applied lazily (before each API call and control read) from queues in expiry order, so no timer
// keeps the emulated world from going idle.

import type { InstanceState, ServiceState, TaskState } from "./model";

export class Retention {
    private readonly tasks: TaskState[] = [];
    private readonly instances: InstanceState[] = [];
    private readonly services: ServiceState[] = [];
    private taskHead = 0;
    private instanceHead = 0;
    private serviceHead = 0;

    constructor(
        private readonly stoppedTaskMs: number,
        private readonly inactiveMs: number,
    ) {}

    taskStopped(task: TaskState): void {
        this.tasks.push(task);
    }

    instanceDeregistered(instance: InstanceState): void {
        this.instances.push(instance);
    }

    serviceDeleted(service: ServiceState): void {
        this.services.push(service);
    }

    forgetExpired(now: number): void {
        while (this.taskHead < this.tasks.length && this.tasks[this.taskHead]!.stoppedAt! + this.stoppedTaskMs <= now) {
            forgetTask(this.tasks[this.taskHead++]!);
        }
        while (this.instanceHead < this.instances.length && this.instances[this.instanceHead]!.deregisteredAt! + this.inactiveMs <= now) {
            forgetInstance(this.instances[this.instanceHead++]!);
        }
        while (this.serviceHead < this.services.length && this.services[this.serviceHead]!.deletedAt! + this.inactiveMs <= now) {
            forgetService(this.services[this.serviceHead++]!);
        }
        this.compact();
    }

    private compact(): void {
        if (this.taskHead > 1024 && this.taskHead * 2 > this.tasks.length) {
            this.tasks.splice(0, this.taskHead);
            this.taskHead = 0;
        }
        if (this.instanceHead > 1024 && this.instanceHead * 2 > this.instances.length) {
            this.instances.splice(0, this.instanceHead);
            this.instanceHead = 0;
        }
        if (this.serviceHead > 1024 && this.serviceHead * 2 > this.services.length) {
            this.services.splice(0, this.serviceHead);
            this.serviceHead = 0;
        }
    }
}

function forgetTask(task: TaskState): void {
    task.cluster.tasks.delete(task);
    task.cluster.tasksById.delete(task.id);
    task.instance?.tasks.delete(task);
    task.service?.tasks.delete(task);
}

function forgetInstance(instance: InstanceState): void {
    instance.cluster.instances.delete(instance);
    instance.cluster.instancesById.delete(instance.id);
}

function forgetService(service: ServiceState): void {
    if (service.cluster.servicesByName.get(service.name) === service) service.cluster.servicesByName.delete(service.name);
}
