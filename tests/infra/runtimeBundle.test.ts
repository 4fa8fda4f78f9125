// The runtime bundle builder alone (a pure function of the source files), on a small tree of its own.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { bundleRuntime } from "../../infra/rebalancer/runtimeBundle";
import { loadRuntimeBundle } from "../../rebalancer/bundleLoader";

function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), "runtime-bundle-"));
    for (const [path, text] of Object.entries(files)) {
        mkdirSync(join(root, path, ".."), { recursive: true });
        writeFileSync(join(root, path), text);
    }
    return root;
}

/** Evaluates a bundle as the container's factory does and returns the entry's exports. */
function load(source: string): Record<string, unknown> {
    return loadRuntimeBundle(source) as unknown as Record<string, unknown>;
}

describe("runtime bundle", () => {
    test("follows relative imports (files and folder index), runs each module once, keeps package requires by name", () => {
        const root = tree({
            "src/entry.ts": `import { twice } from "./lib/math"; import { counter } from "./lib"; import { basename } from "node:path";\n` +
                `export const answer = twice(21); export const loads = counter(); export const base = basename("/a/b.txt");`,
            // math.ts bumps the index module's counter once: a second instance of lib/index.ts would read 0.
            "src/lib/math.ts": `import { bump } from "./index"; bump(); export function twice(n: number): number { return n * 2; }`,
            "src/lib/index.ts": `let bumped = 0; export function bump(): void { bumped++; } export function counter(): number { return bumped; }`,
        });
        const source = bundleRuntime(join(root, "src/entry.ts"), root);
        expect(source).toContain(`"src/lib/index.ts": function`);
        expect(source).not.toMatch(/require\(["'`]\.\.?\//);
        expect(source).toContain(`require("node:path")`);
        expect(load(source)).toMatchObject({ answer: 42, loads: 1, base: "b.txt" });
    });

    test("import cycles resolve as CommonJS does (a module sees what the other exported so far)", () => {
        const root = tree({
            "a.ts": `import { b } from "./b"; export const a = "a"; export const seen = b();`,
            "b.ts": `import * as A from "./a"; export function b(): string { return typeof A.a; }`,
        });
        expect(load(bundleRuntime(join(root, "a.ts"), root))).toMatchObject({ a: "a", seen: "string" });
    });

    test("an import of a file that is not there names both files", () => {
        const root = tree({ "entry.ts": `import { x } from "./missing"; export const y = x;` });
        expect(() => bundleRuntime(join(root, "entry.ts"), root)).toThrow(/entry\.ts imports \.\/missing, which is no TypeScript file/);
    });

    test("a single-quoted relative require is bundled too; one the bundle cannot resolve is refused", () => {
        const quoted = tree({ "entry.ts": `const lib = require('./lib'); export const v = lib.v;`, "lib.ts": `export const v = 7;` });
        expect(load(bundleRuntime(join(quoted, "entry.ts"), quoted))).toMatchObject({ v: 7 });
        const computed = tree({ "entry.ts": "const name = 'lib'; export const v = require(`./${name}`).v;", "lib.ts": `export const v = 7;` });
        expect(() => bundleRuntime(join(computed, "entry.ts"), computed)).toThrow(/entry\.ts requires a relative path the bundle cannot resolve/);
    });

    test("comments are left out (the archive carries code only)", () => {
        const root = tree({ "entry.ts": `// a long explanation\nexport const v = 1; /* why */` });
        const source = bundleRuntime(join(root, "entry.ts"), root);
        expect(source).not.toContain("a long explanation");
        expect(load(source)).toMatchObject({ v: 1 });
    });

    test("the real handler bundles: every rebalancer/ file it reaches, and nothing of infra/ or @pulumi", () => {
        const root = resolve(__dirname, "../..");
        const source = bundleRuntime(join(root, "rebalancer/handler.ts"), root);
        const ids = [...source.matchAll(/^"([^"]+)": function/gm)].map((m) => m[1]);
        expect(ids).toContain("rebalancer/handler.ts");
        expect(ids).toContain("rebalancer/plan/index.ts");
        expect(ids.every((id) => id.startsWith("rebalancer/"))).toBe(true);
        expect(source).not.toContain("@pulumi/");
    });
});
