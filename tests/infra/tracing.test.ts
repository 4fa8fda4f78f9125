// tracing: true. The program turns on Lambda's active tracing, lets the role send trace segments and packages
// Powertools' Tracer; the archive it builds, loaded as Lambda loads it (Lambda's environment variables, a trace
// header, X-Ray's daemon address), sends a subsegment for the invocation, one per cluster pass and one per ECS call to
// a daemon listening on loopback, while its ECS calls go to the local emulator.
import * as pulumi from "@pulumi/pulumi";
import { execFile } from "node:child_process";
import dgram from "node:dgram";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { json, runProgram, type ProgramRun, type RecordedResource } from "../../local/pulumiMocks";
import { zip } from "../../local/zip";
import { startHarness, type Harness } from "../emulator/helpers";

const PROJECT_ROOT = path.resolve(__dirname, "../..");
const MAX_ZIPPED_BYTES = 1024 * 1024;

let run: ProgramRun;
let fn: RecordedResource;
let unpacked: string;

async function unpack(archive: Record<string, { path?: Promise<string>; text?: Promise<string> }>): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-rebalancer-traced-"));
    for (const [member, asset] of Object.entries(archive)) {
        const target = path.join(dir, member);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (asset.text !== undefined) fs.writeFileSync(target, await asset.text);
        else fs.cpSync(path.resolve(PROJECT_ROOT, (await asset.path)!), target, { recursive: true, dereference: true });
    }
    return dir;
}

function filesUnder(dir: string, prefix = ""): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        return e.isDirectory() ? filesUnder(path.join(dir, e.name), rel) : [rel];
    });
}

beforeAll(async () => {
    run = await runProgram(pulumi, { createDemo: "false", targetClusters: JSON.stringify(["prod"]), tracing: "true" });
    fn = run.rec.one("aws:lambda/function:Function");
    unpacked = await unpack(await fn.inputs.code.assets);
});
afterAll(() => {
    if (unpacked) fs.rmSync(unpacked, { recursive: true, force: true });
});

test("Lambda's active tracing, the setting in the function's environment, and the role may send its segments", () => {
    expect(fn.inputs.tracingConfig).toEqual({ mode: "Active" });
    expect(fn.inputs.environment.variables.REBALANCER_TRACING).toBe("true");
    const statements = json(run.rec.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
    expect(statements.find((s: { Sid: string }) => s.Sid === "WriteTraces")).toEqual({
        Sid: "WriteTraces", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*",
    });
});

test(`packages the tracer and the X-Ray SDK, and stays at most ${MAX_ZIPPED_BYTES / 1024} KiB zipped (size printed)`, () => {
    const files = filesUnder(unpacked).sort();
    expect(files.some((f) => f.startsWith("node_modules/@aws-lambda-powertools/tracer/"))).toBe(true);
    expect(files.some((f) => f.startsWith("node_modules/aws-xray-sdk-core/"))).toBe(true);
    const zipped = zip(files.map((f) => ({ path: f, data: fs.readFileSync(path.join(unpacked, f)) })));
    console.log(`Lambda archive with tracing: ${files.length} files, ${(zipped.length / 1024).toFixed(1)} KiB zipped`);
    expect(zipped.length).toBeLessThanOrEqual(MAX_ZIPPED_BYTES);
});

describe("the traced function, loaded as Lambda loads it", () => {
    let h: Harness;
    let daemon: dgram.Socket;
    const segments: Array<Record<string, any>> = [];
    let result: Record<string, any>;
    const TRACE_ID = "1-6761a0b0-0123456789abcdef01234567";

    beforeAll(async () => {
        h = await startHarness();
        const clusterArn = h.emulator.control.createCluster("traced");
        daemon = dgram.createSocket("udp4");
        daemon.on("message", (msg) => {
            // Each datagram: a header line, then one segment document.
            const [, body] = msg.toString("utf8").split("\n");
            if (body) segments.push(JSON.parse(body));
        });
        await new Promise<void>((resolve) => daemon.bind(0, "127.0.0.1", resolve));
        const runtimeModules = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-runtime-modules-"));
        fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", "@aws-sdk"), path.join(runtimeModules, "@aws-sdk"), "dir");
        const script = [
            'const m = require(require("path").join(process.cwd(), "__index.js"));',
            'const event = { version: "0", id: "t", "detail-type": "Scheduled Event", source: "aws.events", detail: {} };',
            'const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: "r-1", getRemainingTimeInMillis: () => 300000 };',
            // Segments go out over UDP as subsegments close; give them a moment before the process ends.
            'm.handler(event, context).then((r) => setTimeout(() => { process.stderr.write("RESULT " + JSON.stringify(r) + "\\n"); process.exit(0); }, 300),',
            '  (e) => { process.stderr.write("ERROR " + e.stack + "\\n"); process.exit(1); });',
        ].join("\n");
        const env = {
            PATH: process.env.PATH ?? "",
            NODE_PATH: runtimeModules,
            ...(fn.inputs.environment.variables as Record<string, string>),
            REBALANCER_CLUSTERS: clusterArn,
            LAMBDA_TASK_ROOT: unpacked,
            AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
            AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
            AWS_LAMBDA_FUNCTION_NAME: fn.state.name,
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "AKIDTRACED",
            AWS_SECRET_ACCESS_KEY: "secret",
            AWS_ENDPOINT_URL_ECS: h.endpoint,
            AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: h.endpoint,
            AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
            _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`,
        };
        const stderr = await new Promise<string>((resolve) => {
            execFile(process.execPath, ["-e", script], { cwd: unpacked, env, timeout: 60_000 }, (_err, _out, err) => resolve(String(err)));
        });
        fs.rmSync(runtimeModules, { recursive: true, force: true });
        const line = stderr.split("\n").find((l) => l.startsWith("RESULT ") || l.startsWith("ERROR "));
        if (!line?.startsWith("RESULT ")) throw new Error(`the traced function failed:\n${stderr}`);
        result = JSON.parse(line.slice("RESULT ".length));
    });
    afterAll(async () => {
        daemon?.close();
        await h?.close();
    });

    test("the pass ran against the emulator", () => {
        expect(result).toMatchObject({ trigger: "schedule", clusters: [{ cluster: "traced", outcome: "completed" }] });
    });

    test("it sent the invocation's subsegment, the pass's under it (annotated), and the ECS calls under the pass", () => {
        expect(segments.every((s) => s.trace_id === TRACE_ID)).toBe(true);
        const invocation = segments.find((s) => s.name === "## ecs-rebalancer");
        expect(invocation).toBeDefined();
        expect(invocation!.annotations).toMatchObject({ ColdStart: true, Service: "ecs-rebalancer" });
        const pass = segments.find((s) => s.name === "### pass traced");
        expect(pass).toMatchObject({ parent_id: invocation!.id, annotations: { cluster: "traced", outcome: "completed", tasksMoved: 0, dryRun: false } });
        const calls = segments.filter((s) => s.namespace === "aws" && s.parent_id === pass!.id);
        expect(calls.map((c) => c.aws?.operation)).toEqual(expect.arrayContaining(["ListServices", "ListContainerInstances"]));
    });
});
