// Child process of artifactCost.ts: runs the program under Pulumi mocks (as tests/infra/artifact.test.ts does, in
// a process of its own as `pulumi up` would), unpacks the function's code archive into a fresh directory as
// Lambda unpacks it into /var/task, zips it with the project's zip writer, and prints what it built as JSON.

import * as pulumi from "@pulumi/pulumi";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { runProgram } from "../local/pulumiMocks";
import { zip, type ZipEntry } from "../local/zip";

export interface BuiltArtifact {
    dir: string;
    files: number;
    unzippedBytes: number;
    zippedBytes: number;
    indexJsBytes: number;
    packages: string[];
    environment: Record<string, string>;
    handler: string;
    functionName: string;
}

const PROJECT_ROOT = resolve(__dirname, "..");

type ArchiveMember = { path?: Promise<string>; text?: Promise<string> };

function filesUnder(dir: string, prefix = ""): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        return e.isDirectory() ? filesUnder(join(dir, e.name), rel) : [rel];
    });
}

async function main(config: Record<string, string>): Promise<BuiltArtifact> {
    const { rec } = await runProgram(pulumi, config);
    const fn = rec.one("aws:lambda/function:Function");
    const members = (await fn.inputs.code.assets) as Record<string, ArchiveMember>;
    const dir = mkdtempSync(join(tmpdir(), "ecs-rebalancer-bench-task-"));
    for (const [member, asset] of Object.entries(members)) {
        const target = join(dir, member);
        mkdirSync(dirname(target), { recursive: true });
        if (asset.text !== undefined) writeFileSync(target, await asset.text);
        else if (asset.path !== undefined) cpSync(resolve(PROJECT_ROOT, await asset.path), target, { recursive: true, dereference: true });
        else throw new Error(`archive member ${member} is neither text nor a file`);
    }
    const entries: ZipEntry[] = filesUnder(dir).sort().map((file) => ({ path: file, data: readFileSync(join(dir, file)) }));
    return {
        dir,
        files: entries.length,
        unzippedBytes: entries.reduce((n, e) => n + e.data.length, 0),
        zippedBytes: zip(entries).length,
        indexJsBytes: readFileSync(join(dir, "__index.js")).length,
        packages: Object.keys(members).filter((m) => m.startsWith("node_modules/")).map((m) => m.slice("node_modules/".length)),
        environment: { ...(fn.inputs.environment?.variables ?? {}) },
        handler: fn.inputs.handler,
        functionName: fn.state.name,
    };
}

main(JSON.parse(process.argv[2])).then(
    (built) => {
        process.stdout.write(JSON.stringify(built) + "\n");
        process.exit(0);
    },
    (err) => {
        console.error(err instanceof Error ? err.stack ?? err.message : err);
        process.exit(1);
    },
);
