// Watches every task transition: what each service is running at every moment (checked against its healthy
// floor and its ceiling, both from the owner's desiredCount), and which starts and stops the rebalancer caused
// (the root of the transition's cause chain is an API call made with the rebalancer's access key).

import { causeChain, type EcsEmulator, type TaskChange } from "../../../local/emulator";
import { CLUSTER, type ServiceSpec } from "./scenario";

export interface Limits {
    /** ceil(desired × minimumHealthyPercent / 100) */
    floor: number;
    /** floor(desired × maximumPercent / 100) */
    ceiling: number;
}

export interface LimitViolation {
    time: number;
    service: string;
    kind: "below floor" | "above ceiling";
    value: number;
    limit: number;
    /** The transition that crossed the limit and why it happened. */
    taskArn: string;
    to: string;
    chain: string[];
    root: unknown;
}

export function limitsOf(desiredCount: number, minimumHealthyPercent: number, maximumPercent: number): Limits {
    return { floor: Math.ceil((desiredCount * minimumHealthyPercent) / 100), ceiling: Math.floor((desiredCount * maximumPercent) / 100) };
}

/** Floors and ceilings of the REPLICA services, from the owner's desiredCount and deployment configuration (ECS's defaults when unset). */
export function limitsFor(services: ServiceSpec[]): Map<string, Limits> {
    const limits = new Map<string, Limits>();
    for (const s of services) {
        if (s.daemon) continue;
        limits.set(s.name, limitsOf(s.desiredCount, s.minimumHealthyPercent ?? 100, s.maximumPercent ?? 200));
    }
    return limits;
}

export class TaskWatch {
    /** Tasks desired RUNNING and RUNNING, per service. */
    private readonly serving = new Map<string, Set<string>>();
    /** Tasks desired RUNNING (PENDING or RUNNING), per service. */
    private readonly active = new Map<string, Set<string>>();
    readonly violations: LimitViolation[] = [];
    /** Tasks whose stop the rebalancer caused, per service. */
    readonly stoppedByRebalancer = new Map<string, Set<string>>();
    /** Tasks whose start the rebalancer caused, per service. */
    readonly startedByRebalancer = new Map<string, Set<string>>();
    readonly changes: TaskChange[] = [];
    /** The service of every task seen, stopped and expired ones included. */
    private readonly serviceByTask = new Map<string, string>();
    private readonly unsubscribe: () => void;

    /** Starts from the current state; `limits` names the services to check. */
    constructor(emulator: EcsEmulator, private readonly rebalancerKey: string, private readonly limits: Map<string, Limits>) {
        for (const t of emulator.control.snapshot(CLUSTER).tasks) {
            if (!t.serviceName) continue;
            this.serviceByTask.set(t.taskArn, t.serviceName);
            this.set(this.active, t.serviceName).add(t.taskArn);
            if (t.lastStatus === "RUNNING") this.set(this.serving, t.serviceName).add(t.taskArn);
        }
        this.unsubscribe = emulator.onTaskChange((c) => this.onChange(c));
    }

    private set(map: Map<string, Set<string>>, service: string): Set<string> {
        let s = map.get(service);
        if (!s) map.set(service, (s = new Set()));
        return s;
    }

    private byRebalancer(c: TaskChange): boolean {
        return c.cause.root.type === "api" && c.cause.root.accessKeyId === this.rebalancerKey;
    }

    private onChange(c: TaskChange): void {
        this.changes.push(c);
        const service = c.service;
        if (!service) return;
        this.serviceByTask.set(c.taskArn, service);
        const wanted = c.desiredStatus === "RUNNING";
        const active = this.set(this.active, service);
        const serving = this.set(this.serving, service);
        if (wanted && (c.to === "PENDING" || c.to === "RUNNING")) active.add(c.taskArn);
        else active.delete(c.taskArn);
        if (wanted && c.to === "RUNNING") serving.add(c.taskArn);
        else serving.delete(c.taskArn);
        if (this.byRebalancer(c)) {
            if (c.from === undefined) this.set(this.startedByRebalancer, service).add(c.taskArn);
            if (!wanted) this.set(this.stoppedByRebalancer, service).add(c.taskArn);
        }
        const limits = this.limits.get(service);
        if (!limits) return;
        const crossing = (kind: LimitViolation["kind"], value: number, limit: number) =>
            this.violations.push({ time: c.time, service, kind, value, limit, taskArn: c.taskArn, to: c.to, chain: causeChain(c.cause), root: c.cause.root });
        if (serving.size < limits.floor) crossing("below floor", serving.size, limits.floor);
        if (active.size > limits.ceiling) crossing("above ceiling", active.size, limits.ceiling);
    }

    /** The service a task belonged to, even once ECS no longer returns it (stopped tasks expire after an hour). */
    serviceOf(taskArn: string): string | undefined {
        return this.serviceByTask.get(taskArn);
    }

    stopped(service: string): number {
        return this.stoppedByRebalancer.get(service)?.size ?? 0;
    }

    started(service: string): number {
        return this.startedByRebalancer.get(service)?.size ?? 0;
    }

    /** Services with any start or stop the rebalancer caused. */
    touchedServices(): string[] {
        return [...new Set([...this.stoppedByRebalancer.keys(), ...this.startedByRebalancer.keys()])].sort();
    }

    dispose(): void {
        this.unsubscribe();
    }
}
