import { readFileSync } from "node:fs";
import { join } from "node:path";
import { containerInstancePattern, serviceSteadyStatePattern } from "../../rebalancer/eventPatterns";
import { matchesPattern } from "../../local/eventPattern";

const sample = (name: string) => JSON.parse(readFileSync(join(__dirname, "../fixtures/events", name), "utf8"));
const DEFAULT = "arn:aws:ecs:us-east-1:111122223333:cluster/default";

describe("EventBridge pattern matching (local bus)", () => {
    it("matches the documented container-instance event for its cluster only", () => {
        const event = sample("container-instance-state-change.json");
        expect(matchesPattern(containerInstancePattern([DEFAULT]), event)).toBe(true);
        expect(matchesPattern(containerInstancePattern(["arn:aws:ecs:us-east-1:111122223333:cluster/other"]), event)).toBe(false);
    });

    it("requires ACTIVE and a connected agent", () => {
        const event = sample("container-instance-state-change.json");
        expect(matchesPattern(containerInstancePattern([DEFAULT]), { ...event, detail: { ...event.detail, status: "DRAINING" } })).toBe(false);
        expect(matchesPattern(containerInstancePattern([DEFAULT]), { ...event, detail: { ...event.detail, agentConnected: false } })).toBe(false);
        const { agentConnected: _, ...withoutAgent } = event.detail;
        expect(matchesPattern(containerInstancePattern([DEFAULT]), { ...event, detail: withoutAgent })).toBe(false);
    });

    it("matches SERVICE_STEADY_STATE only, and not other detail types", () => {
        const steady = sample("service-action-steady-state.json");
        const pattern = serviceSteadyStatePattern(["arn:aws:ecs:us-west-2:111122223333:cluster/default"]);
        expect(matchesPattern(pattern, steady)).toBe(true);
        expect(matchesPattern(pattern, { ...steady, detail: { ...steady.detail, eventName: "SERVICE_TASK_PLACEMENT_FAILURE" } })).toBe(false);
        expect(matchesPattern(pattern, sample("deployment-state-change.json"))).toBe(false);
        expect(matchesPattern(pattern, sample("task-state-change-fargate.json"))).toBe(false);
    });

    it("matches an array in the event when any element is allowed, and compares types exactly", () => {
        expect(matchesPattern({ resources: ["a"] }, { resources: ["b", "a"] })).toBe(true);
        expect(matchesPattern({ detail: { n: [1] } }, { detail: { n: "1" } })).toBe(false);
        expect(matchesPattern({ detail: { n: [1] } }, { detail: "x" })).toBe(false);
        expect(matchesPattern({ source: ["aws.ecs"] }, null)).toBe(false);
    });

    it("refuses operators it does not implement instead of guessing", () => {
        expect(() => matchesPattern({ source: [{ prefix: "aws." }] }, { source: "aws.ecs" })).toThrow(/not supported/);
    });
});
