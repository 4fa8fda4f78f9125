// Malformed and foreign events beyond tests/rebalancer-runtime/support/badEvents.ts, fed to the deployed closure
// (the real Powertools logger and SDK) on the emulator: each is logged once as ignored, makes no ECS call, and
// throws nothing.

import { openWorld, scheduledEvent, type TestWorld } from "./support/world";

const CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/chaos";
const INSTANCE = "arn:aws:ecs:us-east-1:123456789012:container-instance/chaos/0123456789abcdef0123456789abcdef";

function instanceEvent(detail: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        version: "0", id: "1d0a1b2c-0000-4000-8000-000000000000", "detail-type": "ECS Container Instance State Change", source: "aws.ecs",
        account: "123456789012", time: "2026-01-01T00:00:00Z", region: "us-east-1", resources: [INSTANCE],
        detail: { clusterArn: CLUSTER, containerInstanceArn: INSTANCE, status: "ACTIVE", agentConnected: true, version: 3, ...detail },
        ...envelope,
    };
}

function nested(depth: number): Record<string, unknown> {
    let v: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < depth; i++) v = { v };
    return v;
}

/** Not in the project's list: envelope spellings, ARN look-alikes, odd JSON values, prototype keys, sizes. */
export const MORE_BAD_EVENTS: Array<[string, unknown]> = [
    ["detail-type with a trailing space", instanceEvent({}, { "detail-type": "ECS Container Instance State Change " })],
    ["source in capitals", instanceEvent({}, { source: "AWS.ECS" })],
    ["detail null", instanceEvent({}, { detail: null })],
    ["detail a JSON string", instanceEvent({}, { detail: JSON.stringify({ clusterArn: CLUSTER }) })],
    ["clusterArn with a trailing slash", instanceEvent({ clusterArn: `${CLUSTER}/` })],
    ["clusterArn with surrounding spaces", instanceEvent({ clusterArn: ` ${CLUSTER} ` })],
    ["clusterArn of a service, not a cluster", instanceEvent({ clusterArn: "arn:aws:ecs:us-east-1:123456789012:service/chaos/web" })],
    ["clusterArn with a Cyrillic look-alike letter", instanceEvent({ clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/ch\u0430os" })],
    ["clusterArn in the aws-iso partition", instanceEvent({ clusterArn: "arn:aws-iso:ecs:us-iso-east-1:123456789012:cluster/chaos" }, { region: "us-iso-east-1" })],
    ["containerInstanceArn from a task-set", instanceEvent({ containerInstanceArn: "arn:aws:ecs:us-east-1:123456789012:task-set/chaos/web/ecs-svc/1" })],
    ["version true", instanceEvent({ version: true })],
    ["version beyond 2^53", instanceEvent({ version: 1e300 })],
    ["version in exponent notation as a string", instanceEvent({ version: "1e3" })],
    ["status in lower case", instanceEvent({ status: "active" })],
    ["agentConnected missing", instanceEvent({ agentConnected: undefined })],
    ["a __proto__ key from JSON", JSON.parse(`{"source":"aws.ecs","detail-type":"ECS Container Instance State Change","detail":{"__proto__":{"clusterArn":"${CLUSTER}"}}}`)],
    ["nested 200 levels deep", instanceEvent({ extra: nested(200) })],
    ["10,000 resources", instanceEvent({}, { resources: Array.from({ length: 10_000 }, (_, i) => `${INSTANCE}${i}`) })],
    ["service action for an aws-us-gov cluster", { ...instanceEvent(), "detail-type": "ECS Service Action", detail: { eventName: "SERVICE_STEADY_STATE", clusterArn: "arn:aws-us-gov:ecs:us-gov-east-1:123456789012:cluster/chaos" } }],
    ["service action with eventName a number", { ...instanceEvent(), "detail-type": "ECS Service Action", detail: { eventName: 7, clusterArn: CLUSTER } }],
    ["scheduled event with the source of ECS", { ...scheduledEvent(), source: "aws.ecs" }],
    ["operator request with 101 clusters", { clusters: Array.from({ length: 101 }, (_, i) => `c${i}`) }],
    ["operator request with a 5,000-character name", { clusters: ["x".repeat(5000)] }],
    ["operator request with dryRun null", { dryRun: null }],
    ["an empty array", []],
    ["true", true],
];

describe("malformed events through the deployed closure", () => {
    let t: TestWorld;
    let ecsCalls = 0;
    beforeAll(async () => {
        t = await openWorld();
        t.world.populate();
        t.world.emulator.useApiMiddleware((call, next) => {
            if (call.caller.accessKeyId === t.rebalancer.accessKeyId) ecsCalls++;
            return next();
        });
    });
    afterAll(() => t.close());

    test(`there are ${MORE_BAD_EVENTS.length} of them, none already in the project's list`, async () => {
        const { BAD_EVENTS } = await import("../rebalancer-runtime/support/badEvents");
        const text = (e: unknown) => {
            try {
                return JSON.stringify(e);
            } catch {
                return "(cyclic)";
            }
        };
        const known = new Set(BAD_EVENTS.map(([, e]) => text(e)));
        expect(MORE_BAD_EVENTS.filter(([, e]) => known.has(text(e))).map(([name]) => name)).toEqual([]);
        expect(MORE_BAD_EVENTS.length).toBeGreaterThanOrEqual(25);
    });

    test.each(MORE_BAD_EVENTS)("%s: logged once as ignored, no ECS call, nothing thrown", async (_name, event) => {
        const handler = await t.rebalancer.newContainer!();
        const logsBefore = t.rebalancer.logs.length;
        const before = ecsCalls;
        const context = { functionName: "ecs-rebalancer", awsRequestId: "r", getRemainingTimeInMillis: () => 300_000 };
        const summary = (await handler(event, context)) as { trigger: string; clusters: unknown[]; unknownClusters?: string[] };
        expect(ecsCalls - before).toBe(0);
        const records = t.rebalancer.logs.slice(logsBefore).map((l) => l.record as { message?: string; level?: string });
        if (summary.trigger === "operator") {
            // An operator request naming no target cluster is answered, with the names reported, and no pass runs.
            expect(summary.clusters).toEqual([]);
        } else {
            expect(summary).toMatchObject({ trigger: "ignored", clusters: [] });
            expect(records.filter((r) => r.message === "event ignored")).toHaveLength(1);
        }
        expect(records.every((r) => typeof r === "object" && r.level !== "ERROR")).toBe(true);
    });
});
