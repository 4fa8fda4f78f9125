// The files a user edits or reads agree with the code: Pulumi.yaml declares every key with the program's type and
// default, the example stack files are valid configs, and the README's config table is the generated one.
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS, readStackConfig } from "../../infra/config";
import { CONFIG_TABLE_BEGIN, CONFIG_TABLE_END, renderConfigTable } from "../../infra/configDocs";
import { ALARM_TABLE_BEGIN, ALARM_TABLE_END, renderAlarmTable } from "../../infra/rebalancer/alarmDocs";

// js-yaml: a devDependency (the same version @pulumi/pulumi reads Pulumi.yaml files with).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml: { load(text: string): unknown } = require("js-yaml");

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

interface ProjectConfigSchema {
    type: string;
    default: unknown;
    description: string;
    items?: { type: string };
}

/** A stack file's `ecs-rebalancer:*` values as the Pulumi CLI hands them to the program: text, structures as JSON. */
function stackConfigOf(file: string): Record<string, string> {
    const doc = yaml.load(read(file)) as { config: Record<string, unknown> };
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc.config)) {
        if (!key.startsWith("ecs-rebalancer:")) continue;
        out[key.slice("ecs-rebalancer:".length)] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    return out;
}

describe("Pulumi.yaml", () => {
    const project = yaml.load(read("Pulumi.yaml")) as { name: string; runtime: { name: string; options: Record<string, unknown> }; config: Record<string, ProjectConfigSchema> };

    it("is the ecs-rebalancer project on the nodejs runtime, in TypeScript", () => {
        expect(project.name).toBe("ecs-rebalancer");
        expect(project.runtime.name).toBe("nodejs");
        expect(project.runtime.options.typescript).toBe(true);
    });

    it("declares exactly the keys the program reads", () => {
        expect(Object.keys(project.config).sort()).toEqual(CONFIG_KEYS.map((k) => k.key).sort());
    });

    it.each(CONFIG_KEYS.map((k) => [k.key, k] as const))("declares %s with the program's type, default and description", (key, spec) => {
        const declared = project.config[key];
        expect(declared.type).toBe(spec.type);
        expect(declared.default).toEqual(spec.default);
        expect(declared.description).toBe(spec.description);
        if (spec.type === "array") expect(declared.items).toEqual({ type: "string" });
    });

    it("declares defaults the program itself accepts", () => {
        const asText = Object.fromEntries(
            Object.entries(project.config).map(([k, v]) => [k, typeof v.default === "object" ? JSON.stringify(v.default) : String(v.default)]),
        );
        expect(() => readStackConfig(asText)).not.toThrow();
    });
});

describe("example stack files", () => {
    it("Pulumi.dev.yaml builds the demo with a valid config and a region", () => {
        const config = readStackConfig(stackConfigOf("Pulumi.dev.yaml"));
        expect(config.createDemo).toBe(true);
        expect((yaml.load(read("Pulumi.dev.yaml")) as { config: Record<string, unknown> }).config["aws:region"]).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
    });

    it("Pulumi.existing.yaml deploys only the rebalancer, against named clusters, in dry-run first", () => {
        const config = readStackConfig(stackConfigOf("Pulumi.existing.yaml"));
        expect(config.createDemo).toBe(false);
        expect(config.targetClusters.length).toBeGreaterThan(0);
        expect(config.settings.dryRun).toBe(true);
    });
});

describe("README.md", () => {
    const readme = read("README.md");

    it("holds the config table generated from infra/config.ts", () => {
        const begin = readme.indexOf(CONFIG_TABLE_BEGIN);
        const end = readme.indexOf(CONFIG_TABLE_END);
        expect(begin).toBeGreaterThanOrEqual(0);
        expect(end).toBeGreaterThan(begin);
        const table = readme.slice(begin + CONFIG_TABLE_BEGIN.length, end).trim();
        // On a mismatch, paste the expected text between the markers.
        expect(table).toBe(renderConfigTable());
    });

    it("holds the alarm table generated from infra/rebalancer/alarmDefinitions.ts", () => {
        const begin = readme.indexOf(ALARM_TABLE_BEGIN);
        const end = readme.indexOf(ALARM_TABLE_END);
        expect(begin).toBeGreaterThanOrEqual(0);
        expect(end).toBeGreaterThan(begin);
        // On a mismatch, paste the expected text between the markers.
        expect(readme.slice(begin + ALARM_TABLE_BEGIN.length, end).trim()).toBe(renderAlarmTable());
    });

    it("names every stack output the walk-through uses, and every one exists", () => {
        const index = read("index.ts");
        for (const [, output] of readme.matchAll(/pulumi stack output (\w+)/g)) expect(index).toMatch(new RegExp(`export const ${output}\\b`));
    });
});

describe(".ci/run", () => {
    it("installs, runs the README's test command, then the documented audit of production dependencies", () => {
        const script = read(".ci/run");
        const commands = script
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l && !l.startsWith("#"));
        expect(commands).toEqual(["set -euo pipefail", "npm ci", "npm test", "node .ci/audit.js"]);
        expect(fs.statSync(path.join(ROOT, ".ci/run")).mode & 0o111).not.toBe(0);
        const readme = read("README.md");
        expect(readme).toContain("npm ci");
        expect(readme).toContain("npm test");
        expect(readme).toContain("node .ci/audit.js");
    });
});
