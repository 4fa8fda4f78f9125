// Concurrent-writer races: breaches no client of ECS's API can prevent, told apart from the rebalancer's unsafe
// decisions by what the harness itself recorded (its disruptions, the rebalancer's calls as ECS received them, the
// task changes it watched). ECS has no conditional write: the rebalancer reads a service (its last look, right
// before its writes), then writes; whatever another writer does between the two, the write cannot see. And ECS
// carries a write out over seconds to minutes: a change made meanwhile overlaps it.
//
// A breach is a race only when one of these holds, and each is proven, never assumed:
//
//   lost-update      a disruption on the same service fired after the rebalancer's last read of that service
//                    (its last DescribeServices naming it) and at or before the write at the root of the breach
//                    (disruptions fire just before call k reaches ECS: lastRead < k ≤ write); and the breach would
//                    not be one without it: within the limits of the owner's value before the change (an owner's
//                    or Service Auto Scaling's desiredCount change), or with the running tasks the lost instance
//                    took (minus those started since) counted back (EC2 terminating an instance that ran them), or,
//                    for the owner's deployment meeting a surge, within the ceiling without the deployment (the
//                    surged desiredCount) and within the deployment's maximumPercent of the surged value, for a
//                    task launched before the rebalancer's next read of the service (then it could end the surge);
//   overlap          the owner or Service Auto Scaling changed desiredCount after the write reached ECS, while ECS
//                    was still carrying it out: the task that took the service above the new ceiling had been
//                    launched for that write before the change, became RUNNING after it, and the count is within
//                    the ceiling of the owner's value before the change;
//   lost-owner-value a breach on a service whose owner's desiredCount a lost-update race overwrote (the write set
//                    desiredCount), judged on that lost value, with no owner change since: within the limits of the
//                    value ECS kept instead (the one the rebalancer read), or, at the end, desiredCount left at it.
//
// Anything else stays a failure of its own count.

import type { DisruptionRecord } from "./disruptions";
import { limitsOf, type Violation } from "./floorCeiling";
import type { RebalancerCall } from "./rebalancerCalls";

export type RaceKind = "lost-update" | "overlap" | "lost-owner-value";

export interface ServicePercents {
    minimumHealthyPercent: number;
    maximumPercent: number;
}

export interface OwnerChange {
    time: number;
    service: string;
    value: number;
}

export interface RaceEvidence {
    calls: readonly RebalancerCall[];
    disruptions: readonly DisruptionRecord[];
    /** Every change of an owner's desiredCount (scenario steps and disruptions), in time order. */
    ownerChanges: readonly OwnerChange[];
    percents: (service: string) => ServicePercents | undefined;
}

export interface DesiredBreach {
    service: string;
    /** ECS's desiredCount at the end, and the owner's value. */
    desired: number;
    owner: number;
}

export interface Race {
    kind: RaceKind;
    /** The count the breach would have been in. */
    breach: "floorViolations" | "ceilingViolations" | "desiredLeftChanged";
    service: string;
    detail: string;
}

export interface Classified<T> {
    races: Race[];
    remaining: T[];
}

const OWNER_KINDS = new Set(["owner-desired", "autoscaling"]);

function serviceNamed(value: unknown): string | undefined {
    return typeof value === "string" ? value.split("/").pop() : undefined;
}

/** Whether the call read the service's desiredCount (DescribeServices naming it). */
function readsService(call: RebalancerCall, service: string): boolean {
    if (call.operation !== "DescribeServices") return false;
    const services = (call.input as { services?: unknown }).services;
    return Array.isArray(services) && services.some((s) => serviceNamed(s) === service);
}

/** Whether the call is a write that sets the service's desiredCount. */
function setsDesired(call: RebalancerCall, service: string): boolean {
    const input = call.input as { service?: unknown; desiredCount?: unknown };
    return call.operation === "UpdateService" && serviceNamed(input.service) === service && typeof input.desiredCount === "number";
}

function inLimits(running: number, owner: number, p: ServicePercents, kind: "floor" | "ceiling"): boolean {
    const limits = limitsOf(owner, p.minimumHealthyPercent, p.maximumPercent);
    return kind === "floor" ? running >= limits.floor : running <= limits.ceiling;
}

export class RaceClassifier {
    private readonly byRequest = new Map<string, RebalancerCall>();

    constructor(private readonly evidence: RaceEvidence) {
        for (const c of evidence.calls) if (c.requestId) this.byRequest.set(c.requestId, c);
    }

    /** The index of the rebalancer's last read of the service before call `index` (0 when none). */
    lastReadBefore(service: string, index: number): number {
        let last = 0;
        for (const c of this.evidence.calls) {
            if (c.index >= index) break;
            if (readsService(c, service)) last = c.index;
        }
        return last;
    }

    /** When the rebalancer next read the service after call `index` (Infinity when it never did). */
    private firstReadTimeAfter(service: string, index: number): number {
        for (const c of this.evidence.calls) if (c.index > index && readsService(c, service)) return c.time;
        return Number.POSITIVE_INFINITY;
    }

    private ownerChangedBetween(service: string, after: number, until: number): boolean {
        return this.evidence.ownerChanges.some((o) => o.service === service && o.time > after && o.time <= until);
    }

    /** Disruptions on the service that fired inside the window between its last read and the write. */
    private inWindow(service: string, write: RebalancerCall): DisruptionRecord[] {
        const lastRead = this.lastReadBefore(service, write.index);
        return this.evidence.disruptions.filter((d) => d.atCall > lastRead && d.atCall <= write.index &&
            (OWNER_KINDS.has(d.kind) || d.kind === "deployment" ? d.service === service : (d.lostRunning?.[service] ?? 0) > 0));
    }

    /** The lost-update races that overwrote an owner's desiredCount on the service. */
    private lostOwnerValues(service: string): { d: DisruptionRecord; write: RebalancerCall }[] {
        const out: { d: DisruptionRecord; write: RebalancerCall }[] = [];
        for (const write of this.evidence.calls) {
            if (!setsDesired(write, service)) continue;
            for (const d of this.inWindow(service, write)) if (OWNER_KINDS.has(d.kind)) out.push({ d, write });
        }
        return out;
    }

    private violationRace(v: Violation): Race | undefined {
        const write = this.byRequest.get(v.requestId);
        const p = this.evidence.percents(v.service);
        if (!write || !p) return undefined;
        const breach = v.kind === "floor" ? "floorViolations" : "ceilingViolations";
        const at = new Date(v.time).toISOString();
        // Lost update: the disruption landed between the last read and this write.
        for (const d of this.inWindow(v.service, write)) {
            if (OWNER_KINDS.has(d.kind)) {
                if (d.ownerBefore === undefined || !inLimits(v.running, d.ownerBefore, p, v.kind)) continue;
                if (this.ownerChangedBetween(v.service, d.time, v.time)) continue;
                return {
                    kind: "lost-update", breach, service: v.service,
                    detail: `${v.service}: ${v.running} running after the rebalancer's ${write.operation} (call ${write.index}) at ${at}: ${d.kind} ${d.ownerBefore} → ${d.ownerAfter} at call ${d.atCall}, after its last read of the service (call ${this.lastReadBefore(v.service, write.index)}); within the ${v.kind} of ${d.ownerBefore}`,
                };
            }
            if (d.kind === "deployment" && v.kind === "ceiling" && setsDesired(write, v.service)) {
                // A surge the owner's deployment met: ECS lets a deployment run maximumPercent of the desiredCount
                // it finds, the surged one. Without the deployment ECS runs no more than desiredCount, which the
                // surge kept within the owner's ceiling; the count must be within the deployment's own limit.
                const surged = (write.input as { desiredCount: number }).desiredCount;
                if (surged > v.limit || v.running > Math.floor((surged * p.maximumPercent) / 100)) continue;
                // Only tasks launched before the rebalancer could see the deployment (its next read of the service):
                // once it has seen it, ending the surge is its job (surgeRepair.ts).
                if (v.taskSeenAt > this.firstReadTimeAfter(v.service, d.atCall)) continue;
                return {
                    kind: "lost-update", breach, service: v.service,
                    detail: `${v.service}: ${v.running} running after the rebalancer's ${write.operation} (call ${write.index}) at ${at}: the owner started a deployment at call ${d.atCall}, after its last read of the service (call ${this.lastReadBefore(v.service, write.index)}), and ECS ran it within ${p.maximumPercent}% of the surged ${surged}; without it, at most ${surged} ≤ the ceiling of ${v.limit}`,
                };
            }
            if (d.kind === "instance-lost" && v.kind === "floor") {
                const lost = d.lostRunning?.[v.service] ?? 0;
                const startedSince = v.runningSince.filter((t) => t >= d.time).length;
                if (v.running + lost - startedSince < v.limit) continue;
                return {
                    kind: "lost-update", breach, service: v.service,
                    detail: `${v.service}: ${v.running} running after the rebalancer's ${write.operation} (call ${write.index}) at ${at}: EC2 terminated an instance running ${lost} of its tasks at call ${d.atCall}, after its last read of the service (call ${this.lastReadBefore(v.service, write.index)}); ${v.running + lost - startedSince} without that loss, floor ${v.limit}`,
                };
            }
        }
        // Overlap: the owner changed desiredCount after the write reached ECS, while the task it launched was starting.
        if (v.kind === "ceiling") {
            for (const d of this.evidence.disruptions) {
                if (!OWNER_KINDS.has(d.kind) || d.service !== v.service || d.atCall <= write.index || d.ownerBefore === undefined) continue;
                if (!(v.taskSeenAt < d.time && d.time <= v.time)) continue;
                if (this.ownerChangedBetween(v.service, d.time, v.time)) continue;
                if (!inLimits(v.running, d.ownerBefore, p, "ceiling")) continue;
                return {
                    kind: "overlap", breach, service: v.service,
                    detail: `${v.service}: ${v.running} running at ${at}: a task ECS launched for the rebalancer's ${write.operation} (call ${write.index}) before ${d.kind} ${d.ownerBefore} → ${d.ownerAfter} (call ${d.atCall}) became RUNNING after it; within the ceiling of ${d.ownerBefore}`,
                };
            }
        }
        // Judged on an owner's value a lost update overwrote.
        for (const { d, write: lostWrite } of this.lostOwnerValues(v.service)) {
            if (lostWrite.time > v.time || d.ownerBefore === undefined) continue;
            if (this.ownerChangedBetween(v.service, d.time, v.time)) continue;
            if (!inLimits(v.running, d.ownerBefore, p, v.kind)) continue;
            return {
                kind: "lost-owner-value", breach, service: v.service,
                detail: `${v.service}: ${v.running} running after the rebalancer's ${write.operation} (call ${write.index}) at ${at}, judged on ${d.ownerAfter}, the owner's value its call ${lostWrite.index} overwrote (${d.kind} at call ${d.atCall}); within the ${v.kind} of ${d.ownerBefore}, the value ECS kept`,
            };
        }
        return undefined;
    }

    violations(violations: readonly Violation[]): Classified<Violation> {
        const races: Race[] = [];
        const remaining: Violation[] = [];
        for (const v of violations) {
            const race = this.violationRace(v);
            if (race) races.push(race);
            else remaining.push(v);
        }
        return { races, remaining };
    }

    desired(breaches: readonly DesiredBreach[]): Classified<DesiredBreach> {
        const races: Race[] = [];
        const remaining: DesiredBreach[] = [];
        for (const b of breaches) {
            const lost = this.lostOwnerValues(b.service).find(({ d }) =>
                d.ownerBefore === b.desired && d.ownerAfter === b.owner && !this.ownerChangedBetween(b.service, d.time, Number.POSITIVE_INFINITY));
            if (!lost) {
                remaining.push(b);
                continue;
            }
            races.push({
                kind: "lost-owner-value", breach: "desiredLeftChanged", service: b.service,
                detail: `${b.service}: desiredCount ${b.desired}, its owner's value is ${b.owner}: the owner's ${lost.d.kind} ${lost.d.ownerBefore} → ${lost.d.ownerAfter} (call ${lost.d.atCall}) came after the rebalancer's last read of the service and before its UpdateService (call ${lost.write.index}), which overwrote it`,
            });
        }
        return { races, remaining };
    }
}
