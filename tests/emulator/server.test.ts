// Server mode: `ts-node local/emulator/server.ts --port P --speed X` (the `emulator` npm script) starts empty on
// 127.0.0.1, prints its endpoint, serves any SDK, and stops cleanly on SIGTERM.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { CreateClusterCommand, ListClustersCommand } from "@aws-sdk/client-ecs";
import { EcsEmulator, ScaledClock } from "../../local/emulator";
import { parseServerArgs } from "../../local/emulator/server";
import { ecsClient } from "./helpers";

const ROOT = join(__dirname, "../..");

test("the command starts, answers the SDK, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", "local/emulator/server.ts", "--port", "0", "--speed", "60"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
        const endpoint = await new Promise<string>((resolve, reject) => {
            child.stdout.on("data", (d: Buffer) => {
                output += d.toString();
                const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
                if (m) resolve(m[1]!);
            });
            child.once("exit", () => reject(new Error(`server exited early:\n${output}`)));
        });
        expect(output).toMatch(/clock speed ×60/);
        const ecs = ecsClient(endpoint);
        try {
            expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
            await ecs.send(new CreateClusterCommand({ clusterName: "demo" }));
            expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual(["arn:aws:ecs:us-east-1:123456789012:cluster/demo"]);
        } finally {
            ecs.destroy();
        }
        child.kill("SIGTERM");
        expect(await exited).toBe(0);
        expect(output).toMatch(/ECS emulator stopped/);
    } finally {
        child.kill("SIGKILL");
    }
}, 30_000);

test("command-line arguments", () => {
    expect(parseServerArgs([])).toEqual({ port: 0, speed: 1, seed: 1, region: "us-east-1", ecsProfile: "service-page" });
    expect(parseServerArgs(["--port", "8123", "--speed", "10", "--seed", "4", "--region", "eu-west-1", "--ecs-profile", "adversarial"]))
        .toEqual({ port: 8123, speed: 10, seed: 4, region: "eu-west-1", ecsProfile: "adversarial" });
    expect(() => parseServerArgs(["--ecs-profile", "strict"])).toThrow(/--ecs-profile must be one of service-page, placement-page, adversarial/);
    expect(() => parseServerArgs(["--speed", "0"])).toThrow(/--speed/);
    expect(() => parseServerArgs(["--port", "70000"])).toThrow(/--port/);
    expect(() => parseServerArgs(["--bogus"])).toThrow(/unknown argument/);
});

test("listen binds 127.0.0.1 and close releases the port", async () => {
    const emulator = new EcsEmulator({ clock: new ScaledClock(1) });
    const endpoint = await emulator.listen();
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(endpoint).port);
    await emulator.close();
    // The same port can be bound again at once.
    const again = new EcsEmulator();
    expect(await again.listen(port)).toBe(endpoint);
    await again.close();
});
