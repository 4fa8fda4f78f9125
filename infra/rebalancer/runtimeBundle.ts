// The function's code as one CommonJS module text, built at deploy time from rebalancer/'s TypeScript sources.
//
// Why not let Pulumi serialize the handler by value: its closure serializer emits every captured function as a
// wrapper that rebuilds it inside a `with (captured) { … }` block on each call, and V8 does not optimize code in a
// `with` scope (every name is looked up dynamically). The planner, a few thousand small functions called in tight
// loops, ran 3–9× slower as deployed than from source (bench part 2, "as deployed"). Here each source file is
// transpiled alone (the project compiles with isolatedModules) into a module function of a small registry; the
// serialized closure only holds this text and instantiates it once per container (rebalancer/bundleLoader.ts),
// after which the code runs as any Node.js module does. Packages stay `require`d by name from the archive or the
// runtime (the AWS SDK), as before.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";

const COMPILER_OPTIONS: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    useDefineForClassFields: false,
    removeComments: true,
    isolatedModules: true,
};

/** `require("./x")` / `require('../y/z')`: tsc emits double quotes for imports; a literal require keeps its own. */
const RELATIVE_REQUIRE = /\brequire\((["'])(\.{1,2}\/[^"']*)\1\)/g;
/** Any relative require left after the rewrite (a template string, a computed path): it would fail in the Lambda. */
const LEFT_RELATIVE_REQUIRE = /\brequire\(\s*[`"']\.{1,2}\//;

function resolveSource(fromFile: string, specifier: string): string {
    const base = resolve(dirname(fromFile), specifier);
    for (const candidate of [`${base}.ts`, join(base, "index.ts")]) if (existsSync(candidate)) return candidate;
    throw new Error(`runtime bundle: ${relative(process.cwd(), fromFile)} imports ${specifier}, which is no TypeScript file`);
}

/**
 * Every source file reachable from `entryFile` by relative imports, as a function expression that returns the
 * entry's exports when called with `require` (for packages). Module ids are paths relative to `root`.
 */
export function bundleRuntime(entryFile: string, root: string): string {
    const modules = new Map<string, string>();
    const idOf = (file: string) => relative(root, file).split("\\").join("/");
    const pending = [resolve(entryFile)];
    while (pending.length > 0) {
        const file = pending.pop()!;
        const id = idOf(file);
        if (modules.has(id)) continue;
        const { outputText, diagnostics } = ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions: COMPILER_OPTIONS, fileName: file, reportDiagnostics: true });
        if (diagnostics && diagnostics.length > 0) {
            throw new Error(`runtime bundle: ${id}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n")}`);
        }
        const code = outputText.replace(RELATIVE_REQUIRE, (_whole, _quote: string, specifier: string) => {
            const target = resolveSource(file, specifier);
            pending.push(target);
            return `__module(${JSON.stringify(idOf(target))})`;
        });
        if (LEFT_RELATIVE_REQUIRE.test(code)) throw new Error(`runtime bundle: ${id} requires a relative path the bundle cannot resolve (only string literals can be)`);
        modules.set(id, code);
    }
    const entries = [...modules.keys()].sort().map((id) => `${JSON.stringify(id)}: function (module, exports, require, __module) {\n${modules.get(id)}\n}`);
    return [
        "function (require) {",
        "const modules = {",
        entries.join(",\n"),
        "};",
        "const cache = {};",
        "function __module(id) {",
        "    const cached = cache[id];",
        "    if (cached) return cached.exports;",
        "    const module = { exports: {} };",
        "    cache[id] = module;",
        "    modules[id].call(module.exports, module, module.exports, require, __module);",
        "    return module.exports;",
        "}",
        `return __module(${JSON.stringify(idOf(resolve(entryFile)))});`,
        "}",
    ].join("\n");
}
