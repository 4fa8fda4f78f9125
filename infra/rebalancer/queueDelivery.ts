// Delivery `queue`: EventBridge → SQS FIFO queue → the rebalancer function through an event source mapping. A rule's
// SQS target carries one fixed message group, so the rules are per cluster: each cluster's instance changes, steady
// states and sweep go to its own message group (one cluster's passes never overlap; different clusters pass
// concurrently, up to the mapping's maximum concurrency). Plain-data choices and their AWS sources: queuePlan.ts.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { clusterSweepTransformer, containerInstancePattern, serviceSteadyStatePattern } from "../../rebalancer/eventPatterns";
import { describeInvalidIntegerRange, LAMBDA_TIMEOUT_SECONDS } from "../limits";
import { describeInvalidSchedule, SCHEDULE_OFF } from "../scheduleExpression";
import {
    BATCH_SIZE, eventQueuePolicyDocument, MAX_RECEIVE_COUNT, messageGroupIdFor, QUEUE_MAX_CONCURRENCY, queueConsumerPolicyDocument,
    visibilityTimeoutSeconds,
} from "./queuePlan";

const RULE_ABBREVIATIONS: Record<string, string> = { "instance-change": "ic", "steady-state": "ss", sweep: "sw" };

export interface QueueDeliveryArgs {
    /** The clusters whose events are queued: a key for resource names, and the ARN. */
    clusters: ReadonlyArray<{ key: string; arn: pulumi.Input<string> }>;
    functionName: pulumi.Input<string>;
    /** The function's role (name or id): it gains the permissions the event source mapping polls with. */
    role: pulumi.Input<string>;
    functionTimeoutSeconds: number;
    /** Each cluster's sweep (an EventBridge schedule expression), or `off`. */
    schedule: string;
    /** The event source mapping's maximum concurrency. */
    maxConcurrency: number;
}

export class QueueDelivery extends pulumi.ComponentResource {
    readonly queueArn: pulumi.Output<string>;
    readonly queueUrl: pulumi.Output<string>;
    readonly queueName: pulumi.Output<string>;
    readonly deadLetterQueueUrl: pulumi.Output<string>;
    readonly deadLetterQueueName: pulumi.Output<string>;
    readonly eventSourceMappingId: pulumi.Output<string>;
    readonly ruleNames: pulumi.Output<string[]>;

    constructor(name: string, args: QueueDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-rebalancer:rebalancer:QueueDelivery", name, {}, opts);
        validateArgs(name, args);
        // FIFO names end in .fifo, which the provider appends to a prefix (the whole name is at most 80 characters).
        const prefix = name.slice(0, 24);

        // Encrypted with SQS-managed keys (EventBridge needs no KMS grant to send); kept as long as SQS allows.
        const deadLetterQueue = new aws.sqs.Queue(
            `${name}-events-dlq`,
            { namePrefix: `${prefix}-events-dlq-`, fifoQueue: true, sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 },
            { parent: this },
        );
        const queue = new aws.sqs.Queue(
            `${name}-events`,
            {
                namePrefix: `${prefix}-events-`,
                fifoQueue: true,
                // A rule's SQS target sets no MessageDeduplicationId: "If you specify an SQS FIFO queue as a target,
                // the queue must have content-based deduplication enabled" (EventBridge Target.SqsParameters,
                // https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/eventbridge/aws.sdk.kotlin.services.eventbridge.model/-target/sqs-parameters.html).
                // Every body holds its event's id, so deduplication is by event id: only a repeat of one event is dropped.
                contentBasedDeduplication: true,
                sqsManagedSseEnabled: true,
                visibilityTimeoutSeconds: visibilityTimeoutSeconds(args.functionTimeoutSeconds),
                redrivePolicy: deadLetterQueue.arn.apply((arn) => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: MAX_RECEIVE_COUNT })),
            },
            { parent: this },
        );

        const rules: aws.cloudwatch.EventRule[] = [];
        for (const cluster of args.clusters) {
            const arn = pulumi.output(cluster.arn);
            const sqsTarget = { messageGroupId: arn.apply(messageGroupIdFor) };
            const subscribe = (suffix: string, rule: aws.cloudwatch.EventRuleArgs, target: Partial<aws.cloudwatch.EventTargetArgs> = {}) => {
                const ruleName = `${name}-${cluster.key}-${suffix}`;
                // A rule's name is at most 64 characters and a cluster key up to 100: a short prefix (at most 38, the
                // provider adds a unique suffix), the cluster in the description.
                const namePrefix = `${name.slice(0, 10)}-${cluster.key.slice(0, 15)}-${RULE_ABBREVIATIONS[suffix]}-`;
                const created = new aws.cloudwatch.EventRule(ruleName, { ...rule, namePrefix }, { parent: this });
                new aws.cloudwatch.EventTarget(ruleName, { rule: created.name, arn: queue.arn, sqsTarget, ...target }, { parent: this });
                rules.push(created);
            };
            subscribe("instance-change", {
                description: `ecs-rebalancer: a container instance of cluster ${cluster.key} changed (new capacity to use)`,
                eventPattern: arn.apply((a) => JSON.stringify(containerInstancePattern([a]))),
            });
            subscribe("steady-state", {
                description: `ecs-rebalancer: a service of cluster ${cluster.key} reached steady state (continue a multi-step move)`,
                eventPattern: arn.apply((a) => JSON.stringify(serviceSteadyStatePattern([a]))),
            });
            if (args.schedule !== SCHEDULE_OFF) {
                // The cluster's own sweep message (rebalancer/eventPatterns.ts), not the bare schedule event.
                subscribe(
                    "sweep",
                    { description: `ecs-rebalancer: periodic sweep of cluster ${cluster.key}`, scheduleExpression: args.schedule },
                    { inputTransformer: arn.apply(clusterSweepTransformer) },
                );
            }
        }

        new aws.sqs.QueuePolicy(
            `${name}-events`,
            {
                queueUrl: queue.url,
                policy: pulumi
                    .all([queue.arn, pulumi.all(rules.map((r) => r.arn))])
                    .apply(([queueArn, ruleArns]) => JSON.stringify(eventQueuePolicyDocument({ queueArn, ruleArns }))),
            },
            { parent: this },
        );
        const consumerPolicy = new aws.iam.RolePolicy(
            `${name}-events-consumer`,
            { role: args.role, policy: queue.arn.apply((queueArn) => JSON.stringify(queueConsumerPolicyDocument({ queueArn }))) },
            { parent: this },
        );
        const mapping = new aws.lambda.EventSourceMapping(
            `${name}-events`,
            {
                eventSourceArn: queue.arn,
                functionName: args.functionName,
                batchSize: BATCH_SIZE,
                // The handler answers with the records to redeliver; without this Lambda would ignore that answer.
                functionResponseTypes: ["ReportBatchItemFailures"],
                scalingConfig: { maximumConcurrency: args.maxConcurrency },
            },
            // Lambda checks at creation that the role may poll the queue.
            { parent: this, dependsOn: [consumerPolicy] },
        );

        this.queueArn = queue.arn;
        this.queueUrl = queue.url;
        this.queueName = queue.name;
        this.deadLetterQueueUrl = deadLetterQueue.url;
        this.deadLetterQueueName = deadLetterQueue.name;
        this.eventSourceMappingId = mapping.id;
        this.ruleNames = pulumi.all(rules.map((r) => r.name));
        this.registerOutputs({
            queueArn: this.queueArn,
            queueUrl: this.queueUrl,
            queueName: this.queueName,
            deadLetterQueueUrl: this.deadLetterQueueUrl,
            deadLetterQueueName: this.deadLetterQueueName,
            eventSourceMappingId: this.eventSourceMappingId,
            ruleNames: this.ruleNames,
        });
    }
}

function validateArgs(name: string, args: QueueDeliveryArgs): void {
    const checks: [string, string | undefined][] = [
        ["clusters", args.clusters.length === 0 ? "expected at least one cluster" : undefined],
        ["functionTimeoutSeconds", describeInvalidIntegerRange(args.functionTimeoutSeconds, LAMBDA_TIMEOUT_SECONDS)],
        ["schedule", describeInvalidSchedule(args.schedule)],
        ["maxConcurrency", describeInvalidIntegerRange(args.maxConcurrency, QUEUE_MAX_CONCURRENCY)],
    ];
    const problems = checks.filter(([, problem]) => problem).map(([arg, problem]) => `${arg}: ${problem}`);
    if (problems.length > 0) throw new Error(`QueueDelivery ${name}: invalid args:\n  ${problems.join("\n  ")}`);
}
