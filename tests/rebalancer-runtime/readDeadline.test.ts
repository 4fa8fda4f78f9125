// A pass that runs out of Lambda time while reading stops between two reads, before any write: outcome "deadline",
// the read it did not make in the log, the planner never handed a half-read cluster. The deadline here is a fake
// whose time left drops with every request the fake ECS answers.

import type { Deadline } from "../../rebalancer/act";
import type { Action } from "../../rebalancer/plan/types";
import type { PassDeps } from "../../rebalancer/pass";
import { runPass } from "../../rebalancer/pass";
import { READ_DEADLINE_MARGIN_MS } from "../../rebalancer/readDeadline";
import { defaultSettings } from "../../rebalancer/settings";
import { createTaskCache } from "../../rebalancer/taskCache";
import { createTaskDefinitionCache } from "../../rebalancer/taskDefinitions";
import { clusterArn, createFakeEcs } from "./support/fakeEcs";
import { decision, fakeClock, planOf, recordingPlanner } from "./support/plans";
import { instanceArn, sdkInstance, sdkService, sdkTask } from "./support/sdkShapes";

const CLUSTER = "slow";
const TASKS = 250;
/** Time each answered request costs the invocation (more than the pass start margin leaves over the read margin). */
const MS_PER_CALL = 10_000;

function world() {
    const fake = createFakeEcs([{
        arn: clusterArn(CLUSTER),
        instances: [sdkInstance(CLUSTER, "i1", "us-east-1a"), sdkInstance(CLUSTER, "i2", "us-east-1b")],
        services: [sdkService(CLUSTER, "web", { desiredCount: TASKS, runningCount: TASKS })],
        tasks: Array.from({ length: TASKS }, (_, i) => sdkTask(CLUSTER, `t${String(i).padStart(3, "0")}`, "web", instanceArn(CLUSTER, i % 2 ? "i2" : "i1"))),
    }]);
    const logs: Array<{ level: string; fields: Record<string, unknown> }> = [];
    // Asks for the protection of one task, then stops it: a pass that gets this far writes.
    const planner = recordingPlanner((s, options) => {
        const web = s.services[0];
        const victim = s.tasks[0];
        const read = victim.protectionEnabled !== undefined || options?.unreadProtectionIsProtected;
        const actions: Action[] = read ? [{ kind: "stop-task", service: "web", serviceArn: web.arn, taskArn: victim.arn, containerInstanceArn: victim.containerInstanceArn!, reason: "move" }] : [];
        return planOf(s.clusterArn, [decision("web", web.arn, "move", { moves: actions.length })], actions, read ? {} : { unreadProtection: [victim.arn] });
    });
    const deps: PassDeps = {
        clients: fake.clients,
        cache: createTaskDefinitionCache(),
        taskCache: createTaskCache(),
        plan: planner.plan,
        log: {
            info: (_m, fields) => logs.push({ level: "info", fields }),
            warn: (_m, fields) => logs.push({ level: "warn", fields }),
            error: (_m, fields) => logs.push({ level: "error", fields }),
        },
        metrics: { publish: () => undefined, publishFunction: () => undefined },
        clock: fakeClock(),
    };
    /** Time left falls below the read margin once `calls` requests (of `operation`, when given) have been answered. */
    const deadlineAfter = (calls: number, operation?: string): Deadline => ({
        remainingMs: () => READ_DEADLINE_MARGIN_MS + MS_PER_CALL * (calls - (operation ? fake.callsOf(operation) : fake.calls).length) - 1,
    });
    return { fake, deps, planner, logs, deadlineAfter };
}

const request = (deadline: Deadline) => ({ clusterArn: clusterArn(CLUSTER), trigger: "schedule", settings: defaultSettings([clusterArn(CLUSTER)]), dryRun: false, deadline });

describe("a pass out of time while reading", () => {
    test("with time enough, the same pass reads, plans and writes (the control case)", async () => {
        const { fake, deps, deadlineAfter } = world();
        const result = await runPass(deps, request(deadlineAfter(1_000)));
        expect(result.record.outcome).toBe("completed");
        expect(fake.writes().map((w) => w.operation)).toEqual(["StopTask"]);
        expect(fake.callsOf("GetTaskProtection")).toHaveLength(1);
    });

    test("out of time between the task pages: no further read, no plan, no write; outcome deadline with the read not made", async () => {
        const { fake, deps, planner, logs, deadlineAfter } = world();
        // The first ListTasks page of three is answered; the second is not asked for.
        const result = await runPass(deps, request(deadlineAfter(1, "ListTasks")));
        expect(result.record.outcome).toBe("deadline");
        expect(fake.callsOf("ListTasks")).toHaveLength(1);
        expect(fake.callsOf("DescribeTasks")).toHaveLength(0);
        expect(result.record.readStoppedBefore).toBe("ListTasks");
        expect(planner.seen).toHaveLength(0);
        expect(fake.writes()).toEqual([]);
        expect(result.seenInstances).toBeUndefined();
        const logged = logs.find((l) => l.fields.outcome === "deadline");
        expect(logged).toMatchObject({ level: "warn", fields: { readStoppedBefore: "ListTasks" } });
        // Nothing is still reading once the pass has ended.
        const callsAtEnd = fake.calls.length;
        await new Promise((r) => setTimeout(r, 20));
        expect(fake.calls.length).toBe(callsAtEnd);
    });

    test("out of time before a describe batch: the batch is not sent", async () => {
        const { fake, deps, deadlineAfter } = world();
        const result = await runPass(deps, request(deadlineAfter(1, "DescribeTasks")));
        expect(result.record.outcome).toBe("deadline");
        expect(result.record.readStoppedBefore).toBe("DescribeTasks");
        expect(fake.callsOf("DescribeTasks")).toHaveLength(1);
        expect(fake.callsOf("ListTasks")).toHaveLength(3);
        expect(fake.writes()).toEqual([]);
    });

    test("out of time in the planner's own reads: protection is not read and the stop it would allow is not made", async () => {
        const { fake, deps, planner, deadlineAfter } = world();
        // The whole observe (instances 2, tasks 3 + 3, services 1 + 1, scalable targets 1), then nothing more.
        const observeCalls = 11;
        const result = await runPass(deps, request(deadlineAfter(observeCalls)));
        expect(fake.calls).toHaveLength(observeCalls);
        expect(result.record.outcome).toBe("deadline");
        expect(result.record.readStoppedBefore).toBe("GetTaskProtection");
        expect(planner.seen).toHaveLength(1);
        expect(fake.writes()).toEqual([]);
    });
});
