// The alarms: the pure definitions alone, then as the program declares them under Pulumi mocks — every alarm's
// metric, namespace, dimensions, statistic, period, threshold and missing-data rule, and its ALARM and OK actions
// to every topic (the stack's own for alarmEmail, and an existing one).
import * as pulumi from "@pulumi/pulumi";
import {
    alarmDefinitions, describeInvalidAlarmWindow, EVENT_ALARM_PERIOD_SECONDS, statePeriodSeconds, type AlarmDefinition,
} from "../../infra/rebalancer/alarmDefinitions";
import { ACCOUNT_ID, REGION, runProgram, type ProgramRun, type RecordedResource } from "../../local/pulumiMocks";
import { dimensionNames, METRIC_DEFINITIONS, type MetricName } from "../../rebalancer/metricCatalog";

describe("alarm definitions (pure)", () => {
    const defs = alarmDefinitions({
        functionName: "fn", deadLetterQueueName: "dlq", clusters: [{ key: "prod", name: "prod" }, { key: "batch", name: "batch" }],
        surgeTimeoutSeconds: 900, unbalancedPasses: 4, statePeriodSeconds: 900,
    });
    const byKind = (kind: string) => defs.filter((d) => d.kind === kind);

    it("the state alarms' period is the sweep's interval (at most a day), 900 s when the schedule has none", () => {
        expect(["rate(1 minute)", "rate(15 minutes)", "rate(6 hours)", "rate(2 days)", "cron(0 12 * * ? *)", "off"].map(statePeriodSeconds))
            .toEqual([60, 900, 21_600, 86_400, 900, 900]);
    });

    it("refuses more periods than CloudWatch evaluates: one day under an hour's periods, seven days above", () => {
        expect(describeInvalidAlarmWindow(96, 900)).toBeUndefined();
        expect(describeInvalidAlarmWindow(97, 900)).toMatch(/at most 96 passes/);
        expect(describeInvalidAlarmWindow(7, 86_400)).toBeUndefined();
        expect(describeInvalidAlarmWindow(8, 86_400)).toMatch(/at most 7 day\(s\): at most 7 passes/);
    });

    it("two function alarms, and four per cluster", () => {
        expect(defs.map((d) => d.suffix)).toEqual([
            "errors", "dlq-depth",
            "errors-prod", "deadline-prod", "surge-overdue-prod", "left-unbalanced-prod",
            "errors-batch", "deadline-batch", "surge-overdue-batch", "left-unbalanced-batch",
        ]);
    });

    it("each custom metric an alarm reads is one the handler emits per cluster, with exactly the dimensions it emits", () => {
        for (const d of defs.filter((x) => x.namespace === "EcsRebalancer")) {
            const metric = d.metricName as MetricName;
            expect({ metric, scope: METRIC_DEFINITIONS[metric]?.scope }).toEqual({ metric, scope: "cluster" });
            expect(Object.keys(d.dimensions)).toEqual(dimensionNames(metric));
            expect(d.dimensions.service).toBe("ecs-rebalancer");
        }
        expect(byKind("pass-errors").map((d) => d.dimensions.cluster)).toEqual(["prod", "batch"]);
    });

    it("says what it means and what to do, within CloudWatch's 1024 characters", () => {
        for (const d of defs) {
            expect(d.description).toMatch(/What to do: /);
            expect(d.description.length).toBeLessThanOrEqual(1024);
        }
        expect(byKind("surge-overdue")[0].description).toContain("surgeTimeoutSeconds (900 s)");
        expect(byKind("left-unbalanced")[0].description).toContain("for 4 periods in a row");
        expect(byKind("pass-errors")[1].description).toContain("(cluster batch)");
    });
});

describe("the alarms the program declares (mocks): email and an existing topic, two clusters, a 5-minute sweep", () => {
    const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT_ID}:platform-oncall`;
    let run: ProgramRun;
    let alarms: RecordedResource[];
    let ownTopic: RecordedResource;
    const alarm = (name: string) => run.rec.one("aws:cloudwatch/metricAlarm:MetricAlarm", name).inputs;

    beforeAll(async () => {
        run = await runProgram(pulumi, {
            createDemo: "false",
            targetClusters: JSON.stringify(["payments", "arn:aws:ecs:us-east-1:123456789012:cluster/batch"]),
            schedule: "rate(5 minutes)",
            surgeTimeoutSeconds: "600",
            unbalancedAlarmPasses: "6",
            alarmEmail: "oncall@example.com",
            alarmTopicArn: TOPIC,
        });
        alarms = run.rec.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
        ownTopic = run.rec.one("aws:sns/topic:Topic");
    });

    it("creates one topic and subscribes the address to it by email", () => {
        const subscription = run.rec.one("aws:sns/topicSubscription:TopicSubscription");
        expect(subscription.inputs).toMatchObject({ topic: ownTopic.state.arn, protocol: "email", endpoint: "oncall@example.com" });
        expect(run.outputs.alarmTopicArns).toEqual([ownTopic.state.arn, TOPIC]);
    });

    it("every alarm sends ALARM and OK to both topics", () => {
        expect(alarms).toHaveLength(2 + 4 * 2);
        for (const a of alarms) {
            expect({ alarm: a.name, actions: a.inputs.alarmActions }).toEqual({ alarm: a.name, actions: [ownTopic.state.arn, TOPIC] });
            expect({ alarm: a.name, actions: a.inputs.okActions }).toEqual({ alarm: a.name, actions: [ownTopic.state.arn, TOPIC] });
        }
    });

    const onEvent = { period: EVENT_ALARM_PERIOD_SECONDS, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching" };

    it("function errors: AWS/Lambda Errors of the function, any in 5 minutes", () => {
        const fn = run.rec.one("aws:lambda/function:Function").state.name;
        expect(alarm("rebalancer-errors")).toMatchObject({ namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: fn }, statistic: "Sum", ...onEvent });
    });

    it("dead letters: the queue's visible messages, any", () => {
        const queue = run.rec.one("aws:sqs/queue:Queue").state.name;
        expect(alarm("rebalancer-dlq-depth")).toMatchObject({
            namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: queue }, statistic: "Maximum", ...onEvent,
        });
    });

    it.each([["payments"], ["batch"]])("cluster %s: write or pass errors, deadline, overdue surges, services left unbalanced", (cluster) => {
        const dimensions = { service: "ecs-rebalancer", cluster };
        expect(alarm(`rebalancer-errors-${cluster}`)).toMatchObject({ namespace: "EcsRebalancer", metricName: "Errors", dimensions, statistic: "Sum", ...onEvent });
        expect(alarm(`rebalancer-deadline-${cluster}`)).toMatchObject({ namespace: "EcsRebalancer", metricName: "PassesStoppedByDeadline", dimensions, statistic: "Sum", ...onEvent });
        // The state alarms are evaluated per sweep interval (5 minutes here).
        expect(alarm(`rebalancer-surge-overdue-${cluster}`)).toMatchObject({
            namespace: "EcsRebalancer", metricName: "SurgesOverdue", dimensions, statistic: "Maximum",
            period: 300, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching",
        });
        expect(alarm(`rebalancer-surge-overdue-${cluster}`).alarmDescription).toContain("surgeTimeoutSeconds (600 s)");
        expect(alarm(`rebalancer-left-unbalanced-${cluster}`)).toMatchObject({
            namespace: "EcsRebalancer", metricName: "ServicesLeftUnbalanced", dimensions, statistic: "Minimum",
            period: 300, evaluationPeriods: 6, datapointsToAlarm: 6, threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching",
        });
    });

    it("declares the alarms of the pure definitions, field for field", () => {
        const fn = run.rec.one("aws:lambda/function:Function").state.name;
        const queue = run.rec.one("aws:sqs/queue:Queue").state.name;
        const expected: AlarmDefinition<string>[] = alarmDefinitions({
            functionName: fn, deadLetterQueueName: queue, clusters: [{ key: "payments", name: "payments" }, { key: "batch", name: "batch" }],
            surgeTimeoutSeconds: 600, unbalancedPasses: 6, statePeriodSeconds: 300,
        });
        for (const d of expected) {
            expect(alarm(`rebalancer-${d.suffix}`)).toMatchObject({
                alarmDescription: d.description, namespace: d.namespace, metricName: d.metricName, dimensions: d.dimensions, statistic: d.statistic,
                period: d.period, evaluationPeriods: d.evaluationPeriods, threshold: d.threshold,
            });
        }
    });
});
