// ECS answers that are partial (failures[]), empty, or describe tasks and services that vanished, end to end: the
// deployed closure on the emulator, with the answers to its own calls rewritten. The pass skips what it cannot
// see, records it, throws nothing, and never takes a service below its floor (watched at every task change).

import type { ApiResponse } from "../../local/emulator";
import { FloorCeilingMonitor } from "../../local/chaos/floorCeiling";
import { openWorld, scheduledEvent, type TestWorld } from "./support/world";

/** web needs moves (4 tasks on i-a and i-b, two empty instances); api is spread already. */
const SCENARIO = {
    name: "partial-answers",
    cluster: "chaos",
    instances: [
        { id: "i-a", az: "us-east-1a" },
        { id: "i-b", az: "us-east-1b" },
        { id: "i-c", az: "us-east-1a" },
        { id: "i-d", az: "us-east-1b" },
    ],
    services: [
        { name: "web", desiredCount: 6, minimumHealthyPercent: 50, maximumPercent: 100, placement: { "i-a": 3, "i-b": 3 } },
        { name: "api", desiredCount: 4, minimumHealthyPercent: 75, maximumPercent: 100, placement: { "i-a": 1, "i-b": 1, "i-c": 1, "i-d": 1 } },
    ],
};

type Body = Record<string, unknown>;
type Rewrite = (operation: string, input: Body, answer: Body) => Body;

interface Outcome {
    writes: { operation: string; input: Body }[];
    passes: { outcome?: string; observeFailureCount?: number; failure?: unknown }[];
    floorViolations: number;
    errors: string[];
}

const webTasks = (t: TestWorld) => new Set(t.world.control.snapshot("chaos").tasks.filter((x) => x.serviceName === "web").map((x) => x.taskArn));

async function play(rewrite: Rewrite, passes = 4): Promise<Outcome & { t: TestWorld }> {
    const t = await openWorld(SCENARIO);
    const monitor = new FloorCeilingMonitor(t.world, t.rebalancer.accessKeyId!);
    t.world.populate();
    const writes: Outcome["writes"] = [];
    t.world.emulator.useApiMiddleware((call, next) => {
        if (call.caller.accessKeyId !== t.rebalancer.accessKeyId) return next();
        if (!/^(Describe|List|Get)/.test(call.operation)) writes.push({ operation: call.operation, input: call.input as Body });
        const answer: ApiResponse = next();
        return answer.status === 200 ? { ...answer, body: rewrite(call.operation, call.input as Body, answer.body as Body) } : answer;
    });
    const handler = await t.rebalancer.newContainer!();
    const errors: string[] = [];
    const logsBefore = t.rebalancer.logs.length;
    for (let i = 0; i < passes; i++) {
        try {
            await handler(scheduledEvent(), { functionName: "f", awsRequestId: `r${i}`, getRemainingTimeInMillis: () => 300_000 });
        } catch (e) {
            errors.push(String(e));
        }
        t.world.clock.advance(10 * 60_000);
    }
    const records = t.rebalancer.logs.slice(logsBefore).map((l) => l.record as Outcome["passes"][number] & { message?: string });
    return { t, writes, passes: records.filter((r) => r.message === "rebalancer pass"), floorViolations: monitor.count("floor"), errors };
}

function touches(w: { operation: string; input: Body }, service: string, tasks: Set<string>): boolean {
    return w.input.service === service || String(w.input.resourceArn ?? "").endsWith(`/${service}`) || tasks.has(String(w.input.task));
}

test("without rewriting, the pass moves web and never crosses a floor (the baseline the others are read against)", async () => {
    const { t, writes, passes, floorViolations, errors } = await play((_op, _in, a) => a);
    const web = webTasks(t);
    expect({ floorViolations, errors }).toEqual({ floorViolations: 0, errors: [] });
    expect(writes.some((w) => w.operation === "StopTask")).toBe(true);
    expect(passes.every((p) => p.outcome === "completed" && p.observeFailureCount === 0)).toBe(true);
    expect(web.size).toBe(6);
    await t.close();
});

test("DescribeServices reports web in failures[]: web is never written to; the failure is logged", async () => {
    const { t, writes, passes, floorViolations, errors } = await play((op, _in, a) => {
        if (op !== "DescribeServices") return a;
        const services = (a.services as { serviceName: string; serviceArn: string }[]) ?? [];
        const hidden = services.filter((s) => s.serviceName === "web");
        return { ...a, services: services.filter((s) => s.serviceName !== "web"), failures: [...((a.failures as unknown[]) ?? []), ...hidden.map((s) => ({ arn: s.serviceArn, reason: "MISSING" }))] };
    });
    const web = webTasks(t);
    expect({ floorViolations, errors }).toEqual({ floorViolations: 0, errors: [] });
    expect(writes.filter((w) => touches(w, "web", web))).toEqual([]);
    expect(passes.every((p) => p.outcome === "completed" && (p.observeFailureCount ?? 0) > 0)).toBe(true);
    await t.close();
});

test("DescribeTasks answers half of the tasks with failures[]: never below the floor, nothing thrown", async () => {
    const { t, passes, floorViolations, errors } = await play((op, _in, a) => {
        if (op !== "DescribeTasks") return a;
        const tasks = (a.tasks as { taskArn: string }[]) ?? [];
        const kept = tasks.filter((_x, i) => i % 2 === 0);
        const missing = tasks.filter((_x, i) => i % 2 === 1).map((x) => ({ arn: x.taskArn, reason: "MISSING" }));
        return { ...a, tasks: kept, failures: [...((a.failures as unknown[]) ?? []), ...missing] };
    }, 6);
    expect({ floorViolations, errors }).toEqual({ floorViolations: 0, errors: [] });
    // Every pass completes; the first read every task and met the failures. A warm container then describes only
    // the tasks it has not seen settled (rebalancer/taskCache.ts), so later passes ask for fewer and may meet none.
    expect(passes.every((p) => p.outcome === "completed")).toBe(true);
    expect(passes[0].observeFailureCount ?? 0).toBeGreaterThan(0);
    await t.close();
});

test("ListTasks and ListServices name tasks and a service that vanished before the describe: skipped, logged", async () => {
    const ghostTask = "arn:aws:ecs:us-east-1:123456789012:task/chaos/0000000000000000000000000000dead";
    const ghostService = "arn:aws:ecs:us-east-1:123456789012:service/chaos/ghost";
    const { t, writes, passes, floorViolations, errors } = await play((op, _in, a) => {
        if (op === "ListTasks") return { ...a, taskArns: [...((a.taskArns as string[]) ?? []), ghostTask] };
        if (op === "ListServices") return { ...a, serviceArns: [...((a.serviceArns as string[]) ?? []), ghostService] };
        return a;
    });
    expect({ floorViolations, errors }).toEqual({ floorViolations: 0, errors: [] });
    expect(writes.filter((w) => w.input.task === ghostTask || w.input.service === "ghost" || w.input.resourceArn === ghostService)).toEqual([]);
    expect(passes.every((p) => p.outcome === "completed" && (p.observeFailureCount ?? 0) >= 2)).toBe(true);
    await t.close();
});

test("DescribeContainerInstances leaves out i-a: no task on it is stopped, never below the floor", async () => {
    let hiddenArn = "";
    const { t, writes, floorViolations, errors } = await play((op, _in, a) => {
        if (op !== "DescribeContainerInstances") return a;
        const instances = (a.containerInstances as { containerInstanceArn: string; ec2InstanceId: string }[]) ?? [];
        const hidden = instances.filter((i) => i.ec2InstanceId === "i-a");
        hiddenArn = hidden[0]?.containerInstanceArn ?? hiddenArn;
        return { ...a, containerInstances: instances.filter((i) => i.ec2InstanceId !== "i-a"), failures: hidden.map((i) => ({ arn: i.containerInstanceArn, reason: "MISSING" })) };
    });
    const stoppedOnHidden = writes.filter((w) => w.operation === "StopTask").map((w) => t.world.control.taskView(String(w.input.task), "chaos")).filter((v) => v.ec2InstanceId === "i-a");
    expect({ floorViolations, errors, stoppedOnHidden }).toEqual({ floorViolations: 0, errors: [], stoppedOnHidden: [] });
    expect(hiddenArn).not.toBe("");
    await t.close();
});

test("empty answers (no instances while tasks run, no services): nothing written, nothing thrown", async () => {
    const { t, writes, passes, floorViolations, errors } = await play((op, _in, a) => {
        if (op === "ListContainerInstances") return { ...a, containerInstanceArns: [] };
        if (op === "ListServices") return { ...a, serviceArns: [] };
        return a;
    });
    expect({ floorViolations, errors, writes }).toEqual({ floorViolations: 0, errors: [], writes: [] });
    expect(passes.every((p) => p.outcome === "completed")).toBe(true);
    await t.close();
});
