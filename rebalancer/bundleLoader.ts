// Runs in the Lambda, once per container (inside the callbackFactory): turns the runtime bundle's text
// (infra/rebalancer/runtimeBundle.ts) into the handler module. Compiled here, the code is ordinary module code that
// V8 optimizes; serialized function by function it would run inside `with` scopes.
//
// The text is compiled in the global scope, so the names the Lambda host may stand in for (the clock's Date and
// timers, process, Error's realm: local/lambdaHost.ts) are handed over from this function's scope explicitly;
// `require` is the closure module's own, which finds packages in the archive and the runtime's AWS SDK.

export interface RuntimeModule {
    createHandler(): (event: unknown, context?: unknown) => Promise<unknown>;
}

export function loadRuntimeBundle(source: string): RuntimeModule {
    // The bundle is this project's own code, built by the program at deploy time: nothing else is ever compiled here.
    const compile = new Function("Date", "setTimeout", "process", "Error", `"use strict";\nreturn (${source});`);
    const instantiate = compile(Date, setTimeout, process, Error) as (req: NodeRequire) => RuntimeModule;
    return instantiate(require);
}
