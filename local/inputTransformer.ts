// EventBridge's input transformer, for the features the deployed sweep targets use: variables that are simple
// JSON paths (`$.id`, `$.detail.clusterArn`) and placeholders outside quotes, which take the value as JSON. What
// EventBridge would send the target, so local runs and tests can feed the handler exactly that.

import type { InputTransformer } from "../rebalancer/eventPatterns";

function valueAt(event: unknown, path: string): unknown {
    if (!/^\$(\.[A-Za-z0-9_-]+)+$/.test(path)) throw new Error(`input path ${JSON.stringify(path)} is not supported locally`);
    let value: unknown = event;
    for (const key of path.slice(2).split(".")) value = (value as Record<string, unknown> | undefined)?.[key];
    return value;
}

/** The text EventBridge sends the target for `event`. */
export function applyInputTransformer(transformer: InputTransformer, event: unknown): string {
    return transformer.inputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (whole, name: string) => {
        const path = transformer.inputPaths[name];
        if (path === undefined) throw new Error(`the template uses <${name}>, which no input path defines`);
        const value = valueAt(event, path);
        // What EventBridge does then is not modelled: the deployed paths ($.id, $.time) are in every event.
        if (value === undefined) throw new Error(`input path ${path} matches nothing in the event`);
        return JSON.stringify(value);
    });
}
