// The rebalancer exactly as the program deploys it, for local runs: the Pulumi program (index.ts) is run under
// mocks with a stack config — in a process of its own, as `pulumi up` runs it — and what it declared is read
// back: the function's code archive (`__index.js`, the closure Pulumi serialized), its environment, timeout and
// async-invocation settings, and the EventBridge rules that target it (patterns and schedule).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BusRule } from "./eventBus";
import type { InputTransformer } from "../rebalancer/eventPatterns";

/** A rule whose target is the event queue (`delivery: queue`): the message group it sends with, its input. */
export type QueueRule = BusRule & { messageGroupId: string; inputTransformer?: InputTransformer };

/** `delivery: queue`: the FIFO queue, its redrive, and the event source mapping that invokes the function. */
export interface DeployedQueue {
    arn: string;
    visibilityTimeoutSeconds: number;
    maxReceiveCount: number;
    contentBasedDeduplication: boolean;
    batchSize: number;
    maximumConcurrency: number;
    reportBatchItemFailures: boolean;
    rules: QueueRule[];
}

export interface DeployedRebalancer {
    indexJs: string;
    /** The function's name as the mocks named it (the dashboard's and the cold-start metric's dimension). */
    functionName: string;
    /** The stack's CloudWatch dashboard body (JSON, as declared). */
    dashboardBody: string;
    environment: Record<string, string>;
    timeoutSeconds: number;
    memoryMb: number;
    maximumRetryAttempts: number;
    maximumEventAgeSeconds: number;
    rules: BusRule[];
    /** Present with `delivery: queue`. */
    queue?: DeployedQueue;
    /** The archive's member paths (for reports). */
    archiveMembers: string[];
}

const PROJECT_ROOT = join(__dirname, "..");
const deployed = new Map<string, DeployedRebalancer>();

/**
 * Runs index.ts under mocks with `config` (keys of the `ecs-rebalancer` namespace) and returns what it deployed.
 * The same config is deployed once per process.
 */
export function deployUnderMocks(config: Record<string, string>): DeployedRebalancer {
    const key = JSON.stringify(Object.entries(config).sort());
    let result = deployed.get(key);
    if (!result) {
        const dir = mkdtempSync(join(tmpdir(), "ecs-rebalancer-deploy-"));
        try {
            const out = join(dir, "deployed.json");
            execFileSync(
                process.execPath,
                ["-r", require.resolve("ts-node/register/transpile-only", { paths: [PROJECT_ROOT] }), join(__dirname, "deployProgram.ts"), JSON.stringify(config), out],
                { cwd: PROJECT_ROOT, stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 },
            );
            result = JSON.parse(readFileSync(out, "utf8")) as DeployedRebalancer;
        } catch (e) {
            const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
            throw new Error(`running the program under mocks failed${stderr ? `:\n${stderr}` : `: ${(e as Error).message}`}`);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
        deployed.set(key, result);
    }
    return result;
}
