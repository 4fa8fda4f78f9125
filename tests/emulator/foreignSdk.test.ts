// Foreign SDKs drive the emulator as before: the AWS CLI and boto3 (botocore's JSON protocol, its SigV4 signing and
// its error parsing) against an emulator on 127.0.0.1, configured only through the environment (AWS_ENDPOINT_URL,
// dummy credentials, no instance metadata, empty config files: nothing can reach real AWS). Run in one ECS profile
// (the API surface is the same in every profile); skipped, saying why, without `aws` or boto3.

import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { EcsEmulator, ScaledClock, type RootCause, type TaskChange } from "../../local/emulator";
import { PROFILE } from "./helpers";

const run = promisify(execFile);
const ACCESS_KEY = "AKIDFOREIGNSDK";

function unavailable(): string | undefined {
    if (PROFILE !== "service-page") return `runs in the service-page profile only (this run: ${PROFILE})`;
    if (spawnSync("aws", ["--version"], { encoding: "utf8" }).status !== 0) return "the AWS CLI (aws) is not installed";
    const boto3 = spawnSync("python3", ["-c", "import boto3"], { encoding: "utf8" });
    if (boto3.status !== 0) return "python3 with boto3 is not installed";
    return undefined;
}

const skipReason = unavailable();
const foreignTest = skipReason === undefined ? test : test.skip;
const label = (name: string) => (skipReason === undefined ? name : `${name} — skipped: ${skipReason}`);

/** The environment of every foreign process: only what it needs, the endpoint on loopback, dummy credentials. */
function isolatedEnvironment(endpoint: string, home: string): NodeJS.ProcessEnv {
    const empty = join(home, "empty");
    writeFileSync(empty, "");
    return {
        PATH: process.env.PATH,
        ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
        HOME: home,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: "dummy-secret",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_REGION: "us-east-1",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: empty,
        AWS_SHARED_CREDENTIALS_FILE: empty,
        AWS_MAX_ATTEMPTS: "1",
        AWS_PAGER: "",
    };
}

interface World {
    emulator: EcsEmulator;
    clock: ScaledClock;
    env: NodeJS.ProcessEnv;
    home: string;
    changes: TaskChange[];
}

async function withWorld(body: (w: World) => Promise<void>): Promise<void> {
    // Fast emulated time (a task starts in 5 ms of real time), so polling clients see the scheduler act.
    const clock = new ScaledClock(1000);
    const emulator = new EcsEmulator({ clock, profile: PROFILE });
    const endpoint = await emulator.listen();
    const home = mkdtempSync(join(tmpdir(), "foreign-sdk-"));
    const changes: TaskChange[] = [];
    emulator.onTaskChange((c) => changes.push(c));
    try {
        await body({ emulator, clock, env: isolatedEnvironment(endpoint, home), home, changes });
    } finally {
        await emulator.close();
        clock.dispose();
        rmSync(home, { recursive: true, force: true });
    }
}

async function aws(w: World, ...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run("aws", [...args, "--output", "json"], { env: w.env, timeout: 30_000 });
    return stdout.trim() === "" ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

/** The CLI's answer to a call ECS refuses: its exit status and message. */
async function awsFailure(w: World, ...args: string[]): Promise<string> {
    try {
        await run("aws", args, { env: w.env, timeout: 30_000 });
    } catch (e) {
        return String((e as { stderr?: string }).stderr);
    }
    throw new Error(`aws ${args.join(" ")} succeeded`);
}

async function until(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}

function registerInstances(emulator: EcsEmulator, cluster: string): void {
    emulator.control.registerInstance({ cluster, ec2InstanceId: `${cluster}-a`, az: "us-east-1a" });
    emulator.control.registerInstance({ cluster, ec2InstanceId: `${cluster}-b`, az: "us-east-1b" });
}

const running = (emulator: EcsEmulator, cluster: string, service: string) =>
    Object.values(emulator.control.tasksPerInstance(cluster, service, true)).reduce((a, b) => a + b, 0);

foreignTest(label("the AWS CLI creates, deploys, reads and stops through the emulator"), async () => {
    await withWorld(async (w) => {
        const cluster = (await aws(w, "ecs", "create-cluster", "--cluster-name", "cli")).cluster;
        expect(cluster).toMatchObject({ clusterName: "cli", status: "ACTIVE" });
        const containers = JSON.stringify([{ name: "web", image: "example/web:1", cpu: 128, memory: 128, essential: true }]);
        const registered = await aws(w, "ecs", "register-task-definition", "--family", "web", "--network-mode", "bridge",
            "--container-definitions", containers);
        expect(registered.taskDefinition).toMatchObject({ family: "web", revision: 1 });
        registerInstances(w.emulator, "cli");
        const config = JSON.stringify({ strategy: "CANARY", canaryConfiguration: { canaryPercent: 20 }, bakeTimeInMinutes: 1 });
        const created = await aws(w, "ecs", "create-service", "--cluster", "cli", "--service-name", "web",
            "--task-definition", "web", "--desired-count", "2", "--deployment-configuration", config);
        expect((created.service as { deploymentConfiguration: unknown }).deploymentConfiguration).toMatchObject({
            strategy: "CANARY",
            canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 10 },
        });
        await until(() => running(w.emulator, "cli", "web") === 2, "2 running tasks");
        const [taskArns, services] = await Promise.all([
            aws(w, "ecs", "list-tasks", "--cluster", "cli", "--service-name", "web"),
            aws(w, "ecs", "describe-services", "--cluster", "cli", "--services", "web"),
        ]);
        expect((taskArns.taskArns as string[]).length).toBe(2);
        expect((services.services as unknown[])[0]).toMatchObject({ runningCount: 2, status: "ACTIVE" });
        const victim = (taskArns.taskArns as string[])[0]!;
        const stopped = await aws(w, "ecs", "stop-task", "--cluster", "cli", "--task", victim, "--reason", "cli says stop");
        expect(stopped.task).toMatchObject({ taskArn: victim, desiredStatus: "STOPPED", stoppedReason: "cli says stop" });
        const providers = await aws(w, "ecs", "describe-capacity-providers");
        expect(providers).toHaveProperty("capacityProviders");
        // An ECS error reaches the CLI as ECS's error code, parsed by botocore.
        expect(await awsFailure(w, "ecs", "describe-services", "--cluster", "nowhere", "--services", "web")).toMatch(/ClusterNotFoundException/);
        // The calls reached the emulator, signed with the dummy key, from the CLI.
        expect(w.emulator.apiCalls).toMatchObject({
            CreateCluster: 1,
            RegisterTaskDefinition: 1,
            CreateService: 1,
            ListTasks: 1,
            DescribeServices: 2,
            StopTask: 1,
        });
        const stop = w.changes.find((c) => c.taskArn === victim && c.to === "STOPPED")!;
        const root = stop.cause.root as Extract<RootCause, { type: "api" }>;
        expect(root).toMatchObject({ type: "api", operation: "StopTask", accessKeyId: ACCESS_KEY });
        expect(root.userAgent).toMatch(/aws-cli\//);
    });
});

foreignTest(label("boto3 drives a service through its life: create, read, scale, tag, untag, stop, errors"), async () => {
    await withWorld(async (w) => {
        const script = run("python3", [join(__dirname, "foreignSdk.py")], { env: w.env, timeout: 60_000 });
        // The script creates its cluster; the instances' agents register once it exists.
        await until(() => w.emulator.apiCalls.CreateCluster === 1, "the cluster");
        registerInstances(w.emulator, "boto");
        const { stdout } = await script;
        const out = JSON.parse(stdout) as Record<string, unknown>;
        expect(out.cluster).toBe("ACTIVE");
        expect(out.taskDefinition).toBe("arn:aws:ecs:us-east-1:123456789012:task-definition/worker:1");
        expect(out.createdStrategy).toBe("LINEAR");
        expect(out.tasks).toEqual(["RUNNING service:worker"]);
        expect(out.instances).toEqual([["boto-a", 1], ["boto-b", 1]]);
        expect(out.tags).toEqual([{ key: "team", value: "python" }]);
        expect(out.stopped).toEqual(["STOPPED", "boto3 says stop"]);
        expect(out.capacityProviders).toEqual({ names: expect.any(Array) });
        expect(out.validation).toEqual([
            "InvalidParameterException",
            "deploymentConfiguration.bakeTimeInMinutes is required with strategy BLUE_GREEN (0 to 1440 minutes).",
        ]);
        expect(running(w.emulator, "boto", "worker")).toBe(3);
        const stop = w.changes.find((c) => c.to === "STOPPED" && c.cause.root.type === "api")!;
        expect((stop.cause.root as Extract<RootCause, { type: "api" }>).userAgent).toMatch(/Boto3\//);
    });
});
