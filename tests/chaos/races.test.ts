// Concurrent-writer races told apart from the rebalancer's own breaches (local/chaos/races.ts): each kind planted
// beside a breach that looks alike but does not meet the criteria, and stays a failure.

import type { DisruptionRecord } from "../../local/chaos/disruptions";
import type { Violation } from "../../local/chaos/floorCeiling";
import { RaceClassifier, type OwnerChange } from "../../local/chaos/races";
import type { RebalancerCall } from "../../local/chaos/rebalancerCalls";
import { generateCase } from "../../local/chaos/generator";
import { playChaosCase } from "../../local/chaos/play";

const SVC = "arn:aws:ecs:us-east-1:123456789012:service/chaos/web";
const T0 = Date.UTC(2026, 0, 1);

function call(index: number, operation: string, input: Record<string, unknown>): RebalancerCall {
    return { index, operation, input: input as RebalancerCall["input"], time: T0 + index * 10, status: 200, requestId: `req-${index}` };
}

/** The rebalancer's last look (call 1), then a surge: marker (2) and desiredCount 14 → 19 (3), a stop (4); api: read (5), redeployed (6). */
const CALLS: RebalancerCall[] = [
    call(1, "DescribeServices", { cluster: "chaos", services: [SVC], include: ["TAGS"] }),
    call(2, "TagResource", { resourceArn: SVC, tags: [{ key: "ecs-rebalancer:surge", value: "v1 owner=14 desired=19 at=1" }] }),
    call(3, "UpdateService", { cluster: "chaos", service: "web", desiredCount: 19 }),
    call(4, "StopTask", { cluster: "chaos", task: "arn:aws:ecs:us-east-1:123456789012:task/chaos/t1" }),
    call(5, "DescribeServices", { cluster: "chaos", services: ["arn:aws:ecs:us-east-1:123456789012:service/chaos/api"] }),
    call(6, "UpdateService", { cluster: "chaos", service: "api", forceNewDeployment: true }),
    call(9, "ListTasks", { cluster: "chaos" }),
    // A later pass: it reads web (now 14 again, put back by the surge's restore) and stops a task.
    call(10, "DescribeServices", { cluster: "chaos", services: [SVC] }),
    call(11, "StopTask", { cluster: "chaos", task: "arn:aws:ecs:us-east-1:123456789012:task/chaos/t2" }),
];
const PERCENTS = { minimumHealthyPercent: 50, maximumPercent: 150 };

function ownerChange(atCall: number, service: string, before: number, after: number): DisruptionRecord {
    return { atCall, time: T0 + atCall * 10, kind: "owner-desired", service, ownerBefore: before, ownerAfter: after };
}

function classifier(disruptions: DisruptionRecord[], extraOwnerChanges: OwnerChange[] = []): RaceClassifier {
    const ownerChanges = [
        ...disruptions.filter((d) => d.ownerAfter !== undefined).map((d) => ({ time: d.time, service: d.service!, value: d.ownerAfter! })),
        ...extraOwnerChanges,
    ].sort((a, b) => a.time - b.time);
    return new RaceClassifier({ calls: CALLS, disruptions, ownerChanges, percents: () => PERCENTS });
}

function violation(v: Partial<Violation> & Pick<Violation, "kind" | "running" | "limit" | "requestId">): Violation {
    return { service: "web", time: T0 + 6_000, taskArn: "t-new", operation: "UpdateService", taskSeenAt: T0 + 100, runningSince: [], ...v };
}

describe("lost update: the owner's change lands between the rebalancer's last read and its write", () => {
    const surgeTask = violation({ kind: "ceiling", running: 15, limit: 3, requestId: "req-3" });

    test("a race when it fired at or before the write and after the last read, and the count is within the old owner value's limits", () => {
        const { races, remaining } = classifier([ownerChange(3, "web", 14, 2)]).violations([surgeTask]);
        expect(remaining).toEqual([]);
        expect(races).toEqual([expect.objectContaining({ kind: "lost-update", breach: "ceilingViolations", service: "web" })]);
        expect(races[0].detail).toContain("after its last read of the service (call 1)");
    });

    test("not a race when the change came before the last read (the rebalancer saw it and wrote anyway)", () => {
        expect(classifier([ownerChange(1, "web", 14, 2)]).violations([surgeTask]).remaining).toEqual([surgeTask]);
    });

    test("not a race when the count breaks even the limits of the value the rebalancer read", () => {
        const beyond = violation({ kind: "ceiling", running: 22, limit: 3, requestId: "req-3" });
        expect(classifier([ownerChange(3, "web", 14, 2)]).violations([beyond]).remaining).toEqual([beyond]);
    });

    test("not a race when the change was to another service", () => {
        expect(classifier([ownerChange(3, "api", 14, 2)]).violations([surgeTask]).remaining).toEqual([surgeTask]);
    });

    // Chaos seed 1952266426: the owner deployed a new revision just before the surge 14 → 16 reached ECS; the
    // deployment ran up to 150 % of 16, above the owner's ceiling of 21. Here the surge is 14 → 19 (call 3).
    test("the owner's deployment in the window meets a surge: a race only within the deployment's limit of the surged value", () => {
        const deployment: DisruptionRecord = { atCall: 3, time: T0 + 30, kind: "deployment", service: "web" };
        const deployed = violation({ kind: "ceiling", running: 22, limit: 21, requestId: "req-3", taskSeenAt: T0 + 60 });
        const { races, remaining } = classifier([deployment]).violations([deployed]);
        expect(remaining).toEqual([]);
        expect(races).toEqual([expect.objectContaining({ kind: "lost-update", breach: "ceilingViolations", service: "web" })]);
        expect(races[0].detail).toContain("the owner started a deployment at call 3");
        // A task launched after the rebalancer read the service again (call 10), deployment and all: its surge to end.
        const late = violation({ kind: "ceiling", running: 22, limit: 21, requestId: "req-3", taskSeenAt: T0 + 101 });
        expect(classifier([deployment]).violations([late]).remaining).toEqual([late]);
        // Beyond 150 % of the surged 19: not the deployment's doing.
        const beyond = violation({ kind: "ceiling", running: 29, limit: 21, requestId: "req-3" });
        expect(classifier([deployment]).violations([beyond]).remaining).toEqual([beyond]);
        // Before the last read (the rebalancer saw it), on another service, or a breach of a stop: failures.
        expect(classifier([{ ...deployment, atCall: 1, time: T0 + 10 }]).violations([deployed]).remaining).toEqual([deployed]);
        expect(classifier([{ ...deployment, service: "api" }]).violations([deployed]).remaining).toEqual([deployed]);
        const stop = violation({ kind: "ceiling", running: 22, limit: 21, requestId: "req-4", operation: "StopTask" });
        expect(classifier([{ ...deployment, atCall: 4, time: T0 + 40 }]).violations([stop]).remaining).toEqual([stop]);
        // A surge past the owner's ceiling is no race whatever happened.
        const over = violation({ kind: "ceiling", running: 22, limit: 18, requestId: "req-3" });
        expect(classifier([deployment]).violations([over]).remaining).toEqual([over]);
    });

    test("an instance lost in the window: a race only if counting back the tasks it took keeps the floor", () => {
        const lost: DisruptionRecord = { atCall: 4, time: T0 + 40, kind: "instance-lost", lostRunning: { web: 2 } };
        const stop = violation({ kind: "floor", running: 5, limit: 7, requestId: "req-4", operation: "StopTask" });
        expect(classifier([lost]).violations([stop]).races).toEqual([expect.objectContaining({ kind: "lost-update", breach: "floorViolations" })]);
        const deeper = violation({ kind: "floor", running: 4, limit: 7, requestId: "req-4", operation: "StopTask" });
        expect(classifier([lost]).violations([deeper]).remaining).toEqual([deeper]);
        // Replacements started since the loss are not counted twice.
        const replaced = violation({ kind: "floor", running: 5, limit: 7, requestId: "req-4", operation: "StopTask", runningSince: [T0 + 50] });
        expect(classifier([lost]).violations([replaced]).remaining).toEqual([replaced]);
        // An instance that ran none of the service's tasks is no race.
        expect(classifier([{ ...lost, lostRunning: { api: 3 } }]).violations([stop]).remaining).toEqual([stop]);
    });

    test("a violation with no disruption at all stays a failure", () => {
        expect(classifier([]).violations([surgeTask]).remaining).toEqual([surgeTask]);
    });
});

describe("overlap: the owner's change lands after the write, while ECS still carries it out", () => {
    // api: redeployed at call 6; its owner scales 4 → 1 at call 9 (time T0 + 90).
    const base = { service: "api", kind: "ceiling" as const, running: 2, limit: 1, requestId: "req-6", time: T0 + 2_000 };

    test("a race when the task was launched for the write before the change and became RUNNING after it", () => {
        const v = violation({ ...base, taskSeenAt: T0 + 70 });
        const { races } = classifier([ownerChange(9, "api", 4, 1)]).violations([v]);
        expect(races).toEqual([expect.objectContaining({ kind: "overlap", service: "api" })]);
    });

    test("not a race when the task was launched after the change (ECS started it knowing the new count)", () => {
        const v = violation({ ...base, taskSeenAt: T0 + 500 });
        expect(classifier([ownerChange(9, "api", 4, 1)]).violations([v]).remaining).toEqual([v]);
    });

    test("not a race when the owner changed it again before the task ran", () => {
        const v = violation({ ...base, taskSeenAt: T0 + 70 });
        const again = { time: T0 + 1_000, service: "api", value: 1 };
        expect(classifier([ownerChange(9, "api", 4, 1)], [again]).violations([v]).remaining).toEqual([v]);
    });
});

describe("lost owner value: later breaches judged on the value a lost update overwrote", () => {
    const lostUpdate = ownerChange(3, "web", 14, 2);
    const laterStop = violation({ kind: "ceiling", running: 14, limit: 3, requestId: "req-11", operation: "StopTask", time: T0 + 300_000 });

    test("a later breach on the same service within the kept value's limits, the owner silent since", () => {
        expect(classifier([lostUpdate]).violations([laterStop]).races).toEqual([expect.objectContaining({ kind: "lost-owner-value" })]);
    });

    test("not once the owner has set desiredCount again (its new value stands)", () => {
        const again = { time: T0 + 200_000, service: "web", value: 2 };
        expect(classifier([lostUpdate], [again]).violations([laterStop]).remaining).toEqual([laterStop]);
    });

    test("desiredCount left at the value ECS kept: a race; left anywhere else: a failure", () => {
        const c = classifier([lostUpdate]);
        expect(c.desired([{ service: "web", desired: 14, owner: 2 }]).races).toEqual([expect.objectContaining({ breach: "desiredLeftChanged", kind: "lost-owner-value" })]);
        expect(c.desired([{ service: "web", desired: 19, owner: 2 }]).remaining).toHaveLength(1);
        // A change that landed before a StopTask overwrote nothing.
        const beforeStop = classifier([ownerChange(4, "web", 14, 2)]);
        expect(beforeStop.desired([{ service: "web", desired: 14, owner: 2 }]).remaining).toHaveLength(1);
    });
});

describe("replays", () => {
    // Found by batches 20261204 and 20261203 (direct). A replay's events follow the rebalancer's own calls: a change
    // to them (tasks healthy 40 s after RUNNING, the warm container's cache, the last look at served tasks) moves a
    // race to another seed, as it moved 1327783293's and 1866243072's.
    test("a lost update: the owner scales svc-1 8 → 0 just before the surge's UpdateService; its breaches are races", async () => {
        const r = await playChaosCase(generateCase(1891906050, "service-page", "direct"));
        expect({ ceiling: r.counts.ceilingViolations, desired: r.counts.desiredLeftChanged, floor: r.counts.floorViolations }).toEqual({ ceiling: 0, desired: 0, floor: 0 });
        expect(r.concurrentWriteRaces).toBeGreaterThan(0);
        expect(r.races.some((l) => l.startsWith("lost-update (ceilingViolations): svc-1") && l.includes("owner-desired 8 → 0"))).toBe(true);
    }, 60_000);

    test("a lost owner value: the owner's 3 → 6 on svc-2 overwritten by the surge; the floor and desiredCount breaches are races", async () => {
        const r = await playChaosCase(generateCase(321403868, "service-page", "direct"));
        expect({ ceiling: r.counts.ceilingViolations, desired: r.counts.desiredLeftChanged, floor: r.counts.floorViolations }).toEqual({ ceiling: 0, desired: 0, floor: 0 });
        expect(r.races.some((l) => l.startsWith("lost-owner-value (floorViolations): svc-2"))).toBe(true);
        expect(r.races.some((l) => l.startsWith("lost-owner-value (desiredLeftChanged): svc-2") && l.includes("owner-desired 3 → 6"))).toBe(true);
    }, 60_000);
});
