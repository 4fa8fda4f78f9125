// Events the handler must log once and ignore, without an ECS call and without throwing.
import containerInstance from "../../fixtures/events/container-instance-state-change.json";
import serviceAction from "../../fixtures/events/service-action-steady-state.json";
import taskStateChange from "../../fixtures/events/task-state-change-fargate.json";
import deploymentStateChange from "../../fixtures/events/deployment-state-change.json";

/** The sample events' clusters: the settings in these tests target both. */
export const SAMPLE_CLUSTERS = ["arn:aws:ecs:us-east-1:111122223333:cluster/default", "arn:aws:ecs:us-west-2:111122223333:cluster/default"];

type Json = Record<string, any>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function ci(mutate: (e: Json) => void): Json {
    const e = clone(containerInstance) as Json;
    mutate(e);
    return e;
}
function sa(mutate: (e: Json) => void): Json {
    const e = clone(serviceAction) as Json;
    mutate(e);
    return e;
}

function cyclic(): Json {
    const e = ci(() => undefined);
    e.detail.self = e.detail;
    return e;
}

export const BAD_EVENTS: Array<[string, unknown]> = [
    ["null", null],
    ["undefined", undefined],
    ["a string", "look now"],
    ["a number", 42],
    ["an array", [containerInstance]],
    ["an empty envelope: source only", { source: "aws.ecs" }],
    ["detail-type not a string", ci((e) => (e["detail-type"] = 7))],
    ["another source", { ...clone(containerInstance), source: "aws.ec2", "detail-type": "EC2 Instance State-change Notification" }],
    ["ECS Task State Change (not subscribed)", taskStateChange],
    ["ECS Deployment State Change (no clusterArn)", deploymentStateChange],
    ["detail missing", ci((e) => delete e.detail)],
    ["detail an array", ci((e) => (e.detail = [e.detail]))],
    ["detail.clusterArn missing", ci((e) => delete e.detail.clusterArn)],
    ["detail.clusterArn a number", ci((e) => (e.detail.clusterArn = 12))],
    ["detail.clusterArn a bare name", ci((e) => (e.detail.clusterArn = "default"))],
    ["a cluster that is not a target", ci((e) => (e.detail.clusterArn = "arn:aws:ecs:us-east-1:111122223333:cluster/other"))],
    ["another account's cluster of the same name", ci((e) => { e.detail.clusterArn = "arn:aws:ecs:us-east-1:444455556666:cluster/default"; e.account = "444455556666"; })],
    ["aws-cn partition", ci((e) => { e.detail.clusterArn = "arn:aws-cn:ecs:cn-north-1:111122223333:cluster/default"; e.region = "cn-north-1"; })],
    ["aws-us-gov partition", ci((e) => { e.detail.clusterArn = "arn:aws-us-gov:ecs:us-gov-west-1:111122223333:cluster/default"; e.region = "us-gov-west-1"; })],
    ["containerInstanceArn missing", ci((e) => delete e.detail.containerInstanceArn)],
    ["containerInstanceArn is a task ARN", ci((e) => (e.detail.containerInstanceArn = "arn:aws:ecs:us-east-1:111122223333:task/default/abc"))],
    ["version missing", ci((e) => delete e.detail.version)],
    ["version a string", ci((e) => (e.detail.version = "14801"))],
    ["version negative", ci((e) => (e.detail.version = -1))],
    ["version fractional", ci((e) => (e.detail.version = 1.5))],
    ["instance DRAINING", ci((e) => (e.detail.status = "DRAINING"))],
    ["agent disconnected", ci((e) => (e.detail.agentConnected = false))],
    ["agentConnected a string", ci((e) => (e.detail.agentConnected = "true"))],
    ["region disagrees with the cluster ARN", ci((e) => (e.region = "eu-west-1"))],
    ["account disagrees with the cluster ARN", ci((e) => (e.account = "999999999999"))],
    ["huge payload", ci((e) => (e.detail.attributes = Array.from({ length: 3000 }, (_, i) => ({ name: `custom.attr.${i}`, value: "x".repeat(100) }))))],
    ["cyclic payload", cyclic()],
    ["service event that is not steady state", sa((e) => { e.detail.eventType = "ERROR"; e.detail.eventName = "SERVICE_TASK_PLACEMENT_FAILURE"; e.detail.reason = "RESOURCE:CPU"; })],
    ["service event without eventName", sa((e) => delete e.detail.eventName)],
    ["service event for a cluster not targeted", sa((e) => (e.detail.clusterArn = "arn:aws:ecs:us-west-2:111122223333:cluster/staging"))],
    ["aws.events with another detail-type", { version: "0", source: "aws.events", "detail-type": "AWS API Call via CloudTrail", detail: {} }],
    ["Scheduled Event from a custom source", { version: "0", source: "my.app", "detail-type": "Scheduled Event", detail: {} }],
    ["operator request with an unknown field", { cluster: "default" }],
    ["operator dryRun not a boolean", { dryRun: "yes" }],
    ["operator clusters not a list", { clusters: "default" }],
    ["operator clusters empty", { clusters: [] }],
    ["operator clusters holding a number", { clusters: [42] }],
    ["the console's test event", { key1: "value1", key2: "value2", key3: "value3" }],
];
