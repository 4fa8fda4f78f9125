// The ApiThrottles metric's source: the clients the function builds count every attempt AWS throttled, through
// the SDK's own retries, against the emulator's ECS throttling buckets (which count what they refused).
import { ListServicesCommand } from "@aws-sdk/client-ecs";
import { createAwsClients, isThrottlingError } from "../../rebalancer/awsClients";
import { startHarness, type Harness } from "../emulator/helpers";

let h: Harness;
const saved = { ...process.env };

beforeAll(async () => {
    h = await startHarness({ faults: { throttling: true }, timing: { apiLatencyMs: 0 } });
    h.emulator.control.createCluster("c");
    Object.assign(process.env, { AWS_ENDPOINT_URL_ECS: h.endpoint, AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret", AWS_EC2_METADATA_DISABLED: "true" });
});
afterAll(async () => {
    process.env = saved;
    await h?.close();
});

test("every throttled attempt is counted once, as many as ECS refused, and the retried call succeeds", async () => {
    const clients = createAwsClients({ region: "us-east-1" });
    expect(clients.throttledAttempts!()).toBe(0);
    await clients.ecs.send(new ListServicesCommand({ cluster: "c" }));
    expect(clients.throttledAttempts!()).toBe(0);
    // Someone else in the account empties the service-read bucket; it refills on the emulated clock.
    h.emulator.spendThrottleTokens("ListServices", 1000);
    const call = clients.ecs.send(new ListServicesCommand({ cluster: "c" }));
    // Let the SDK be refused a few times (its retries back off in real time), then let emulated time refill the bucket.
    while (h.emulator.faultsInjected.throttled < 2) await new Promise((r) => setTimeout(r, 20));
    h.clock.advance(1_000);
    await expect(call).resolves.toMatchObject({ serviceArns: [] });
    expect(clients.throttledAttempts!()).toBe(h.emulator.faultsInjected.throttled);
    expect(clients.throttledAttempts!()).toBeGreaterThanOrEqual(2);
    clients.ecs.destroy();
    clients.autoScaling.destroy();
});

test("what counts as throttling: AWS's throttling codes and HTTP 429, not other errors", () => {
    const error = (name: string, status = 400) => Object.assign(new Error("x"), { name, $metadata: { httpStatusCode: status } });
    expect(isThrottlingError(error("ThrottlingException"))).toBe(true);
    expect(isThrottlingError(error("TooManyRequestsException"))).toBe(true);
    expect(isThrottlingError(error("SomethingElse", 429))).toBe(true);
    expect(isThrottlingError(error("ServerException", 500))).toBe(false);
    expect(isThrottlingError(error("AccessDeniedException"))).toBe(false);
    expect(isThrottlingError(undefined)).toBe(false);
});
