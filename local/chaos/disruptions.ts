// Mid-pass disruptions: the world changes while a pass is between its reads and its writes, or between two
// writes. Each fires just before the rebalancer's numbered call reaches ECS (see rebalancerCalls.ts), so the pass
// acts on what it read a moment ago, as it would when EC2, the owner or Service Auto Scaling act concurrently.
//   instance-lost     EC2 terminates an instance (preferring one that hosts the service the call touches); the
//                     Auto Scaling group launches a replacement in the same AZ a few minutes later
//   agent-disconnect  an instance's agent disconnects; it reconnects later
//   deployment        the owner starts a deployment: a new task definition revision, or forceNewDeployment
//   autoscaling       Service Auto Scaling changes desiredCount of a service it scales (its new owner value)
//   owner-desired     the owner changes desiredCount of a service nobody scales (to a value other than the one
//                     ECS shows: an UpdateService to the same value changes nothing any controller could see)
//   throttle-burst    other callers in the account empty the throttling bucket the call draws from
//   throttle-storm    for a while (30 s to 3 min), other callers empty the bucket of each of the rebalancer's
//                     calls just before it arrives: the SDK's retries run out and passes fail

import type { ScenarioService } from "../scenario/scenarioFile";
import { taskDefinitionFor, type ScenarioWorld } from "../scenario/world";
import type { RebalancerCall, RebalancerCalls } from "./rebalancerCalls";

export const DISRUPTION_KINDS = ["instance-lost", "agent-disconnect", "deployment", "autoscaling", "owner-desired", "throttle-burst", "throttle-storm"] as const;
export type DisruptionKind = (typeof DISRUPTION_KINDS)[number];

export interface Disruption {
    /** Fires just before the rebalancer's call with this number reaches ECS. */
    atCall: number;
    kind: DisruptionKind;
    /** Seeded choices in [0, 1): which target, which variant, how long. */
    pick: number[];
}

export interface ScalableTarget {
    service: string;
    min: number;
    max: number;
}

/**
 * What a disruption did to the services, as the harness saw it (races.ts proves concurrent-writer races from
 * these): the service whose desiredCount its owner changed or that it deployed, or the running tasks of each
 * service on the instance EC2 terminated.
 */
export interface DisruptionRecord {
    /** Fired just before the rebalancer's call with this number reached ECS. */
    atCall: number;
    time: number;
    kind: DisruptionKind;
    service?: string;
    /** The owner's desiredCount before (its value, not a surged one ECS may show) and after the change. */
    ownerBefore?: number;
    ownerAfter?: number;
    /** instance-lost: running tasks it took out, per service. */
    lostRunning?: Record<string, number>;
}

/** What the disruptions did (faultsInjected in the report). */
export interface DisruptionCounts {
    instancesLost: number;
    agentDisconnects: number;
    deployments: number;
    autoScalingChanges: number;
    ownerDesiredChanges: number;
    throttleBursts: number;
    throttleStorms: number;
}

function choose<T>(items: readonly T[], p: number): T | undefined {
    return items.length === 0 ? undefined : items[Math.min(items.length - 1, Math.floor(p * items.length))];
}

export class Disruptions {
    readonly counts: DisruptionCounts = { instancesLost: 0, agentDisconnects: 0, deployments: 0, autoScalingChanges: 0, ownerDesiredChanges: 0, throttleBursts: 0, throttleStorms: 0 };
    /** One line per disruption applied (for a failing run's report). */
    readonly applied: string[] = [];
    /** What each applied disruption did to the services. */
    readonly records: DisruptionRecord[] = [];
    /** Task definitions the harness registered for its deployments. */
    readonly registeredTaskDefinitions: string[] = [];
    private readonly due = new Map<number, Disruption[]>();
    private replacements = 0;
    private releases = 0;
    /** Emulated time a throttle storm lasts until. */
    private stormUntil = 0;

    constructor(
        private readonly world: ScenarioWorld,
        calls: RebalancerCalls,
        plan: readonly Disruption[],
        private readonly scalable: readonly ScalableTarget[],
    ) {
        for (const d of plan) this.due.set(d.atCall, [...(this.due.get(d.atCall) ?? []), d]);
        calls.onCall((call) => {
            for (const d of this.due.get(call.index) ?? []) this.apply(d, call);
            if (call.time < this.stormUntil) this.world.emulator.spendThrottleTokens(call.operation, 1000);
        });
    }

    /** No more disruptions (the fault phase is over); timers already set (reconnects, replacements) still run. */
    disarm(): void {
        this.due.clear();
        this.stormUntil = 0;
    }

    private get cluster(): string {
        return this.world.scenario.cluster;
    }

    /** The service a call names or acts on (StopTask: the task's service), if any. */
    private touched(call: RebalancerCall): string | undefined {
        const input = call.input as Record<string, unknown>;
        if (call.operation === "UpdateService" && typeof input.service === "string") return input.service.split("/").pop();
        if ((call.operation === "TagResource" || call.operation === "UntagResource") && typeof input.resourceArn === "string") return input.resourceArn.split("/").pop();
        if (call.operation === "StopTask" && typeof input.task === "string") {
            try {
                return this.world.control.taskView(input.task, this.cluster).serviceName;
            } catch {
                return undefined;
            }
        }
        return undefined;
    }

    private replicaServices(): ScenarioService[] {
        return this.world.scenario.services.filter((s) => s.schedulingStrategy === "REPLICA");
    }

    private record(call: RebalancerCall, kind: DisruptionKind, effect: Omit<DisruptionRecord, "atCall" | "time" | "kind">): void {
        this.records.push({ atCall: call.index, time: call.time, kind, ...effect });
    }

    private apply(d: Disruption, call: RebalancerCall): void {
        const line = this.run(d, call);
        if (line) this.applied.push(`call ${call.index} (${call.operation}) at ${new Date(call.time).toISOString()}: ${line}`);
    }

    private run(d: Disruption, call: RebalancerCall): string | undefined {
        const [p0 = 0, p1 = 0, p2 = 0] = d.pick;
        const touched = this.touched(call);
        switch (d.kind) {
            case "instance-lost":
                return this.loseInstance(call, touched, p0, p1);
            case "agent-disconnect":
                return this.disconnectAgent(touched, p0, p1);
            case "deployment": {
                const services = this.replicaServices();
                const s = services.find((x) => x.name === touched && p2 < 0.7) ?? choose(services, p0);
                if (!s) return undefined;
                if (p1 < 0.5) {
                    this.world.control.deployService(this.cluster, s.name, { forceNewDeployment: true });
                } else {
                    const arn = this.world.control.registerTaskDefinition(taskDefinitionFor(s, [{ name: "RELEASE", value: String(++this.releases) }]));
                    this.registeredTaskDefinitions.push(arn);
                    this.world.control.deployService(this.cluster, s.name, { taskDefinition: arn });
                }
                this.counts.deployments++;
                this.record(call, "deployment", { service: s.name });
                return `owner deploys ${s.name} (${p1 < 0.5 ? "forceNewDeployment" : "new revision"})`;
            }
            case "autoscaling": {
                const target = this.scalable.find((t) => t.service === touched && p2 < 0.7) ?? choose(this.scalable, p0);
                if (!target) return undefined;
                const current = this.desiredCount(target.service);
                const delta = [-2, -1, 1, 2][Math.floor(p1 * 4)]!;
                const next = Math.max(target.min, Math.min(target.max, current + delta));
                if (next === current) return undefined;
                const ownerBefore = this.world.ownerDesired.get(target.service) ?? current;
                this.world.control.setDesiredCount(this.cluster, target.service, next, "application-autoscaling");
                this.world.ownerDesired.set(target.service, next);
                this.counts.autoScalingChanges++;
                this.record(call, "autoscaling", { service: target.service, ownerBefore, ownerAfter: next });
                return `Service Auto Scaling sets ${target.service} desiredCount ${current} → ${next}`;
            }
            case "owner-desired": {
                const scaled = new Set(this.scalable.map((t) => t.service));
                const services = this.replicaServices().filter((s) => !scaled.has(s.name));
                const s = services.find((x) => x.name === touched && p2 < 0.7) ?? choose(services, p0);
                if (!s) return undefined;
                const current = this.desiredCount(s.name);
                let next = Math.floor(p1 * 9);
                if (next === current) next = current + 1;
                const ownerBefore = this.world.ownerDesired.get(s.name) ?? current;
                this.world.control.setDesiredCount(this.cluster, s.name, next, "owner");
                this.world.ownerDesired.set(s.name, next);
                this.counts.ownerDesiredChanges++;
                this.record(call, "owner-desired", { service: s.name, ownerBefore, ownerAfter: next });
                return `owner sets ${s.name} desiredCount ${current} → ${next}`;
            }
            case "throttle-burst": {
                // The bucket of this call, or (for a call ECS does not throttle) one the rebalancer draws from.
                let operation = call.operation;
                let spent = this.world.emulator.spendThrottleTokens(operation, 1000);
                if (spent === 0) {
                    operation = choose(["DescribeTasks", "DescribeServices", "StopTask", "UpdateService"], p0)!;
                    spent = this.world.emulator.spendThrottleTokens(operation, 1000);
                }
                if (spent === 0) return undefined;
                this.counts.throttleBursts++;
                return `other callers spend ${spent} token(s) of the ${operation} throttling bucket`;
            }
            case "throttle-storm": {
                const seconds = 30 + Math.floor(p0 * 150);
                this.stormUntil = call.time + seconds * 1000;
                this.counts.throttleStorms++;
                return `other callers empty the throttling buckets of the rebalancer's calls for ${seconds} s`;
            }
        }
    }

    private desiredCount(service: string): number {
        return Number((this.world.control.service(this.cluster, service) as { desiredCount?: number }).desiredCount ?? 0);
    }

    /** ACTIVE, agent-connected instances with running service tasks, those hosting `service` first. */
    private busyInstances(service: string | undefined): { id: string; az: string; hosts: boolean }[] {
        const snap = this.world.control.snapshot(this.cluster);
        const out: { id: string; az: string; hosts: boolean }[] = [];
        for (const i of snap.instances as { ec2InstanceId: string; availabilityZone?: string; status?: string; agentConnected?: boolean }[]) {
            if (i.status !== "ACTIVE" || i.agentConnected !== true) continue;
            const tasks = snap.tasks.filter((t) => t.ec2InstanceId === i.ec2InstanceId && t.serviceName);
            if (tasks.length === 0) continue;
            out.push({ id: i.ec2InstanceId, az: i.availabilityZone ?? "", hosts: tasks.some((t) => t.serviceName === service) });
        }
        return out.sort((a, b) => Number(b.hosts) - Number(a.hosts) || (a.id < b.id ? -1 : 1));
    }

    private loseInstance(call: RebalancerCall, touched: string | undefined, p0: number, p1: number): string | undefined {
        const candidates = this.busyInstances(touched);
        const hosting = candidates.filter((c) => c.hosts);
        const victim = choose(hosting.length > 0 && p1 < 0.7 ? hosting : candidates, p0);
        if (!victim) return undefined;
        const spec = this.world.scenario.instances.find((i) => i.id === victim.id) ??
            this.world.scenario.steps.flatMap((s) => ("launch" in s ? s.launch : [])).find((i) => i.id === victim.id);
        const lostRunning: Record<string, number> = {};
        for (const t of this.world.control.snapshot(this.cluster).tasks) {
            if (t.ec2InstanceId !== victim.id || !t.serviceName || (t as { lastStatus?: unknown }).lastStatus !== "RUNNING") continue;
            lostRunning[t.serviceName] = (lostRunning[t.serviceName] ?? 0) + 1;
        }
        this.world.control.terminateInstance(victim.id);
        this.counts.instancesLost++;
        this.record(call, "instance-lost", { lostRunning });
        // The Auto Scaling group notices and launches a replacement in the same AZ (1 to 5 minutes later).
        const replacement = { id: `i-replacement-${++this.replacements}`, az: victim.az, cpu: spec?.cpu ?? 2048, memory: spec?.memory ?? 3891, capacityProvider: spec?.capacityProvider, attributes: spec?.attributes ?? {} };
        const clock = this.world.clock;
        clock.schedule(clock.now() + 60_000 + Math.floor(p1 * 240_000), () => this.world.applyStep({ launch: [replacement] }));
        return `EC2 terminates ${victim.id}${victim.hosts && touched ? ` (hosts ${touched})` : ""}; replacement ${replacement.id} follows`;
    }

    private disconnectAgent(touched: string | undefined, p0: number, p1: number): string | undefined {
        const victim = choose(this.busyInstances(touched), p0);
        if (!victim) return undefined;
        this.world.applyStep({ agentDisconnect: [victim.id] });
        this.counts.agentDisconnects++;
        const clock = this.world.clock;
        const seconds = 30 + Math.floor(p1 * 900);
        clock.schedule(clock.now() + seconds * 1000, () => {
            // It may have been lost meanwhile.
            const live = this.world.control.snapshot(this.cluster).instances.some((i) => i.ec2InstanceId === victim.id && (i as { status?: string }).status !== "INACTIVE");
            if (live) this.world.applyStep({ agentConnect: [victim.id] });
        });
        return `agent on ${victim.id} disconnects for ${seconds} s`;
    }
}
