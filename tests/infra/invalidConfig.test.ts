// Every bad config value stops the program before it declares anything: a clear error, zero resources.
import type * as pulumiModule from "@pulumi/pulumi";
import { installMocks, MockRecorder, settle } from "../../local/pulumiMocks";
import { CONFIG_KEYS } from "../../infra/config";
import { INVALID_CONFIG_CASES, rawValueOf } from "./support/invalidConfigCases";

// Each case re-imports the program in a fresh module registry. The packages it imports are shared from this file's
// registry (loading the AWS SDK and the Pulumi providers forty times would take half a minute); the program's own
// modules are fresh every time.
const SHARED_PACKAGES = [
    "@pulumi/pulumi",
    "@pulumi/aws",
    "@pulumi/awsx",
    "@aws-sdk/client-ecs",
    "@aws-sdk/client-application-auto-scaling",
    "@aws-lambda-powertools/logger",
    "@aws-lambda-powertools/metrics",
];
for (const name of SHARED_PACKAGES) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const instance = require(name);
    jest.doMock(name, () => instance);
}

/** Runs index.ts in a fresh module registry (the program is a module: importing it runs it). */
function runProgramIsolated(config: Record<string, string>): { rec: MockRecorder; error: unknown; pulumi: typeof pulumiModule } {
    let rec: MockRecorder | undefined;
    let error: unknown;
    let pulumi: typeof pulumiModule | undefined;
    jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        pulumi = require("@pulumi/pulumi") as typeof pulumiModule;
        rec = installMocks(pulumi, config);
        try {
            require("../../index");
        } catch (e) {
            error = e;
        }
    });
    return { rec: rec as MockRecorder, error, pulumi: pulumi as typeof pulumiModule };
}

test("every stack config key is refused invalid at least once below", () => {
    const refused = new Set(INVALID_CONFIG_CASES.map((c) => c.key));
    expect(CONFIG_KEYS.map((k) => k.key).filter((key) => !refused.has(key))).toEqual([]);
});

describe.each(INVALID_CONFIG_CASES)("the program refuses: $title", (c) => {
    it("with an error naming the key and value, and declares no resource", async () => {
        const { rec, error, pulumi } = runProgramIsolated(c.config);
        expect(error).toBeInstanceOf(Error);
        const message = (error as Error).message;
        expect(message).toContain(`ecs-rebalancer:${c.key}`);
        expect(message).toContain(JSON.stringify(rawValueOf(c)));
        expect(message).toMatch(c.allowed);
        // Let any registration the program started reach the mocks before counting.
        await settle(pulumi);
        expect(rec.resources).toEqual([]);
    });
});
