// The rebalancer exactly as the program deploys it, for local runs: the Pulumi program (index.ts) is run under
// mocks with a stack config, and what it declared is read back — the function's code archive (`__index.js`, the
// closure Pulumi serialized), its environment, timeout and async-invocation settings, and the EventBridge rules
// that target it (patterns and schedule).

import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import type { BusRule } from "./eventBus";
import { runProgram, type RecordedResource } from "./pulumiMocks";

export interface DeployedRebalancer {
    indexJs: string;
    environment: Record<string, string>;
    timeoutSeconds: number;
    memoryMb: number;
    maximumRetryAttempts: number;
    maximumEventAgeSeconds: number;
    rules: BusRule[];
    /** The archive's member paths (for reports). */
    archiveMembers: string[];
}

function one(resources: RecordedResource[], type: string): RecordedResource {
    const found = resources.filter((r) => r.type === type);
    if (found.length !== 1) throw new Error(`the program declared ${found.length} ${type}, expected one`);
    return found[0];
}

const PROGRAM_FILES = [join(__dirname, "..", "index.ts"), join(__dirname, "..", "infra") + "/"];

/** Runs index.ts under mocks with `config` (keys of the `ecs-rebalancer` namespace); fresh on every call. */
export async function deployUnderMocks(config: Record<string, string>): Promise<DeployedRebalancer> {
    // The program declares its resources when its module is evaluated: evaluate it anew for this config.
    for (const key of Object.keys(require.cache)) if (PROGRAM_FILES.some((f) => key === f || key.startsWith(f))) delete require.cache[key];
    const { rec } = await runProgram(pulumi, config);
    const fn = one(rec.resources, "aws:lambda/function:Function");
    const assets = (await fn.inputs.code.assets) as Record<string, { text?: Promise<string> }>;
    const index = assets["__index.js"];
    if (!index?.text) throw new Error("the function's archive has no __index.js");
    const invokeConfig = one(rec.resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");

    const targetedRules = new Set(
        rec.resources
            .filter((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget" && r.inputs.arn === fn.state.arn)
            .map((r) => r.inputs.rule as string),
    );
    const rules: BusRule[] = rec.resources
        .filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && targetedRules.has(r.state.name))
        .map((r) =>
            r.inputs.scheduleExpression
                ? { name: r.state.name, arn: r.state.arn, scheduleExpression: r.inputs.scheduleExpression as string }
                : { name: r.state.name, arn: r.state.arn, eventPattern: JSON.parse(r.inputs.eventPattern as string) },
        );
    return {
        indexJs: await index.text,
        environment: { ...(fn.inputs.environment?.variables ?? {}) },
        timeoutSeconds: fn.inputs.timeout,
        memoryMb: fn.inputs.memorySize,
        maximumRetryAttempts: invokeConfig.inputs.maximumRetryAttempts,
        maximumEventAgeSeconds: invokeConfig.inputs.maximumEventAgeInSeconds,
        rules,
        archiveMembers: Object.keys(assets).sort(),
    };
}
