// Found by the chaos runner's security test: the deployed closure's SettingsError was not an Error. Pulumi
// serializes `class SettingsError extends Error` as a function that calls `Error.call(this, message)`, which sets
// no message, no stack and no Error prototype; the Lambda runtime then reports a bad REBALANCER_* variable as
// "object: [object Object]" instead of naming it (the unserialized handler tests could not see this).

import { deployUnderMocks } from "../../../local/deployedRebalancer";
import { loadLambda } from "../../../local/lambdaHost";

/** How the Node.js Lambda runtime reports an invocation error (duck-typed: name, message and stack). */
function asLambdaReportsIt(e: unknown): { errorType: string; errorMessage: string } {
    const err = e as { name?: unknown; message?: unknown; stack?: unknown };
    const isError = e instanceof Error || (typeof err?.name === "string" && typeof err.message === "string" && typeof err.stack === "string");
    return isError ? { errorType: String(err.name), errorMessage: String(err.message) } : { errorType: typeof e, errorMessage: String(e) };
}

test("a bad REBALANCER_* variable in the deployed function throws an Error that names it", async () => {
    const deployed = deployUnderMocks({ createDemo: "false", targetClusters: JSON.stringify(["arn:aws:ecs:us-east-1:123456789012:cluster/chaos"]), strategy: "minimal" });
    const handler = await loadLambda(deployed.indexJs, { env: { ...deployed.environment, AWS_REGION: "us-east-1", REBALANCER_MAX_MOVES_PER_PASS: "many" } });
    const thrown = await handler({}, { functionName: "f", awsRequestId: "r", getRemainingTimeInMillis: () => 300_000 }).then(() => undefined, (e: unknown) => e);
    expect(thrown).toBeInstanceOf(Error);
    expect(asLambdaReportsIt(thrown)).toEqual({ errorType: "SettingsError", errorMessage: expect.stringContaining("REBALANCER_MAX_MOVES_PER_PASS=\"many\" is invalid") });
    expect((thrown as { field?: string }).field).toBe("REBALANCER_MAX_MOVES_PER_PASS");
}, 60_000);
