// Delivery `queue` as plain data (pure: no Pulumi), so each choice can be read and tested on its own: the queue's
// settings, each cluster's message group, and the two policies (who may send to the queue, what the function may do
// with it). queueDelivery.ts declares them.
import { createHash } from "node:crypto";
import type { PolicyDocument, PolicyStatement } from "./rolePolicy";

/**
 * Lambda's guidance: a queue's visibility timeout at least six times the function's timeout, so that Lambda can retry
 * a batch whose invocation was throttled (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export function visibilityTimeoutSeconds(functionTimeoutSeconds: number): number {
    return VISIBILITY_TIMEOUT_FACTOR * functionTimeoutSeconds;
}

/**
 * Receives before a message is set aside in the dead-letter queue. A message is received again only when its pass
 * lacked time or the function failed; five gives a cluster five tries. (AWS's advice for Lambda consumers is at least
 * five, as restated in https://aws.github.io/modern-data-architecture-accelerator/typedocs/interfaces/_aws-mdaa_dataops-lambda-l3-construct.QueueDlqProps.html;
 * a dead-letter queue of a FIFO queue must be FIFO too:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue.html.)
 */
export const MAX_RECEIVE_COUNT = 5;

/**
 * Records per invocation: FIFO's maximum (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html;
 * a batching window is not supported for FIFO queues). A batch may hold several clusters' records; several events of
 * one cluster cost one pass.
 */
export const BATCH_SIZE = 10;

/**
 * The event source mapping's maximum concurrency (ScalingConfig.MaximumConcurrency, 2–1000:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-eventsourcemapping-scalingconfig.html).
 * The default is the five concurrent batches Lambda starts an SQS source with
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
 */
export const QUEUE_MAX_CONCURRENCY = { min: 2, max: 1000, default: 5 } as const;

/** SQS's limit on a message group id (1–128 characters: letters, digits and punctuation). */
export const MESSAGE_GROUP_ID_MAX = 128;
const MESSAGE_GROUP_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

/**
 * A cluster's message group: its name (readable in the console, cut to 100 characters) and 16 hex digits of the
 * ARN's SHA-256 (two clusters of one name in other accounts or Regions stay apart). Stable across deployments, since
 * it depends on the ARN only; a cluster name holds only letters, digits, - and _, so the id is in SQS's charset.
 */
export function messageGroupIdFor(clusterArn: string): string {
    const name = clusterArn.slice(clusterArn.lastIndexOf("/") + 1).slice(0, 100);
    const id = `${name}-${createHash("sha256").update(clusterArn).digest("hex").slice(0, 16)}`;
    if (!MESSAGE_GROUP_ID.test(id)) throw new Error(`message group id ${JSON.stringify(id)} for ${clusterArn} is not one SQS accepts`);
    return id;
}

/**
 * Who may send to the event queue: EventBridge, for these rules only (aws:SourceArn), as EventBridge's resource-based
 * policy for SQS targets has it (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html).
 */
export function eventQueuePolicyDocument(args: { queueArn: string; ruleArns: readonly string[] }): { Version: "2012-10-17"; Statement: Array<PolicyStatement & { Principal: { Service: string } }> } {
    if (args.ruleArns.length === 0) throw new Error("the event queue policy needs at least one rule");
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EventBridgeRulesOfThisRebalancer",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: ["sqs:SendMessage"],
                Resource: args.queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": [...args.ruleArns] } },
            },
        ],
    };
}

/**
 * What the function's role needs for the event source mapping to poll the queue for it: receive, delete and read the
 * queue's attributes, on that queue only (the actions of AWSLambdaSQSQueueExecutionRole; see "Execution role
 * permissions" in https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html). The queue uses SQS-managed
 * encryption, so no KMS permission.
 */
export function queueConsumerPolicyDocument(args: { queueArn: string }): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "PollOwnEventQueue", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: args.queueArn },
        ],
    };
}
