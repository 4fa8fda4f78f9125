// The rebalancer-only stack (createDemo=false): nothing of the demo, exactly the given clusters targeted.
import * as pulumi from "@pulumi/pulumi";
import { containerInstancePattern, serviceSteadyStatePattern } from "../../rebalancer/eventPatterns";
import { parseSettings } from "../../rebalancer/settings";
import { json, ProgramRun, runProgram } from "../../local/pulumiMocks";
import { dashboardBody } from "../../infra/rebalancer/dashboardBody";

const TARGETS = ["arn:aws:ecs:us-east-1:123456789012:cluster/payments", "arn:aws:ecs:us-east-1:123456789012:cluster/batch"];

let run: ProgramRun;

beforeAll(async () => {
    run = await runProgram(pulumi, {
        createDemo: "false",
        targetClusters: JSON.stringify(["payments", TARGETS[1]]),
        strategy: "redeploy",
        dryRun: "true",
        schedule: "off",
        skewThreshold: "2",
        logRetentionDays: "14",
        lambdaMemoryMb: "512",
        lambdaTimeoutSeconds: "120",
        alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:platform-oncall",
    });
});

it("declares no demo resource: no VPC, ALB, cluster, instances, capacity provider or service", () => {
    const types = new Set(run.rec.resources.map((r) => r.type));
    for (const type of [
        "awsx:ec2:Vpc",
        "awsx:lb:ApplicationLoadBalancer",
        "aws:ecs/cluster:Cluster",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:autoscaling/group:Group",
        "aws:ecs/capacityProvider:CapacityProvider",
        "aws:ecs/service:Service",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws:ec2/securityGroup:SecurityGroup",
    ]) {
        expect(types).not.toContain(type);
    }
    expect([...types].filter((t) => t.startsWith("ecs-rebalancer:")).sort()).toEqual([
        "ecs-rebalancer:rebalancer:RebalancerAlarms", "ecs-rebalancer:rebalancer:RebalancerDashboard", "ecs-rebalancer:rebalancer:TaskRebalancer",
    ]);
    expect(run.rec.calls.map((c) => c.token)).not.toContain("aws:ssm/getParameter:getParameter");
});

it("targets exactly the given clusters, the name resolved in this account and region", () => {
    expect(run.outputs.targetClusterArns).toEqual(TARGETS);
    const fn = run.rec.one("aws:lambda/function:Function");
    expect(fn.inputs.environment.variables.REBALANCER_CLUSTERS).toBe(TARGETS.join(","));
    const patterns = run.rec.ofType("aws:cloudwatch/eventRule:EventRule").map((r) => json(r.inputs.eventPattern));
    expect(patterns).toEqual([containerInstancePattern(TARGETS), serviceSteadyStatePattern(TARGETS)]);
    const policy = json(run.rec.one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
    const stop = policy.Statement.find((s: { Sid: string }) => s.Sid === "StopTasksOfTargetClusters");
    expect(stop.Resource).toEqual(["arn:aws:ecs:us-east-1:123456789012:task/payments/*", "arn:aws:ecs:us-east-1:123456789012:task/batch/*"]);
});

it("deploys the configured settings and function tuning", () => {
    const fn = run.rec.one("aws:lambda/function:Function");
    expect(parseSettings(fn.inputs.environment.variables)).toMatchObject({ clusters: TARGETS, strategy: "redeploy", dryRun: true, skewThreshold: 2 });
    expect([fn.inputs.memorySize, fn.inputs.timeout]).toEqual([512, 120]);
    expect(run.rec.one("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).toBe(14);
});

it("has no schedule rule when the schedule is off: two rules, two targets, two permissions", () => {
    const rules = run.rec.ofType("aws:cloudwatch/eventRule:EventRule");
    expect(rules.filter((r) => r.inputs.scheduleExpression !== undefined)).toEqual([]);
    expect(rules).toHaveLength(2);
    expect(run.rec.ofType("aws:cloudwatch/eventTarget:EventTarget")).toHaveLength(2);
    expect(run.rec.ofType("aws:lambda/permission:Permission")).toHaveLength(2);
});

it("with an existing topic only: no topic or subscription of its own, every alarm notifies the given one (ALARM and OK)", () => {
    expect(run.rec.ofType("aws:sns/topic:Topic")).toEqual([]);
    expect(run.rec.ofType("aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
    const alarms = run.rec.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms).toHaveLength(2 + 4 * TARGETS.length);
    for (const a of alarms) expect([a.inputs.alarmActions, a.inputs.okActions]).toEqual([["arn:aws:sns:us-east-1:123456789012:platform-oncall"], ["arn:aws:sns:us-east-1:123456789012:platform-oncall"]]);
    expect(run.outputs.alarmTopicArns).toEqual(["arn:aws:sns:us-east-1:123456789012:platform-oncall"]);
    // schedule off: the state alarms' period is the default sweep's.
    const left = run.rec.one("aws:cloudwatch/metricAlarm:MetricAlarm", "rebalancer-left-unbalanced-payments").inputs;
    expect([left.period, left.evaluationPeriods, left.dimensions]).toEqual([900, 4, { service: "ecs-rebalancer", cluster: "payments" }]);
});

it("declares one dashboard for the stack, its body built for these clusters, timeout and threshold; its URL an output", () => {
    const dashboard = run.rec.one("aws:cloudwatch/dashboard:Dashboard");
    expect(dashboard.inputs.dashboardName).toBe("ecs-rebalancer-test");
    expect(dashboard.parent).toBe(run.rec.one("ecs-rebalancer:rebalancer:RebalancerDashboard").urn);
    const fn = run.rec.one("aws:lambda/function:Function");
    expect(json(dashboard.inputs.dashboardBody)).toEqual(dashboardBody({
        region: "us-east-1", clusterNames: ["payments", "batch"], functionName: fn.state.name,
        logGroupName: run.rec.one("aws:cloudwatch/logGroup:LogGroup").state.name, deadLetterQueueName: run.rec.one("aws:sqs/queue:Queue").state.name,
        timeoutSeconds: 120, skewThreshold: 2,
    }));
    expect(run.outputs.dashboardName).toBe("ecs-rebalancer-test");
    expect(run.outputs.dashboardUrl).toBe("https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/ecs-rebalancer-test");
});

it("exports no demo outputs", () => {
    expect(run.outputs.url).toBeUndefined();
    expect(run.outputs.clusterName).toBeUndefined();
    expect(run.outputs.autoScalingGroupName).toBeUndefined();
    expect(run.outputs.functionName).toBe(run.rec.one("aws:lambda/function:Function").state.name);
});
