// Delivery `queue`, end to end as deployed: the program is run under Pulumi mocks with delivery=queue, and the
// function's serialized closure (__index.js) is loaded as the Lambda runtime loads it, with the function's environment,
// against the emulated ECS. It is handed SQS batches whose bodies are what the deployed rules send: the ECS event
// itself, and the cluster's sweep message rendered from the deployed sweep target's input transformer.
import * as pulumi from "@pulumi/pulumi";
import { applyInputTransformer } from "../../local/inputTransformer";
import { loadLambda, type LambdaHandlerFn } from "../../local/lambdaHost";
import { runProgram, type RecordedResource } from "../../local/pulumiMocks";
import { PASS_START_MARGIN_MS } from "../../rebalancer/pass";
import { REBALANCER_KEY } from "./support/rebalancerRun";
import { isWrite } from "./support/requestLog";
import { startWorld, type World } from "./support/world";

let world: World;
let deployed: LambdaHandlerFn;
let sweepTarget: RecordedResource;
let sequence = 0;

function batch(...bodies: string[]) {
    return {
        Records: bodies.map((body) => ({
            messageId: `m-${++sequence}`,
            receiptHandle: `h-${sequence}`,
            body,
            attributes: { ApproximateReceiveCount: "1", MessageGroupId: "g" },
            messageAttributes: {},
            md5OfBody: "x",
            eventSource: "aws:sqs",
            eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:rebalancer-events.fifo",
            awsRegion: "us-east-1",
        })),
    };
}

function sweepMessage(id: string): string {
    const scheduled = {
        version: "0", id, "detail-type": "Scheduled Event", source: "aws.events", account: "123456789012",
        time: new Date(world.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"), region: "us-east-1", resources: [], detail: {},
    };
    return applyInputTransformer(sweepTarget.inputs.inputTransformer, scheduled);
}

const context = (remainingMs: number) => ({ functionName: "rebalancer-function", awsRequestId: `r-${sequence}`, getRemainingTimeInMillis: () => remainingMs });

beforeAll(async () => {
    world = await startWorld({});
    const { rec } = await runProgram(pulumi, { createDemo: "false", targetClusters: JSON.stringify([world.scenario.clusterArn]), delivery: "queue" });
    const fn = rec.one("aws:lambda/function:Function");
    const assets = (await fn.inputs.code.assets) as Record<string, { text?: Promise<string> }>;
    const indexJs = await assets["__index.js"].text!;
    const rules = rec.ofType("aws:cloudwatch/eventRule:EventRule");
    sweepTarget = rec.ofType("aws:cloudwatch/eventTarget:EventTarget").find((t) => rules.find((r) => r.state.name === t.inputs.rule)?.inputs.scheduleExpression)!;
    deployed = await loadLambda(indexJs, {
        env: {
            ...(fn.inputs.environment.variables as Record<string, string>),
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: REBALANCER_KEY,
            AWS_SECRET_ACCESS_KEY: "e2e-secret",
            AWS_ENDPOINT_URL_ECS: world.endpoint,
            AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: world.endpoint,
            AWS_EC2_METADATA_DISABLED: "true",
        },
        now: () => world.clock.now(),
        setTimeout: (fn: () => void, ms?: number) => {
            world.clock.advance(ms ?? 0);
            return setImmediate(fn);
        },
    });
}, 120_000);

afterAll(async () => {
    await world?.close();
});

const passesSince = (mark: number) => world.requests.by(REBALANCER_KEY, mark).filter((r) => r.operation === "ListContainerInstances").length;

test("a batch of the cluster's event (twice), its sweep message and a malformed body: one pass, nothing redelivered", async () => {
    const mark = world.requests.length;
    const event = JSON.stringify(world.scenario.registrationEvent);
    const response = await deployed(batch(event, sweepMessage("sweep-1"), "{ not json", event), context(300_000));
    // Exactly Lambda's partial batch response, nothing else in it.
    expect(response).toEqual({ batchItemFailures: [] });
    // One read of the cluster's instances: one pass (ListServices pages), and it moved tasks.
    expect(passesSince(mark)).toBe(1);
    expect(world.requests.by(REBALANCER_KEY, mark).filter(isWrite).length).toBeGreaterThan(0);
});

test("too little time left: every record but the malformed one is returned for redelivery, and ECS is not called", async () => {
    const mark = world.requests.length;
    const b = batch(sweepMessage("sweep-2"), "garbage", sweepMessage("sweep-3"));
    const response = await deployed(b, context(PASS_START_MARGIN_MS - 1));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: b.Records[0].messageId }, { itemIdentifier: b.Records[2].messageId }] });
    expect(world.requests.by(REBALANCER_KEY, mark)).toEqual([]);
});
