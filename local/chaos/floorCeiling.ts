// DESIGN.md's first safety invariant, watched at every task change: a service's running tasks never drop below
// ceil(owner's desired × minimumHealthyPercent / 100) because of the rebalancer, and never rise above
// floor(owner's desired × maximumPercent / 100) because of it. Written out here, independently of the planner.
//
// "Because of the rebalancer": the change's cause chain ends at an API call signed with the function's key (its
// StopTask, the scale-in after it puts a surged desiredCount back, the tasks its redeploy replaces, the
// replacement of a task it stopped). A violation is a moment where such a change takes a task out of the running
// set and leaves fewer than the floor, or adds one and leaves more than the ceiling. Judged against the owner's
// desiredCount (the owner's or Service Auto Scaling's last value), never a surged one. Changes by others (EC2
// losing an instance, the owner's deployment) are never counted, but they lower the count the rebalancer's next
// stop is judged on.

import type { TaskChange } from "../emulator";
import type { ScenarioWorld } from "../scenario/world";

export interface Violation {
    kind: "floor" | "ceiling";
    service: string;
    time: number;
    running: number;
    limit: number;
    taskArn: string;
    /** The rebalancer's operation at the root of the change, and ECS's id for that request. */
    operation: string;
    requestId: string;
    /** When the changed task was first seen (launched). */
    taskSeenAt: number;
    /** When each task of the service running after the change became RUNNING. */
    runningSince: number[];
}

export interface ServiceLimits {
    floor: number;
    ceiling: number;
}

/** Floor and ceiling of a REPLICA service from its owner's desiredCount (DESIGN.md, rounded as ECS rounds). */
export function limitsOf(ownerDesired: number, minimumHealthyPercent: number, maximumPercent: number): ServiceLimits {
    return { floor: Math.ceil((ownerDesired * minimumHealthyPercent) / 100), ceiling: Math.floor((ownerDesired * maximumPercent) / 100) };
}

export class FloorCeilingMonitor {
    readonly violations: Violation[] = [];
    /** Emulated time of the last task change of any service (the world's last movement). */
    lastChangeAt = 0;
    private readonly running = new Map<string, Set<string>>();
    private readonly seenAt = new Map<string, number>();
    private readonly runningSince = new Map<string, number>();
    private readonly unsubscribe: () => void;

    constructor(
        private readonly world: ScenarioWorld,
        private readonly accessKeyId: string,
    ) {
        this.unsubscribe = world.emulator.onTaskChange((change) => this.observe(change));
    }

    count(kind: Violation["kind"]): number {
        return this.violations.filter((v) => v.kind === kind).length;
    }

    close(): void {
        this.unsubscribe();
    }

    private limits(service: string): ServiceLimits | undefined {
        const spec = this.world.scenario.services.find((s) => s.name === service);
        const owner = this.world.ownerDesired.get(service);
        if (!spec || spec.schedulingStrategy !== "REPLICA" || owner === undefined) return undefined;
        return limitsOf(owner, spec.minimumHealthyPercent, spec.maximumPercent);
    }

    private observe(change: TaskChange): void {
        this.lastChangeAt = change.time;
        if (!change.service) return;
        let running = this.running.get(change.service);
        if (!running) this.running.set(change.service, (running = new Set()));
        const was = running.has(change.taskArn);
        const is = change.to === "RUNNING" && change.desiredStatus === "RUNNING";
        if (!this.seenAt.has(change.taskArn)) this.seenAt.set(change.taskArn, change.time);
        if (is) {
            running.add(change.taskArn);
            if (!was) this.runningSince.set(change.taskArn, change.time);
        } else {
            running.delete(change.taskArn);
            this.runningSince.delete(change.taskArn);
        }
        const root = change.cause.root;
        if (was === is || root.type !== "api" || root.accessKeyId !== this.accessKeyId) return;
        const limits = this.limits(change.service);
        if (!limits) return;
        const n = running.size;
        const base = {
            service: change.service, time: change.time, running: n, taskArn: change.taskArn, operation: root.operation, requestId: root.requestId,
            taskSeenAt: this.seenAt.get(change.taskArn) ?? change.time, runningSince: [...running].map((arn) => this.runningSince.get(arn) ?? 0),
        };
        if (was && n < limits.floor) this.violations.push({ ...base, kind: "floor", limit: limits.floor });
        if (is && n > limits.ceiling) this.violations.push({ ...base, kind: "ceiling", limit: limits.ceiling });
    }
}
