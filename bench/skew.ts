// Final skew, computed from a report's `after` and `instances` and the scenario file alone — independently of the
// planner and of the runner's lower bound. For each service the rebalancer is meant to spread (REPLICA, desired
// > 0, first placement strategy a spread or none, not opted out), at each level the service spreads on:
//
//   bins     the report's eligible instances that could hold the service's task at all: its capacity providers
//            (when it names any), its memberOf constraints (static attributes; expressions that read task state
//            are taken as met), and registered CPU and memory of at least one task;
//   AZ       max − min of the service's tasks over the AZs that have such an instance (within each capacity
//            provider when the service is split between providers: each keeps its share);
//   instance max − min over sibling instances: within each AZ when the service spreads on AZ first (and within
//            each provider), over all its bins otherwise.
//
// The worst service per level is the figure the benchmark reports. Default strategies are ECS's default for
// services (spread on AZ, then instanceId), as the runner and the emulator play them.

import { parseQuery } from "../local/emulator/queryLanguage";
import type { Scenario, ScenarioInstance, ScenarioService } from "../local/scenario/scenarioFile";

export type SpreadLevel = "provider" | "az" | "instance";

export interface ReportView {
    after: Record<string, Record<string, number>>;
    instances: Record<string, { az: string; eligible: boolean }>;
}

export interface ServiceSkew {
    service: string;
    /** undefined when the service does not spread on that level. */
    instance?: number;
    az?: number;
}

export interface WorstSkew {
    value: number;
    service?: string;
}

export const DEFAULT_SKIP_TAG = "ecs-rebalancer:skip";

const DEFAULT_STRATEGY = [
    { type: "spread", field: "attribute:ecs.availability-zone" },
    { type: "spread", field: "instanceId" },
] as const;

/** The spread levels, outermost first, as far as the strategies spread on AZ or instance. */
export function spreadLevels(service: ScenarioService): SpreadLevel[] {
    const levels: SpreadLevel[] = [];
    if (new Set(service.capacityProviderStrategy?.map((c) => c.capacityProvider) ?? []).size > 1) levels.push("provider");
    const strategies = service.placementStrategy && service.placementStrategy.length > 0 ? service.placementStrategy : DEFAULT_STRATEGY;
    for (const s of strategies) {
        if (s.type !== "spread") break;
        const level = s.field === "attribute:ecs.availability-zone" ? "az" : s.field === "instanceId" || s.field === "host" ? "instance" : undefined;
        if (!level) break;
        if (!levels.includes(level)) levels.push(level);
        if (level === "instance") break;
    }
    return levels;
}

/** The service's desiredCount once every step has run. */
export function finalDesired(scenario: Scenario, service: ScenarioService): number {
    let desired = service.desiredCount;
    for (const step of scenario.steps) if ("setDesired" in step && step.setDesired[service.name] !== undefined) desired = step.setDesired[service.name];
    return desired;
}

export function isSpreadByRebalancer(scenario: Scenario, service: ScenarioService, skipTag = DEFAULT_SKIP_TAG): boolean {
    if (service.schedulingStrategy === "DAEMON" || finalDesired(scenario, service) === 0) return false;
    if ((service.tags[skipTag] ?? "").toLowerCase() === "true") return false;
    const first = service.placementStrategy?.[0];
    return !first || first.type === "spread";
}

function allInstances(scenario: Scenario): Map<string, ScenarioInstance> {
    const out = new Map<string, ScenarioInstance>();
    for (const i of scenario.instances) out.set(i.id, i);
    for (const step of scenario.steps) if ("launch" in step) for (const i of step.launch) out.set(i.id, i);
    return out;
}

/** Whether a memberOf expression holds for an instance, from its static attributes. */
function memberOfHolds(expression: string, instance: ScenarioInstance): boolean {
    const query = parseQuery(expression);
    if (query.dynamic) return true;
    const attributes = new Map<string, string | undefined>(Object.entries(instance.attributes));
    attributes.set("ecs.availability-zone", instance.az);
    const view = {
        ec2InstanceId: instance.id,
        agentConnected: true,
        attributes,
        versionInfo: { agentVersion: "", agentHash: "", dockerVersion: "" },
        registeredAt: 0,
        runningTasksCount: 0,
        resident: new Set(),
    };
    return query.matches(view as unknown as Parameters<typeof query.matches>[0]);
}

function canHold(service: ScenarioService, instance: ScenarioInstance): boolean {
    const providers = new Set(service.capacityProviderStrategy?.map((c) => c.capacityProvider) ?? []);
    if (providers.size > 0 && !providers.has(instance.capacityProvider ?? "")) return false;
    if (instance.cpu < service.cpu || instance.memory < service.memory) return false;
    return service.placementConstraints.every((c) => c.type !== "memberOf" || memberOfHolds(c.expression!, instance));
}

function spreadOf(values: Iterable<number>): number {
    let min = Infinity, max = -Infinity;
    for (const v of values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
    }
    return max === -Infinity ? 0 : max - min;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
    const out = new Map<string, T[]>();
    for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
    return out;
}

export function serviceSkew(scenario: Scenario, service: ScenarioService, report: ReportView, skipTag = DEFAULT_SKIP_TAG): ServiceSkew | undefined {
    if (!isSpreadByRebalancer(scenario, service, skipTag)) return undefined;
    const specs = allInstances(scenario);
    const counts = report.after[service.name] ?? {};
    const levels = spreadLevels(service);
    const bins = Object.entries(report.instances)
        .filter(([id, info]) => info.eligible && specs.has(id) && canHold(service, specs.get(id)!))
        .map(([id, info]) => ({ id, az: info.az, provider: specs.get(id)!.capacityProvider ?? "", count: counts[id] ?? 0 }));
    const byProvider = levels.includes("provider") ? groupBy(bins, (b) => b.provider) : new Map([["", bins]]);
    const out: ServiceSkew = { service: service.name };
    if (levels.includes("az")) {
        out.az = 0;
        for (const group of byProvider.values()) {
            const perAz = new Map<string, number>();
            for (const b of group) perAz.set(b.az, (perAz.get(b.az) ?? 0) + b.count);
            out.az = Math.max(out.az, spreadOf(perAz.values()));
        }
    }
    if (levels.includes("instance")) {
        const azFirst = levels.indexOf("az") >= 0 && levels.indexOf("az") < levels.indexOf("instance");
        out.instance = 0;
        for (const group of byProvider.values()) {
            const siblings = azFirst ? groupBy(group, (b) => b.az) : new Map([["", group]]);
            for (const s of siblings.values()) out.instance = Math.max(out.instance, spreadOf(s.map((b) => b.count)));
        }
    }
    return out;
}

/** The worst service at each level (services that do not spread on a level do not count there). */
export function worstSkew(scenario: Scenario, report: ReportView, skipTag = DEFAULT_SKIP_TAG): { instance: WorstSkew; az: WorstSkew } {
    const instance: WorstSkew = { value: 0 };
    const az: WorstSkew = { value: 0 };
    for (const service of scenario.services) {
        const s = serviceSkew(scenario, service, report, skipTag);
        if (!s) continue;
        if (s.instance !== undefined && s.instance > instance.value) Object.assign(instance, { value: s.instance, service: s.service });
        if (s.az !== undefined && s.az > az.value) Object.assign(az, { value: s.az, service: s.service });
    }
    return { instance, az };
}
