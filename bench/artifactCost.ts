// Part 4: the Lambda artifact. The code archive is built as tests/infra/artifact.test.ts builds it (the program
// under Pulumi mocks, in a child process) and zipped with the project's zip writer; its cold start is the
// serialized handler in a fresh Node process per sample (bench/coldStart.js): loading __index.js, then the first
// pass — a scheduled sweep of a small balanced cluster on the local emulator (observe and plan; nothing to move).
// Node's own start-up, which Lambda's runtime pays before our code runs, is reported apart.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { EcsEmulator, VirtualClock } from "../local/emulator";
import type { BuiltArtifact } from "./artifactBuildChild";
import { median } from "./stats";
import { TARGETS } from "./targets";

const PROJECT_ROOT = resolve(__dirname, "..");
const CLUSTER = "bench";

export interface ArtifactCost {
    files: number;
    unzippedBytes: number;
    zippedBytes: number;
    indexJsBytes: number;
    packages: string[];
    samples: { loadMs: number; firstPassMs: number; processMs: number }[];
    medianLoadMs: number;
    medianFirstPassMs: number;
    /** Median of load + first pass per sample. */
    medianColdStartMs: number;
    /** Median wall time of the whole process (Node start-up included). */
    medianProcessMs: number;
    firstPassOutcome: string;
}

function buildArtifact(clusterArn: string, extraConfig: Record<string, string> = {}): BuiltArtifact {
    const config = { createDemo: "false", targetClusters: JSON.stringify([clusterArn]), ...extraConfig };
    const out = execFileSync(
        process.execPath,
        ["-r", require.resolve("ts-node/register/transpile-only", { paths: [PROJECT_ROOT] }), join(__dirname, "artifactBuildChild.ts"), JSON.stringify(config)],
        { cwd: PROJECT_ROOT, encoding: "utf8", maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
    );
    return JSON.parse(out.trim().split("\n").pop()!) as BuiltArtifact;
}

/** Three instances in three AZs, three services spread evenly: a pass that reads, plans and has nothing to do. */
async function smallCluster(): Promise<{ emulator: EcsEmulator; clock: VirtualClock; clusterArn: string; endpoint: string }> {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ clock, seed: 1 });
    const endpoint = await emulator.listen();
    const clusterArn = emulator.control.createCluster(CLUSTER);
    const ids = ["i-a", "i-b", "i-c"];
    ids.forEach((id, n) => emulator.control.registerInstance({ cluster: CLUSTER, ec2InstanceId: id, az: `us-east-1${"abc"[n]}` }));
    for (const name of ["web", "api", "worker"]) {
        const taskDefinition = emulator.control.registerTaskDefinition({
            family: name, networkMode: "bridge", requiresCompatibilities: ["EC2"],
            containerDefinitions: [{ name: "app", image: "nginx", cpu: 128, memory: 256, essential: true, portMappings: [{ containerPort: 80, hostPort: 0 }] }],
        });
        emulator.control.createService({
            cluster: CLUSTER, serviceName: name, taskDefinition, desiredCount: 3, launchType: "EC2", availabilityZoneRebalancing: "DISABLED",
            initialPlacement: Object.fromEntries(ids.map((id) => [id, 1])),
        });
    }
    clock.runUntilIdle();
    return { emulator, clock, clusterArn, endpoint };
}

function coldStartSample(dir: string, env: Record<string, string>): Promise<{ loadMs: number; firstPassMs: number; processMs: number; result: unknown }> {
    return new Promise((resolvePromise, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, [join(__dirname, "coldStart.js")], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "", stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("exit", (code) => {
            const processMs = performance.now() - started;
            if (code !== 0) return reject(new Error(`cold start sample exited ${code}: ${stderr.slice(0, 2000)}`));
            const line = stdout.trim().split("\n").pop()!;
            resolvePromise({ ...(JSON.parse(line) as { loadMs: number; firstPassMs: number; result: unknown }), processMs });
        });
    });
}

/**
 * `config`: extra stack config (e.g. `tracing: "true"`; each sample is then an invocation Lambda traces: a trace header
 * and a daemon address, where nothing listens, so the segments are sent and lost).
 */
export async function measureArtifact(options: { samples: number; config?: Record<string, string> }): Promise<ArtifactCost> {
    const world = await smallCluster();
    const built = buildArtifact(world.clusterArn, options.config);
    const runtimeModules = mkdtempSync(join(tmpdir(), "lambda-runtime-modules-"));
    try {
        // Lambda's nodejs runtime has the AWS SDK v3 on NODE_PATH; nothing else outside the archive.
        symlinkSync(join(PROJECT_ROOT, "node_modules", "@aws-sdk"), join(runtimeModules, "@aws-sdk"), "dir");
        const env: Record<string, string> = {
            PATH: process.env.PATH ?? "",
            NODE_PATH: runtimeModules,
            LAMBDA_TASK_ROOT: built.dir,
            AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
            AWS_LAMBDA_FUNCTION_NAME: built.functionName,
            ...built.environment,
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "AKIDBENCHCOLDSTART",
            AWS_SECRET_ACCESS_KEY: "bench",
            AWS_ENDPOINT_URL_ECS: world.endpoint,
            AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: world.endpoint,
            AWS_EC2_METADATA_DISABLED: "true",
            // The SDK's note that Node 20 is old (Lambda runs 22) is not the function's output.
            NODE_NO_WARNINGS: "1",
            AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
            ...(options.config?.tracing === "true"
                ? { _X_AMZN_TRACE_ID: "Root=1-6761a0b0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1", AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000" }
                : {}),
        };
        const samples: ArtifactCost["samples"] = [];
        let firstPassOutcome = "";
        for (let i = 0; i < options.samples; i++) {
            const s = await coldStartSample(built.dir, env);
            samples.push({ loadMs: s.loadMs, firstPassMs: s.firstPassMs, processMs: s.processMs });
            const clusters = (s.result as { clusters?: { outcome?: string; writes?: number }[] }).clusters ?? [];
            firstPassOutcome = clusters.length === 1 ? `${clusters[0].outcome ?? "?"}, ${clusters[0].writes ?? 0} write(s)` : JSON.stringify(s.result).slice(0, 200);
        }
        return {
            files: built.files,
            unzippedBytes: built.unzippedBytes,
            zippedBytes: built.zippedBytes,
            indexJsBytes: built.indexJsBytes,
            packages: built.packages,
            samples,
            medianLoadMs: median(samples.map((s) => s.loadMs)),
            medianFirstPassMs: median(samples.map((s) => s.firstPassMs)),
            medianColdStartMs: median(samples.map((s) => s.loadMs + s.firstPassMs)),
            medianProcessMs: median(samples.map((s) => s.processMs)),
            firstPassOutcome,
        };
    } finally {
        rmSync(runtimeModules, { recursive: true, force: true });
        rmSync(built.dir, { recursive: true, force: true });
        await world.emulator.close();
        world.clock.dispose();
    }
}

export function artifactLines(a: ArtifactCost): string[] {
    const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
    const zipOk = a.zippedBytes <= TARGETS.archiveZippedBytes;
    const coldOk = a.medianColdStartMs <= TARGETS.coldStartMs;
    return [
        `- Archive: ${a.files} files, ${kib(a.unzippedBytes)} unzipped, **${kib(a.zippedBytes)} zipped** (__index.js ${kib(a.indexJsBytes)}; packages: ${a.packages.join(", ")}). Target ≤ ${kib(TARGETS.archiveZippedBytes)} zipped: ${zipOk ? "met" : "MISSED"}.`,
        `- Cold start (median of ${a.samples.length} fresh processes): load ${a.medianLoadMs.toFixed(0)} ms + first pass ${a.medianFirstPassMs.toFixed(0)} ms = **${a.medianColdStartMs.toFixed(0)} ms** (first pass: ${a.firstPassOutcome}); the whole process, Node's start-up included, ${a.medianProcessMs.toFixed(0)} ms. Target ≤ ${TARGETS.coldStartMs} ms: ${coldOk ? "met" : "MISSED"}.`,
    ];
}
