// The emulator hooks the chaos runner uses, all off by default: API middleware (see, refuse or rewrite a call),
// faults changed at run time, other callers spending a throttling bucket, and the owner starting a deployment.

import { EcsEmulator, VirtualClock } from "../../local/emulator";

const ECS = "AmazonEC2ContainerServiceV20141113";

function world(options: ConstructorParameters<typeof EcsEmulator>[0] = {}): { emulator: EcsEmulator; clock: VirtualClock } {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ ...options, clock, timing: { apiLatencyMs: 10, ...options.timing } });
    emulator.control.createCluster("c");
    return { emulator, clock };
}

function withService(emulator: EcsEmulator, desiredCount = 2): string {
    emulator.control.registerInstance({ cluster: "c", ec2InstanceId: "i-a", az: "us-east-1a" });
    emulator.control.registerInstance({ cluster: "c", ec2InstanceId: "i-b", az: "us-east-1b" });
    const taskDefinition = emulator.control.registerTaskDefinition({ family: "web", containerDefinitions: [{ name: "web", image: "x", cpu: 128, memory: 128 }] });
    emulator.control.createService({ cluster: "c", serviceName: "web", taskDefinition, desiredCount, initialPlacement: { "i-a": 1, "i-b": desiredCount - 1 } });
    return taskDefinition;
}

describe("API middleware", () => {
    test("none by default: calls are handled, counted and take their latency", () => {
        const { emulator, clock } = world();
        const before = clock.now();
        expect(emulator.call(`${ECS}.ListServices`, { cluster: "c" }).status).toBe(200);
        expect(emulator.apiCalls).toEqual({ ListServices: 1 });
        expect(clock.now() - before).toBe(10);
    });

    test("a middleware sees the operation, input and caller, and may rewrite the answer", () => {
        const { emulator } = world();
        const seen: string[] = [];
        emulator.useApiMiddleware((call, next) => {
            seen.push(`${call.operation} ${JSON.stringify(call.input)} ${call.caller.accessKeyId}`);
            const answer = next();
            return { ...answer, body: { ...(answer.body as object), serviceArns: ["rewritten"] } };
        });
        const r = emulator.call(`${ECS}.ListServices`, { cluster: "c" }, { accessKeyId: "AKIDX" });
        expect(seen).toEqual([`ListServices {"cluster":"c"} AKIDX`]);
        expect(r.body).toMatchObject({ serviceArns: ["rewritten"] });
    });

    test("a refused call never reaches ECS: not counted, no latency, no change", () => {
        const { emulator, clock } = world();
        withService(emulator);
        const task = emulator.control.snapshot("c").tasks[0]!.taskArn;
        emulator.useApiMiddleware((call, next) => (call.operation === "StopTask" ? EcsEmulator.errorResponse("AccessDeniedException", "refused") : next()));
        const before = clock.now();
        const r = emulator.call(`${ECS}.StopTask`, { cluster: "c", task });
        expect(r).toMatchObject({ status: 400, body: { __type: "AccessDeniedException", message: "refused" } });
        expect(emulator.apiCalls).toEqual({});
        expect(clock.now()).toBe(before);
        expect(emulator.control.taskView(task, "c")).toMatchObject({ desiredStatus: "RUNNING" });
    });

    test("middlewares run in the order added; a removed one no longer runs", () => {
        const { emulator } = world();
        const order: string[] = [];
        const removeFirst = emulator.useApiMiddleware((_c, next) => (order.push("first"), next()));
        emulator.useApiMiddleware((_c, next) => (order.push("second"), next()));
        emulator.call(`${ECS}.ListServices`, { cluster: "c" });
        removeFirst();
        emulator.call(`${ECS}.ListServices`, { cluster: "c" });
        expect(order).toEqual(["first", "second", "second"]);
    });
});

describe("faults at run time", () => {
    test("setFaults turns faults on and off; counts carry on", () => {
        const { emulator } = world();
        emulator.setFaults({ serverErrorRate: 1 });
        expect(emulator.call(`${ECS}.ListServices`, { cluster: "c" }).status).toBe(500);
        emulator.setFaults({});
        expect(emulator.call(`${ECS}.ListServices`, { cluster: "c" }).status).toBe(200);
        expect(emulator.faultsInjected.serverErrors).toBe(1);
    });

    test("other callers spending a bucket throttle the next call of its category, not others", () => {
        const { emulator, clock } = world({ faults: { throttling: true } });
        expect(emulator.spendThrottleTokens("DescribeServices", 1000)).toBe(100);
        expect(emulator.call(`${ECS}.ListServices`, { cluster: "c" }).body).toMatchObject({ __type: "ThrottlingException" });
        expect(emulator.call(`${ECS}.ListTasks`, { cluster: "c" }).status).toBe(200);
        // The bucket refills at the documented 20 per second (a little more: the two calls took 10 ms each).
        clock.advance(1_000);
        expect(emulator.spendThrottleTokens("ListServices", 1000)).toBe(20);
        expect(emulator.spendThrottleTokens("ListServices", 1000)).toBe(0);
        // Every operation has a bucket (ECS throttles all API requests); an operation outside the emulator has none.
        expect(emulator.spendThrottleTokens("TagResource", 60)).toBe(50);
        expect(emulator.spendThrottleTokens("NoSuchOperation", 5)).toBe(0);
    });
});

describe("control: the owner starts a deployment", () => {
    test("to a new task definition revision", () => {
        const { emulator } = world();
        withService(emulator);
        const next = emulator.control.registerTaskDefinition({ family: "web", containerDefinitions: [{ name: "web", image: "y", cpu: 128, memory: 128 }] });
        emulator.control.deployService("c", "web", { taskDefinition: next });
        const s = emulator.control.service("c", "web") as { taskDefinition: string; deployments: { rolloutState: string }[] };
        expect(s.taskDefinition).toBe(next);
        expect(s.deployments).toHaveLength(2);
    });

    test("forceNewDeployment with the same revision", () => {
        const { emulator } = world();
        const td = withService(emulator);
        emulator.control.deployService("c", "web", { forceNewDeployment: true });
        const s = emulator.control.service("c", "web") as { taskDefinition: string; deployments: unknown[] };
        expect(s.taskDefinition).toBe(td);
        expect(s.deployments).toHaveLength(2);
    });
});
