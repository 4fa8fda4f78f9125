// The rebalancer's IAM policy, statement by statement: only the reads it uses, writes scoped to the target clusters,
// tags limited to the rebalancer's own marker keys (checked on the policy the program deploys, under Pulumi mocks).
import * as pulumi from "@pulumi/pulumi";
import { clusterScopedArn, LAMBDA_ASSUME_ROLE_POLICY, PolicyStatement, rebalancerPolicyDocument } from "../../infra/rebalancer/rolePolicy";
import { json, runProgram } from "../../local/pulumiMocks";
import { DEFAULT_SKIP_TAG, ENABLED_TAG, LAST_MOVE_TAG, SURGE_TAG, serviceSettingTag } from "../../rebalancer/tagKeys";
import { policyAllows, type Request, type Statement } from "./support/iamEvaluation";

const PROD = "arn:aws:ecs:us-east-1:123456789012:cluster/prod";
const BATCH = "arn:aws:ecs:us-east-1:123456789012:cluster/batch";
const LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs-rebalancer/rebalancer-0001";
const DLQ = "arn:aws:sqs:us-east-1:123456789012:rebalancer-dlq-0001";

const doc = rebalancerPolicyDocument({ clusterArns: [PROD, BATCH], logGroupArn: LOG_GROUP, deadLetterQueueArn: DLQ });

function statement(sid: string): PolicyStatement {
    const found = doc.Statement.filter((s) => s.Sid === sid);
    expect(found).toHaveLength(1);
    return found[0];
}

const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("rebalancerPolicyDocument", () => {
    it("allows exactly the ECS, Application Auto Scaling, Logs and SQS actions the rebalancer uses", () => {
        const actions = doc.Statement.flatMap((s) => s.Action).sort();
        expect(actions).toEqual(
            [
                "application-autoscaling:DescribeScalableTargets",
                "ecs:DescribeContainerInstances",
                "ecs:DescribeServices",
                "ecs:DescribeTaskDefinition",
                "ecs:DescribeTasks",
                "ecs:GetTaskProtection",
                "ecs:ListContainerInstances",
                "ecs:ListServices",
                "ecs:ListTasks",
                "ecs:StopTask",
                "ecs:TagResource",
                "ecs:UntagResource",
                "ecs:UpdateService",
                "ecs:UpdateTaskProtection",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "sqs:SendMessage",
            ].sort(),
        );
        expect(doc.Statement.every((s) => s.Effect === "Allow")).toBe(true);
        expect(actions.some((a) => a.includes("*"))).toBe(false);
        expect(actions).not.toContain("ecs:RegisterTaskDefinition");
        expect(actions.some((a) => a.startsWith("iam:"))).toBe(false);
    });

    it("grants a wildcard resource only to reads that support no resource-level scoping", () => {
        const wildcard = doc.Statement.filter((s) => asList(s.Resource).includes("*"));
        expect(wildcard.map((s) => s.Sid).sort()).toEqual(["DescribeScalableTargets", "DescribeTaskDefinitions", "ListServicesAndTasksOfTargetClusters"]);
        for (const s of wildcard) for (const a of s.Action) expect(a).toMatch(/:(List|Describe)/);
    });

    it("scopes listing services and tasks to the target clusters with the ecs:cluster condition", () => {
        const s = statement("ListServicesAndTasksOfTargetClusters");
        expect(s.Action).toEqual(["ecs:ListServices", "ecs:ListTasks"]);
        expect(s.Condition).toEqual({ ArnEquals: { "ecs:cluster": [PROD, BATCH] } });
    });

    it("lists container instances of the target clusters only", () => {
        expect(statement("ListContainerInstancesOfTargetClusters").Resource).toEqual([PROD, BATCH]);
    });

    it.each([
        ["DescribeServicesOfTargetClusters", ["ecs:DescribeServices"], "service"],
        ["DescribeContainerInstancesOfTargetClusters", ["ecs:DescribeContainerInstances"], "container-instance"],
        ["DescribeTasksOfTargetClusters", ["ecs:DescribeTasks", "ecs:GetTaskProtection"], "task"],
        ["StopTasksOfTargetClusters", ["ecs:StopTask"], "task"],
        ["ProtectTasksOfTargetClusters", ["ecs:UpdateTaskProtection"], "task"],
        ["UpdateServicesOfTargetClusters", ["ecs:UpdateService"], "service"],
    ] as const)("%s: %j on %s ARNs of the target clusters, with the ecs:cluster condition", (sid, actions, type) => {
        const s = statement(sid);
        expect(s.Action).toEqual(actions);
        expect(s.Resource).toEqual([
            `arn:aws:ecs:us-east-1:123456789012:${type}/prod/*`,
            `arn:aws:ecs:us-east-1:123456789012:${type}/batch/*`,
        ]);
        expect(s.Condition).toEqual({ ArnEquals: { "ecs:cluster": [PROD, BATCH] } });
    });

    it("tags and untags services of the target clusters with the two marker keys only, by exact key", () => {
        const s = statement("TagServicesWithMarkerKeysOnly");
        expect(s.Action).toEqual(["ecs:TagResource", "ecs:UntagResource"]);
        expect(s.Resource).toEqual(["arn:aws:ecs:us-east-1:123456789012:service/prod/*", "arn:aws:ecs:us-east-1:123456789012:service/batch/*"]);
        expect(s.Condition).toEqual({
            "ForAllValues:StringEquals": { "aws:TagKeys": ["ecs-rebalancer:surge", "ecs-rebalancer:last-move"] },
            Null: { "aws:TagKeys": "false" },
        });
    });

    it("writes only to its own log group", () => {
        expect(statement("WriteOwnLogGroup").Resource).toEqual([LOG_GROUP, `${LOG_GROUP}:*`]);
        // The provider's ARN has no `:*`; one that does is not doubled.
        const withStar = rebalancerPolicyDocument({ clusterArns: [PROD], logGroupArn: `${LOG_GROUP}:*`, deadLetterQueueArn: DLQ });
        expect(withStar.Statement.find((s) => s.Sid === "WriteOwnLogGroup")?.Resource).toEqual([LOG_GROUP, `${LOG_GROUP}:*`]);
    });

    it("sends only to its own dead-letter queue", () => {
        const s = statement("SendFailedEventsToOwnDeadLetterQueue");
        expect(s.Action).toEqual(["sqs:SendMessage"]);
        expect(s.Resource).toBe(DLQ);
    });

    it("every write is scoped to resource ARNs of the target clusters or its own resources", () => {
        const writes = ["ecs:StopTask", "ecs:UpdateService", "ecs:UpdateTaskProtection", "ecs:TagResource", "ecs:UntagResource", "logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage"];
        const ownOrTargeted = (r: string) => /^arn:aws:ecs:us-east-1:123456789012:(service|task)\/(prod|batch)\/\*$/.test(r) || r === LOG_GROUP || r === `${LOG_GROUP}:*` || r === DLQ;
        const writing = doc.Statement.filter((st) => st.Action.some((a) => writes.includes(a)));
        expect(writing.flatMap((s) => s.Action).sort()).toEqual([...writes].sort());
        for (const s of writing) for (const r of asList(s.Resource)) expect({ sid: s.Sid, resource: r, scoped: ownOrTargeted(r) }).toEqual({ sid: s.Sid, resource: r, scoped: true });
    });

    it("lets the function send trace segments only with tracing on (X-Ray has no resource-level scoping for them)", () => {
        expect(doc.Statement.some((st) => st.Action.some((a) => a.startsWith("xray:")))).toBe(false);
        const traced = rebalancerPolicyDocument({ clusterArns: [PROD], logGroupArn: LOG_GROUP, deadLetterQueueArn: DLQ, tracing: true });
        expect(traced.Statement.filter((st) => st.Action.some((a) => a.startsWith("xray:")))).toEqual([
            { Sid: "WriteTraces", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
        ]);
    });

    it("refuses an empty cluster list rather than writing a policy that grants nothing useful", () => {
        expect(() => rebalancerPolicyDocument({ clusterArns: [], logGroupArn: LOG_GROUP, deadLetterQueueArn: DLQ })).toThrow(/at least one cluster/);
    });
});

describe("clusterScopedArn", () => {
    it("uses the long ARN format that carries the cluster name", () => {
        expect(clusterScopedArn("arn:aws-cn:ecs:cn-north-1:123456789012:cluster/prod", "task")).toBe("arn:aws-cn:ecs:cn-north-1:123456789012:task/prod/*");
    });

    it("refuses what is not a cluster ARN", () => {
        expect(() => clusterScopedArn("prod", "service")).toThrow(/not an ECS cluster ARN/);
    });
});

describe("LAMBDA_ASSUME_ROLE_POLICY", () => {
    it("lets only the Lambda service assume the role", () => {
        expect(LAMBDA_ASSUME_ROLE_POLICY.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    });
});

/** What the deployed policy allows for a tag request on a service of the target cluster. */
function tagRequest(action: "ecs:TagResource" | "ecs:UntagResource", keys: string[] | undefined, service = "arn:aws:ecs:us-east-1:123456789012:service/prod/web"): Request {
    return { action, resource: service, context: { "aws:TagKeys": keys } };
}

describe("the deployed policy (the program under Pulumi mocks): tag keys", () => {
    let statements: Statement[];
    beforeAll(async () => {
        const run = await runProgram(pulumi, { createDemo: "false", targetClusters: JSON.stringify(["prod"]) });
        statements = json(run.rec.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
    });

    const actions = ["ecs:TagResource", "ecs:UntagResource"] as const;

    it.each(actions)("%s: the surge marker and the last-move record, alone or together, are allowed", (action) => {
        for (const keys of [[SURGE_TAG], [LAST_MOVE_TAG], [SURGE_TAG, LAST_MOVE_TAG]]) {
            expect({ keys, allowed: policyAllows(statements, tagRequest(action, keys)) }).toEqual({ keys, allowed: true });
        }
    });

    it.each(actions)("%s: the opt-out, opt-in and per-service setting tags can never be added or removed", (action) => {
        const teamKeys = [DEFAULT_SKIP_TAG, ENABLED_TAG, ...["skewThreshold", "dryRun", "maxMovesPerService"].map(serviceSettingTag)];
        for (const key of teamKeys) {
            for (const keys of [[key], [SURGE_TAG, key], [key.toUpperCase()]]) {
                expect({ keys, allowed: policyAllows(statements, tagRequest(action, keys)) }).toEqual({ keys, allowed: false });
            }
        }
        // Nor any other key, nor a request that names no key, nor a marker on a service of another cluster.
        expect(policyAllows(statements, tagRequest(action, ["team"]))).toBe(false);
        expect(policyAllows(statements, tagRequest(action, undefined))).toBe(false);
        expect(policyAllows(statements, tagRequest(action, [SURGE_TAG], "arn:aws:ecs:us-east-1:123456789012:service/other/web"))).toBe(false);
    });

    it("the evaluator is not vacuous: the former prefix condition let the role remove the opt-out tag", () => {
        const tagging = statements.find((s) => s.Sid === "TagServicesWithMarkerKeysOnly")!;
        const prefix: Statement = { ...tagging, Condition: { "ForAllValues:StringLike": { "aws:TagKeys": ["ecs-rebalancer:*"] }, Null: { "aws:TagKeys": "false" } } };
        expect(policyAllows([prefix], tagRequest("ecs:UntagResource", [DEFAULT_SKIP_TAG]))).toBe(true);
        expect(policyAllows([tagging], tagRequest("ecs:UntagResource", [DEFAULT_SKIP_TAG]))).toBe(false);
    });
});
