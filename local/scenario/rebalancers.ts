// The rebalancer a scenario runs with, wired as deployed: `minimal` and `redeploy` are the program's own function
// (the closure Pulumi serialized, its environment, its rules and async-invocation settings, from the program
// run under mocks); `seed` is the reference architecture's algorithm with its own rule; `none` is ECS alone.
// The program's function is delivered as the stack says: `direct` (its rules invoke it asynchronously) or `queue`
// (its rules send to the SQS FIFO queue, the event source mapping invokes it with batches: queueLambda.ts).

import type { ECSClient } from "@aws-sdk/client-ecs";
import { deployUnderMocks } from "../deployedRebalancer";
import { LocalEventBus } from "../eventBus";
import { loadLambda, type LambdaHandlerFn } from "../lambdaHost";
import { LocalAsyncLambda } from "../lambdaRuntime";
import { LocalQueueLambda } from "../queueLambda";
import { createSeedHandler, seedEventPattern } from "../seedRebalancer";
import type { ScenarioWorld } from "./world";
import type { DashboardBody } from "../../infra/rebalancer/dashboardBody";

export const STRATEGY_NAMES = ["minimal", "redeploy", "seed", "none"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
export const DELIVERY_NAMES = ["direct", "queue"] as const;
export type DeliveryName = (typeof DELIVERY_NAMES)[number];

/** One line the function wrote (its structured logs), per invocation. */
export interface CapturedLog {
    invocation: number;
    record: Record<string, unknown> | string;
}

export interface RebalancerUnderTest {
    strategy: StrategyName;
    /** The access key the function signs with: the emulator's cause chains name it. */
    accessKeyId?: string;
    lambda?: LocalAsyncLambda | LocalQueueLambda;
    /** How events reach the function (minimal/redeploy; the others are direct). */
    delivery?: DeliveryName;
    bus?: LocalEventBus;
    logs: CapturedLog[];
    /** The stack config the program was run with (minimal/redeploy). */
    config?: Record<string, string>;
    /** The settings the function runs with, as its environment says. */
    environment?: Record<string, string>;
    /** The CloudWatch dashboard the program declares for it (minimal/redeploy). */
    dashboardBody?: DashboardBody;
    /**
     * minimal/redeploy: loads the deployed closure again, as a fresh Lambda container (its own clients and
     * memory), with `env` added to its environment; its output goes to `logs` unless `muted()` says it is dead.
     * Unused by default (one container serves every invocation); chaos runs replace killed containers with it.
     */
    newContainer?: (options?: ContainerOptions) => Promise<LambdaHandlerFn>;
}

export interface ContainerOptions {
    env?: Record<string, string>;
    /** While true, what the container prints is dropped (a killed container prints nothing more). */
    muted?: () => boolean;
}

export interface RebalancerOptions {
    /** Extra `ecs-rebalancer:*` stack config (skewThreshold, maxMovesPerPass, …). */
    config?: Record<string, string>;
    /** The schedule period (a whole number of minutes). */
    schedulePeriodSeconds?: number;
    /** minimal/redeploy: the stack's `delivery` (default direct). */
    delivery?: DeliveryName;
}

function rateExpression(seconds: number): string {
    const minutes = Math.round(seconds / 60);
    return `rate(${minutes} ${minutes === 1 ? "minute" : "minutes"})`;
}

/** Invocations numbered across the function's containers (the runner matches logs to invocations by it). */
interface InvocationCounter {
    value: number;
}

/** Collects what the function prints while it runs (Lambda sends it to CloudWatch; here, to the report). */
function capturingOutput(handler: LambdaHandlerFn, logs: CapturedLog[], counter: InvocationCounter = { value: 0 }, muted: () => boolean = () => false): LambdaHandlerFn {
    return async (event, context) => {
        const n = ++counter.value;
        const out = process.stdout.write, err = process.stderr.write;
        const capture = (chunk: unknown): boolean => {
            if (muted()) return true;
            for (const line of String(chunk).split("\n")) {
                if (line.trim() === "") continue;
                try {
                    logs.push({ invocation: n, record: JSON.parse(line) });
                } catch {
                    logs.push({ invocation: n, record: line });
                }
            }
            return true;
        };
        process.stdout.write = capture as typeof process.stdout.write;
        process.stderr.write = capture as typeof process.stderr.write;
        try {
            return await handler(event, context);
        } finally {
            process.stdout.write = out;
            process.stderr.write = err;
        }
    };
}

function awsEnvironment(world: ScenarioWorld, accessKeyId: string, functionName: string): Record<string, string> {
    const endpoint = world.emulator.endpoint!;
    return {
        AWS_REGION: world.scenario.region,
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: "local-secret",
        AWS_ENDPOINT_URL_ECS: endpoint,
        AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: endpoint,
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_LAMBDA_FUNCTION_NAME: functionName,
    };
}

export async function rebalancerFor(strategy: StrategyName, world: ScenarioWorld, options: RebalancerOptions = {}): Promise<RebalancerUnderTest> {
    const logs: CapturedLog[] = [];
    if (strategy === "none") return { strategy, logs };
    const clock = world.clock;

    if (strategy === "seed") {
        const accessKeyId = "AKIDLOCALSEED";
        const { ECSClient: Client } = require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs");
        const client: ECSClient = new Client({
            region: world.scenario.region,
            endpoint: world.emulator.endpoint!,
            credentials: { accessKeyId, secretAccessKey: "local-secret" },
            maxAttempts: 3,
        });
        const seed = createSeedHandler(client, world.scenario.cluster);
        const lambda = new LocalAsyncLambda(capturingOutput(async (event) => seed(event), logs), clock, { timeoutMs: 60_000, functionName: "seed" });
        const bus = new LocalEventBus(
            [{ name: "seed-instance-change", arn: `arn:aws:events:${world.scenario.region}:${world.emulator.accountId}:rule/seed`, eventPattern: seedEventPattern(world.clusterArn) }],
            lambda, clock, world.emulator.accountId, world.scenario.region,
        );
        return { strategy, accessKeyId, lambda, bus, logs };
    }

    const config: Record<string, string> = {
        createDemo: "false",
        targetClusters: JSON.stringify([world.clusterArn]),
        strategy,
        ...(options.schedulePeriodSeconds !== undefined ? { schedule: rateExpression(options.schedulePeriodSeconds) } : {}),
        ...(options.delivery === "queue" ? { delivery: "queue" } : {}),
        ...(options.config ?? {}),
    };
    const deployed = deployUnderMocks(config);
    const accessKeyId = "AKIDLOCALREBALANCER";
    const counter: InvocationCounter = { value: 0 };
    const newContainer = async (options: ContainerOptions = {}): Promise<LambdaHandlerFn> => {
        const handler = await loadLambda(deployed.indexJs, {
            env: { ...deployed.environment, ...awsEnvironment(world, accessKeyId, deployed.functionName), ...(options.env ?? {}) },
            now: () => clock.now(),
            // The function's waits (its write pacing) pass on the emulated clock, as the world goes on meanwhile.
            setTimeout: (fn: () => void, ms?: number) => {
                clock.advance(ms ?? 0);
                return setImmediate(fn);
            },
        });
        return capturingOutput(handler, logs, counter, options.muted);
    };
    const delivery: DeliveryName = options.delivery ?? "direct";
    let lambda: LocalAsyncLambda | LocalQueueLambda;
    let bus: LocalEventBus;
    if (delivery === "queue") {
        const q = deployed.queue;
        if (!q) throw new Error("delivery queue: the program deployed no event queue");
        // The local queue deduplicates by content and reads partial batch responses: the deployed one must too.
        if (!q.contentBasedDeduplication || !q.reportBatchItemFailures) throw new Error("delivery queue: the deployed queue lacks content-based deduplication or partial batch responses");
        lambda = new LocalQueueLambda(await newContainer(), clock, {
            timeoutMs: deployed.timeoutSeconds * 1000,
            functionName: deployed.functionName,
            batchSize: q.batchSize,
            visibilityTimeoutMs: q.visibilityTimeoutSeconds * 1000,
            maxReceiveCount: q.maxReceiveCount,
            queueArn: q.arn,
            region: world.scenario.region,
        }, logs);
        bus = new LocalEventBus([...deployed.rules, ...q.rules], lambda, clock, world.emulator.accountId, world.scenario.region);
    } else {
        lambda = new LocalAsyncLambda(await newContainer(), clock, {
            timeoutMs: deployed.timeoutSeconds * 1000,
            maximumRetryAttempts: deployed.maximumRetryAttempts,
            maximumEventAgeMs: deployed.maximumEventAgeSeconds * 1000,
            functionName: deployed.functionName,
        });
        bus = new LocalEventBus(deployed.rules, lambda, clock, world.emulator.accountId, world.scenario.region);
    }
    const dashboardBody = JSON.parse(deployed.dashboardBody) as DashboardBody;
    return { strategy, delivery, accessKeyId, lambda, bus, logs, config, environment: deployed.environment, dashboardBody, newContainer };
}
