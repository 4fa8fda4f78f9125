// The stack config, read and validated in one place before any resource is declared.
// Every key lives in the `ecs-rebalancer` namespace and is declared in Pulumi.yaml with the same type and
// default (a test holds the two together). Rebalancer settings are checked with the handler's own schema
// (rebalancer/settings.ts), so the values written into the Lambda environment are ones the handler accepts.
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_SCHEDULE } from "../rebalancer/eventPatterns";
import { defaultSettings, describeInvalid, isClusterArn, isClusterName, SETTING_FIELDS, SettingField, Settings } from "../rebalancer/settings";
import { serviceSettingTag } from "../rebalancer/tagKeys";
import { CONFIG_NAMESPACE, ConfigError, ConfigProblem } from "./configError";
import {
    DEFAULT_LAMBDA_MEMORY_MB,
    DEFAULT_LAMBDA_TIMEOUT_SECONDS,
    DEFAULT_LOG_RETENTION_DAYS,
    describeInvalidIntegerRange,
    describeInvalidRetention,
    LAMBDA_MEMORY_MB,
    LAMBDA_TIMEOUT_SECONDS,
} from "./limits";
import { describeInvalidSchedule } from "./scheduleExpression";
import { DEFAULT_DELIVERY, Delivery, DELIVERY_MODES, describeInvalidDelivery } from "./delivery";
import { QUEUE_MAX_CONCURRENCY } from "./rebalancer/queuePlan";
import { ALARM_EMAIL_ALLOWED, ALARM_TOPIC_ALLOWED, describeInvalidAlarmEmail, describeInvalidAlarmTopicArn } from "./alarmTargets";
import { describeInvalidAlarmWindow, statePeriodSeconds, UNBALANCED_ALARM_PASSES } from "./rebalancer/alarmDefinitions";

export { CONFIG_NAMESPACE, ConfigError } from "./configError";

/** The settings the function is deployed with, except the cluster list (which is resolved at deploy time). */
export type RebalancerSettings = Omit<Settings, "clusters">;

export interface DemoConfig {
    instanceType: string;
    minInstances: number;
    desiredInstances: number;
    maxInstances: number;
    azCount: number;
    serviceDesiredCount: number;
    serviceImage: string;
}

export interface AlarmConfig {
    /** Subscribed by email to a topic the stack creates (empty: none). */
    email: string;
    /** An existing topic notified as well (empty: none). */
    topicArn: string;
    /** Sweep periods in a row in which every pass left a service unbalanced before that alarm fires. */
    unbalancedPasses: number;
}

export interface StackConfig {
    createDemo: boolean;
    /** Clusters to rebalance besides the demo cluster, as written: names or ARNs. */
    targetClusters: string[];
    settings: RebalancerSettings;
    /** An EventBridge schedule expression, or `off`. */
    schedule: string;
    /** How events reach the function: EventBridge invokes it, or an SQS FIFO queue with a message group per cluster. */
    delivery: Delivery;
    /** Delivery `queue`: passes at once, all clusters together (the event source mapping's maximum concurrency). */
    queueMaxConcurrency: number;
    logRetentionDays: number;
    lambdaMemoryMb: number;
    lambdaTimeoutSeconds: number;
    alarms: AlarmConfig;
    /** Always validated; only deployed when `createDemo`. */
    demo: DemoConfig;
}

export type ConfigValueType = "boolean" | "integer" | "string" | "array";
type ConfigValue = boolean | number | string | string[];

export interface ConfigKey {
    /** The key without its namespace. */
    key: string;
    type: ConfigValueType;
    default: ConfigValue;
    /** What the key means (Pulumi.yaml description and README). */
    description: string;
    /** What values are accepted, in words (README). */
    allowed: string;
    /** Why a (typed) value is unacceptable, or undefined. */
    check(value: unknown): string | undefined;
}

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,254}$/;

/** The handler's own defaults (rebalancer/settings.ts), so the stack config cannot drift from them. */
const SETTING_DEFAULTS = defaultSettings([]);

function settingKey(settingKeyName: keyof Settings): ConfigKey {
    const field = SETTING_FIELDS.find((f) => f.key === settingKeyName) as SettingField;
    return {
        key: field.key,
        type: field.kind === "boolean" ? "boolean" : field.kind === "integer" ? "integer" : "string",
        default: SETTING_DEFAULTS[field.key] as ConfigValue,
        description: field.perService ? `${field.description}; per service: the tag ${serviceSettingTag(field.key)}` : field.description,
        allowed: allowedForSetting(field),
        check: (value) => describeInvalid(field, value),
    };
}

function allowedForSetting(field: SettingField): string {
    switch (field.kind) {
        case "choice":
            return field.choices!.map((c) => `\`${c}\``).join(" or ");
        case "boolean":
            return "`true` or `false`";
        case "integer":
            return `integer ${field.min}–${field.max}`;
        case "tagKey":
            return "a tag key: 1–128 letters, digits, spaces or `_ . : / = + - @`, not starting with `aws:`";
        default:
            return field.kind;
    }
}

function integerKey(key: string, defaultValue: number, range: { min: number; max: number }, description: string): ConfigKey {
    return {
        key,
        type: "integer",
        default: defaultValue,
        description,
        allowed: `integer ${range.min}–${range.max}`,
        check: (value) => describeInvalidIntegerRange(value, range),
    };
}

function describeInvalidClusterList(value: unknown): string | undefined {
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        return 'expected a list of cluster names or ARNs, e.g. ["prod", "arn:aws:ecs:us-east-1:123456789012:cluster/batch"]';
    }
    const bad = value.find((v) => !isClusterName(v) && !isClusterArn(v));
    if (bad !== undefined) {
        return `${JSON.stringify(bad)} is neither a cluster name (1–255 letters, digits, - or _) nor an ECS cluster ARN (arn:<partition>:ecs:<region>:<account>:cluster/<name>)`;
    }
    const duplicate = value.find((v, i) => value.indexOf(v) !== i);
    if (duplicate !== undefined) return `${JSON.stringify(duplicate)} is listed twice; list each cluster once`;
    return undefined;
}

/** Every key of the `ecs-rebalancer` namespace, in the order the README lists them. */
export const CONFIG_KEYS: readonly ConfigKey[] = [
    {
        key: "createDemo",
        type: "boolean",
        default: true,
        description: "build the demo stack (VPC, ALB, ECS cluster on EC2, Auto Scaling group, capacity provider, sample service) and rebalance its cluster",
        allowed: "`true` or `false`",
        check: (v) => (typeof v === "boolean" ? undefined : "expected true or false"),
    },
    {
        key: "targetClusters",
        type: "array",
        default: [],
        description: "clusters to rebalance besides the demo cluster; names become ARNs of this account and region; at least one cluster in total",
        allowed: "list of cluster names or cluster ARNs, each once",
        check: describeInvalidClusterList,
    },
    settingKey("strategy"),
    settingKey("serviceSelection"),
    settingKey("dryRun"),
    {
        key: "schedule",
        type: "string",
        default: DEFAULT_SCHEDULE,
        description: "the periodic sweep (an EventBridge schedule expression), or `off` to rely on events only",
        allowed: "`off`, `rate(...)` or `cron(...)` as EventBridge accepts them",
        check: describeInvalidSchedule,
    },
    {
        key: "delivery",
        type: "string",
        default: DEFAULT_DELIVERY,
        description:
            "how events reach the function: direct (EventBridge invokes it; one pass at a time, one sweep walks every cluster) or queue " +
            "(EventBridge → SQS FIFO queue, a message group per cluster: one cluster's passes never overlap, different clusters pass " +
            "concurrently, and each cluster's sweep is its own message)",
        allowed: DELIVERY_MODES.map((d) => `\`${d}\``).join(" or "),
        check: describeInvalidDelivery,
    },
    integerKey(
        "queueMaxConcurrency",
        QUEUE_MAX_CONCURRENCY.default,
        QUEUE_MAX_CONCURRENCY,
        "delivery queue only: passes at once, all clusters together (the event source mapping's maximum concurrency); each pass paces " +
            "its own writes to maxWritesPerSecond",
    ),
    settingKey("skewThreshold"),
    settingKey("maxMovesPerPass"),
    settingKey("maxMovesPerService"),
    settingKey("skipTag"),
    settingKey("minTaskAgeSeconds"),
    settingKey("surgeTimeoutSeconds"),
    settingKey("azRebalancingGraceSeconds"),
    settingKey("maxWritesPerSecond"),
    settingKey("movesWithoutImprovement"),
    settingKey("tracing"),
    {
        key: "logRetentionDays",
        type: "integer",
        default: DEFAULT_LOG_RETENTION_DAYS,
        description: "retention of the function's log group",
        allowed: "a CloudWatch Logs retention period (1, 3, 5, 7, 14, 30, 60, 90, …, 3653; 0 = never expire)",
        check: describeInvalidRetention,
    },
    integerKey("lambdaMemoryMb", DEFAULT_LAMBDA_MEMORY_MB, LAMBDA_MEMORY_MB, "the function's memory (and so its CPU share); a pass holds a whole cluster snapshot in memory"),
    integerKey("lambdaTimeoutSeconds", DEFAULT_LAMBDA_TIMEOUT_SECONDS, LAMBDA_TIMEOUT_SECONDS, "the function's timeout; a pass over a 5,000-service cluster under ECS throttling takes tens of seconds"),
    {
        key: "alarmEmail",
        type: "string",
        default: "",
        description: "notify this address of every alarm's ALARM and OK: the stack creates an SNS topic and subscribes it (confirm the email SNS sends)",
        allowed: ALARM_EMAIL_ALLOWED,
        check: describeInvalidAlarmEmail,
    },
    {
        key: "alarmTopicArn",
        type: "string",
        default: "",
        description: "notify this existing SNS topic of every alarm's ALARM and OK (as well as alarmEmail's); with neither key, the alarms notify a topic the stack creates with no subscriber (output alarmTopicArns)",
        allowed: ALARM_TOPIC_ALLOWED,
        check: describeInvalidAlarmTopicArn,
    },
    integerKey(
        "unbalancedAlarmPasses",
        UNBALANCED_ALARM_PASSES.default,
        UNBALANCED_ALARM_PASSES,
        "the services-left-unbalanced alarm fires after this many sweep intervals in a row in which every pass left a service in scope unbalanced",
    ),
    {
        key: "demoInstanceType",
        type: "string",
        default: "t3.small",
        description: "demo: EC2 instance type of the container instances (Graviton types such as t4g.small get the arm64 AMI)",
        allowed: "an EC2 instance type, e.g. `t3.small`",
        check: (v) => (typeof v === "string" && INSTANCE_TYPE.test(v) ? undefined : "expected an EC2 instance type such as t3.small"),
    },
    integerKey("demoMinInstances", 1, { min: 0, max: 100 }, "demo: minimum size of the Auto Scaling group"),
    integerKey("demoDesiredInstances", 2, { min: 0, max: 100 }, "demo: initial desired size of the Auto Scaling group (ECS managed scaling owns it afterwards)"),
    integerKey("demoMaxInstances", 4, { min: 1, max: 100 }, "demo: maximum size of the Auto Scaling group"),
    integerKey("demoAzCount", 2, { min: 2, max: 6 }, "demo: Availability Zones of the VPC (the ALB needs at least two)"),
    integerKey("demoServiceDesiredCount", 2, { min: 0, max: 100 }, "demo: desired task count of the sample service"),
    {
        key: "demoServiceImage",
        type: "string",
        default: "public.ecr.aws/docker/library/nginx:stable-alpine",
        description: "demo: container image of the sample service (serves HTTP on port 80)",
        allowed: "a container image reference",
        check: (v) => (typeof v === "string" && IMAGE_REFERENCE.test(v) ? undefined : "expected a container image reference such as public.ecr.aws/docker/library/nginx:stable-alpine"),
    },
];

export function configKey(key: string): ConfigKey {
    const spec = CONFIG_KEYS.find((k) => k.key === key);
    if (!spec) throw new Error(`no config key named ${key}`);
    return spec;
}

/** Turns the text Pulumi hands the program (structured values arrive as JSON) into a typed value, strictly. */
function parseRaw(spec: ConfigKey, raw: string): { value: unknown } | { problem: string } {
    switch (spec.type) {
        case "boolean":
            if (raw === "true") return { value: true };
            if (raw === "false") return { value: false };
            return { problem: "expected true or false" };
        case "integer":
            if (/^-?\d+$/.test(raw.trim())) return { value: Number(raw.trim()) };
            return { problem: spec.check(raw) ?? "expected an integer" };
        case "array": {
            let parsed: unknown;
            try {
                parsed = JSON.parse(raw);
            } catch {
                parsed = raw;
            }
            return { value: parsed };
        }
        case "string":
            return { value: raw };
    }
}

/**
 * Validates the raw stack config of the `ecs-rebalancer` namespace (keys without the namespace, values as
 * Pulumi passes them: text, structured values as JSON). Throws one ConfigError naming every bad key.
 */
export function readStackConfig(raw: Readonly<Record<string, string | undefined>>): StackConfig {
    const problems: ConfigProblem[] = [];
    const values: Record<string, unknown> = {};

    for (const key of Object.keys(raw)) {
        if (!CONFIG_KEYS.some((k) => k.key === key)) {
            problems.push({ key, raw: raw[key], problem: `unknown key; the keys are ${CONFIG_KEYS.map((k) => k.key).join(", ")}` });
        }
    }
    for (const spec of CONFIG_KEYS) {
        const text = raw[spec.key];
        if (text === undefined) {
            values[spec.key] = spec.default;
            continue;
        }
        const parsed = parseRaw(spec, text);
        const problem = "problem" in parsed ? parsed.problem : spec.check(parsed.value);
        if (problem) problems.push({ key: spec.key, raw: text, problem });
        else values[spec.key] = (parsed as { value: unknown }).value;
    }

    if (problems.length === 0) problems.push(...crossKeyProblems(values, raw));
    if (problems.length > 0) throw new ConfigError(problems);

    const settings = {} as Record<string, unknown>;
    for (const field of SETTING_FIELDS) if (field.key !== "clusters") settings[field.key] = values[field.key];
    return {
        createDemo: values.createDemo as boolean,
        targetClusters: values.targetClusters as string[],
        settings: settings as unknown as RebalancerSettings,
        schedule: values.schedule as string,
        delivery: values.delivery as Delivery,
        queueMaxConcurrency: values.queueMaxConcurrency as number,
        logRetentionDays: values.logRetentionDays as number,
        lambdaMemoryMb: values.lambdaMemoryMb as number,
        lambdaTimeoutSeconds: values.lambdaTimeoutSeconds as number,
        alarms: {
            email: values.alarmEmail as string,
            topicArn: values.alarmTopicArn as string,
            unbalancedPasses: values.unbalancedAlarmPasses as number,
        },
        demo: {
            instanceType: values.demoInstanceType as string,
            minInstances: values.demoMinInstances as number,
            desiredInstances: values.demoDesiredInstances as number,
            maxInstances: values.demoMaxInstances as number,
            azCount: values.demoAzCount as number,
            serviceDesiredCount: values.demoServiceDesiredCount as number,
            serviceImage: values.demoServiceImage as string,
        },
    };
}

function crossKeyProblems(values: Record<string, unknown>, raw: Readonly<Record<string, string | undefined>>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const targets = values.targetClusters as string[];
    if (values.createDemo === false && targets.length === 0) {
        problems.push({
            key: "targetClusters",
            raw: raw.targetClusters ?? "[]",
            problem: `with ${CONFIG_NAMESPACE}:createDemo=false there is no cluster to rebalance; list at least one cluster name or ARN`,
        });
    }
    const passes = values.unbalancedAlarmPasses as number;
    const window = describeInvalidAlarmWindow(passes, statePeriodSeconds(values.schedule as string));
    if (window) {
        problems.push({ key: "unbalancedAlarmPasses", raw: String(passes), problem: `${window} (${CONFIG_NAMESPACE}:schedule is ${values.schedule})` });
    }
    const min = values.demoMinInstances as number;
    const desired = values.demoDesiredInstances as number;
    const max = values.demoMaxInstances as number;
    if (!(min <= desired && desired <= max)) {
        problems.push({
            key: "demoDesiredInstances",
            raw: String(desired),
            problem: `expected ${CONFIG_NAMESPACE}:demoMinInstances (${min}) ≤ demoDesiredInstances (${desired}) ≤ demoMaxInstances (${max})`,
        });
    }
    return problems;
}

/** The `ecs-rebalancer:*` keys of the running stack, without the namespace. */
export function rawStackConfig(): Record<string, string> {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
    }
    return out;
}

/** Reads and validates this stack's config. Call it before declaring any resource. */
export function loadStackConfig(): StackConfig {
    return readStackConfig(rawStackConfig());
}

