// Scenario files (../shared/scenarios/FORMAT.md, copied in scenarios/README.md): parsed strictly, defaults applied.
// A file that does not follow the format is refused with an error naming the file and the field; nothing runs.
// Extensions beyond FORMAT.md (all optional): instance `capacityProvider` and `attributes`; service
// `capacityProviderStrategy`, `taskProtection` (how many of its tasks start protected from scale-in) and
// `availabilityZoneRebalancing` (ENABLED | DISABLED, default DISABLED: the reference walk-through predates ECS's
// own AZ rebalancing, which new services get by default), `deploymentStrategy` (ROLLING | BLUE_GREEN | LINEAR |
// CANARY) with `bakeTimeInMinutes`, `linearConfiguration` and `canaryConfiguration` (the API's names and ranges);
// steps `agentDisconnect` / `agentConnect`, `deploy` (the owner releases a new revision) and `churn` (agents
// reconnecting and steady state re-emitted for a while, then off); the
// `timing` keys taskStartSeconds, healthCheckSeconds, stopTimeoutSeconds, schedulePeriodSeconds; `expect`, what
// ECS alone must leave (the scenario's documented placement, checked by the runner and the tests); and
// `capacityProviders`, Auto Scaling group capacity providers whose instances come from their group (managed scaling,
// managed termination protection, managed draining), with the step `updateAutoScalingGroup`.

import { readFileSync } from "node:fs";

export interface ScenarioInstance {
    id: string;
    az: string;
    cpu: number;
    memory: number;
    capacityProvider?: string;
    attributes: Record<string, string>;
    /** Container health checks of tasks on this instance fail from the start (a bad host). */
    healthChecksFail?: boolean;
}

export interface ScenarioStrategy {
    type: "spread" | "binpack" | "random";
    field?: string;
}

export interface ScenarioConstraint {
    type: "distinctInstance" | "memberOf";
    expression?: string;
}

export interface ScenarioService {
    name: string;
    desiredCount: number;
    cpu: number;
    memory: number;
    hostPort?: number;
    /** undefined: ECS's default for services (spread on AZ). */
    placementStrategy?: ScenarioStrategy[];
    placementConstraints: ScenarioConstraint[];
    minimumHealthyPercent: number;
    maximumPercent: number;
    schedulingStrategy: "REPLICA" | "DAEMON";
    tags: Record<string, string>;
    placement?: Record<string, number>;
    capacityProviderStrategy?: { capacityProvider: string; weight: number; base: number }[];
    /** Number of the service's tasks to protect from scale-in at the start. */
    taskProtection: number;
    /** The task definition's essential container has a health check (HEALTHY after timing.healthCheckSeconds). */
    healthCheck: boolean;
    availabilityZoneRebalancing: "ENABLED" | "DISABLED";
    /** ECS-native deployment strategy and its settings (API names), for the service's deployments (`deploy` step). */
    deployment?: ScenarioDeployment;
}

export interface ScenarioDeployment {
    strategy: "ROLLING" | "BLUE_GREEN" | "LINEAR" | "CANARY";
    bakeTimeInMinutes?: number;
    linearConfiguration?: { stepPercent?: number; stepBakeTimeInMinutes?: number };
    canaryConfiguration?: { canaryPercent?: number; canaryBakeTimeInMinutes?: number };
}

/** A churn window: what ECS repeats on its own, on for `seconds`, then off (the world can settle again). */
export interface ScenarioChurn {
    seconds: number;
    /** Agent disconnect/reconnect cycles per instance per hour (average, seeded). */
    agentReconnectsPerHour: number;
    /** How long each disconnection lasts (default 5). */
    agentDisconnectSeconds: number;
    /** SERVICE_STEADY_STATE again every this many seconds while a service stays steady (0 = off). */
    steadyStateReemitSeconds: number;
}

/** An Auto Scaling group capacity provider (CreateCapacityProvider's settings) and its group. */
export interface ScenarioCapacityProvider {
    name: string;
    autoScalingGroup: {
        minSize: number;
        maxSize: number;
        desiredCapacity: number;
        instanceType?: string;
        cpu: number;
        memory: number;
        availabilityZones: string[];
    };
    /** Absent: managed scaling DISABLED. Unset keys take ECS's defaults. */
    managedScaling?: {
        status: "ENABLED" | "DISABLED";
        targetCapacity?: number;
        minimumScalingStepSize?: number;
        maximumScalingStepSize?: number;
        instanceWarmupPeriod?: number;
    };
    managedTerminationProtection: "ENABLED" | "DISABLED";
    managedDraining: "ENABLED" | "DISABLED";
}

/** The ids the group's starting instances get (`<provider>-asg-1`, ...), as the emulator names them. */
export function groupInstanceIds(provider: ScenarioCapacityProvider, count = provider.autoScalingGroup.desiredCapacity): string[] {
    return Array.from({ length: count }, (_, n) => `${provider.name}-asg-${n + 1}`);
}

export type ScenarioStep =
    | { updateAutoScalingGroup: { capacityProvider: string; minSize?: number; maxSize?: number; desiredCapacity?: number } }
    | { terminate: string[] }
    | { launch: ScenarioInstance[] }
    | { drain: string[] }
    | { setDesired: Record<string, number> }
    | { advance: number }
    | { agentDisconnect: string[] }
    | { agentConnect: string[] }
    | { failHealthChecks: string[] }
    | { passHealthChecks: string[] }
    | { deploy: string[] }
    | { churn: ScenarioChurn };

export interface ScenarioTiming {
    taskStartSeconds: number;
    healthCheckSeconds: number;
    stopTimeoutSeconds: number;
    schedulePeriodSeconds: number;
}

/** What ECS alone (no rebalancer) must leave once every step has played: the placement the file documents. */
export interface ScenarioExpectations {
    /** Running tasks per service per instance (instances not listed: none). */
    before?: Record<string, Record<string, number>>;
    /** Tasks per service that ECS could not place (desiredCount − running). */
    unplaced?: Record<string, number>;
}

export interface Scenario {
    file: string;
    name: string;
    description?: string;
    region: string;
    cluster: string;
    instances: ScenarioInstance[];
    /** Extension: Auto Scaling group capacity providers (their instances come from the group). */
    capacityProviders: ScenarioCapacityProvider[];
    services: ScenarioService[];
    steps: ScenarioStep[];
    /** Only the keys the file sets; the runner reports the values it used. */
    timing: Partial<ScenarioTiming>;
    expect?: ScenarioExpectations;
}

/** The command-line message for an invalid scenario file, or undefined for any other error (cliFlags.runCli). */
export function scenarioInputError(err: unknown): string | undefined {
    return err instanceof ScenarioError ? `invalid scenario: ${err.message}` : undefined;
}

export class ScenarioError extends Error {
    constructor(readonly file: string, readonly field: string, why: string) {
        super(`${file}: ${field}: ${why}`);
        this.name = "ScenarioError";
    }
}

type Json = unknown;

class Reader {
    constructor(private readonly file: string) {}

    fail(field: string, why: string): never {
        throw new ScenarioError(this.file, field, why);
    }

    object(value: Json, field: string, allowed: readonly string[]): Record<string, Json> {
        if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(field, `expected an object, got ${describe(value)}`);
        for (const key of Object.keys(value)) {
            if (!allowed.includes(key)) this.fail(`${field === "" ? "" : `${field}.`}${key}`, `unknown field (expected one of ${allowed.join(", ")})`);
        }
        return value as Record<string, Json>;
    }

    array(value: Json, field: string): Json[] {
        if (!Array.isArray(value)) this.fail(field, `expected a list, got ${describe(value)}`);
        return value;
    }

    string(value: Json, field: string, pattern?: RegExp, what?: string): string {
        if (typeof value !== "string" || value.length === 0) this.fail(field, `expected a non-empty string, got ${describe(value)}`);
        if (pattern && !pattern.test(value)) this.fail(field, `expected ${what}, got ${JSON.stringify(value)}`);
        return value;
    }

    integer(value: Json, field: string, min: number, max: number): number {
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.fail(field, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
        }
        return value;
    }

    boolean(value: Json, field: string): boolean {
        if (typeof value !== "boolean") this.fail(field, `expected true or false, got ${describe(value)}`);
        return value;
    }

    stringMap(value: Json, field: string): Record<string, string> {
        const o = this.object(value, field, Object.keys((value as object) ?? {}));
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(o)) out[k] = typeof v === "string" ? v : this.fail(`${field}.${k}`, `expected a string, got ${describe(v)}`);
        return out;
    }
}

function describe(value: Json): string {
    if (value === undefined) return "nothing";
    if (Array.isArray(value)) return "a list";
    return value === null ? "null" : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

const NAME = /^[A-Za-z0-9-]+$/;
const ID = /^[A-Za-z0-9._-]+$/;
const CLUSTER = /^[A-Za-z0-9_-]{1,255}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function readInstance(r: Reader, value: Json, field: string): ScenarioInstance {
    const o = r.object(value, field, ["id", "az", "cpu", "memory", "capacityProvider", "attributes", "healthChecksFail"]);
    return {
        id: r.string(o.id, `${field}.id`, ID, "an instance id (letters, digits, . _ -)"),
        az: r.string(o.az, `${field}.az`),
        cpu: o.cpu === undefined ? 2048 : r.integer(o.cpu, `${field}.cpu`, 1, 1_000_000),
        memory: o.memory === undefined ? 3891 : r.integer(o.memory, `${field}.memory`, 1, 100_000_000),
        capacityProvider: o.capacityProvider === undefined ? undefined : r.string(o.capacityProvider, `${field}.capacityProvider`),
        attributes: o.attributes === undefined ? {} : r.stringMap(o.attributes, `${field}.attributes`),
        ...(o.healthChecksFail === undefined ? {} : { healthChecksFail: r.boolean(o.healthChecksFail, `${field}.healthChecksFail`) }),
    };
}

function readService(r: Reader, value: Json, field: string): ScenarioService {
    const o = r.object(value, field, [
        "name", "desiredCount", "cpu", "memory", "hostPort", "placementStrategy", "placementConstraints", "minimumHealthyPercent",
        "maximumPercent", "schedulingStrategy", "tags", "placement", "capacityProviderStrategy", "taskProtection", "availabilityZoneRebalancing",
        "healthCheck", "deploymentStrategy", "bakeTimeInMinutes", "linearConfiguration", "canaryConfiguration",
    ]);
    const strategies = o.placementStrategy === undefined ? undefined : r.array(o.placementStrategy, `${field}.placementStrategy`).map((s, i) => {
        const f = `${field}.placementStrategy[${i}]`;
        const so = r.object(s, f, ["type", "field"]);
        const type = r.string(so.type, `${f}.type`, /^(spread|binpack|random)$/, "spread, binpack or random") as ScenarioStrategy["type"];
        if (type === "random") {
            if (so.field !== undefined) r.fail(`${f}.field`, "random takes no field");
            return { type };
        }
        const fieldName = r.string(so.field, `${f}.field`);
        if (type === "binpack" && !["cpu", "memory"].includes(fieldName)) r.fail(`${f}.field`, `binpack packs on cpu or memory, got ${JSON.stringify(fieldName)}`);
        if (type === "spread" && !/^(instanceId|host|attribute:.+)$/.test(fieldName)) r.fail(`${f}.field`, `spread takes instanceId, host or attribute:<name>, got ${JSON.stringify(fieldName)}`);
        return { type, field: fieldName };
    });
    if (strategies && strategies.length > 5) r.fail(`${field}.placementStrategy`, "ECS allows at most 5 strategies");
    const constraints = o.placementConstraints === undefined ? [] : r.array(o.placementConstraints, `${field}.placementConstraints`).map((c, i) => {
        const f = `${field}.placementConstraints[${i}]`;
        const co = r.object(c, f, ["type", "expression"]);
        const type = r.string(co.type, `${f}.type`, /^(distinctInstance|memberOf)$/, "distinctInstance or memberOf") as ScenarioConstraint["type"];
        if (type === "memberOf") return { type, expression: r.string(co.expression, `${f}.expression`) };
        if (co.expression !== undefined) r.fail(`${f}.expression`, "distinctInstance takes no expression");
        return { type };
    });
    const scheduling = o.schedulingStrategy === undefined ? "REPLICA" : r.string(o.schedulingStrategy, `${field}.schedulingStrategy`, /^(REPLICA|DAEMON)$/, "REPLICA or DAEMON");
    const placement = o.placement === undefined ? undefined : (() => {
        const po = r.object(o.placement, `${field}.placement`, Object.keys((o.placement as object) ?? {}));
        const out: Record<string, number> = {};
        for (const [id, n] of Object.entries(po)) out[id] = r.integer(n, `${field}.placement.${id}`, 0, 5000);
        return out;
    })();
    const cps = o.capacityProviderStrategy === undefined ? undefined : r.array(o.capacityProviderStrategy, `${field}.capacityProviderStrategy`).map((c, i) => {
        const f = `${field}.capacityProviderStrategy[${i}]`;
        const co = r.object(c, f, ["capacityProvider", "weight", "base"]);
        return {
            capacityProvider: r.string(co.capacityProvider, `${f}.capacityProvider`),
            weight: co.weight === undefined ? 1 : r.integer(co.weight, `${f}.weight`, 0, 1000),
            base: co.base === undefined ? 0 : r.integer(co.base, `${f}.base`, 0, 100000),
        };
    });
    const service: ScenarioService = {
        name: r.string(o.name, `${field}.name`, /^[A-Za-z0-9_-]{1,255}$/, "a service name (letters, digits, _ -)"),
        desiredCount: r.integer(o.desiredCount, `${field}.desiredCount`, 0, 5000),
        cpu: o.cpu === undefined ? 256 : r.integer(o.cpu, `${field}.cpu`, 0, 1_000_000),
        memory: o.memory === undefined ? 512 : r.integer(o.memory, `${field}.memory`, 1, 100_000_000),
        hostPort: o.hostPort === undefined ? undefined : r.integer(o.hostPort, `${field}.hostPort`, 1, 65535),
        placementStrategy: strategies,
        placementConstraints: constraints,
        minimumHealthyPercent: o.minimumHealthyPercent === undefined ? 100 : r.integer(o.minimumHealthyPercent, `${field}.minimumHealthyPercent`, 0, 100),
        maximumPercent: o.maximumPercent === undefined ? 200 : r.integer(o.maximumPercent, `${field}.maximumPercent`, 100, 200),
        schedulingStrategy: scheduling as "REPLICA" | "DAEMON",
        tags: o.tags === undefined ? {} : r.stringMap(o.tags, `${field}.tags`),
        placement,
        capacityProviderStrategy: cps,
        taskProtection: o.taskProtection === undefined ? 0 : r.integer(o.taskProtection, `${field}.taskProtection`, 0, 5000),
        healthCheck: o.healthCheck === undefined ? false : r.boolean(o.healthCheck, `${field}.healthCheck`),
        availabilityZoneRebalancing: o.availabilityZoneRebalancing === undefined
            ? "DISABLED"
            : (r.string(o.availabilityZoneRebalancing, `${field}.availabilityZoneRebalancing`, /^(ENABLED|DISABLED)$/, "ENABLED or DISABLED") as "ENABLED" | "DISABLED"),
    };
    const deployment = readDeployment(r, o, field);
    if (deployment) {
        if (service.schedulingStrategy === "DAEMON" && deployment.strategy !== "ROLLING") {
            r.fail(`${field}.deploymentStrategy`, "DAEMON services deploy ROLLING only");
        }
        service.deployment = deployment;
    }
    if (placement) {
        const total = Object.values(placement).reduce((a, b) => a + b, 0);
        if (total !== service.desiredCount && service.schedulingStrategy === "REPLICA") {
            r.fail(`${field}.placement`, `places ${total} task(s) but desiredCount is ${service.desiredCount}`);
        }
    }
    return service;
}

const SWITCH = /^(ENABLED|DISABLED)$/;

function readCapacityProvider(r: Reader, value: Json, field: string): ScenarioCapacityProvider {
    const o = r.object(value, field, ["name", "autoScalingGroup", "managedScaling", "managedTerminationProtection", "managedDraining"]);
    const name = r.string(o.name, `${field}.name`, /^(?!(aws|ecs|fargate))[A-Za-z0-9_-]{1,255}$/i, "a capacity provider name (letters, digits, _ -; not starting with aws, ecs or fargate)");
    const gf = `${field}.autoScalingGroup`;
    const g = r.object(o.autoScalingGroup, gf, ["minSize", "maxSize", "desiredCapacity", "instanceType", "cpu", "memory", "availabilityZones"]);
    const group = {
        minSize: r.integer(g.minSize, `${gf}.minSize`, 0, 1000),
        maxSize: r.integer(g.maxSize, `${gf}.maxSize`, 0, 1000),
        desiredCapacity: r.integer(g.desiredCapacity, `${gf}.desiredCapacity`, 0, 1000),
        ...(g.instanceType === undefined ? {} : { instanceType: r.string(g.instanceType, `${gf}.instanceType`, /^[a-z0-9-]+\.[a-z0-9]+$/, "an EC2 instance type such as t3.small") }),
        cpu: g.cpu === undefined ? 2048 : r.integer(g.cpu, `${gf}.cpu`, 1, 1_000_000),
        memory: g.memory === undefined ? 3891 : r.integer(g.memory, `${gf}.memory`, 1, 100_000_000),
        availabilityZones: r.array(g.availabilityZones, `${gf}.availabilityZones`).map((z, i) => r.string(z, `${gf}.availabilityZones[${i}]`)),
    };
    if (group.availabilityZones.length === 0) r.fail(`${gf}.availabilityZones`, "expected at least one Availability Zone");
    checkSizes(r, group, gf);
    let managedScaling: ScenarioCapacityProvider["managedScaling"];
    if (o.managedScaling !== undefined) {
        const mf = `${field}.managedScaling`;
        const m = r.object(o.managedScaling, mf, ["status", "targetCapacity", "minimumScalingStepSize", "maximumScalingStepSize", "instanceWarmupPeriod"]);
        managedScaling = {
            status: r.string(m.status, `${mf}.status`, SWITCH, "ENABLED or DISABLED") as "ENABLED" | "DISABLED",
            // Ranges of the API reference, ManagedScaling.
            ...(m.targetCapacity === undefined ? {} : { targetCapacity: r.integer(m.targetCapacity, `${mf}.targetCapacity`, 1, 100) }),
            ...(m.minimumScalingStepSize === undefined ? {} : { minimumScalingStepSize: r.integer(m.minimumScalingStepSize, `${mf}.minimumScalingStepSize`, 1, 10000) }),
            ...(m.maximumScalingStepSize === undefined ? {} : { maximumScalingStepSize: r.integer(m.maximumScalingStepSize, `${mf}.maximumScalingStepSize`, 1, 10000) }),
            ...(m.instanceWarmupPeriod === undefined ? {} : { instanceWarmupPeriod: r.integer(m.instanceWarmupPeriod, `${mf}.instanceWarmupPeriod`, 0, 10000) }),
        };
        if ((managedScaling.minimumScalingStepSize ?? 1) > (managedScaling.maximumScalingStepSize ?? 10000)) {
            r.fail(`${mf}.minimumScalingStepSize`, "must not exceed maximumScalingStepSize");
        }
    }
    const managedTerminationProtection = o.managedTerminationProtection === undefined
        ? "DISABLED"
        : r.string(o.managedTerminationProtection, `${field}.managedTerminationProtection`, SWITCH, "ENABLED or DISABLED") as "ENABLED" | "DISABLED";
    if (managedTerminationProtection === "ENABLED" && managedScaling?.status !== "ENABLED") {
        r.fail(`${field}.managedTerminationProtection`, "ENABLED needs managedScaling.status ENABLED (managed termination protection works only with managed scaling)");
    }
    return {
        name,
        autoScalingGroup: group,
        ...(managedScaling ? { managedScaling } : {}),
        managedTerminationProtection,
        // ECS's default: managed draining is on for a new capacity provider.
        managedDraining: o.managedDraining === undefined ? "ENABLED" : r.string(o.managedDraining, `${field}.managedDraining`, SWITCH, "ENABLED or DISABLED") as "ENABLED" | "DISABLED",
    };
}

/** EC2 Auto Scaling's rule for a group's sizes: minSize ≤ desiredCapacity ≤ maxSize. */
function checkSizes(r: Reader, g: { minSize: number; maxSize: number; desiredCapacity: number }, field: string): void {
    if (g.minSize > g.maxSize) r.fail(`${field}.minSize`, `expected at most maxSize (${g.maxSize}), got ${g.minSize}`);
    if (g.desiredCapacity < g.minSize || g.desiredCapacity > g.maxSize) {
        r.fail(`${field}.desiredCapacity`, `expected from minSize (${g.minSize}) to maxSize (${g.maxSize}), got ${g.desiredCapacity}`);
    }
}

const BAKE_MINUTES = "an integer from 0 to 1440 (minutes)";

function minutes(r: Reader, value: Json, field: string): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 1440) {
        r.fail(field, `expected ${BAKE_MINUTES}, got ${describe(value)}`);
    }
    return value;
}

function tenthPercent(r: Reader, value: Json, field: string, min: number): number {
    const tenths = typeof value === "number" ? value * 10 : NaN;
    if (!(tenths >= min * 10 - 1e-9 && tenths <= 1000 && Math.abs(tenths - Math.round(tenths)) < 1e-9)) {
        r.fail(field, `expected a multiple of 0.1 from ${min.toFixed(1)} to 100.0, got ${describe(value)}`);
    }
    return value as number;
}

/** deploymentStrategy and its settings, with the API's ranges (API reference, DeploymentConfiguration). */
function readDeployment(r: Reader, o: Record<string, Json>, field: string): ScenarioDeployment | undefined {
    const keys = ["deploymentStrategy", "bakeTimeInMinutes", "linearConfiguration", "canaryConfiguration"];
    if (keys.every((k) => o[k] === undefined)) return undefined;
    const strategies = /^(ROLLING|BLUE_GREEN|LINEAR|CANARY)$/;
    const strategy = (o.deploymentStrategy === undefined
        ? "ROLLING"
        : r.string(o.deploymentStrategy, `${field}.deploymentStrategy`, strategies, "ROLLING|BLUE_GREEN|LINEAR|CANARY")
    ) as ScenarioDeployment["strategy"];
    const out: ScenarioDeployment = { strategy };
    const bake = `${field}.bakeTimeInMinutes`;
    if (o.bakeTimeInMinutes !== undefined) out.bakeTimeInMinutes = minutes(r, o.bakeTimeInMinutes, bake);
    const baked = out.bakeTimeInMinutes !== undefined;
    if (strategy === "BLUE_GREEN" && !baked) r.fail(bake, `BLUE_GREEN needs a bake time: expected ${BAKE_MINUTES}`);
    if (strategy === "ROLLING" && baked) r.fail(bake, "only BLUE_GREEN, LINEAR and CANARY bake");
    if (o.linearConfiguration !== undefined) {
        const f = `${field}.linearConfiguration`;
        if (strategy !== "LINEAR") r.fail(f, `only with deploymentStrategy LINEAR, not ${strategy}`);
        const lo = r.object(o.linearConfiguration, f, ["stepPercent", "stepBakeTimeInMinutes"]);
        const linear: NonNullable<ScenarioDeployment["linearConfiguration"]> = (out.linearConfiguration = {});
        if (lo.stepPercent !== undefined) linear.stepPercent = tenthPercent(r, lo.stepPercent, `${f}.stepPercent`, 3);
        const stepBake = lo.stepBakeTimeInMinutes;
        if (stepBake !== undefined) linear.stepBakeTimeInMinutes = minutes(r, stepBake, `${f}.stepBakeTimeInMinutes`);
    }
    if (o.canaryConfiguration !== undefined) {
        const f = `${field}.canaryConfiguration`;
        if (strategy !== "CANARY") r.fail(f, `only with deploymentStrategy CANARY, not ${strategy}`);
        const co = r.object(o.canaryConfiguration, f, ["canaryPercent", "canaryBakeTimeInMinutes"]);
        const canary: NonNullable<ScenarioDeployment["canaryConfiguration"]> = (out.canaryConfiguration = {});
        const percent = co.canaryPercent;
        if (percent !== undefined) canary.canaryPercent = tenthPercent(r, percent, `${f}.canaryPercent`, 0.1);
        const wait = co.canaryBakeTimeInMinutes;
        if (wait !== undefined) canary.canaryBakeTimeInMinutes = minutes(r, wait, `${f}.canaryBakeTimeInMinutes`);
    }
    return out;
}

function readChurn(r: Reader, value: Json, field: string): ScenarioChurn {
    const o = r.object(value, field, ["seconds", "agentReconnectsPerHour", "agentDisconnectSeconds", "steadyStateReemitSeconds"]);
    const integer = (key: string, fallback: number, min: number, max: number) =>
        o[key] === undefined ? fallback : r.integer(o[key], `${field}.${key}`, min, max);
    const churn: ScenarioChurn = {
        seconds: r.integer(o.seconds, `${field}.seconds`, 1, 7 * 86400),
        agentReconnectsPerHour: integer("agentReconnectsPerHour", 0, 0, 3600),
        agentDisconnectSeconds: integer("agentDisconnectSeconds", 5, 1, 3600),
        steadyStateReemitSeconds: integer("steadyStateReemitSeconds", 0, 0, 86400),
    };
    if (churn.agentReconnectsPerHour === 0 && churn.steadyStateReemitSeconds === 0) {
        r.fail(field, "expected agentReconnectsPerHour and/or steadyStateReemitSeconds above 0 (nothing would churn)");
    }
    return churn;
}

function readStep(r: Reader, value: Json, field: string): ScenarioStep {
    const actions = [
        "terminate", "launch", "drain", "setDesired", "advance", "agentDisconnect", "agentConnect", "failHealthChecks",
        "passHealthChecks", "updateAutoScalingGroup", "deploy", "churn",
    ];
    const o = r.object(value, field, actions);
    const keys = Object.keys(o);
    if (keys.length !== 1) r.fail(field, `expected exactly one action (${actions.join(", ")}), got ${keys.length}`);
    const ids = (v: Json, f: string) => r.array(v, f).map((id, i) => r.string(id, `${f}[${i}]`));
    if (o.terminate !== undefined) return { terminate: ids(o.terminate, `${field}.terminate`) };
    if (o.drain !== undefined) return { drain: ids(o.drain, `${field}.drain`) };
    if (o.agentDisconnect !== undefined) return { agentDisconnect: ids(o.agentDisconnect, `${field}.agentDisconnect`) };
    if (o.agentConnect !== undefined) return { agentConnect: ids(o.agentConnect, `${field}.agentConnect`) };
    if (o.failHealthChecks !== undefined) return { failHealthChecks: ids(o.failHealthChecks, `${field}.failHealthChecks`) };
    if (o.passHealthChecks !== undefined) return { passHealthChecks: ids(o.passHealthChecks, `${field}.passHealthChecks`) };
    if (o.deploy !== undefined) return { deploy: ids(o.deploy, `${field}.deploy`) };
    if (o.churn !== undefined) return { churn: readChurn(r, o.churn, `${field}.churn`) };
    if (o.launch !== undefined) return { launch: r.array(o.launch, `${field}.launch`).map((x, i) => readInstance(r, x, `${field}.launch[${i}]`)) };
    if (o.advance !== undefined) return { advance: r.integer(o.advance, `${field}.advance`, 0, 30 * 86400) };
    if (o.updateAutoScalingGroup !== undefined) {
        const f = `${field}.updateAutoScalingGroup`;
        const u = r.object(o.updateAutoScalingGroup, f, ["capacityProvider", "minSize", "maxSize", "desiredCapacity"]);
        const change = {
            capacityProvider: r.string(u.capacityProvider, `${f}.capacityProvider`),
            ...(u.minSize === undefined ? {} : { minSize: r.integer(u.minSize, `${f}.minSize`, 0, 1000) }),
            ...(u.maxSize === undefined ? {} : { maxSize: r.integer(u.maxSize, `${f}.maxSize`, 0, 1000) }),
            ...(u.desiredCapacity === undefined ? {} : { desiredCapacity: r.integer(u.desiredCapacity, `${f}.desiredCapacity`, 0, 1000) }),
        };
        if (Object.keys(change).length === 1) r.fail(f, "expected at least one of minSize, maxSize, desiredCapacity");
        return { updateAutoScalingGroup: change };
    }
    const sd = r.object(o.setDesired, `${field}.setDesired`, Object.keys((o.setDesired as object) ?? {}));
    const out: Record<string, number> = {};
    for (const [name, n] of Object.entries(sd)) out[name] = r.integer(n, `${field}.setDesired.${name}`, 0, 5000);
    return { setDesired: out };
}

export function parseScenario(text: string, file: string): Scenario {
    const r = new Reader(file);
    let json: Json;
    try {
        json = JSON.parse(text);
    } catch (e) {
        r.fail("(file)", `not valid JSON: ${(e as Error).message}`);
    }
    const o = r.object(json, "", ["name", "description", "region", "cluster", "instances", "capacityProviders", "services", "steps", "timing", "expect"]);
    const instances = r.array(o.instances, "instances").map((x, i) => readInstance(r, x, `instances[${i}]`));
    const capacityProviders = o.capacityProviders === undefined
        ? []
        : r.array(o.capacityProviders, "capacityProviders").map((x, i) => readCapacityProvider(r, x, `capacityProviders[${i}]`));
    const services = r.array(o.services, "services").map((x, i) => readService(r, x, `services[${i}]`));
    const steps = o.steps === undefined ? [] : r.array(o.steps, "steps").map((x, i) => readStep(r, x, `steps[${i}]`));
    const timingObject = o.timing === undefined ? {} : r.object(o.timing, "timing", ["taskStartSeconds", "healthCheckSeconds", "stopTimeoutSeconds", "schedulePeriodSeconds"]);
    const timing: Partial<ScenarioTiming> = {};
    for (const [k, v] of Object.entries(timingObject)) timing[k as keyof ScenarioTiming] = r.integer(v, `timing.${k}`, k === "schedulePeriodSeconds" ? 60 : 0, 86400);
    if (timing.schedulePeriodSeconds !== undefined && timing.schedulePeriodSeconds % 60 !== 0) {
        r.fail("timing.schedulePeriodSeconds", "EventBridge rates are whole minutes: expected a multiple of 60");
    }

    // Cross-references: unique ids and names, placements on known instances, steps on known instances/services.
    const known = new Set<string>();
    const addInstance = (inst: ScenarioInstance, field: string) => {
        if (known.has(inst.id)) r.fail(field, `instance id ${inst.id} is used twice`);
        known.add(inst.id);
    };
    instances.forEach((inst, i) => addInstance(inst, `instances[${i}].id`));
    const groups = new Map<string, { minSize: number; maxSize: number; desiredCapacity: number }>();
    capacityProviders.forEach((cp, i) => {
        if (groups.has(cp.name)) r.fail(`capacityProviders[${i}].name`, `capacity provider ${cp.name} is defined twice`);
        const { minSize, maxSize, desiredCapacity } = cp.autoScalingGroup;
        groups.set(cp.name, { minSize, maxSize, desiredCapacity });
        for (const id of groupInstanceIds(cp)) addInstance({ id } as ScenarioInstance, `capacityProviders[${i}].autoScalingGroup (instance ${id})`);
    });
    const groupOf = (id: string) => [...groups.keys()].find((name) => id.startsWith(`${name}-asg-`));
    const notFromGroup = (inst: ScenarioInstance, field: string) => {
        if (inst.capacityProvider !== undefined && groups.has(inst.capacityProvider)) {
            r.fail(`${field}.capacityProvider`, `${inst.capacityProvider} is an Auto Scaling group capacity provider: its instances come from its group`);
        }
    };
    instances.forEach((inst, i) => notFromGroup(inst, `instances[${i}]`));
    const names = new Set<string>();
    services.forEach((s, i) => {
        if (names.has(s.name)) r.fail(`services[${i}].name`, `service ${s.name} is defined twice`);
        names.add(s.name);
        for (const id of Object.keys(s.placement ?? {})) {
            if (!instances.some((inst) => inst.id === id)) r.fail(`services[${i}].placement.${id}`, "no such instance at the start");
        }
    });
    steps.forEach((step, i) => {
        if ("launch" in step) step.launch.forEach((inst, j) => {
            addInstance(inst, `steps[${i}].launch[${j}].id`);
            notFromGroup(inst, `steps[${i}].launch[${j}]`);
        });
        if ("updateAutoScalingGroup" in step) {
            const { capacityProvider, ...change } = step.updateAutoScalingGroup;
            const f = `steps[${i}].updateAutoScalingGroup`;
            const g = groups.get(capacityProvider);
            if (!g) return r.fail(`${f}.capacityProvider`, `no Auto Scaling group capacity provider ${capacityProvider} (capacityProviders)`);
            Object.assign(g, change);
            checkSizes(r, g, f);
        }
        for (const key of ["terminate", "drain", "agentDisconnect", "agentConnect", "failHealthChecks", "passHealthChecks"] as const) {
            if (key in step) (step as Record<string, string[]>)[key].forEach((id, j) => {
                // A group's later instances get their ids at run time (<provider>-asg-<n>): those of a known group pass.
                if (!known.has(id) && groupOf(id) === undefined) r.fail(`steps[${i}].${key}[${j}]`, `no instance ${id} by then`);
            });
        }
        if ("setDesired" in step) for (const name of Object.keys(step.setDesired)) {
            if (!names.has(name)) r.fail(`steps[${i}].setDesired.${name}`, "no such service");
        }
        if ("deploy" in step) step.deploy.forEach((name, j) => {
            if (!names.has(name)) r.fail(`steps[${i}].deploy[${j}]`, "no such service");
            else if (services.find((s) => s.name === name)!.schedulingStrategy === "DAEMON") {
                r.fail(`steps[${i}].deploy[${j}]`, "the scenario deploys REPLICA services only");
            }
        });
    });

    const expect = o.expect === undefined ? undefined : readExpectations(r, o.expect, names, known);

    return {
        file,
        name: r.string(o.name, "name", NAME, "letters, digits and -"),
        description: o.description === undefined ? undefined : r.string(o.description, "description"),
        region: o.region === undefined ? "us-east-1" : r.string(o.region, "region", REGION, "an AWS Region such as us-east-1"),
        cluster: o.cluster === undefined ? "default" : r.string(o.cluster, "cluster", CLUSTER, "a cluster name"),
        instances,
        capacityProviders,
        services,
        steps,
        timing,
        ...(expect ? { expect } : {}),
    };
}

function readExpectations(r: Reader, value: Json, services: Set<string>, instances: Set<string>): ScenarioExpectations {
    const o = r.object(value, "expect", ["before", "unplaced"]);
    const out: ScenarioExpectations = {};
    const serviceMap = (v: Json, field: string) => {
        const m = r.object(v, field, Object.keys((v as object) ?? {}));
        for (const name of Object.keys(m)) if (!services.has(name)) r.fail(`${field}.${name}`, "no such service");
        return m;
    };
    if (o.before !== undefined) {
        out.before = {};
        for (const [name, counts] of Object.entries(serviceMap(o.before, "expect.before"))) {
            const co = r.object(counts, `expect.before.${name}`, Object.keys((counts as object) ?? {}));
            out.before[name] = {};
            for (const [id, n] of Object.entries(co)) {
                if (!instances.has(id)) r.fail(`expect.before.${name}.${id}`, "no such instance");
                out.before[name][id] = r.integer(n, `expect.before.${name}.${id}`, 0, 5000);
            }
        }
    }
    if (o.unplaced !== undefined) {
        out.unplaced = {};
        for (const [name, n] of Object.entries(serviceMap(o.unplaced, "expect.unplaced"))) out.unplaced[name] = r.integer(n, `expect.unplaced.${name}`, 0, 5000);
    }
    return out;
}

export function readScenarioFile(path: string): Scenario {
    let text: string;
    try {
        text = readFileSync(path, "utf8");
    } catch (e) {
        throw new ScenarioError(path, "(file)", `cannot be read: ${(e as Error).message}`);
    }
    return parseScenario(text, path);
}
