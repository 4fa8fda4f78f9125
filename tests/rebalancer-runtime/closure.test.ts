// The handler as Pulumi deploys it: the runtime bundle captured by a callbackFactory that instantiates it, serialized,
// then loaded in a fresh Node process (no jest, no ts) with nothing but node_modules, the way the Lambda runtime
// loads __index.js.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadRuntimeBundle } from "../../rebalancer/bundleLoader";
import { bundleRuntime } from "../../infra/rebalancer/runtimeBundle";
import { settingsToEnv, defaultSettings } from "../../rebalancer/settings";

/** What the infra writes into the function's environment, plus what Lambda sets. */
const LAMBDA_ENV = {
    PATH: process.env.PATH ?? "",
    NODE_PATH: resolve(__dirname, "../../node_modules"),
    AWS_REGION: "us-east-1",
    ...settingsToEnv(defaultSettings(["arn:aws:ecs:us-east-1:111122223333:cluster/demo"])),
};

test("the handler's bundle serializes, requires only package names, and runs in a fresh process", async () => {
    const source = bundleRuntime(resolve(__dirname, "../../rebalancer/handler.ts"), resolve(__dirname, "../.."));
    const factory = () => loadRuntimeBundle(source).createHandler();
    const serialized = await pulumi.runtime.serializeFunction(factory as never, { isFactoryFunction: true, exportName: "handler", allowSecrets: true });
    // The bundle is captured as a string: its requires are those of the code the container runs.
    const requires = [...new Set([...source.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
    // No deep paths (the runtime's SDK is found by package name), no @pulumi, no local files.
    // The tracer is required only when the container starts with tracing on (and is packaged only then).
    expect(requires).toEqual([
        "@aws-lambda-powertools/logger", "@aws-lambda-powertools/metrics", "@aws-lambda-powertools/tracer",
        "@aws-sdk/client-application-auto-scaling", "@aws-sdk/client-ecs",
    ]);

    const dir = mkdtempSync(join(tmpdir(), "rebalancer-closure-"));
    writeFileSync(join(dir, "__index.js"), serialized.text);
    writeFileSync(
        join(dir, "run.js"),
        `const m = require("./__index.js");
         m.handler({ source: "aws.ec2", "detail-type": "x", detail: {} }, {}).then((r) => process.stdout.write("RESULT " + JSON.stringify(r) + "\\n"));`,
    );
    const out = execFileSync(process.execPath, [join(dir, "run.js")], { env: LAMBDA_ENV, encoding: "utf8", timeout: 30_000 });
    const result = out.split("\n").find((l) => l.startsWith("RESULT "));
    expect(JSON.parse(result!.slice("RESULT ".length))).toEqual({ trigger: "ignored", why: "source aws.ec2 is not handled", clusters: [] });
});
