// Indexes over one snapshot that every service's planning reads, plus the resources the plan has already
// promised to predicted placements (so two services are not both planned into the same free CPU).

import type { ClusterSnapshot, ContainerInstance, Task } from "../model";

export class ClusterIndex {
    readonly instances: ContainerInstance[];
    readonly indexByArn = new Map<string, number>();
    readonly tasksByService = new Map<string, Task[]>();
    /** Free CPU/memory per instance, lowered as the plan predicts placements. */
    readonly freeCpu: Float64Array;
    readonly freeMemory: Float64Array;
    readonly portsInUse: Set<number>[];
    /** Changes whenever the plan reserves resources, so caches of free room know they are stale. */
    generation = 0;

    constructor(readonly snapshot: ClusterSnapshot) {
        this.instances = snapshot.instances;
        this.freeCpu = new Float64Array(this.instances.length);
        this.freeMemory = new Float64Array(this.instances.length);
        this.portsInUse = [];
        this.instances.forEach((instance, i) => {
            this.indexByArn.set(instance.arn, i);
            this.freeCpu[i] = instance.remaining.cpu;
            this.freeMemory[i] = instance.remaining.memory;
            this.portsInUse.push(new Set(instance.portsInUse));
        });
        for (const task of snapshot.tasks) {
            // A task ECS is already stopping (listed while desired RUNNING, described after) is no longer the service's.
            if (!task.serviceName || task.desiredStatus !== "RUNNING") continue;
            let list = this.tasksByService.get(task.serviceName);
            if (!list) this.tasksByService.set(task.serviceName, (list = []));
            list.push(task);
        }
    }

    tasksOf(serviceName: string): Task[] {
        return this.tasksByService.get(serviceName) ?? [];
    }

    /** Records that a task of this size will be placed on the instance (by ECS, as the plan predicts). */
    reserve(instance: number, cpu: number, memory: number, ports: readonly number[]): void {
        this.freeCpu[instance] -= cpu;
        this.freeMemory[instance] -= memory;
        for (const p of ports) this.portsInUse[instance].add(p);
        this.generation++;
    }
}
