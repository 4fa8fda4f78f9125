// The task cache's rules: which described tasks it keeps (RUNNING, on an instance, health UNKNOWN, definition known
// to have no health check or restart policy), that it serves only listed tasks and forgets the rest, that what it
// hands out is a copy, which definitions it asks to learn, and its bound over clusters.

import type { Task, TaskDefinitionFacts } from "../../rebalancer/model";
import { toTaskDefinitionFacts } from "../../rebalancer/snapshotMapping";
import { createTaskCache, isSettled } from "../../rebalancer/taskCache";
import { sdkTaskDefinition } from "./support/sdkShapes";

const CLUSTER = "arn:aws:ecs:us-east-1:111122223333:cluster/c";
const OTHER = "arn:aws:ecs:us-east-1:111122223333:cluster/other";
const PLAIN = "arn:aws:ecs:us-east-1:111122223333:task-definition/plain:1";
const CHECKED = "arn:aws:ecs:us-east-1:111122223333:task-definition/checked:1";

const facts = (arn: string, runningTaskCanChange: boolean): TaskDefinitionFacts => ({ arn, networkMode: "bridge", staticHostPorts: [], reservation: { cpu: 256, memory: 512 }, runningTaskCanChange });
const DEFINITIONS: Record<string, TaskDefinitionFacts> = { [PLAIN]: facts(PLAIN, false), [CHECKED]: facts(CHECKED, true) };
const known = (arn: string) => DEFINITIONS[arn];

function task(id: string, extra: Partial<Task> = {}): Task {
    return {
        arn: `arn:aws:ecs:us-east-1:111122223333:task/c/${id}`,
        serviceName: "web",
        containerInstanceArn: "arn:aws:ecs:us-east-1:111122223333:container-instance/c/i1",
        lastStatus: "RUNNING",
        desiredStatus: "RUNNING",
        healthStatus: "UNKNOWN",
        taskDefinitionArn: PLAIN,
        reservation: { cpu: 256, memory: 512 },
        hostPorts: [32768],
        startedAt: 1,
        ...extra,
    };
}

describe("which tasks can be served", () => {
    test("RUNNING on an instance, health UNKNOWN, definition without health check or restart policy", () => {
        expect(isSettled(task("a"), known(PLAIN))).toBe(true);
        expect(isSettled(task("a", { healthStatus: undefined }), known(PLAIN))).toBe(true);
    });

    test.each<[string, Partial<Task>]>([
        ["still starting (PENDING)", { lastStatus: "PENDING" }],
        ["PROVISIONING, no instance yet", { lastStatus: "PROVISIONING", containerInstanceArn: undefined }],
        ["ACTIVATING", { lastStatus: "ACTIVATING" }],
        ["being stopped (desired STOPPED)", { desiredStatus: "STOPPED" }],
        ["HEALTHY: it has a health check, whatever the definition says", { healthStatus: "HEALTHY" }],
        ["UNHEALTHY", { healthStatus: "UNHEALTHY" }],
    ])("not when %s", (_why, extra) => {
        expect(isSettled(task("a", extra), known(PLAIN))).toBe(false);
    });

    test("not when its definition has a health check or restart policy, or is not known", () => {
        expect(isSettled(task("a", { taskDefinitionArn: CHECKED }), known(CHECKED))).toBe(false);
        expect(isSettled(task("a"), undefined)).toBe(false);
    });

    test("the definition's verdict: a container health check or an enabled restart policy", () => {
        const container = { name: "app", cpu: 256, memory: 512 };
        const verdict = (c: Record<string, unknown>) => toTaskDefinitionFacts(sdkTaskDefinition("x", { containerDefinitions: [container, { ...container, name: "side", ...c }] }))!.runningTaskCanChange;
        expect(verdict({})).toBe(false);
        expect(verdict({ healthCheck: { command: ["CMD-SHELL", "true"] } })).toBe(true);
        expect(verdict({ restartPolicy: { enabled: true } })).toBe(true);
        expect(verdict({ restartPolicy: { enabled: false } })).toBe(false);
    });
});

describe("the cache over passes", () => {
    test("serves settled tasks still listed, describes the rest, forgets what is no longer listed", () => {
        const cache = createTaskCache();
        const [a, b, c, d] = [task("a"), task("b", { lastStatus: "PENDING" }), task("c", { taskDefinitionArn: CHECKED }), task("d")];
        const first = cache.lookup(CLUSTER, [a.arn, b.arn, c.arn, d.arn]);
        expect(first.served.size).toBe(0);
        cache.update(CLUSTER, [a.arn, b.arn, c.arn, d.arn], [a, b, c, d], known);
        expect(cache.size).toBe(2);

        // d stopped (no longer listed); b is RUNNING now; e is new.
        const e = task("e");
        const second = cache.lookup(CLUSTER, [a.arn, b.arn, c.arn, e.arn]);
        expect([...second.served.keys()]).toEqual([a.arn]);
        expect(second.toDescribe).toEqual([b.arn, c.arn, e.arn]);
        cache.update(CLUSTER, [a.arn, b.arn, c.arn, e.arn], [{ ...b, lastStatus: "RUNNING" }, c, e], known);
        expect(cache.size).toBe(3);
        expect(cache.lookup(CLUSTER, [d.arn]).toDescribe).toEqual([d.arn]);
        // Another cluster's listing never sees this one's tasks.
        expect(cache.lookup(OTHER, [a.arn]).served.size).toBe(0);
    });

    test("what it serves is a copy: changing it does not change the cache", () => {
        const cache = createTaskCache();
        const a = task("a");
        cache.update(CLUSTER, [a.arn], [a], known);
        a.hostPorts.push(1);
        const served = cache.lookup(CLUSTER, [a.arn]).served.get(a.arn)!;
        expect(served.hostPorts).toEqual([32768]);
        served.hostPorts.push(2);
        served.reservation.cpu = 1;
        served.protectionEnabled = true;
        expect(cache.lookup(CLUSTER, [a.arn]).served.get(a.arn)).toEqual(task("a"));
    });

    test("definitions to learn: unknown ones of otherwise settled tasks, most tasks first, bounded, unreadable left out", () => {
        const cache = createTaskCache();
        const def = (n: string) => `arn:aws:ecs:us-east-1:111122223333:task-definition/${n}:1`;
        const described = [
            task("1", { taskDefinitionArn: def("few") }),
            task("2", { taskDefinitionArn: def("many") }),
            task("3", { taskDefinitionArn: def("many") }),
            task("4", { taskDefinitionArn: def("pending"), lastStatus: "PENDING" }),
            task("5", { taskDefinitionArn: def("healthy"), healthStatus: "HEALTHY" }),
            task("6"),
            task("7", { taskDefinitionArn: def("gone") }),
        ];
        const isKnown = (arn: string) => arn in DEFINITIONS;
        expect(cache.definitionsToLearn(described, isKnown)).toEqual([def("many"), def("few"), def("gone")]);
        expect(cache.definitionsToLearn(described, isKnown, 1)).toEqual([def("many")]);
        cache.noteUnreadable([def("gone")]);
        expect(cache.definitionsToLearn(described, isKnown)).toEqual([def("many"), def("few")]);
    });

    test("bounded: past the limit, the clusters updated longest ago are forgotten, never the one just read", () => {
        const cache = createTaskCache(3);
        const tasks = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => task(`${prefix}${i}`));
        const [one, two] = [tasks("x", 2), tasks("y", 2)];
        cache.update(OTHER, one.map((t) => t.arn), one, known);
        expect(cache.size).toBe(2);
        cache.update(CLUSTER, two.map((t) => t.arn), two, known);
        expect(cache.size).toBe(2);
        expect(cache.lookup(OTHER, one.map((t) => t.arn)).served.size).toBe(0);
        expect(cache.lookup(CLUSTER, two.map((t) => t.arn)).served.size).toBe(2);
        const big = tasks("z", 5);
        cache.update(CLUSTER, big.map((t) => t.arn), big, known);
        expect(cache.size).toBe(5);
    });
});
