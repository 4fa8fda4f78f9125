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
import { dimensionNames, METRIC_NAMES } from "../../rebalancer/metricCatalog";

const CLUSTER = clusterArn("default");
const saved = { ...process.env };
const ecsMock = mockClient(ECSClient);
const autoScalingMock = mockClient(ApplicationAutoScalingClient);

beforeEach(() => {
    process.env = { ...saved, REBALANCER_CLUSTERS: CLUSTER, AWS_REGION: "us-east-1", AWS_SECRET_ACCESS_KEY: "SECRET-d00d", AWS_LAMBDA_FUNCTION_NAME: "rebalancer-fn" };
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

test("a pass writes one structured JSON log record and EMF records: the cold start, the pass's metrics, one per skip reason", async () => {
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
    expect(pass[0].services).toEqual([expect.objectContaining({ service: "web", outcome: "skipped", reason: "desired-zero" })]);
    const emf = lines.filter((l) => l._aws);
    const directives = emf.map((l) => l._aws.CloudWatchMetrics[0]);
    expect(directives.every((d: { Namespace: string }) => d.Namespace === "EcsRebalancer")).toBe(true);
    const names = (d: { Metrics: Array<{ Name: string }> }) => d.Metrics.map((m) => m.Name).sort();
    // The cold start: per function.
    expect(names(directives[0])).toEqual(["ColdStart"]);
    expect(directives[0].Dimensions).toEqual([dimensionNames("ColdStart")]);
    expect(emf[0]).toMatchObject({ service: "ecs-rebalancer", function_name: "rebalancer-fn", ColdStart: 1 });
    // The pass: every per-cluster metric of the catalog, with the catalog's dimensions.
    const perCluster = METRIC_NAMES.filter((n) => dimensionNames(n).join() === "service,cluster").sort();
    expect(names(directives[1])).toEqual(perCluster);
    expect(directives[1].Dimensions).toEqual([["service", "cluster"]]);
    expect(emf[1]).toMatchObject({ service: "ecs-rebalancer", cluster: "default", ServicesSkipped: 1 });
    expect(emf[1].ApiCalls).toBeGreaterThanOrEqual(6);
    // The skip reason: a record of its own.
    expect(names(directives[2])).toEqual(["ServicesSkippedByReason"]);
    expect(directives[2].Dimensions).toEqual([dimensionNames("ServicesSkippedByReason")]);
    expect(emf[2]).toMatchObject({ cluster: "default", reason: "desired-zero", ServicesSkippedByReason: 1 });
    expect(emf).toHaveLength(3);
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
    // The container's first invocation: its cold-start metric, then the one warning.
    const lines = out.lines().filter((l) => !(l._aws && "ColdStart" in l));
    expect(out.lines().length - lines.length).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "WARN", message: "event ignored", why: "source aws.ec2 is not handled" });
    expect(ecsMock.calls()).toHaveLength(0);
    expect(autoScalingMock.calls()).toHaveLength(0);
});
