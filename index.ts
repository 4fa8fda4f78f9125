// ecs-rebalancer: stack config → demo stack (optional) → TaskRebalancer → stack outputs.
import { targetClusters } from "./infra/clusterArns";
import { loadStackConfig } from "./infra/config";
import { DemoStack } from "./infra/demo/demoStack";
import { TaskRebalancer } from "./infra/rebalancer/taskRebalancer";

// Validates every key first: a bad value stops the program here, before any resource is declared.
const config = loadStackConfig();

const demo = config.createDemo ? new DemoStack("demo", config.demo) : undefined;

const rebalancer = new TaskRebalancer("rebalancer", {
    clusters: targetClusters(demo?.clusterArn, config.targetClusters),
    settings: config.settings,
    schedule: config.schedule,
    delivery: config.delivery,
    queueMaxConcurrency: config.queueMaxConcurrency,
    logRetentionDays: config.logRetentionDays,
    memorySizeMb: config.lambdaMemoryMb,
    timeoutSeconds: config.lambdaTimeoutSeconds,
    alarmEmail: config.alarms.email,
    alarmTopicArn: config.alarms.topicArn,
    unbalancedAlarmPasses: config.alarms.unbalancedPasses,
});

/** The sample service behind the ALB (demo only). */
export const url = demo?.url;
export const clusterName = demo?.clusterName;
export const clusterArn = demo?.clusterArn;
/** Scale this group down and up to watch the rebalancer work (see the README). */
export const autoScalingGroupName = demo?.autoScalingGroupName;
export const serviceName = demo?.serviceName;
export const functionName = rebalancer.functionName;
export const logGroupName = rebalancer.logGroupName;
export const deadLetterQueueUrl = rebalancer.deadLetterQueueUrl;
/** Delivery `queue` only: the SQS FIFO queue the rules write to, and where its failed messages go. */
export const eventQueueUrl = rebalancer.eventQueueUrl;
export const eventDeadLetterQueueUrl = rebalancer.eventDeadLetterQueueUrl;
export const targetClusterArns = rebalancer.targetClusterArns;
/** The SNS topics every alarm notifies (subscribe to the stack's own if neither alarmEmail nor alarmTopicArn is set). */
export const alarmTopicArns = rebalancer.alarmTopicArns;
/** The stack's CloudWatch dashboard. */
export const dashboardName = rebalancer.dashboardName;
export const dashboardUrl = rebalancer.dashboardUrl;
