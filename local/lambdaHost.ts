// Loads a Lambda's `__index.js` (the closure Pulumi serialized) the way the Node.js runtime does: as a CommonJS
// module whose `require` finds packages by name — here the project's node_modules stand in for the SDK bundled
// in the runtime — with the function's environment variables, and a clock: the emulated one when the world
// around it is emulated, so the handler's "now" agrees with the timestamps ECS hands it.

import Module from "node:module";
import { dirname, join } from "node:path";
import nodeProcess from "node:process";
import vm from "node:vm";

// The process the loaded code and the packages it requires see: Node's own (under jest, the test's `process`
// is a sandboxed copy whose env the real packages never read).
const realProcess = nodeProcess;

export type LambdaHandlerFn = (event: unknown, context: LambdaContext) => Promise<unknown>;

export interface LambdaContext {
    functionName: string;
    awsRequestId: string;
    getRemainingTimeInMillis(): number;
}

export interface LoadOptions {
    /** The function's environment variables (merged over this process's while the function loads and runs). */
    env: Record<string, string>;
    /** Epoch milliseconds; defaults to the real clock. */
    now?: () => number;
    /** Where `require` resolves packages from (the project root). */
    resolveFrom?: string;
    functionName?: string;
    /** Stands in for the function's timers (an emulated world lets the function's waits pass on its clock). */
    setTimeout?: (fn: () => void, ms?: number) => unknown;
}

/** A Date whose "now" is the given clock; everything else is the real Date. */
export function clockDate(now: () => number): DateConstructor {
    const RealDate = Date;
    class EmulatedDate extends RealDate {
        constructor(...args: unknown[]) {
            if (args.length === 0) super(now());
            else super(...(args as [string]));
        }
        static override now(): number {
            return now();
        }
    }
    return EmulatedDate as unknown as DateConstructor;
}

/** Runs `fn` with the function's environment applied, restoring this process's afterwards. */
export async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T> | T): Promise<T> {
    const saved: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(env)) {
        saved[k] = realProcess.env[k];
        realProcess.env[k] = v;
    }
    try {
        return await fn();
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete realProcess.env[k];
            else realProcess.env[k] = v;
        }
    }
}

/** Loads the module and returns its `handler` export, bound to the function's environment. */
export async function loadLambda(indexJs: string, options: LoadOptions): Promise<LambdaHandlerFn> {
    const root = options.resolveFrom ?? join(__dirname, "..");
    const filename = join(root, "__index.js");
    const mod = new Module(filename);
    mod.filename = filename;
    mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(filename));
    const requireFn = Module.createRequire(filename);
    const wrapper = vm.compileFunction(indexJs, ["exports", "require", "module", "__filename", "__dirname", "Date", "process", "setTimeout", "Error"], { filename });
    const DateForLambda = options.now ? clockDate(options.now) : Date;
    // The factory runs at load (once per container), with the function's environment, as on Lambda. Its `Error`
    // is the one of the realm its `require` loads packages into (under jest, the test's), so an SDK error is an
    // `instanceof Error` there, as in Lambda's single realm.
    await withEnv(options.env, () => wrapper.call(mod.exports, mod.exports, requireFn, mod, filename, root, DateForLambda, realProcess, options.setTimeout ?? setTimeout, Error));
    const handler = (mod.exports as { handler?: unknown }).handler;
    if (typeof handler !== "function") throw new Error("__index.js does not export a handler function");
    return (event, context) => withEnv(options.env, () => (handler as LambdaHandlerFn)(event, context));
}
