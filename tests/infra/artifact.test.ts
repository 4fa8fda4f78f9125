// The deployment artifact: the code archive CallbackFunction builds for the rebalancer, checked the way Lambda will
// use it (unpacked on its own, loaded by a fresh Node process that only has the runtime's bundled AWS SDK).
import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { RUNTIME_PROVIDED_PACKAGES, TRACING_PACKAGES } from "../../infra/rebalancer/taskRebalancer";
import { createHandler } from "../../rebalancer/handler";
import { ProgramRun, RecordedResource, runProgram } from "../../local/pulumiMocks";
import { zip, ZipEntry } from "../../local/zip";

const PROJECT_ROOT = path.resolve(__dirname, "../..");
const MAX_ZIPPED_BYTES = 1024 * 1024;

type ArchiveMember = { path?: Promise<string>; text?: Promise<string> };

let run: ProgramRun;
let fn: RecordedResource;
let members: Record<string, ArchiveMember>;
let unpacked: string;
let indexJs: string;

/** Writes the archive's members into a fresh directory, as Lambda unpacks it into /var/task. */
async function unpack(archive: Record<string, ArchiveMember>): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-rebalancer-task-"));
    for (const [member, asset] of Object.entries(archive)) {
        const target = path.join(dir, member);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (asset.text !== undefined) fs.writeFileSync(target, await asset.text);
        else if (asset.path !== undefined) fs.cpSync(path.resolve(PROJECT_ROOT, await asset.path), target, { recursive: true, dereference: true });
        else throw new Error(`archive member ${member} is neither text nor a file`);
    }
    return dir;
}

function filesUnder(dir: string, prefix = ""): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        return e.isDirectory() ? filesUnder(path.join(dir, e.name), rel) : [rel];
    });
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(specifier: string): string {
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

beforeAll(async () => {
    run = await runProgram(pulumi, { createDemo: "false", targetClusters: JSON.stringify(["prod"]) });
    fn = run.rec.one("aws:lambda/function:Function");
    members = (await fn.inputs.code.assets) as Record<string, ArchiveMember>;
    unpacked = await unpack(members);
    indexJs = fs.readFileSync(path.join(unpacked, "__index.js"), "utf8");
});

afterAll(() => {
    if (unpacked) fs.rmSync(unpacked, { recursive: true, force: true });
});

it("the handler factory serializes as a Pulumi closure", async () => {
    // If this fails, CallbackFunction cannot build the archive; the error says which captured value is the problem.
    const serialized = await pulumi.runtime.serializeFunction(createHandler, { exportName: "handler", isFactoryFunction: true, allowSecrets: true });
    expect(serialized.text).toContain("exports.handler = ");
});

it("holds __index.js and the handler is __index.handler", () => {
    expect(Object.keys(members)).toContain("__index.js");
    expect(fn.inputs.handler).toBe("__index.handler");
    // The factory runs once per container; what it returns is the handler.
    expect(indexJs).toMatch(/^exports\.handler = __\w+\(\);$/m);
});

it("holds no @pulumi package, no dev dependency and none of the SDK clients the runtime provides", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
    const forbidden = ["@pulumi/", "aws-sdk/", ...Object.keys(pkg.devDependencies).map((d) => `${d}/`), ...RUNTIME_PROVIDED_PACKAGES.map((p) => `${p}/`)];
    const files = filesUnder(unpacked);
    for (const file of files) {
        const inModules = file.split("node_modules/").slice(1);
        for (const rest of inModules) for (const f of forbidden) expect({ file, forbidden: rest.startsWith(f) }).toEqual({ file, forbidden: false });
    }
    expect(files.some((f) => f.startsWith("node_modules/@aws-lambda-powertools/logger/"))).toBe(true);
});

it("leaves the tracer and the X-Ray SDK out when tracing is off (the default)", () => {
    const files = filesUnder(unpacked);
    for (const pkg of [...TRACING_PACKAGES, "aws-xray-sdk-core"]) expect({ pkg, packaged: files.some((f) => f.startsWith(`node_modules/${pkg}/`)) }).toEqual({ pkg, packaged: false });
});

it("requires only Node built-ins, packages inside the archive, or the runtime's bundled AWS SDK (the tracer only with tracing on)", () => {
    const specifiers = [...indexJs.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    for (const specifier of specifiers) {
        const builtin = specifier.startsWith("node:") || builtinModules.includes(specifier) || builtinModules.includes(specifier.split("/")[0]);
        const pkg = packageOf(specifier);
        const bundled = fs.existsSync(path.join(unpacked, "node_modules", pkg, "package.json"));
        const runtimeSdk = pkg.startsWith("@aws-sdk/");
        // Required by rebalancer/tracing.ts only when the container starts with REBALANCER_TRACING=true.
        const tracingOnly = TRACING_PACKAGES.includes(pkg) && fn.inputs.environment.variables.REBALANCER_TRACING === "false";
        expect({ specifier, resolvable: builtin || bundled || runtimeSdk || tracingOnly }).toEqual({ specifier, resolvable: true });
        expect(specifier.startsWith("@pulumi/")).toBe(false);
        expect(specifier.startsWith(".")).toBe(false);
    }
});

it("loads in a fresh Node process with only the runtime's AWS SDK on NODE_PATH, and exports a handler function", () => {
    // Lambda's nodejs22.x runtime puts its bundled AWS SDK v3 on NODE_PATH; mimic that with @aws-sdk only, so a
    // package missing from the archive (Powertools, say) fails here as it would in Lambda.
    const runtimeModules = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-runtime-modules-"));
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", "@aws-sdk"), path.join(runtimeModules, "@aws-sdk"), "dir");
    try {
        const script = [
            'const m = require(require("path").join(process.cwd(), "__index.js"));',
            'if (typeof m.handler !== "function") { console.error("handler is " + typeof m.handler); process.exit(2); }',
            'console.log(JSON.stringify({ handler: typeof m.handler }));',
        ].join("\n");
        const result = spawnSync(process.execPath, ["-e", script], {
            cwd: unpacked,
            encoding: "utf8",
            timeout: 30000,
            env: {
                PATH: process.env.PATH,
                NODE_PATH: runtimeModules,
                LAMBDA_TASK_ROOT: unpacked,
                AWS_REGION: "us-east-1",
                AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
                AWS_LAMBDA_FUNCTION_NAME: fn.state.name,
                ...(fn.inputs.environment.variables as Record<string, string>),
            },
        });
        // Warnings (the SDK's note that Node 20 is old: Lambda runs 22) are fine; a failed require is not.
        expect({ status: result.status, error: result.status === 0 ? "" : result.stderr }).toEqual({ status: 0, error: "" });
        expect(JSON.parse(result.stdout.trim().split("\n").pop() as string)).toEqual({ handler: "function" });
    } finally {
        fs.rmSync(runtimeModules, { recursive: true, force: true });
    }
});

it(`stays small: at most ${MAX_ZIPPED_BYTES / 1024} KiB zipped (size printed)`, () => {
    const entries: ZipEntry[] = filesUnder(unpacked)
        .sort()
        .map((file) => ({ path: file, data: fs.readFileSync(path.join(unpacked, file)) }));
    const zipped = zip(entries);
    const unzippedBytes = entries.reduce((n, e) => n + e.data.length, 0);
    const packages = Object.keys(members).filter((m) => m.startsWith("node_modules/"));
    console.log(
        `Lambda archive: ${entries.length} files, ${(unzippedBytes / 1024).toFixed(1)} KiB unzipped, ${(zipped.length / 1024).toFixed(1)} KiB zipped ` +
            `(__index.js ${(Buffer.byteLength(indexJs) / 1024).toFixed(1)} KiB; packages: ${packages.map((p) => p.slice("node_modules/".length)).join(", ")})`,
    );
    expect(zipped.length).toBeLessThanOrEqual(MAX_ZIPPED_BYTES);
});
