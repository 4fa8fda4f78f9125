// Child-process entry of deployedRebalancer.ts: runs index.ts under Pulumi mocks with the stack config given as
// JSON (argv[2]) and writes what it deployed for the rebalancer to the file argv[3].

import * as pulumi from "@pulumi/pulumi";
import { writeFileSync } from "node:fs";
import type { DeployedQueue, DeployedRebalancer, QueueRule } from "./deployedRebalancer";
import type { BusRule } from "./eventBus";
import { runProgram, type RecordedResource } from "./pulumiMocks";

function one(resources: RecordedResource[], type: string): RecordedResource {
    const found = resources.filter((r) => r.type === type);
    if (found.length !== 1) throw new Error(`the program declared ${found.length} ${type}, expected one`);
    return found[0];
}

function busRule(r: RecordedResource): BusRule {
    return r.inputs.scheduleExpression
        ? { name: r.state.name, arn: r.state.arn, scheduleExpression: r.inputs.scheduleExpression as string }
        : { name: r.state.name, arn: r.state.arn, eventPattern: JSON.parse(r.inputs.eventPattern as string) };
}

/** The event queue the function polls (`delivery: queue`), with the rules that send to it; undefined without one. */
function queueOf(resources: RecordedResource[], fn: RecordedResource): { queue: DeployedQueue } | undefined {
    const mapping = resources.find((r) => r.type === "aws:lambda/eventSourceMapping:EventSourceMapping" && r.inputs.functionName === fn.state.name);
    if (!mapping) return undefined;
    const queue = one(resources.filter((r) => r.state.arn === mapping.inputs.eventSourceArn), "aws:sqs/queue:Queue");
    const redrive = JSON.parse(queue.inputs.redrivePolicy as string) as { maxReceiveCount: number };
    const rulesByName = new Map(resources.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule").map((r) => [r.state.name as string, r]));
    const rules: QueueRule[] = resources
        .filter((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget" && r.inputs.arn === queue.state.arn)
        .map((t) => ({
            ...busRule(rulesByName.get(t.inputs.rule as string)!),
            messageGroupId: t.inputs.sqsTarget.messageGroupId as string,
            ...(t.inputs.inputTransformer ? { inputTransformer: t.inputs.inputTransformer } : {}),
        }));
    return {
        queue: {
            arn: queue.state.arn,
            visibilityTimeoutSeconds: queue.inputs.visibilityTimeoutSeconds,
            maxReceiveCount: redrive.maxReceiveCount,
            contentBasedDeduplication: queue.inputs.contentBasedDeduplication === true,
            batchSize: mapping.inputs.batchSize,
            maximumConcurrency: mapping.inputs.scalingConfig.maximumConcurrency,
            reportBatchItemFailures: (mapping.inputs.functionResponseTypes ?? []).includes("ReportBatchItemFailures"),
            rules,
        },
    };
}

async function main(config: Record<string, string>, outFile: string): Promise<void> {
    const { rec } = await runProgram(pulumi, config);
    const fn = one(rec.resources, "aws:lambda/function:Function");
    const assets = (await fn.inputs.code.assets) as Record<string, { text?: Promise<string> }>;
    const index = assets["__index.js"];
    if (!index?.text) throw new Error("the function's archive has no __index.js");
    const invokeConfig = one(rec.resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    const targetedRules = new Set(
        rec.resources.filter((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget" && r.inputs.arn === fn.state.arn).map((r) => r.inputs.rule as string),
    );
    const rules: BusRule[] = rec.resources
        .filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && targetedRules.has(r.state.name))
        .map(busRule);
    const deployed: DeployedRebalancer = {
        indexJs: await index.text,
        functionName: fn.state.name,
        dashboardBody: one(rec.resources, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody,
        environment: { ...(fn.inputs.environment?.variables ?? {}) },
        timeoutSeconds: fn.inputs.timeout,
        memoryMb: fn.inputs.memorySize,
        maximumRetryAttempts: invokeConfig.inputs.maximumRetryAttempts,
        maximumEventAgeSeconds: invokeConfig.inputs.maximumEventAgeInSeconds,
        rules,
        ...(queueOf(rec.resources, fn) ?? {}),
        archiveMembers: Object.keys(assets).sort(),
    };
    writeFileSync(outFile, JSON.stringify(deployed));
}

main(JSON.parse(process.argv[2]), process.argv[3]).then(
    () => process.exit(0),
    (err) => {
        console.error(err instanceof Error ? err.stack ?? err.message : err);
        process.exit(1);
    },
);
