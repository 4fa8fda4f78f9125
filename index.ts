// ecs-rebalancer: stack config → demo stack (optional) → TaskRebalancer → stack outputs.
import * as pulumi from "@pulumi/pulumi";
import { resolveTargetClusterArns } from "./infra/clusterArns";
import { loadStackConfig } from "./infra/config";
import { DemoStack } from "./infra/demo/demoStack";
import { TaskRebalancer } from "./infra/rebalancer/taskRebalancer";

// Validates every key first: a bad value stops the program here, before any resource is declared.
const config = loadStackConfig();

const demo = config.createDemo ? new DemoStack("demo", config.demo) : undefined;

const extraClusterArns = resolveTargetClusterArns(config.targetClusters);
const clusterArns = demo ? pulumi.all([demo.clusterArn, extraClusterArns]).apply(([demoArn, extra]) => [demoArn, ...extra]) : extraClusterArns;

const rebalancer = new TaskRebalancer("rebalancer", {
    clusterArns,
    settings: config.settings,
    schedule: config.schedule,
    logRetentionDays: config.logRetentionDays,
    memorySizeMb: config.lambdaMemoryMb,
    timeoutSeconds: config.lambdaTimeoutSeconds,
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
export const targetClusterArns = rebalancer.targetClusterArns;
