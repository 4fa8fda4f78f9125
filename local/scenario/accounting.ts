// What the rebalancer did to the tasks, read from the emulator's task changes: which tasks it stopped and started
// (the change's cause chain ends at an API call signed with its key), and every moment one of its changes left a
// service below its healthy floor or above its ceiling — judged against the owner's desiredCount, not a surge.

import type { TaskChange } from "../emulator";
import type { ScenarioWorld } from "./world";

export interface Violation {
    service: string;
    time: number;
    kind: "floor" | "ceiling";
    running: number;
    limit: number;
}

export interface Move {
    time: number;
    service: string;
    kind: "stop" | "start";
    instance: string;
    az?: string;
}

export class RebalancerAccounting {
    readonly stopped = new Set<string>();
    readonly started = new Set<string>();
    readonly violations: Violation[] = [];
    /** Tasks each service has running (desired and last status RUNNING). */
    private readonly running = new Map<string, Set<string>>();
    private readonly inViolation = new Map<string, boolean>();
    readonly moves: Move[] = [];
    private readonly unsubscribe: () => void;

    constructor(
        private readonly world: ScenarioWorld,
        private readonly accessKeyId: string | undefined,
        private readonly onMove: (move: Move) => void = () => undefined,
    ) {
        this.unsubscribe = world.emulator.onTaskChange((change) => this.observe(change));
    }

    private byRebalancer(change: TaskChange): boolean {
        const root = change.cause.root;
        return this.accessKeyId !== undefined && root.type === "api" && root.accessKeyId === this.accessKeyId;
    }

    /** DESIGN.md's invariant, written out here so the check does not share code with the planner it checks. */
    private limitsOf(service: string): { floor: number; ceiling: number } | undefined {
        const owner = this.world.ownerDesired.get(service);
        const svc = this.world.scenario.services.find((s) => s.name === service);
        if (owner === undefined || !svc) return undefined;
        return { floor: Math.ceil((owner * svc.minimumHealthyPercent) / 100), ceiling: Math.floor((owner * svc.maximumPercent) / 100) };
    }

    private observe(change: TaskChange): void {
        if (!change.service) return;
        let running = this.running.get(change.service);
        if (!running) this.running.set(change.service, (running = new Set()));
        const before = running.size;
        if (change.to === "RUNNING" && change.desiredStatus === "RUNNING") running.add(change.taskArn);
        else running.delete(change.taskArn);
        const n = running.size;
        const limits = this.limitsOf(change.service);
        if (limits && n >= limits.floor && n <= limits.ceiling) this.inViolation.set(change.service, false);

        if (!this.byRebalancer(change)) return;
        const stopping = change.desiredStatus === "STOPPED";
        if (stopping && !this.stopped.has(change.taskArn)) {
            this.stopped.add(change.taskArn);
            this.record({ time: change.time, service: change.service, kind: "stop", instance: change.ec2InstanceId ?? "(provisioning)", az: change.availabilityZone });
        }
        // Started once it has an instance: at creation, or when a PROVISIONING task is placed.
        if (!stopping && change.ec2InstanceId !== undefined && !this.started.has(change.taskArn)) {
            this.started.add(change.taskArn);
            this.record({ time: change.time, service: change.service, kind: "start", instance: change.ec2InstanceId, az: change.availabilityZone });
        }
        if (!limits) return;
        // A violation is the rebalancer's change taking the running count below the floor (or above the ceiling);
        // a change that leaves the count as it was (a PENDING task stopped while the service is still starting)
        // does not make one. Consecutive changes past the limit count once, until the service is back within it.
        const violated = n < limits.floor && n < before ? "floor" : n > limits.ceiling && n > before ? "ceiling" : undefined;
        if (violated && !this.inViolation.get(change.service)) {
            this.violations.push({ service: change.service, time: change.time, kind: violated, running: n, limit: violated === "floor" ? limits.floor : limits.ceiling });
            this.inViolation.set(change.service, true);
        }
    }

    private record(move: Move): void {
        this.moves.push(move);
        this.onMove(move);
    }

    count(kind: "floor" | "ceiling"): number {
        return this.violations.filter((v) => v.kind === kind).length;
    }

    close(): void {
        this.unsubscribe();
    }
}
