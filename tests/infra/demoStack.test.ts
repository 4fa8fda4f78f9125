// The program with the demo stack and two extra clusters (one given by name, one by ARN), under Pulumi mocks.
import * as pulumi from "@pulumi/pulumi";
import { buildEcsUserData } from "../../infra/demo/userData";
import { containerInstancePattern, DEFAULT_SCHEDULE, serviceSteadyStatePattern } from "../../rebalancer/eventPatterns";
import { defaultSettings, parseSettings, settingsToEnv } from "../../rebalancer/settings";
import {
    ACCOUNT_ID,
    AMI_ID,
    ALB_DNS_NAME,
    json,
    PRIVATE_SUBNET_IDS,
    ProgramRun,
    PUBLIC_SUBNET_IDS,
    RecordedResource,
    REGION,
    runProgram,
    TARGET_GROUP_ARN,
} from "../../local/pulumiMocks";

const BY_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/batch";
const BY_NAME_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/prod`;

let run: ProgramRun;
let demoClusterArn: string;
let allTargets: string[];

beforeAll(async () => {
    run = await runProgram(pulumi, { targetClusters: JSON.stringify(["prod", BY_ARN]) });
    demoClusterArn = run.rec.one("aws:ecs/cluster:Cluster").state.arn;
    allTargets = [demoClusterArn, BY_NAME_ARN, BY_ARN];
});

const one = (type: string, name?: string) => run.rec.one(type, name);
const all = (type: string) => run.rec.ofType(type);

describe("stack outputs", () => {
    it("exports the URL, cluster name and ARN, ASG name, function name and every target cluster ARN", () => {
        const cluster = one("aws:ecs/cluster:Cluster");
        expect(run.outputs.url).toBe(`http://${ALB_DNS_NAME}`);
        expect(run.outputs.clusterName).toBe(cluster.state.name);
        expect(run.outputs.clusterArn).toBe(cluster.state.arn);
        expect(run.outputs.autoScalingGroupName).toBe(one("aws:autoscaling/group:Group").state.name);
        expect(run.outputs.functionName).toBe(one("aws:lambda/function:Function").state.name);
        expect(run.outputs.targetClusterArns).toEqual(allTargets);
    });
});

describe("network", () => {
    it("builds an awsx VPC over two AZs with public and private subnets and a single NAT gateway", () => {
        const vpc = one("awsx:ec2:Vpc");
        expect(vpc.inputs.numberOfAvailabilityZones).toBe(2);
        expect(vpc.inputs.natGateways).toEqual({ strategy: "Single" });
        expect(vpc.inputs.subnetSpecs.map((s: { type: string }) => s.type)).toEqual(["Public", "Private"]);
    });

    it("puts an awsx ALB on port 80 in the public subnets with an instance target group", () => {
        const alb = one("awsx:lb:ApplicationLoadBalancer");
        expect(alb.inputs.subnetIds).toEqual(PUBLIC_SUBNET_IDS);
        expect(alb.inputs.listener).toEqual({ port: 80, protocol: "HTTP" });
        expect(alb.inputs.defaultTargetGroup).toMatchObject({ port: 80, protocol: "HTTP", targetType: "instance" });
        expect(alb.inputs.securityGroups).toEqual([one("aws:ec2/securityGroup:SecurityGroup", "demo-net-alb-sg").state.id ?? "demo-net-alb-sg-id"]);
    });

    it("opens the ALB on 80 to the internet and the instances only to the ALB", () => {
        const albSgId = "demo-net-alb-sg-id";
        const instanceSgId = "demo-net-instance-sg-id";
        const ingress = all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        const albIn = ingress.filter((r) => r.inputs.securityGroupId === albSgId);
        expect(albIn.map((r) => r.inputs)).toEqual([expect.objectContaining({ ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv4: "0.0.0.0/0" })]);
        const instancesIn = ingress.filter((r) => r.inputs.securityGroupId === instanceSgId);
        expect(instancesIn).toHaveLength(1);
        expect(instancesIn[0].inputs).toMatchObject({ ipProtocol: "tcp", referencedSecurityGroupId: albSgId, fromPort: 32768, toPort: 65535 });
        expect(instancesIn[0].inputs.cidrIpv4).toBeUndefined();
        expect(instancesIn[0].inputs.cidrIpv6).toBeUndefined();
        // Every ingress rule is one of those two: no SSH, nothing else open.
        expect(ingress).toHaveLength(2);
        const albOut = all("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((r) => r.inputs.securityGroupId === albSgId);
        expect(albOut.map((r) => r.inputs.referencedSecurityGroupId)).toEqual([instanceSgId]);
    });
});

describe("ECS cluster on EC2", () => {
    it("turns Container Insights on", () => {
        expect(one("aws:ecs/cluster:Cluster").inputs.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
    });

    it("launches the ECS-optimized AL2023 AMI from its SSM parameter, IMDSv2 only, into the instance security group", () => {
        const lookups = run.rec.calls.filter((c) => c.token === "aws:ssm/getParameter:getParameter");
        expect(lookups.map((c) => c.inputs.name)).toEqual(["/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"]);
        const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
        expect(lt.inputs.imageId).toBe(AMI_ID);
        expect(lt.inputs.instanceType).toBe("t3.small");
        expect(lt.inputs.metadataOptions).toMatchObject({ httpTokens: "required", httpEndpoint: "enabled" });
        expect(lt.inputs.vpcSecurityGroupIds).toEqual(["demo-net-instance-sg-id"]);
        expect(lt.inputs.iamInstanceProfile).toEqual({ arn: one("aws:iam/instanceProfile:InstanceProfile").state.arn });
    });

    it("writes user data (base64) that joins the demo cluster", () => {
        const clusterName = one("aws:ecs/cluster:Cluster").state.name;
        const userData = Buffer.from(one("aws:ec2/launchTemplate:LaunchTemplate").inputs.userData, "base64").toString("utf8");
        expect(userData).toContain(`ECS_CLUSTER=${clusterName}\n`);
        expect(userData).toBe(buildEcsUserData({ clusterName }));
    });

    it("gives the instances a profile with the ECS instance role and no open SSH", () => {
        const role = one("aws:iam/role:Role", "demo-ecs-instance");
        expect(json(role.inputs.assumeRolePolicy).Statement).toEqual([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        const attached = all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === role.state.name);
        expect(attached.map((a) => a.inputs.policyArn)).toContain("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role");
        expect(one("aws:iam/instanceProfile:InstanceProfile").inputs.role).toBe(role.state.name);
    });

    it("runs the ASG over the private subnets, tagged AmazonECSManaged, with desiredCapacity left to ECS", () => {
        const asg = one("aws:autoscaling/group:Group");
        expect(asg.inputs.vpcZoneIdentifiers).toEqual(PRIVATE_SUBNET_IDS);
        expect([asg.inputs.minSize, asg.inputs.desiredCapacity, asg.inputs.maxSize]).toEqual([1, 2, 4]);
        expect(asg.inputs.launchTemplate).toEqual({ id: "demo-ecs-id", version: "$Latest" });
        expect(asg.inputs.tags).toContainEqual({ key: "AmazonECSManaged", value: "true", propagateAtLaunch: true });
        expect(asg.ignoreChanges).toEqual(["desiredCapacity"]);
        expect(asg.inputs.protectFromScaleIn).toBe(false);
    });

    it("attaches a capacity provider with managed scaling as the cluster's default strategy", () => {
        const asg = one("aws:autoscaling/group:Group");
        const cp = one("aws:ecs/capacityProvider:CapacityProvider");
        expect(cp.inputs.autoScalingGroupProvider).toMatchObject({
            autoScalingGroupArn: asg.state.arn,
            managedScaling: { status: "ENABLED", targetCapacity: 100 },
            managedTerminationProtection: "DISABLED",
            managedDraining: "ENABLED",
        });
        const ccp = one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
        expect(ccp.inputs.clusterName).toBe(one("aws:ecs/cluster:Cluster").state.name);
        expect(ccp.inputs.capacityProviders).toEqual([cp.state.name]);
        expect(ccp.inputs.defaultCapacityProviderStrategies).toEqual([{ capacityProvider: cp.state.name, weight: 1, base: 0 }]);
    });
});

describe("sample service", () => {
    it("runs a bridge-networked task with a dynamic host port that logs to a log group with retention", () => {
        const td = one("aws:ecs/taskDefinition:TaskDefinition");
        expect(td.inputs.networkMode).toBe("bridge");
        expect(td.inputs.requiresCompatibilities).toEqual(["EC2"]);
        const [container] = json(td.inputs.containerDefinitions);
        expect(container.image).toBe("public.ecr.aws/docker/library/nginx:stable-alpine");
        expect(container.portMappings).toEqual([{ containerPort: 80, hostPort: 0, protocol: "tcp" }]);
        const logGroup = one("aws:cloudwatch/logGroup:LogGroup", "demo-web-logs");
        expect(logGroup.inputs.retentionInDays).toBeGreaterThan(0);
        expect(container.logConfiguration).toEqual({
            logDriver: "awslogs",
            options: { "awslogs-group": logGroup.state.name, "awslogs-region": REGION, "awslogs-stream-prefix": "web" },
        });
    });

    it("spreads over AZs then instances, on the capacity provider, behind the ALB, with a rollback circuit breaker", () => {
        const service = one("aws:ecs/service:Service");
        const cp = one("aws:ecs/capacityProvider:CapacityProvider");
        expect(service.inputs.cluster).toBe(demoClusterArn);
        expect(service.inputs.desiredCount).toBe(2);
        expect(service.inputs.orderedPlacementStrategies).toEqual([
            { type: "spread", field: "attribute:ecs.availability-zone" },
            { type: "spread", field: "instanceId" },
        ]);
        expect(service.inputs.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
        expect(service.inputs.capacityProviderStrategies).toEqual([{ capacityProvider: cp.state.name, weight: 1, base: 0 }]);
        expect(service.inputs.launchType).toBeUndefined();
        expect(service.inputs.loadBalancers).toEqual([{ targetGroupArn: TARGET_GROUP_ARN, containerName: "web", containerPort: 80 }]);
        expect(service.inputs.taskDefinition).toBe(one("aws:ecs/taskDefinition:TaskDefinition").state.arn);
    });

    it("waits for the capacity provider attachment and the ALB before it is created", () => {
        const service = one("aws:ecs/service:Service");
        expect(service.dependsOn).toEqual(expect.arrayContaining([one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").urn, one("awsx:lb:ApplicationLoadBalancer").urn]));
    });
});

describe("TaskRebalancer", () => {
    let fn: RecordedResource;
    beforeAll(() => {
        fn = one("aws:lambda/function:Function");
    });

    it("is a CallbackFunction on nodejs22.x with explicit memory, timeout and reserved concurrency 1", () => {
        expect(fn.inputs.runtime).toBe("nodejs22.x");
        expect(fn.inputs.handler).toBe("__index.handler");
        expect(fn.inputs.memorySize).toBe(1024);
        expect(fn.inputs.timeout).toBe(300);
        expect(fn.inputs.reservedConcurrentExecutions).toBe(1);
    });

    it("gets every setting as REBALANCER_* variables the handler's own parser reads back, with every target cluster", () => {
        const env = fn.inputs.environment.variables as Record<string, string>;
        expect(env).toEqual(settingsToEnv(defaultSettings(allTargets)));
        expect(env.REBALANCER_CLUSTERS).toBe(allTargets.join(","));
        expect(parseSettings(env)).toEqual(defaultSettings(allTargets));
    });

    it("runs as its own role, with no managed policy attached to it", () => {
        const role = one("aws:iam/role:Role", "rebalancer-role");
        expect(fn.inputs.role).toBe(role.state.arn);
        expect(json(role.inputs.assumeRolePolicy).Statement).toEqual([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        expect(role.inputs.managedPolicyArns ?? []).toEqual([]);
        expect(all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === role.state.name)).toEqual([]);
        // CallbackFunction's nine default attachments would be named after the function.
        expect(all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith("rebalancer"))).toEqual([]);
    });

    it("has a least-privilege inline policy scoped to exactly the three target clusters", () => {
        const policy = one("aws:iam/rolePolicy:RolePolicy");
        expect(policy.inputs.role).toBe("rebalancer-role-id");
        const statements = json(policy.inputs.policy).Statement as { Sid: string; Action: string[]; Resource: string | string[]; Condition?: any }[];
        const actions = statements.flatMap((s) => s.Action);
        expect(actions).not.toContain("ecs:RegisterTaskDefinition");
        expect(actions.some((a) => a.includes("*"))).toBe(false);
        const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
        expect(bySid.StopTasksOfTargetClusters.Resource).toEqual(["test-demo-ecs", "prod", "batch"].map((c) => `arn:aws:ecs:us-east-1:123456789012:task/${c}/*`));
        expect(bySid.UpdateServicesOfTargetClusters.Resource).toEqual(["test-demo-ecs", "prod", "batch"].map((c) => `arn:aws:ecs:us-east-1:123456789012:service/${c}/*`));
        expect(bySid.StopTasksOfTargetClusters.Condition).toEqual({ ArnEquals: { "ecs:cluster": allTargets } });
        expect(bySid.ListServicesAndTasksOfTargetClusters.Condition).toEqual({ ArnEquals: { "ecs:cluster": allTargets } });
        expect(bySid.TagServicesWithMarkerKeysOnly.Condition["ForAllValues:StringEquals"]).toEqual({ "aws:TagKeys": ["ecs-rebalancer:surge", "ecs-rebalancer:last-move"] });
        expect(bySid.WriteOwnLogGroup.Resource).toContain(one("aws:cloudwatch/logGroup:LogGroup", "rebalancer-logs").state.arn);
        expect(bySid.SendFailedEventsToOwnDeadLetterQueue.Resource).toBe(one("aws:sqs/queue:Queue").state.arn);
        // Statements with a wildcard resource hold reads only.
        for (const s of statements.filter((st) => st.Resource === "*")) for (const a of s.Action) expect(a).toMatch(/:(List|Describe)/);
        // The function is created only after the policy is in place (Lambda checks the DLQ permission on create).
        expect(fn.dependsOn).toContain(policy.urn);
    });

    it("logs JSON to its own log group with the configured retention", () => {
        const logGroup = one("aws:cloudwatch/logGroup:LogGroup", "rebalancer-logs");
        expect(logGroup.inputs.retentionInDays).toBe(30);
        expect(fn.inputs.loggingConfig).toMatchObject({ logFormat: "JSON", logGroup: logGroup.state.name });
    });

    it("sends failed async invocations to an encrypted dead-letter queue, with bounded retries and event age", () => {
        const dlq = one("aws:sqs/queue:Queue");
        expect(dlq.inputs.sqsManagedSseEnabled).toBe(true);
        expect(fn.inputs.deadLetterConfig).toEqual({ targetArn: dlq.state.arn });
        const invokeConfig = one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
        expect(invokeConfig.inputs.functionName).toBe(fn.state.name);
        expect(invokeConfig.inputs.maximumRetryAttempts).toBeLessThanOrEqual(2);
        expect(invokeConfig.inputs.maximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
        expect(invokeConfig.inputs.maximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
    });

    it("alarms on function errors and dead-letter queue depth, and per cluster (the demo's by its name), to the stack's topic", () => {
        const alarms = all("aws:cloudwatch/metricAlarm:MetricAlarm");
        const errors = alarms.find((a) => a.inputs.namespace === "AWS/Lambda" && a.inputs.metricName === "Errors");
        expect(errors?.inputs.dimensions).toEqual({ FunctionName: fn.state.name });
        expect(errors?.inputs).toMatchObject({ threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold" });
        const dlq = alarms.find((a) => a.inputs.namespace === "AWS/SQS");
        expect(dlq?.inputs).toMatchObject({ metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: one("aws:sqs/queue:Queue").state.name } });
        // Neither alarmEmail nor alarmTopicArn: a topic of its own with no subscriber, and every alarm notifies it.
        const topic = one("aws:sns/topic:Topic");
        expect(all("aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
        expect(run.outputs.alarmTopicArns).toEqual([topic.state.arn]);
        for (const a of alarms) expect([a.name, a.inputs.alarmActions, a.inputs.okActions]).toEqual([a.name, [topic.state.arn], [topic.state.arn]]);
        const clusterName = one("aws:cloudwatch/metricAlarm:MetricAlarm", "rebalancer-errors-demo").inputs.dimensions.cluster;
        expect(clusterName).toBe(one("aws:ecs/cluster:Cluster").state.name);
        expect(alarms.filter((a) => a.inputs.namespace === "EcsRebalancer").map((a) => a.inputs.dimensions.cluster).sort()).toEqual(
            [clusterName, "prod", "batch"].flatMap((c) => [c, c, c, c]).sort(),
        );
        // The two that existed before the alarms had a component of their own keep their resources: aliased to
        // their former parent, the TaskRebalancer.
        const former = one("ecs-rebalancer:rebalancer:TaskRebalancer").urn;
        expect([errors?.name, errors?.aliases]).toEqual(["rebalancer-errors", [former]]);
        expect([dlq?.name, dlq?.aliases]).toEqual(["rebalancer-dlq-depth", [former]]);
        expect(alarms.filter((a) => a.aliases.length > 0)).toHaveLength(2);
    });

    it("declares the stack's dashboard with a row for the demo cluster and each extra cluster; its URL is an output", () => {
        const dashboard = one("aws:cloudwatch/dashboard:Dashboard");
        const headings = json(dashboard.inputs.dashboardBody).widgets
            .filter((w: { type: string }) => w.type === "text")
            .map((w: { properties: { markdown: string } }) => w.properties.markdown)
            .slice(1);
        expect(headings).toEqual([one("aws:ecs/cluster:Cluster").state.name, "prod", "batch"].map((c) => `### Cluster \`${c}\``));
        expect(run.outputs.dashboardUrl).toBe(`https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/${dashboard.inputs.dashboardName}`);
    });

    it("subscribes to instance changes and service steady states of every target cluster, with the shared patterns", () => {
        const rules = all("aws:cloudwatch/eventRule:EventRule");
        const patterns = rules.filter((r) => r.inputs.eventPattern).map((r) => json(r.inputs.eventPattern));
        expect(patterns).toEqual([containerInstancePattern(allTargets), serviceSteadyStatePattern(allTargets)]);
        for (const p of patterns) expect(p.detail.clusterArn).toEqual(allTargets);
    });

    it("sweeps on the default schedule", () => {
        const scheduled = all("aws:cloudwatch/eventRule:EventRule").filter((r) => r.inputs.scheduleExpression);
        expect(scheduled.map((r) => r.inputs.scheduleExpression)).toEqual([DEFAULT_SCHEDULE]);
    });

    it("targets the function from every rule, and lets EventBridge invoke it for that rule only", () => {
        const rules = all("aws:cloudwatch/eventRule:EventRule");
        expect(rules).toHaveLength(3);
        for (const rule of rules) {
            const targets = all("aws:cloudwatch/eventTarget:EventTarget").filter((t) => t.inputs.rule === rule.state.name);
            expect(targets.map((t) => t.inputs.arn)).toEqual([fn.state.arn]);
            const permissions = all("aws:lambda/permission:Permission").filter((p) => p.inputs.sourceArn === rule.state.arn);
            expect(permissions.map((p) => p.inputs)).toEqual([
                expect.objectContaining({ action: "lambda:InvokeFunction", function: fn.state.name, principal: "events.amazonaws.com" }),
            ]);
        }
        expect(all("aws:lambda/permission:Permission")).toHaveLength(3);
    });
});

describe("resource tree", () => {
    it("uses ecs-rebalancer:<module>:<Type> components, and every child has a parent", () => {
        const components = run.rec.resources.filter((r) => r.type.startsWith("ecs-rebalancer:")).map((r) => r.type).sort();
        expect(components).toEqual([
            "ecs-rebalancer:demo:DemoNetwork",
            "ecs-rebalancer:demo:DemoStack",
            "ecs-rebalancer:demo:Ec2Cluster",
            "ecs-rebalancer:demo:SampleService",
            "ecs-rebalancer:rebalancer:RebalancerAlarms",
            "ecs-rebalancer:rebalancer:RebalancerDashboard",
            "ecs-rebalancer:rebalancer:TaskRebalancer",
        ]);
        const roots = run.rec.resources.filter((r) => r.parent === "").map((r) => r.type).sort();
        expect(roots).toEqual(["ecs-rebalancer:demo:DemoStack", "ecs-rebalancer:rebalancer:TaskRebalancer"]);
    });

    it("parents the rebalancer's resources to the TaskRebalancer component", () => {
        const component = one("ecs-rebalancer:rebalancer:TaskRebalancer");
        const children = run.rec.resources.filter((r) => r.parent === component.urn).map((r) => r.type);
        expect(children).toEqual(
            expect.arrayContaining([
                "aws:lambda/function:Function",
                "aws:iam/role:Role",
                "aws:iam/rolePolicy:RolePolicy",
                "aws:cloudwatch/logGroup:LogGroup",
                "aws:sqs/queue:Queue",
                "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
                "aws:cloudwatch/eventRule:EventRule",
                "aws:cloudwatch/eventTarget:EventTarget",
                "aws:lambda/permission:Permission",
                "ecs-rebalancer:rebalancer:RebalancerAlarms",
                "ecs-rebalancer:rebalancer:RebalancerDashboard",
            ]),
        );
        const alarms = one("ecs-rebalancer:rebalancer:RebalancerAlarms");
        expect(alarms.parent).toBe(component.urn);
        const alarmChildren = run.rec.resources.filter((r) => r.parent === alarms.urn).map((r) => r.type);
        expect(new Set(alarmChildren)).toEqual(new Set(["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sns/topic:Topic"]));
    });
});
