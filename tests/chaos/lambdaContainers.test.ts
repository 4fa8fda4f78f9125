// Lambda containers under chaos, with the deployed closure against the emulator: each container is a fresh load
// with its own user-agent app id; a killed container's calls never reach ECS after the kill, it prints nothing
// more, its invocation fails, and the next one runs in a fresh container.

import { LambdaContainers, HARNESS_ERROR_PREFIX } from "../../local/chaos/containers";
import { RebalancerCalls } from "../../local/chaos/rebalancerCalls";
import { openWorld, scheduledEvent, type TestWorld } from "./support/world";

const context = (timeoutMs: number, now: () => number) => {
    const start = now();
    return { functionName: "ecs-rebalancer", awsRequestId: "t", getRemainingTimeInMillis: () => start + timeoutMs - now() };
};

describe("RebalancerUnderTest.newContainer", () => {
    let t: TestWorld;
    beforeAll(async () => {
        t = await openWorld();
        t.world.populate();
    });
    afterAll(() => t.close());

    test("each container signs with the app id of its environment; invocations are numbered across containers", async () => {
        const agents: string[] = [];
        const remove = t.world.emulator.useApiMiddleware((call, next) => {
            if (call.caller.accessKeyId === t.rebalancer.accessKeyId) agents.push(/app\/(\S+)/.exec(call.caller.userAgent ?? "")?.[1] ?? "none");
            return next();
        });
        const one = await t.rebalancer.newContainer!({ env: { AWS_SDK_UA_APP_ID: "test-one" } });
        const two = await t.rebalancer.newContainer!({ env: { AWS_SDK_UA_APP_ID: "test-two" } });
        const logsBefore = t.rebalancer.logs.length;
        await one(scheduledEvent(), context(300_000, () => t.world.clock.now()));
        const afterOne = new Set(agents);
        await two(scheduledEvent(), context(300_000, () => t.world.clock.now()));
        remove();
        expect([...afterOne]).toEqual(["test-one"]);
        expect(new Set(agents)).toEqual(new Set(["test-one", "test-two"]));
        const numbers = new Set(t.rebalancer.logs.slice(logsBefore).map((l) => l.invocation));
        expect([...numbers]).toEqual([1, 2]);
    });

    test("a muted container's output is dropped", async () => {
        const silent = await t.rebalancer.newContainer!({ muted: () => true });
        const before = t.rebalancer.logs.length;
        await silent(scheduledEvent(), context(300_000, () => t.world.clock.now()));
        expect(t.rebalancer.logs.length).toBe(before);
    });
});

describe("LambdaContainers", () => {
    let t: TestWorld;
    beforeEach(async () => {
        t = await openWorld();
        t.world.populate();
    });
    afterEach(() => t.close());

    function harness(kills: ConstructorParameters<typeof LambdaContainers>[4]["kills"]) {
        const calls = new RebalancerCalls(t.world.emulator, t.rebalancer.accessKeyId!);
        const containers = new LambdaContainers(t.rebalancer, t.rebalancer.lambda!, t.world.clock, calls, { kills, env: {}, seed: 1 });
        return { calls, containers };
    }

    async function invoke() {
        t.rebalancer.lambda!.enqueue(scheduledEvent());
        return (await t.rebalancer.lambda!.runNext())!;
    }

    test("crash at call 3: calls 1 and 2 reach ECS, none after; the invocation fails; the next runs in a fresh container", async () => {
        const { calls, containers } = harness([{ atCall: 3, kind: "crash" }]);
        await containers.start();
        const logsBefore = t.rebalancer.logs.length;
        const killed = await invoke();
        expect(killed.error).toMatch(new RegExp(`^${HARNESS_ERROR_PREFIX}Runtime exited`));
        expect(calls.reached.map((c) => c.container)).toEqual(["chaos-container-1", "chaos-container-1"]);
        expect(calls.blocked).toBeGreaterThan(0);
        // Killed before its pass record: it printed nothing after the kill.
        expect(t.rebalancer.logs.slice(logsBefore).some((l) => (l.record as { message?: string }).message === "rebalancer pass")).toBe(false);
        const next = await invoke();
        expect(next.error).toBeUndefined();
        expect(new Set(calls.reached.slice(2).map((c) => c.container))).toEqual(new Set(["chaos-container-2"]));
        expect(containers.stats).toEqual({ containers: 2, crashes: 1, timeouts: 0 });
    });

    test("timeout at call 2: the call reaches ECS, its answer is lost at the Lambda timeout, nothing after it reaches ECS", async () => {
        const { calls, containers } = harness([{ atCall: 2, kind: "timeout" }]);
        await containers.start();
        const start = t.world.clock.now();
        const killed = await invoke();
        expect(killed.error).toMatch(/Task timed out after 300\.00 seconds/);
        expect(calls.reached).toHaveLength(2);
        expect(t.world.clock.now() - start).toBeGreaterThan(300_000);
        expect(containers.stats.timeouts).toBe(1);
        await invoke();
        expect(calls.reached.slice(2).every((c) => c.container === "chaos-container-2")).toBe(true);
    });

    test("without a planned kill, a pass that outlives the Lambda timeout is killed there too", async () => {
        const { calls, containers } = harness([]);
        await containers.start();
        t.world.emulator.setFaults({ latency: { rate: 1, emulatedMs: 400_000, realMs: 0 } });
        const killed = await invoke();
        expect(killed.error).toMatch(/Task timed out/);
        // The first calls went out together (observe's three chains); nothing was sent after the deadline.
        expect(calls.reached.every((c) => c.time <= killed.startedAt + 300_000)).toBe(true);
        expect(calls.blocked).toBeGreaterThan(0);
        expect(containers.stats.timeouts).toBe(1);
    });

    test("disarm: no planned kill fires afterwards", async () => {
        const { containers } = harness([{ atCall: 1, kind: "crash" }]);
        await containers.start();
        containers.disarm();
        expect((await invoke()).error).toBeUndefined();
    });
});
