// The rebalancer's alarms (alarmDefinitions.ts) and where they notify: every alarm sends its ALARM and its OK to
// each topic, the stack's own (created for alarmEmail, or when no topic is given) and/or an existing one.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describeInvalidAlarmEmail, describeInvalidAlarmTopicArn } from "../alarmTargets";
import { alarmDefinitions, describeInvalidAlarmWindow, UNBALANCED_ALARM_PASSES } from "./alarmDefinitions";
import { describeInvalidIntegerRange } from "../limits";

export interface RebalancerAlarmsArgs {
    functionName: pulumi.Input<string>;
    deadLetterQueueName: pulumi.Input<string>;
    /** Each target cluster: a key for the alarms' names, and its name (the metrics' cluster dimension). */
    clusters: ReadonlyArray<{ key: string; name: pulumi.Input<string> }>;
    surgeTimeoutSeconds: number;
    unbalancedPasses: number;
    /** The period of the alarms on reported state (surges overdue, services left unbalanced). */
    statePeriodSeconds: number;
    /** Subscribed by email to the topic this component creates ("" or absent: none). */
    email?: string;
    /** An existing topic to notify as well ("" or absent: none). */
    topicArn?: string;
    /** Delivery `queue`: the event queue and its dead-letter queue (their depth and age alarms). */
    queue?: { name: pulumi.Input<string>; deadLetterQueueName: pulumi.Input<string> };
}

export class RebalancerAlarms extends pulumi.ComponentResource {
    /** Every topic the alarms notify. */
    readonly topicArns: pulumi.Output<string[]>;
    readonly alarmNames: pulumi.Output<string[]>;

    /** `name` is the TaskRebalancer's: the alarms keep the names they had as its children (see aliases below). */
    constructor(name: string, args: RebalancerAlarmsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ecs-rebalancer:rebalancer:RebalancerAlarms", name, {}, opts);
        validateArgs(name, args);

        const topics: pulumi.Input<string>[] = [];
        if (args.email || !args.topicArn) {
            // SNS-managed encryption would need a key policy for CloudWatch; alarm states carry no secret.
            const topic = new aws.sns.Topic(`${name}-alarms`, { displayName: "ecs-rebalancer alarms" }, { parent: this });
            if (args.email) {
                const subscription = { topic: topic.arn, protocol: "email", endpoint: args.email };
                new aws.sns.TopicSubscription(`${name}-alarms-email`, subscription, { parent: this });
            } else {
                pulumi.log.warn(
                    "ecs-rebalancer: neither alarmEmail nor alarmTopicArn is set: the alarms notify a topic nobody is " +
                        "subscribed to (output alarmTopicArns)",
                    this,
                );
            }
            topics.push(topic.arn);
        }
        if (args.topicArn) topics.push(args.topicArn);

        const definitions = alarmDefinitions({
            functionName: args.functionName,
            deadLetterQueueName: args.deadLetterQueueName,
            clusters: args.clusters,
            surgeTimeoutSeconds: args.surgeTimeoutSeconds,
            unbalancedPasses: args.unbalancedPasses,
            statePeriodSeconds: args.statePeriodSeconds,
            ...(args.queue ? { queue: args.queue } : {}),
        });
        const alarms = definitions.map((d) => {
            // The first two were children of the TaskRebalancer before this component existed: same resources.
            const moved = d.kind === "function-errors" || d.kind === "dead-letters";
            return new aws.cloudwatch.MetricAlarm(
                `${name}-${d.suffix}`,
                {
                    alarmDescription: d.description,
                    namespace: d.namespace,
                    metricName: d.metricName,
                    dimensions: d.dimensions,
                    statistic: d.statistic,
                    period: d.period,
                    evaluationPeriods: d.evaluationPeriods,
                    datapointsToAlarm: d.datapointsToAlarm,
                    threshold: d.threshold,
                    comparisonOperator: d.comparisonOperator,
                    treatMissingData: d.treatMissingData,
                    alarmActions: topics,
                    okActions: topics,
                },
                { parent: this, ...(moved && opts.parent ? { aliases: [{ parent: opts.parent }] } : {}) },
            );
        });

        this.topicArns = pulumi.all(topics);
        this.alarmNames = pulumi.all(alarms.map((a) => a.name));
        this.registerOutputs({ topicArns: this.topicArns, alarmNames: this.alarmNames });
    }
}

function validateArgs(name: string, args: RebalancerAlarmsArgs): void {
    const problems: string[] = [];
    const email = describeInvalidAlarmEmail(args.email ?? "");
    if (email) problems.push(`email: ${email}`);
    const topic = describeInvalidAlarmTopicArn(args.topicArn ?? "");
    if (topic) problems.push(`topicArn: ${topic}`);
    const passes = describeInvalidIntegerRange(args.unbalancedPasses, UNBALANCED_ALARM_PASSES)
        ?? describeInvalidAlarmWindow(args.unbalancedPasses, args.statePeriodSeconds);
    if (passes) problems.push(`unbalancedPasses: ${passes}`);
    if (args.clusters.length === 0) problems.push("clusters: expected at least one cluster");
    if (problems.length > 0) throw new Error(`RebalancerAlarms ${name}: invalid args:\n  ${problems.join("\n  ")}`);
}
