import { ratePeriodMs, LocalEventBus } from "../../local/eventBus";
import { loadLambda } from "../../local/lambdaHost";
import { LocalAsyncLambda } from "../../local/lambdaRuntime";
import nodeProcess from "node:process";
import { containerInstancePattern } from "../../rebalancer/eventPatterns";

class ManualClock {
    constructor(public t = 1_000_000) {}
    now() { return this.t; }
}

describe("loadLambda: __index.js as the Node.js runtime loads it", () => {
    const code = `
        const { ECSClient } = require("@aws-sdk/client-ecs");
        exports.handler = (function () {
            const loadedAt = Date.now();
            const seenAtLoad = process.env.LOCAL_TEST_SETTING;
            return async (event, context) => ({
                loadedAt, seenAtLoad, now: Date.now(), date: new Date().getTime(), isDate: new Date() instanceof Date,
                utc: Date.UTC(2020, 0, 1), parsed: new Date("2020-01-01T00:00:00Z").getTime(),
                setting: process.env.LOCAL_TEST_SETTING, event, remaining: context.getRemainingTimeInMillis(), sdk: typeof ECSClient,
            });
        })();`;

    it("resolves packages by name, applies the function's environment, and uses the given clock for Date", async () => {
        const clock = new ManualClock(1_700_000_000_000);
        delete nodeProcess.env.LOCAL_TEST_SETTING;
        const handler = await loadLambda(code, { env: { LOCAL_TEST_SETTING: "on" }, now: () => clock.now() });
        expect(nodeProcess.env.LOCAL_TEST_SETTING).toBeUndefined();
        clock.t += 5_000;
        const result = await handler({ hello: 1 }, { functionName: "f", awsRequestId: "r", getRemainingTimeInMillis: () => 42 });
        expect(result).toEqual({
            loadedAt: 1_700_000_000_000, seenAtLoad: "on", now: 1_700_000_005_000, date: 1_700_000_005_000, isDate: true,
            utc: Date.UTC(2020, 0, 1), parsed: Date.UTC(2020, 0, 1), setting: "on", event: { hello: 1 }, remaining: 42, sdk: "function",
        });
        expect(nodeProcess.env.LOCAL_TEST_SETTING).toBeUndefined();
    });

    it("rejects a module without a handler", async () => {
        await expect(loadLambda("exports.other = 1;", { env: {} })).rejects.toThrow(/does not export a handler/);
    });
});

describe("LocalAsyncLambda: asynchronous invocation semantics", () => {
    it("runs one invocation at a time; events that arrive meanwhile wait their turn, in order", async () => {
        const clock = new ManualClock();
        const seen: unknown[] = [];
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const lambda = new LocalAsyncLambda(async (event) => {
            seen.push(event);
            if (event === "first") await gate;
            return event;
        }, clock);
        lambda.enqueue("first");
        const running = lambda.runNext();
        lambda.enqueue("second");
        lambda.enqueue("third");
        expect(lambda.busy).toBe(true);
        expect(await lambda.runNext()).toBeUndefined();
        release();
        await running;
        await lambda.runNext();
        await lambda.runNext();
        expect(seen).toEqual(["first", "second", "third"]);
        expect(lambda.invocations.map((i) => i.result)).toEqual(["first", "second", "third"]);
    });

    it("retries a failed invocation twice after a delay, then dead-letters it", async () => {
        const clock = new ManualClock();
        const lambda = new LocalAsyncLambda(async () => { throw new Error("boom"); }, clock);
        lambda.enqueue({ n: 1 });
        await lambda.runNext();
        expect(lambda.nextDueAt()).toBe(clock.t + 60_000);
        expect(await lambda.runNext()).toBeUndefined();
        clock.t += 60_000;
        await lambda.runNext();
        clock.t += 120_000;
        await lambda.runNext();
        expect(lambda.invocations.map((i) => i.attempt)).toEqual([0, 1, 2]);
        expect(lambda.deadLetters).toEqual([{ event: { n: 1 }, error: "Error: boom" }]);
        expect(lambda.queued).toBe(0);
    });

    it("drops events older than the maximum event age", async () => {
        const clock = new ManualClock();
        const lambda = new LocalAsyncLambda(async () => "ok", clock, { maximumEventAgeMs: 1000 });
        lambda.enqueue("stale");
        clock.t += 2000;
        expect(await lambda.runNext()).toBeUndefined();
        expect(lambda.deadLetters).toEqual([{ event: "stale", error: "maximum event age exceeded" }]);
    });
});

describe("LocalEventBus", () => {
    const cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/demo";
    const event = (status: string) => ({
        source: "aws.ecs", "detail-type": "ECS Container Instance State Change",
        detail: { clusterArn: cluster, status, agentConnected: true },
    });

    it("delivers matching events to the target once per matching rule, and fires the schedule at its rate", () => {
        const clock = new ManualClock(0);
        const received: unknown[] = [];
        const bus = new LocalEventBus(
            [
                { name: "instances", arn: "arn:aws:events:us-east-1:123456789012:rule/instances", eventPattern: containerInstancePattern([cluster]) },
                { name: "sweep", arn: "arn:aws:events:us-east-1:123456789012:rule/sweep", scheduleExpression: "rate(15 minutes)" },
            ],
            { enqueue: (e) => received.push(e) },
            clock,
        );
        bus.publish(event("ACTIVE"));
        bus.publish(event("DRAINING"));
        expect(received).toEqual([event("ACTIVE")]);
        expect(bus.nextScheduleAt()).toBe(15 * 60_000);
        clock.t = 31 * 60_000;
        expect(bus.fireDueSchedules()).toBe(2);
        const scheduled = received.slice(1) as { "detail-type": string; source: string; resources: string[]; time: string }[];
        expect(scheduled.map((e) => [e["detail-type"], e.source, e.resources[0], e.time])).toEqual([
            ["Scheduled Event", "aws.events", "arn:aws:events:us-east-1:123456789012:rule/sweep", "1970-01-01T00:15:00Z"],
            ["Scheduled Event", "aws.events", "arn:aws:events:us-east-1:123456789012:rule/sweep", "1970-01-01T00:30:00Z"],
        ]);
        expect(bus.nextScheduleAt()).toBe(45 * 60_000);
    });

    it("parses rate expressions and refuses cron", () => {
        expect(ratePeriodMs("rate(1 minute)")).toBe(60_000);
        expect(ratePeriodMs("rate(2 hours)")).toBe(7_200_000);
        expect(() => ratePeriodMs("cron(0 * * * ? *)")).toThrow(/rate\(\.\.\.\) schedules only/);
    });
});
