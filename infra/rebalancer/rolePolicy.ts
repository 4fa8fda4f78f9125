// The rebalancer's IAM policy, built as plain data from resolved ARNs so it can be read and tested statement by
// statement. Least privilege, per the Service Authorization Reference for ECS (list_amazonelasticcontainerservice):
// - ListServices has no resource type (condition ecs:cluster only); ListTasks is resource-typed container-instance
//   but, per awsdocs/amazon-ecs-developer-guide#211, only works with "*" plus the ecs:cluster condition.
// - ListContainerInstances takes the cluster ARN; DescribeServices/UpdateService take service ARNs,
//   DescribeContainerInstances container-instance ARNs, DescribeTasks/GetTaskProtection/StopTask task ARNs, all
//   `…:<type>/<cluster>/<id>` and all with the ecs:cluster condition key.
// - DescribeTaskDefinition and application-autoscaling:DescribeScalableTargets support no resource-level scoping.
// - TagResource/UntagResource take service ARNs and aws:TagKeys (not ecs:cluster).
// - xray:PutTraceSegments/PutTelemetryRecords (only with tracing on) support no resource-level scoping.
import { MARKER_TAG_KEYS } from "../../rebalancer/tagKeys";

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow";
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export interface RebalancerPolicyArgs {
    clusterArns: readonly string[];
    logGroupArn: string;
    deadLetterQueueArn: string;
    /** X-Ray active tracing: the function sends its trace segments. */
    tracing?: boolean;
}

const CLUSTER_ARN = /^(arn:[^:]+:ecs:[^:]+:\d{12}):cluster\/([A-Za-z0-9_-]+)$/;

/** `arn:…:cluster/prod` → `arn:…:service/prod/*` (the long ARN format, which carries the cluster name). */
export function clusterScopedArn(clusterArn: string, resourceType: "service" | "task" | "container-instance"): string {
    const m = CLUSTER_ARN.exec(clusterArn);
    if (!m) throw new Error(`not an ECS cluster ARN: ${clusterArn}`);
    return `${m[1]}:${resourceType}/${m[2]}/*`;
}

export function rebalancerPolicyDocument(args: RebalancerPolicyArgs): PolicyDocument {
    if (args.clusterArns.length === 0) throw new Error("the rebalancer policy needs at least one cluster ARN");
    const clusters = [...args.clusterArns];
    const inTargetClusters = { ArnEquals: { "ecs:cluster": clusters } };
    const services = clusters.map((c) => clusterScopedArn(c, "service"));
    const tasks = clusters.map((c) => clusterScopedArn(c, "task"));
    const containerInstances = clusters.map((c) => clusterScopedArn(c, "container-instance"));
    const logGroupArn = `${args.logGroupArn}`.replace(/:\*$/, "");

    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ListServicesAndTasksOfTargetClusters", Effect: "Allow", Action: ["ecs:ListServices", "ecs:ListTasks"], Resource: "*", Condition: inTargetClusters },
            { Sid: "ListContainerInstancesOfTargetClusters", Effect: "Allow", Action: ["ecs:ListContainerInstances"], Resource: clusters },
            { Sid: "DescribeServicesOfTargetClusters", Effect: "Allow", Action: ["ecs:DescribeServices"], Resource: services, Condition: inTargetClusters },
            { Sid: "DescribeContainerInstancesOfTargetClusters", Effect: "Allow", Action: ["ecs:DescribeContainerInstances"], Resource: containerInstances, Condition: inTargetClusters },
            { Sid: "DescribeTasksOfTargetClusters", Effect: "Allow", Action: ["ecs:DescribeTasks", "ecs:GetTaskProtection"], Resource: tasks, Condition: inTargetClusters },
            { Sid: "DescribeTaskDefinitions", Effect: "Allow", Action: ["ecs:DescribeTaskDefinition"], Resource: "*" },
            { Sid: "DescribeScalableTargets", Effect: "Allow", Action: ["application-autoscaling:DescribeScalableTargets"], Resource: "*" },
            { Sid: "StopTasksOfTargetClusters", Effect: "Allow", Action: ["ecs:StopTask"], Resource: tasks, Condition: inTargetClusters },
            { Sid: "UpdateServicesOfTargetClusters", Effect: "Allow", Action: ["ecs:UpdateService"], Resource: services, Condition: inTargetClusters },
            // A surge's restore protects the tasks that stay from scale-in for a few minutes, then clears that protection.
            { Sid: "ProtectTasksOfTargetClusters", Effect: "Allow", Action: ["ecs:UpdateTaskProtection"], Resource: tasks, Condition: inTargetClusters },
            {
                // The surge marker and the last-move record, by exact key: a prefix (`ecs-rebalancer:*`) would also
                // let the role add or remove the opt-out, opt-in and per-service setting tags that teams set.
                // `Null: false` so a request without tag keys never matches the (vacuously true) ForAllValues test.
                Sid: "TagServicesWithMarkerKeysOnly",
                Effect: "Allow",
                Action: ["ecs:TagResource", "ecs:UntagResource"],
                Resource: services,
                Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": [...MARKER_TAG_KEYS] }, Null: { "aws:TagKeys": "false" } },
            },
            { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [logGroupArn, `${logGroupArn}:*`] },
            { Sid: "SendFailedEventsToOwnDeadLetterQueue", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: args.deadLetterQueueArn },
            // What AWSXRayDaemonWriteAccess grants the function; X-Ray supports no resource-level scoping for these.
            ...(args.tracing
                ? [{ Sid: "WriteTraces", Effect: "Allow" as const, Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" }]
                : []),
        ],
    };
}

/** Who may assume the rebalancer's role: Lambda only. */
export const LAMBDA_ASSUME_ROLE_POLICY = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
} as const;
