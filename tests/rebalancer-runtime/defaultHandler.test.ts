// The handler as the container builds it (no overrides): real SDK clients (mocked at the class), Powertools
// Logger and Metrics writing to stdout, the lead's planner.
import { mockClient } from "aws-sdk-client-mock";
import {
    DescribeContainerInstancesCommand,
    DescribeServicesCommand,
    DescribeTasksCommand,
    ECSClient,
    ListContainerInstancesCommand,
    ListServicesCommand,
    ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { createHandler, handler } from "../../rebalancer/handler";
import { sdkInstance, sdkService } from "./support/sdkShapes";
import { clusterArn } from "./support/fakeEcs";
import { captureOutput } from "../support/stdoutCapture";

const CLUSTER = clusterArn("default");
const saved = { ...process.env };
const ecsMock = mockClient(ECSClient);
const autoScalingMock = mockClient(ApplicationAutoScalingClient);

beforeEach(() => {
    process.env = { ...saved, REBALANCER_CLUSTERS: CLUSTER, AWS_REGION: "us-east-1", AWS_SECRET_ACCESS_KEY: "SECRET-d00d" };
    delete process.env.POWERTOOLS_DEV;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    ecsMock.reset();
    autoScalingMock.reset();
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [sdkInstance("default", "i1", "us-east-1a").containerInstanceArn!] });
    ecsMock.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [sdkInstance("default", "i1", "us-east-1a")] });
    ecsMock.on(ListServicesCommand).resolves({ serviceArns: [sdkService("default", "web").serviceArn!] });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [sdkService("default", "web", { desiredCount: 0, runningCount: 0, deployments: [] })] });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [] });
    autoScalingMock.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
});
afterAll(() => {
    process.env = saved;
    ecsMock.restore();
    autoScalingMock.restore();
});

test("a pass writes one structured JSON log record and one EMF metrics record (namespace EcsRebalancer, dimension cluster)", async () => {
    const out = captureOutput();
    let summary;
    try {
        summary = await createHandler()({ version: "0", source: "aws.events", "detail-type": "Scheduled Event", detail: {} });
    } finally {
        out.restore();
    }
    expect(summary).toMatchObject({ trigger: "schedule", clusters: [{ clusterArn: CLUSTER, outcome: "completed", services: 1 }] });
    const lines = out.lines();
    const pass = lines.filter((l) => l.message === "rebalancer pass");
    expect(pass).toHaveLength(1);
    expect(pass[0]).toMatchObject({ level: "INFO", service: "ecs-rebalancer", trigger: "schedule", cluster: "default", dryRun: false, outcome: "completed" });
    expect(pass[0].services).toEqual([expect.objectContaining({ service: "web", outcome: "skipped" })]);
    const emf = lines.filter((l) => l._aws);
    expect(emf).toHaveLength(1);
    const directive = emf[0]._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe("EcsRebalancer");
    expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(["cluster"]));
    expect(emf[0].cluster).toBe("default");
    expect(directive.Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual(["ApiCalls", "Errors", "PassDurationMs", "ServicesSkipped", "ServicesUnbalanced", "TasksMoved", "TasksPlanned"]);
    expect(emf[0].ApiCalls).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(lines)).not.toContain("SECRET-d00d");
});

test("the plain export: a foreign event is one warning in the log and no ECS call", async () => {
    const out = captureOutput();
    let summary;
    try {
        summary = await handler({ source: "aws.ec2", "detail-type": "EC2 Instance State-change Notification", detail: {} });
    } finally {
        out.restore();
    }
    expect(summary).toMatchObject({ trigger: "ignored" });
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "WARN", message: "event ignored", why: "source aws.ec2 is not handled" });
    expect(ecsMock.calls()).toHaveLength(0);
    expect(autoScalingMock.calls()).toHaveLength(0);
});
