// CreateService / UpdateService `deploymentConfiguration`: the rolling limits, the circuit breaker, and the
// ECS-native strategy with its settings (API reference: DeploymentConfiguration, LinearConfiguration,
// CanaryConfiguration, DeploymentLifecycleHook). Errors name the field and what was expected.

import { invalidParameter } from "../errors";
import type { DeploymentConfigurationState, DeploymentStrategyName, LifecycleHookState } from "../model";
import type { Json } from "../serialize";

const STRATEGIES: readonly DeploymentStrategyName[] = ["ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"];
const HOOK_STAGES = [
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
];
/** Bake times: "Valid values are 0 to 1440 minutes (24 hours)" (LinearConfiguration, CanaryConfiguration). */
const MAX_BAKE_MINUTES = 1440;
/** API reference defaults: linear 10.0 % every 6 minutes, canary 5.0 % for 10 minutes. */
const LINEAR_DEFAULTS = { stepPercent: 10, stepBakeTimeInMinutes: 6 };
const CANARY_DEFAULTS = { canaryPercent: 5, canaryBakeTimeInMinutes: 10 };

export interface DeploymentConfigurationContext {
    daemon: boolean;
    /** deploymentController.type: the strategies other than ROLLING need ECS. */
    controller: string;
}

function field(name: string): string {
    return `deploymentConfiguration.${name}`;
}

function bakeMinutes(value: unknown, name: string): number {
    const valid = typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_BAKE_MINUTES;
    if (!valid) {
        throw invalidParameter(`${field(name)} must be an integer from 0 to ${MAX_BAKE_MINUTES} minutes.`);
    }
    return value;
}

/** A percentage that is a multiple of 0.1 within [min, 100] (stepPercent, canaryPercent). */
function tenthPercent(value: unknown, name: string, min: number): number {
    const tenths = typeof value === "number" ? value * 10 : NaN;
    const ok = tenths >= min * 10 - 1e-9 && tenths <= 1000 && Math.abs(tenths - Math.round(tenths)) < 1e-9;
    if (!ok) throw invalidParameter(`${field(name)} must be a multiple of 0.1 from ${min.toFixed(1)} to 100.0.`);
    return value as number;
}

function object(value: unknown, name: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw invalidParameter(`${field(name)} must be an object.`);
    }
    return value as Record<string, unknown>;
}

function readHooks(value: unknown): LifecycleHookState[] {
    if (!Array.isArray(value)) throw invalidParameter(`${field("lifecycleHooks")} must be a list.`);
    return value.map((raw, i) => {
        const name = `lifecycleHooks[${i}]`;
        const hook = object(raw, name);
        const targetType = hook.targetType === undefined ? undefined : String(hook.targetType);
        if (targetType !== undefined && targetType !== "AWS_LAMBDA" && targetType !== "PAUSE") {
            throw invalidParameter(`${field(`${name}.targetType`)} must be AWS_LAMBDA or PAUSE.`);
        }
        const arn = hook.hookTargetArn;
        if (targetType !== "PAUSE" && (typeof arn !== "string" || !arn.startsWith("arn:"))) {
            throw invalidParameter(`${field(`${name}.hookTargetArn`)} must be the ARN of the Lambda function to call.`);
        }
        const stages = hook.lifecycleStages;
        if (!Array.isArray(stages) || stages.length === 0 || !stages.every((st) => HOOK_STAGES.includes(String(st)))) {
            const expected = HOOK_STAGES.join(", ");
            throw invalidParameter(`${field(`${name}.lifecycleStages`)} must be a non-empty list of ${expected}.`);
        }
        return {
            ...(targetType === undefined ? {} : { targetType }),
            ...(typeof hook.hookTargetArn === "string" ? { hookTargetArn: hook.hookTargetArn } : {}),
            ...(typeof hook.roleArn === "string" ? { roleArn: hook.roleArn } : {}),
            lifecycleStages: stages.map(String),
            ...(hook.hookDetails === undefined ? {} : { hookDetails: hook.hookDetails }),
        };
    });
}

/**
 * LinearConfiguration / CanaryConfiguration: a traffic percent (a multiple of 0.1 from `min`) and a bake time, each
 * kept from `current` (or the default) when not given.
 */
function readSteps(
    value: unknown,
    name: string,
    [percentKey, percentNow, min]: [string, number, number],
    [bakeKey, bakeNow]: [string, number],
): [number, number] {
    const given = value === undefined ? {} : object(value, name);
    return [
        given[percentKey] === undefined ? percentNow : tenthPercent(given[percentKey], `${name}.${percentKey}`, min),
        given[bakeKey] === undefined ? bakeNow : bakeMinutes(given[bakeKey], `${name}.${bakeKey}`),
    ];
}

/** The configuration after applying `input.deploymentConfiguration` (absent keys keep `current`'s values). */
export function readDeploymentConfiguration(
    input: Json,
    current: DeploymentConfigurationState,
    context: DeploymentConfigurationContext,
): DeploymentConfigurationState {
    type Given = Record<string, unknown> & {
        minimumHealthyPercent?: number;
        maximumPercent?: number;
        deploymentCircuitBreaker?: { enable?: boolean; rollback?: boolean };
    };
    const raw = input.deploymentConfiguration;
    const given: Given = raw === undefined || raw === null ? {} : (object(raw, "(itself)") as Given);
    const strategy = (given.strategy ?? current.strategy) as DeploymentStrategyName;
    if (!STRATEGIES.includes(strategy)) {
        throw invalidParameter(`${field("strategy")} must be one of ${STRATEGIES.join(", ")}.`);
    }
    const breaker = given.deploymentCircuitBreaker;
    const config: DeploymentConfigurationState = {
        minimumHealthyPercent: given.minimumHealthyPercent ?? current.minimumHealthyPercent,
        maximumPercent: given.maximumPercent ?? current.maximumPercent,
        deploymentCircuitBreaker: breaker
            ? { enable: breaker.enable === true, rollback: breaker.rollback === true }
            : { ...current.deploymentCircuitBreaker },
        strategy,
        lifecycleHooks: given.lifecycleHooks === undefined ? current.lifecycleHooks : readHooks(given.lifecycleHooks),
    };
    const { minimumHealthyPercent: min, maximumPercent: max } = config;
    if (!Number.isInteger(min) || min < 0 || min > 100) {
        throw invalidParameter("minimumHealthyPercent must be between 0 and 100.");
    }
    if (!Number.isInteger(max) || max < 100) throw invalidParameter("maximumPercent must be at least 100.");
    if (context.daemon && max !== 100) {
        throw invalidParameter("The maximumPercent must be 100 for services with the DAEMON scheduling strategy.");
    }

    // LinearConfiguration / CanaryConfiguration: "only valid when you run CreateService or UpdateService with
    // deploymentController set to ECS and a deploymentConfiguration with a strategy set to LINEAR" (or CANARY).
    if (strategy !== "ROLLING" && context.controller !== "ECS") {
        const why = `requires the ECS deployment controller, not ${context.controller}`;
        throw invalidParameter(`${field("strategy")} ${strategy} ${why}.`);
    }
    if (strategy !== "ROLLING" && context.daemon) {
        // Not emulated: the daemon scheduler keeps one task per instance; the emulator rolls DAEMON services only.
        throw invalidParameter(`${field("strategy")} ${strategy} is not emulated for DAEMON services.`);
    }
    if (given.linearConfiguration !== undefined && strategy !== "LINEAR") {
        throw invalidParameter(`${field("linearConfiguration")} is only valid with strategy LINEAR, not ${strategy}.`);
    }
    if (given.canaryConfiguration !== undefined && strategy !== "CANARY") {
        throw invalidParameter(`${field("canaryConfiguration")} is only valid with strategy CANARY, not ${strategy}.`);
    }
    if (strategy === "LINEAR") {
        const base = current.linearConfiguration ?? LINEAR_DEFAULTS;
        const [stepPercent, stepBakeTimeInMinutes] = readSteps(given.linearConfiguration, "linearConfiguration",
            ["stepPercent", base.stepPercent, 3], ["stepBakeTimeInMinutes", base.stepBakeTimeInMinutes]);
        config.linearConfiguration = { stepPercent, stepBakeTimeInMinutes };
    }
    if (strategy === "CANARY") {
        const base = current.canaryConfiguration ?? CANARY_DEFAULTS;
        const [canaryPercent, canaryBakeTimeInMinutes] = readSteps(given.canaryConfiguration, "canaryConfiguration",
            ["canaryPercent", base.canaryPercent, 0.1], ["canaryBakeTimeInMinutes", base.canaryBakeTimeInMinutes]);
        config.canaryConfiguration = { canaryPercent, canaryBakeTimeInMinutes };
    }
    if (given.bakeTimeInMinutes !== undefined) {
        config.bakeTimeInMinutes = bakeMinutes(given.bakeTimeInMinutes, "bakeTimeInMinutes");
    }
    else if (current.bakeTimeInMinutes !== undefined) config.bakeTimeInMinutes = current.bakeTimeInMinutes;
    // "You must provide this parameter when you use the BLUE_GREEN deployment strategy" (DeploymentConfiguration).
    if (strategy === "BLUE_GREEN" && config.bakeTimeInMinutes === undefined) {
        const expected = `0 to ${MAX_BAKE_MINUTES} minutes`;
        throw invalidParameter(`${field("bakeTimeInMinutes")} is required with strategy BLUE_GREEN (${expected}).`);
    }
    return config;
}

/** A new service's configuration before CreateService's input is applied. */
export function defaultDeploymentConfiguration(daemon: boolean): DeploymentConfigurationState {
    return {
        minimumHealthyPercent: daemon ? 0 : 100,
        maximumPercent: daemon ? 100 : 200,
        deploymentCircuitBreaker: { enable: false, rollback: false },
        strategy: "ROLLING",
        lifecycleHooks: [],
    };
}

/** DescribeServices' deploymentConfiguration. */
export function describeDeploymentConfiguration(config: DeploymentConfigurationState): Json {
    const out: Json = {
        deploymentCircuitBreaker: { ...config.deploymentCircuitBreaker },
        maximumPercent: config.maximumPercent,
        minimumHealthyPercent: config.minimumHealthyPercent,
        strategy: config.strategy,
    };
    if (config.bakeTimeInMinutes !== undefined) out.bakeTimeInMinutes = config.bakeTimeInMinutes;
    if (config.linearConfiguration) out.linearConfiguration = { ...config.linearConfiguration };
    if (config.canaryConfiguration) out.canaryConfiguration = { ...config.canaryConfiguration };
    if (config.lifecycleHooks.length > 0) {
        out.lifecycleHooks = config.lifecycleHooks.map((h) => ({ ...h, lifecycleStages: [...h.lifecycleStages] }));
    }
    return out;
}
