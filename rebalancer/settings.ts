// The rebalancer's settings: one schema, read by the handler from its environment and written into that
// environment by the infra (which validates the stack config with the same field rules before declaring anything).
import { DEFAULT_SKIP_TAG, ENABLED_TAG, MARKER_TAG_KEYS, serviceSettingTag } from "./tagKeys";

export type Strategy = "minimal" | "redeploy";
export const STRATEGIES: readonly Strategy[] = ["minimal", "redeploy"];
/** Which services of a target cluster are in scope: all of them (unless opted out), or only those opted in. */
export type ServiceSelection = "all" | "tagged";
export const SERVICE_SELECTIONS: readonly ServiceSelection[] = ["all", "tagged"];

export interface Settings {
    /** Cluster ARNs this function rebalances; events for other clusters are ignored. */
    clusters: string[];
    strategy: Strategy;
    /** `tagged`: only services tagged `ecs-rebalancer:enabled=true` are rebalanced. */
    serviceSelection: ServiceSelection;
    dryRun: boolean;
    /** A service is unbalanced when max − min of its tasks over eligible bins exceeds this, at a level it spreads on. */
    skewThreshold: number;
    /** Tasks moved per pass, all services together. */
    maxMovesPerPass: number;
    /** Tasks moved per service per pass (also bounded by the service's healthy floor and ceiling). */
    maxMovesPerService: number;
    /** A service tagged `<skipTag>=true` is never touched. */
    skipTag: string;
    /** Tasks younger than this are never chosen to move. */
    minTaskAgeSeconds: number;
    /** A surged desiredCount is put back after this long even if the surge tasks never started. */
    surgeTimeoutSeconds: number;
    /** How long ECS's AZ rebalancing may leave a service's AZs uneven, unacting, before the rebalancer takes the level. */
    azRebalancingGraceSeconds: number;
    /** Upper bound on ECS write calls per second made by one pass. */
    maxWritesPerSecond: number;
    /**
     * Moves a service gets in one situation (desiredCount, task definition, eligible instances) that do not lower
     * its surplus, or at the same surplus its skew, below where the first of them started; 1 = no second move after
     * one that did not help.
     */
    movesWithoutImprovement: number;
    /** X-Ray tracing through Powertools' Tracer (read when the container starts: the function's environment is fixed). */
    tracing: boolean;
}

type FieldKind = "clusterArns" | "choice" | "boolean" | "integer" | "tagKey";

export interface SettingField {
    key: keyof Settings;
    env: string;
    kind: FieldKind;
    /** kind "choice": the accepted values. */
    choices?: readonly string[];
    min?: number;
    max?: number;
    defaultValue?: Settings[keyof Settings];
    description: string;
    /** A service may override it with the tag `ecs-rebalancer:<key>` (plan/serviceTags.ts), checked by the same rules. */
    perService?: true;
}

export const SETTING_FIELDS: readonly SettingField[] = [
    { key: "clusters", env: "REBALANCER_CLUSTERS", kind: "clusterArns", description: "comma-separated ARNs of the clusters to rebalance" },
    { key: "strategy", env: "REBALANCER_STRATEGY", kind: "choice", choices: STRATEGIES, defaultValue: "minimal", description: "minimal (stop surplus tasks only) or redeploy (forceNewDeployment on unbalanced services)" },
    {
        key: "serviceSelection", env: "REBALANCER_SERVICE_SELECTION", kind: "choice", choices: SERVICE_SELECTIONS, defaultValue: "all",
        description: `which services of the target clusters are rebalanced: all (except those tagged <skipTag>=true), or tagged (only those tagged ${ENABLED_TAG}=true)`,
    },
    { key: "dryRun", env: "REBALANCER_DRY_RUN", kind: "boolean", defaultValue: false, perService: true, description: "plan and report, change nothing" },
    { key: "skewThreshold", env: "REBALANCER_SKEW_THRESHOLD", kind: "integer", min: 1, max: 5000, defaultValue: 1, perService: true, description: "largest tolerated max − min of a service's tasks over eligible bins" },
    { key: "maxMovesPerPass", env: "REBALANCER_MAX_MOVES_PER_PASS", kind: "integer", min: 1, max: 1000, defaultValue: 20, description: "tasks moved per pass, all services together" },
    { key: "maxMovesPerService", env: "REBALANCER_MAX_MOVES_PER_SERVICE", kind: "integer", min: 1, max: 1000, defaultValue: 10, perService: true, description: "tasks moved per service per pass" },
    { key: "skipTag", env: "REBALANCER_SKIP_TAG", kind: "tagKey", defaultValue: DEFAULT_SKIP_TAG, description: "services tagged <skipTag>=true are never touched" },
    { key: "minTaskAgeSeconds", env: "REBALANCER_MIN_TASK_AGE_SECONDS", kind: "integer", min: 0, max: 86400, defaultValue: 60, description: "tasks younger than this are never moved" },
    { key: "surgeTimeoutSeconds", env: "REBALANCER_SURGE_TIMEOUT_SECONDS", kind: "integer", min: 60, max: 86400, defaultValue: 900, description: "a surge whose tasks have not started after this long is undone" },
    {
        key: "azRebalancingGraceSeconds", env: "REBALANCER_AZ_REBALANCING_GRACE_SECONDS", kind: "integer", min: 60, max: 86400, defaultValue: 1800,
        description: "a service ECS's AZ rebalancing should balance across AZs is balanced by the rebalancer when its AZs stay uneven this long with no task started, no deployment change and no instance registered (ECS did not act); given back when ECS acts",
    },
    { key: "maxWritesPerSecond", env: "REBALANCER_MAX_WRITES_PER_SECOND", kind: "integer", min: 1, max: 40, defaultValue: 10, description: "ECS write calls per second, at most" },
    { key: "movesWithoutImprovement", env: "REBALANCER_MOVES_WITHOUT_IMPROVEMENT", kind: "integer", min: 1, max: 20, defaultValue: 3, description: "moves a service gets in one situation (desiredCount, task definition, eligible instances) that lower neither its surplus nor its skew; then none until it changes (1: no second move after one that did not help)" },
    {
        key: "tracing", env: "REBALANCER_TRACING", kind: "boolean", defaultValue: false,
        description: "X-Ray tracing through Powertools' Tracer: a subsegment per invocation and per cluster pass, and the ECS calls (Lambda active tracing; the tracer is packaged only then)",
    },
];

export class SettingsError extends Error {
    constructor(readonly field: string, message: string) {
        super(message);
        this.name = "SettingsError";
        // Deployed, Pulumi's closure serialization turns `super(message)` into `Error.call(this, message)`, which
        // sets no message, no stack and no Error prototype; the Lambda runtime would report "[object Object]".
        if (!(this instanceof Error)) Object.setPrototypeOf(Object.getPrototypeOf(this), Error.prototype);
        this.message = message;
        if (!this.stack) Error.captureStackTrace(this, SettingsError);
    }
}

// arn:<partition>:ecs:<region>:<account>:cluster/<name>
const CLUSTER_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):ecs:[a-z]{2}(-[a-z]+)+-\d:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

export function isClusterArn(value: string): boolean {
    return CLUSTER_ARN.test(value);
}

export function isClusterName(value: string): boolean {
    return CLUSTER_NAME.test(value);
}

/** Why `value` is not acceptable for the field, or undefined when it is. Shared by the stack config and the env. */
export function describeInvalid(field: SettingField, value: unknown): string | undefined {
    switch (field.kind) {
        case "clusterArns": {
            if (!Array.isArray(value) || value.length === 0) return "expected at least one ECS cluster ARN";
            const bad = value.find((v) => typeof v !== "string" || !isClusterArn(v));
            if (bad !== undefined) return `expected ECS cluster ARNs (arn:<partition>:ecs:<region>:<account>:cluster/<name>), got ${JSON.stringify(bad)}`;
            if (new Set(value).size !== value.length) return "expected each cluster ARN once";
            return undefined;
        }
        case "choice":
            return field.choices!.includes(value as string) ? undefined : `expected one of ${field.choices!.join(", ")}`;
        case "boolean":
            return typeof value === "boolean" ? undefined : "expected true or false";
        case "integer": {
            if (typeof value !== "number" || !Number.isInteger(value)) return `expected an integer from ${field.min} to ${field.max}`;
            if ((field.min !== undefined && value < field.min) || (field.max !== undefined && value > field.max)) {
                return `expected an integer from ${field.min} to ${field.max}`;
            }
            return undefined;
        }
        case "tagKey":
            if (typeof value !== "string" || !TAG_KEY.test(value)) return "expected a tag key: 1 to 128 letters, digits, spaces or _ . : / = + - @";
            if (value.toLowerCase().startsWith("aws:")) return "expected a tag key that does not start with the reserved prefix aws:";
            // The role may write the marker keys: an opt-out under one of them could be removed by the rebalancer.
            if (MARKER_TAG_KEYS.includes(value)) return `expected a tag key other than the rebalancer's own markers (${MARKER_TAG_KEYS.join(", ")})`;
            if (value === ENABLED_TAG || perServiceSettingTags().includes(value)) {
                return `expected a tag key other than the opt-in and per-service setting tags (${[ENABLED_TAG, ...perServiceSettingTags()].join(", ")})`;
            }
            return undefined;
    }
}

/** The settings a service may override by tag, and their tag keys. */
export function perServiceFields(): SettingField[] {
    return SETTING_FIELDS.filter((f) => f.perService);
}

function perServiceSettingTags(): string[] {
    return perServiceFields().map((f) => serviceSettingTag(f.key));
}

/** A setting's value from text (an environment variable or a tag value); still to be checked with describeInvalid. */
export function settingFromText(field: SettingField, text: string): unknown {
    switch (field.kind) {
        case "clusterArns":
            return text.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
        case "boolean":
            return text === "true" ? true : text === "false" ? false : text;
        case "integer":
            return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
        default:
            return text;
    }
}

function toEnvText(field: SettingField, value: unknown): string {
    return field.kind === "clusterArns" ? (value as string[]).join(",") : String(value);
}

/** Reads the settings from `REBALANCER_*` variables; throws a SettingsError naming the first bad variable. */
export function parseSettings(env: Record<string, string | undefined>): Settings {
    const out: Record<string, unknown> = {};
    for (const field of SETTING_FIELDS) {
        const raw = env[field.env];
        if (raw === undefined || raw === "") {
            if (field.defaultValue === undefined) throw new SettingsError(field.env, `${field.env} is not set: ${field.description} is required`);
            out[field.key] = field.defaultValue;
            continue;
        }
        const value = settingFromText(field, raw);
        const problem = describeInvalid(field, value);
        if (problem) throw new SettingsError(field.env, `${field.env}=${JSON.stringify(raw)} is invalid: ${problem}`);
        out[field.key] = value;
    }
    return out as unknown as Settings;
}

/** The environment the infra writes for these settings (every field, defaults included, so nothing is implicit). */
export function settingsToEnv(settings: Settings): Record<string, string> {
    const env: Record<string, string> = {};
    for (const field of SETTING_FIELDS) env[field.env] = toEnvText(field, settings[field.key]);
    return env;
}

export function defaultSettings(clusters: string[]): Settings {
    const out: Record<string, unknown> = { clusters };
    for (const field of SETTING_FIELDS) if (field.defaultValue !== undefined) out[field.key] = field.defaultValue;
    return out as unknown as Settings;
}

export function fieldFor(key: keyof Settings): SettingField {
    const field = SETTING_FIELDS.find((f) => f.key === key);
    if (!field) throw new Error(`no setting named ${key}`);
    return field;
}
