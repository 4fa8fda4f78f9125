// Child-process entry of deployedRebalancer.ts: runs index.ts under Pulumi mocks with the stack config given as
// JSON (argv[2]) and writes what it deployed for the rebalancer to the file argv[3].

import * as pulumi from "@pulumi/pulumi";
import { writeFileSync } from "node:fs";
import type { DeployedRebalancer } from "./deployedRebalancer";
import type { BusRule } from "./eventBus";
import { runProgram, type RecordedResource } from "./pulumiMocks";

function one(resources: RecordedResource[], type: string): RecordedResource {
    const found = resources.filter((r) => r.type === type);
    if (found.length !== 1) throw new Error(`the program declared ${found.length} ${type}, expected one`);
    return found[0];
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
        .map((r) =>
            r.inputs.scheduleExpression
                ? { name: r.state.name, arn: r.state.arn, scheduleExpression: r.inputs.scheduleExpression as string }
                : { name: r.state.name, arn: r.state.arn, eventPattern: JSON.parse(r.inputs.eventPattern as string) },
        );
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
