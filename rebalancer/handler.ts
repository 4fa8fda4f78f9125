// Lambda entry point. (Initial version: parses its settings and logs the event; observe → plan → act lands next.)
import { parseSettings } from "./settings";

export type LambdaHandler = (event: unknown, context?: unknown) => Promise<unknown>;

/** Builds the handler once per container (Pulumi's callbackFactory); settings are re-read on every invocation. */
export function createHandler(): LambdaHandler {
    return async (event: unknown) => {
        const settings = parseSettings(process.env);
        const detailType = typeof event === "object" && event !== null ? (event as Record<string, unknown>)["detail-type"] : undefined;
        console.log(JSON.stringify({ message: "event received", detailType, clusters: settings.clusters, strategy: settings.strategy, dryRun: settings.dryRun }));
        return { handled: false };
    };
}

let defaultHandler: LambdaHandler | undefined;

/** The handler as a plain export, for direct use (tests, local runs): the same code as the deployed closure. */
export async function handler(event: unknown, context?: unknown): Promise<unknown> {
    defaultHandler ??= createHandler();
    return defaultHandler(event, context);
}
