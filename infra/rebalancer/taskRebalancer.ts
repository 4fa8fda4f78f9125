// The rebalancer's deployment: a CallbackFunction running rebalancer/handler.ts with a least-privilege role of its
// own, its log group, a dead-letter queue for failed async invocations, alarms, and the EventBridge rules that wake it:
// directly (delivery `direct`), or through an SQS FIFO queue with a message group per cluster (`queue`, queueDelivery.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { containerInstancePattern, DEFAULT_SCHEDULE, EventPattern, serviceSteadyStatePattern } from "../../rebalancer/eventPatterns";
import { join } from "node:path";
import { loadRuntimeBundle } from "../../rebalancer/bundleLoader";
import { bundleRuntime } from "./runtimeBundle";
import { describeInvalid, fieldFor, SETTING_FIELDS, settingsToEnv } from "../../rebalancer/settings";
import type { RebalancerSettings } from "../config";
import {
    DEFAULT_LAMBDA_MEMORY_MB,
    DEFAULT_LAMBDA_TIMEOUT_SECONDS,
    DEFAULT_LOG_RETENTION_DAYS,
    describeInvalidIntegerRange,
    describeInvalidRetention,
    LAMBDA_MEMORY_MB,
    LAMBDA_TIMEOUT_SECONDS,
} from "../limits";
import { describeInvalidSchedule, SCHEDULE_OFF } from "../scheduleExpression";
import { clusterNameOf } from "../../rebalancer/arns";
import type { TargetCluster } from "../clusterArns";
import { describeInvalidAlarmWindow, statePeriodSeconds, UNBALANCED_ALARM_PASSES } from "./alarmDefinitions";
import { describeInvalidAlarmEmail, describeInvalidAlarmTopicArn } from "../alarmTargets";
import { RebalancerAlarms } from "./rebalancerAlarms";
import { dashboardNameFor, describeInvalidDashboardName } from "./dashboardBody";
import { RebalancerDashboard } from "./rebalancerDashboard";
import { DEFAULT_DELIVERY, Delivery, describeInvalidDelivery } from "../delivery";
import { QueueDelivery } from "./queueDelivery";
import { QUEUE_MAX_CONCURRENCY } from "./queuePlan";
import { LAMBDA_ASSUME_ROLE_POLICY, rebalancerPolicyDocument } from "./rolePolicy";

/**
 * The Lambda runtime bundles AWS SDK v3, so the SDK clients the handler requires are left out of the archive (it
 * stays small, and the function uses the SDK the runtime keeps patched). Powertools is not bundled: it ships.
 */
export const RUNTIME_PROVIDED_PACKAGES: readonly string[] = ["@aws-sdk/client-ecs", "@aws-sdk/client-application-auto-scaling"];

/** Packaged only with tracing on (it brings the X-Ray SDK): without it the archive and the cold start stay as small. */
export const TRACING_PACKAGES: readonly string[] = ["@aws-lambda-powertools/tracer"];

/**
 * Dependencies of the X-Ray SDK that hold TypeScript types only (nothing requires them at run time): left out of the
 * archive with tracing on, they would be most of its size (@types/node alone is 2.4 MB unzipped).
 */
export const TYPE_ONLY_TRACING_DEPENDENCIES: readonly string[] = ["@types/cls-hooked", "@aws-sdk/types", "@smithy/types"];

/**
 * Async invocations: a pass that throws is retried once; an event still queued after one default sweep interval
 * (for example while reserved concurrency 1 is busy with a long pass) carries no news the sweep does not, and is
 * dropped to the dead-letter queue instead of causing a backlog of redundant passes.
 */
export const MAX_RETRY_ATTEMPTS = 1;

/** The handler module the function runs, bundled with everything it imports (runtimeBundle.ts). */
const PROJECT_ROOT = join(__dirname, "..", "..");
const RUNTIME_ENTRY = join(PROJECT_ROOT, "rebalancer", "handler.ts");
export const MAX_EVENT_AGE_SECONDS = 900;

export interface TaskRebalancerArgs {
    /** The clusters to rebalance (at least one, each once), each with a key for the names of its alarms. */
    clusters: readonly TargetCluster[];
    /** Every setting but the clusters, as rebalancer/settings.ts defines them. */
    settings: RebalancerSettings;
    /** EventBridge schedule expression of the periodic sweep, or `off`. Default `rate(15 minutes)`. */
    schedule?: string;
    /** Retention of the function's log group. Default 30 days. */
    logRetentionDays?: number;
    /** Default 1024 MB. */
    memorySizeMb?: number;
    /** Default 300 s. */
    timeoutSeconds?: number;
    /** Subscribed by email to the alarms' topic. */
    alarmEmail?: string;
    /** An existing SNS topic the alarms notify as well. */
    alarmTopicArn?: string;
    /** Sweep intervals in a row in which every pass left a service unbalanced before that alarm fires. Default 4. */
    unbalancedAlarmPasses?: number;
    /** The CloudWatch dashboard's name. Default `<project>-<stack>` (one per stack). */
    dashboardName?: string;
    /** How events reach the function: `direct` (the default) or `queue` (SQS FIFO, a message group per cluster). */
    delivery?: Delivery;
    /** Delivery `queue`: the event source mapping's maximum concurrency (2–1000). Default 5. */
    queueMaxConcurrency?: number;
}

interface RuleSpec {
    suffix: string;
    description: string;
    eventPattern?: pulumi.Output<string>;
    scheduleExpression?: string;
}

export class TaskRebalancer extends pulumi.ComponentResource {
    readonly function: aws.lambda.CallbackFunction<unknown, unknown>;
    readonly functionName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    readonly deadLetterQueueUrl: pulumi.Output<string>;
    /** Delivery `queue`: the event queue and its dead-letter queue (undefined with `direct`). */
    readonly eventQueueUrl: pulumi.Output<string | undefined>;
    readonly eventDeadLetterQueueUrl: pulumi.Output<string | undefined>;
    readonly targetClusterArns: pulumi.Output<string[]>;
    readonly ruleNames: pulumi.Output<string[]>;
    /** Every SNS topic the alarms notify (ALARM and OK). */
    readonly alarmTopicArns: pulumi.Output<string[]>;
    readonly dashboardName: pulumi.Output<string>;
    /** The dashboard in the CloudWatch console. */
    readonly dashboardUrl: pulumi.Output<string>;

    constructor(name: string, args: TaskRebalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-rebalancer:rebalancer:TaskRebalancer", name, {}, opts);
        const schedule = args.schedule ?? DEFAULT_SCHEDULE;
        const logRetentionDays = args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
        const memorySizeMb = args.memorySizeMb ?? DEFAULT_LAMBDA_MEMORY_MB;
        const timeoutSeconds = args.timeoutSeconds ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS;
        const delivery = args.delivery ?? DEFAULT_DELIVERY;
        const queueMaxConcurrency = args.queueMaxConcurrency ?? QUEUE_MAX_CONCURRENCY.default;
        validateArgs(name, args.settings, schedule, logRetentionDays, memorySizeMb, timeoutSeconds, delivery, queueMaxConcurrency);
        validateClusterKeys(name, args.clusters);
        // The alarms' and the dashboard's args too, before any resource is declared.
        const unbalancedAlarmPasses = args.unbalancedAlarmPasses ?? UNBALANCED_ALARM_PASSES.default;
        const dashboardName = args.dashboardName ?? dashboardNameFor(pulumi.getProject(), pulumi.getStack());
        validateMonitoringArgs(name, { ...args, unbalancedAlarmPasses, dashboardName }, schedule);
        const runtimeSource = bundleRuntime(RUNTIME_ENTRY, PROJECT_ROOT);

        // The ARNs are only known at deploy time; they are checked against the handler's schema once resolved.
        const clusterArns = pulumi.all(args.clusters.map((c) => c.arn)).apply((arns) => {
            const problem = describeInvalid(fieldFor("clusters"), arns);
            if (problem) throw new Error(`TaskRebalancer ${name}: clusterArns ${JSON.stringify(arns)}: ${problem}`);
            return arns;
        });

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { namePrefix: `/ecs-rebalancer/${name}-`, retentionInDays: logRetentionDays },
            { parent: this },
        );
        const deadLetterQueue = new aws.sqs.Queue(
            `${name}-dlq`,
            // Encrypted with SQS-managed keys (no KMS permissions needed to send); kept as long as SQS allows.
            { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 },
            { parent: this },
        );

        // Its own role: with no role, CallbackFunction would attach nine broad AWS-managed policies.
        const role = new aws.iam.Role(
            `${name}-role`,
            { description: "ecs-rebalancer function: ECS reads and bounded writes on its target clusters only", assumeRolePolicy: JSON.stringify(LAMBDA_ASSUME_ROLE_POLICY) },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: pulumi
                    .all([clusterArns, logGroup.arn, deadLetterQueue.arn])
                    .apply(([arns, logGroupArn, deadLetterQueueArn]) =>
                        JSON.stringify(rebalancerPolicyDocument({ clusterArns: arns, logGroupArn, deadLetterQueueArn, tracing: args.settings.tracing }))),
            },
            { parent: this },
        );

        this.function = new aws.lambda.CallbackFunction(
            `${name}-function`,
            {
                description: "ecs-rebalancer: spreads ECS service tasks evenly again after capacity changes",
                // Once per container: the runtime bundle (runtimeBundle.ts) compiled as a module, then its handler.
                callbackFactory: () => loadRuntimeBundle(runtimeSource).createHandler(),
                role,
                runtime: aws.lambda.Runtime.NodeJS22dX,
                // The archive is plain JavaScript; Graviton is the cheaper Lambda.
                architectures: ["arm64"],
                memorySize: memorySizeMb,
                timeout: timeoutSeconds,
                // Direct: one pass at a time, so passes never race each other's moves. Queue: the message groups keep one
                // cluster's passes apart and the event source mapping's maximum concurrency bounds them all.
                reservedConcurrentExecutions: delivery === "direct" ? 1 : undefined,
                // Exactly what rebalancer/settings.ts parses; cluster ARNs are resolved here, never captured by the closure.
                environment: { variables: clusterArns.apply((arns) => settingsToEnv({ ...args.settings, clusters: arns })) },
                deadLetterConfig: { targetArn: deadLetterQueue.arn },
                // INFO for the platform too: its REPORT lines (duration, max memory) are what tuning memory and timeout needs.
                loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "INFO" },
                // Active: Lambda samples invocations and the tracer adds the passes and the ECS calls.
                tracingConfig: { mode: args.settings.tracing ? "Active" : "PassThrough" },
                codePathOptions: {
                    extraExcludePackages: [...RUNTIME_PROVIDED_PACKAGES, ...(args.settings.tracing ? TYPE_ONLY_TRACING_DEPENDENCIES : TRACING_PACKAGES)],
                },
            },
            // Lambda checks at creation that the role may send to the dead-letter queue.
            { parent: this, dependsOn: [rolePolicy] },
        );

        new aws.lambda.FunctionEventInvokeConfig(
            `${name}-async`,
            { functionName: this.function.name, maximumRetryAttempts: MAX_RETRY_ATTEMPTS, maximumEventAgeInSeconds: MAX_EVENT_AGE_SECONDS },
            { parent: this },
        );

        const queueDelivery = delivery === "queue"
            ? new QueueDelivery(
                name,
                {
                    clusters: args.clusters,
                    functionName: this.function.name,
                    role: role.id,
                    functionTimeoutSeconds: timeoutSeconds,
                    schedule,
                    maxConcurrency: queueMaxConcurrency,
                },
                { parent: this },
            )
            : undefined;

        const clusterNames = args.clusters.map((c) => pulumi.output(c.arn).apply(clusterNameOf));
        const dashboard = new RebalancerDashboard(
            name,
            {
                dashboardName,
                functionName: this.function.name,
                logGroupName: logGroup.name,
                deadLetterQueueName: deadLetterQueue.name,
                clusterNames,
                timeoutSeconds,
                skewThreshold: args.settings.skewThreshold,
            },
            { parent: this },
        );
        const alarms = new RebalancerAlarms(
            name,
            {
                functionName: this.function.name,
                deadLetterQueueName: deadLetterQueue.name,
                clusters: args.clusters.map((c, i) => ({ key: c.key, name: clusterNames[i] })),
                surgeTimeoutSeconds: args.settings.surgeTimeoutSeconds,
                unbalancedPasses: unbalancedAlarmPasses,
                statePeriodSeconds: statePeriodSeconds(schedule),
                email: args.alarmEmail,
                topicArn: args.alarmTopicArn,
                ...(queueDelivery ? { queue: { name: queueDelivery.queueName, deadLetterQueueName: queueDelivery.deadLetterQueueName } } : {}),
            },
            { parent: this },
        );

        const rules: RuleSpec[] = delivery === "queue" ? [] : [
            {
                suffix: "instance-change",
                description: "ecs-rebalancer: a container instance of a target cluster changed (new capacity to use)",
                eventPattern: clusterArns.apply((arns) => patternJson(containerInstancePattern(arns))),
            },
            {
                suffix: "steady-state",
                description: "ecs-rebalancer: a service of a target cluster reached steady state (continue a multi-step move)",
                eventPattern: clusterArns.apply((arns) => patternJson(serviceSteadyStatePattern(arns))),
            },
        ];
        if (delivery === "direct" && schedule !== SCHEDULE_OFF) {
            rules.push({ suffix: "sweep", description: "ecs-rebalancer: periodic sweep of the target clusters", scheduleExpression: schedule });
        }
        const ruleNames = queueDelivery ? queueDelivery.ruleNames : pulumi.all(rules.map((spec) => this.subscribe(name, spec)));

        this.functionName = this.function.name;
        this.functionArn = this.function.arn;
        this.roleArn = role.arn;
        this.logGroupName = logGroup.name;
        this.deadLetterQueueUrl = deadLetterQueue.url;
        this.targetClusterArns = clusterArns;
        this.ruleNames = ruleNames;
        this.eventQueueUrl = queueDelivery ? queueDelivery.queueUrl : pulumi.output(undefined);
        this.eventDeadLetterQueueUrl = queueDelivery ? queueDelivery.deadLetterQueueUrl : pulumi.output(undefined);
        this.alarmTopicArns = alarms.topicArns;
        this.dashboardName = dashboard.dashboardName;
        this.dashboardUrl = dashboard.url;
        this.registerOutputs({
            functionName: this.functionName,
            functionArn: this.functionArn,
            roleArn: this.roleArn,
            logGroupName: this.logGroupName,
            deadLetterQueueUrl: this.deadLetterQueueUrl,
            eventQueueUrl: this.eventQueueUrl,
            eventDeadLetterQueueUrl: this.eventDeadLetterQueueUrl,
            targetClusterArns: this.targetClusterArns,
            ruleNames: this.ruleNames,
            alarmTopicArns: this.alarmTopicArns,
            dashboardName: this.dashboardName,
            dashboardUrl: this.dashboardUrl,
        });
    }

    /** A rule, its target (the function) and the permission for EventBridge to invoke the function for that rule only. */
    private subscribe(name: string, spec: RuleSpec): pulumi.Output<string> {
        const ruleName = `${name}-${spec.suffix}`;
        const rule = new aws.cloudwatch.EventRule(
            ruleName,
            { description: spec.description, eventPattern: spec.eventPattern, scheduleExpression: spec.scheduleExpression },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(ruleName, { rule: rule.name, arn: this.function.arn }, { parent: this });
        new aws.lambda.Permission(
            ruleName,
            { action: "lambda:InvokeFunction", function: this.function.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
            { parent: this },
        );
        return rule.name;
    }
}

const CLUSTER_KEY = /^[A-Za-z0-9_-]{1,100}$/;

function validateClusterKeys(name: string, clusters: readonly TargetCluster[]): void {
    const keys = clusters.map((c) => c.key);
    const malformed = keys.find((k) => !CLUSTER_KEY.test(k));
    const repeated = keys.find((k, i) => keys.indexOf(k) !== i);
    let problem: string | undefined;
    if (keys.length === 0) problem = "expected at least one cluster";
    else if (malformed !== undefined) problem = `key ${JSON.stringify(malformed)}: expected 1–100 letters, digits, - or _`;
    else if (repeated !== undefined) problem = `key ${JSON.stringify(repeated)} is used twice: each cluster needs its own`;
    if (problem) throw new Error(`TaskRebalancer ${name}: clusters: ${problem}`);
}

function patternJson(pattern: EventPattern): string {
    return JSON.stringify(pattern);
}

function validateMonitoringArgs(
    name: string,
    args: Pick<TaskRebalancerArgs, "alarmEmail" | "alarmTopicArn"> & { unbalancedAlarmPasses: number; dashboardName: string },
    schedule: string,
): void {
    const checks: [string, string | undefined][] = [
        ["alarmEmail", describeInvalidAlarmEmail(args.alarmEmail ?? "")],
        ["alarmTopicArn", describeInvalidAlarmTopicArn(args.alarmTopicArn ?? "")],
        [
            "unbalancedAlarmPasses",
            describeInvalidIntegerRange(args.unbalancedAlarmPasses, UNBALANCED_ALARM_PASSES)
                ?? describeInvalidAlarmWindow(args.unbalancedAlarmPasses, statePeriodSeconds(schedule)),
        ],
        ["dashboardName", describeInvalidDashboardName(args.dashboardName)],
    ];
    const problems = checks.filter(([, problem]) => problem).map(([arg, problem]) => `${arg}: ${problem}`);
    if (problems.length > 0) throw new Error(`TaskRebalancer ${name}: invalid args:\n  ${problems.join("\n  ")}`);
}

function validateArgs(
    name: string, settings: RebalancerSettings, schedule: string, logRetentionDays: number, memorySizeMb: number, timeoutSeconds: number,
    delivery: Delivery, queueMaxConcurrency: number,
): void {
    const problems: string[] = [];
    for (const field of SETTING_FIELDS) {
        if (field.key === "clusters") continue;
        const problem = describeInvalid(field, (settings as unknown as Record<string, unknown>)[field.key]);
        if (problem) problems.push(`settings.${field.key}: ${problem}`);
    }
    const checks: [string, string | undefined][] = [
        ["schedule", describeInvalidSchedule(schedule)],
        ["logRetentionDays", describeInvalidRetention(logRetentionDays)],
        ["memorySizeMb", describeInvalidIntegerRange(memorySizeMb, LAMBDA_MEMORY_MB)],
        ["timeoutSeconds", describeInvalidIntegerRange(timeoutSeconds, LAMBDA_TIMEOUT_SECONDS)],
        ["delivery", describeInvalidDelivery(delivery)],
        ["queueMaxConcurrency", describeInvalidIntegerRange(queueMaxConcurrency, QUEUE_MAX_CONCURRENCY)],
    ];
    for (const [arg, problem] of checks) if (problem) problems.push(`${arg}: ${problem}`);
    if (problems.length > 0) throw new Error(`TaskRebalancer ${name}: invalid args:\n  ${problems.join("\n  ")}`);
}
