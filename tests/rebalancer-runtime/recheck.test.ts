// The last look before a service's writes: a service or victim that changed since the snapshot gets no write.
import { act } from "../../rebalancer/act";
import { liveRecheck, serviceDrift, victimDrift } from "../../rebalancer/recheck";
import { observe } from "../../rebalancer/observe";
import { defaultSettings } from "../../rebalancer/settings";
import { createTaskDefinitionCache } from "../../rebalancer/taskDefinitions";
import { createTaskCache } from "../../rebalancer/taskCache";
import type { TaskDefinitionFacts } from "../../rebalancer/model";
import { liveWriter } from "../../rebalancer/writers";
import type { Action } from "../../rebalancer/plan/types";
import type { ApiCalls } from "../../rebalancer/apiCalls";
import { clusterArn, createFakeEcs } from "./support/fakeEcs";
import { instanceArn, sdkInstance, sdkService, sdkTask, serviceArn, taskArn } from "./support/sdkShapes";
import { decision, planOf } from "./support/plans";
import { buildSnapshot } from "../support/snapshotBuilder";

const C = "prod";
const CLUSTER = clusterArn(C);
const i1 = instanceArn(C, "i1");

describe("what counts as a change", () => {
    const [observed] = buildSnapshot({ instances: [{ id: "i-a", az: "a" }], services: [{ name: "web", placement: { "i-a": 2 } }] }).services;
    it.each([
        ["desiredCount", { desiredCount: 3 }, "desiredCount 2 → 3"],
        ["running", { runningCount: 1 }, "running/pending 2/0 → 1/0"],
        ["a new deployment", { deployments: [...observed.deployments, { ...observed.deployments[0], id: "d2" }] }, "its deployments changed"],
        ["the surge marker", { tags: { "ecs-rebalancer:surge": "v1 owner=2 desired=3 at=1" } }, "tag ecs-rebalancer:surge changed"],
        ["status", { status: "DRAINING" }, "status ACTIVE → DRAINING"],
    ])("%s", (_, change, why) => {
        expect(serviceDrift(observed, { ...observed, ...change })).toBe(why);
    });
    it("an unrelated tag or nothing is no change; a vanished service is", () => {
        expect(serviceDrift(observed, { ...observed, tags: { team: "payments" } })).toBeUndefined();
        expect(serviceDrift(observed, undefined)).toBe("the service is gone");
    });
    it("a victim must still run where the plan saw it", () => {
        const [task] = buildSnapshot({ instances: [{ id: "i-a", az: "a" }], services: [{ name: "web", placement: { "i-a": 1 } }] }).tasks;
        expect(victimDrift(task, task)).toBeUndefined();
        expect(victimDrift(task, { ...task, desiredStatus: "STOPPED" })).toMatch(/is RUNNING\/STOPPED/);
        expect(victimDrift(task, { ...task, containerInstanceArn: "elsewhere" })).toMatch(/moved/);
        expect(victimDrift(task, undefined)).toMatch(/is gone/);
    });
});

describe("act with the last look", () => {
    const stop = (id: string): Action => ({ kind: "stop-task", service: "web", serviceArn: serviceArn(C, "web"), taskArn: taskArn(C, id), containerInstanceArn: i1, reason: "ecs-rebalancer: move" });
    const surge: Action = {
        kind: "surge", service: "api", serviceArn: serviceArn(C, "api"), ownerDesired: 2, desiredCount: 3,
        markerTag: { key: "ecs-rebalancer:surge", value: "v1 owner=2 desired=3 at=1" },
    };

    async function setUp() {
        const fake = createFakeEcs([{
            arn: CLUSTER,
            instances: [sdkInstance(C, "i1", "us-east-1a"), sdkInstance(C, "i2", "us-east-1b")],
            services: ["web", "api"].map((n) => sdkService(C, n, { desiredCount: 2, runningCount: 2 })),
            tasks: [sdkTask(C, "w1", "web", i1), sdkTask(C, "w2", "web", i1), sdkTask(C, "a1", "api", i1), sdkTask(C, "a2", "api", i1)],
        }]);
        const calls: ApiCalls = {};
        const snapshot = await observe(fake.clients, CLUSTER, createTaskDefinitionCache(), Date.now(), calls);
        const plan = planOf(CLUSTER, [decision("web", serviceArn(C, "web"), "move", { moves: 1 }), decision("api", serviceArn(C, "api"), "surge", { moves: 1 })], [stop("w1"), surge]);
        return { fake, snapshot, plan, calls };
    }

    it("writes when nothing changed", async () => {
        const { fake, snapshot, plan, calls } = await setUp();
        const result = await act(plan, liveWriter(fake.clients, calls), defaultSettings([CLUSTER]), undefined, undefined, liveRecheck(fake.clients, snapshot, calls));
        expect(result.services.map((s) => s.outcome)).toEqual(["done", "done"]);
        expect(fake.callsOf("StopTask")).toHaveLength(1);
        expect(fake.callsOf("UpdateService")).toHaveLength(1);
    });

    it("skips a service whose owner changed desiredCount, and one whose victim is already stopping, writing nothing for them", async () => {
        const { fake, snapshot, plan, calls } = await setUp();
        // Service Auto Scaling (or the owner) raised api's count, and ECS began stopping w1, since the snapshot.
        const state = fake.clusters.get(CLUSTER)!;
        state.services.find((s) => s.serviceName === "api")!.desiredCount = 4;
        state.tasks.find((t) => t.taskArn === taskArn(C, "w1"))!.desiredStatus = "STOPPED";
        const result = await act(plan, liveWriter(fake.clients, calls), defaultSettings([CLUSTER]), undefined, undefined, liveRecheck(fake.clients, snapshot, calls));
        expect(result.services.map((s) => [s.service, s.outcome, s.changed])).toEqual([
            ["web", "changed", "task w1 is RUNNING/STOPPED"],
            ["api", "changed", "desiredCount 2 → 4"],
        ]);
        expect(fake.callsOf("StopTask")).toHaveLength(0);
        expect(fake.callsOf("UpdateService")).toHaveLength(0);
        expect(fake.callsOf("TagResource")).toHaveLength(0);
    });
});

describe("the last look after a warm read", () => {
    /** A read of these services' tasks (no container health check) whose every task the container's cache served. */
    async function warmRead(tasksByService: Record<string, string[]>) {
        const fake = createFakeEcs([{
            arn: CLUSTER,
            instances: [sdkInstance(C, "i1", "us-east-1a"), sdkInstance(C, "i2", "us-east-1b")],
            services: Object.keys(tasksByService).map((n) => sdkService(C, n, { desiredCount: 2, runningCount: 2 })),
            // Without a container health check (UNKNOWN): the kind of task the cache serves.
            tasks: Object.entries(tasksByService).flatMap(([service, ids]) => ids.map((id) => sdkTask(C, id, service, i1, { healthStatus: "UNKNOWN" }))),
        }]);
        const calls: ApiCalls = {};
        const snapshot = await observe(fake.clients, CLUSTER, createTaskDefinitionCache(), Date.now(), calls);
        const cache = createTaskCache();
        const listed = snapshot.tasks.map((t) => t.arn);
        cache.update(CLUSTER, listed, snapshot.tasks, () => ({ runningTaskCanChange: false }) as TaskDefinitionFacts);
        expect(cache.lookup(CLUSTER, listed).toDescribe).toEqual([]);
        const stop: Action = { kind: "stop-task", service: "web", serviceArn: serviceArn(C, "web"), taskArn: taskArn(C, "w1"), containerInstanceArn: i1, reason: "ecs-rebalancer: move" };
        const plan = planOf(CLUSTER, [decision("web", serviceArn(C, "web"), "move", { moves: 1 })], [stop]);
        return { fake, calls, snapshot, cache, listed, plan };
    }

    it("describes the service's tasks the cache served: one ECS set to STOPPED (still listed) holds the writes, and the cache forgets it", async () => {
        const { fake, calls, snapshot, cache, listed, plan } = await warmRead({ web: ["w1", "w2"], api: ["a1", "a2"] });
        // ECS began stopping w2 since: the planner counted it toward web's floor.
        fake.clusters.get(CLUSTER)!.tasks.find((t) => t.taskArn === taskArn(C, "w2"))!.desiredStatus = "STOPPED";
        const describedBefore = fake.callsOf("DescribeTasks").length;
        const result = await act(plan, liveWriter(fake.clients, calls), defaultSettings([CLUSTER]), undefined, undefined, liveRecheck(fake.clients, snapshot, calls, cache));
        expect(result.services.map((s) => [s.service, s.outcome, s.changed])).toEqual([["web", "changed", "task w2 is RUNNING/STOPPED (served from the warm container's cache)"]]);
        expect(fake.callsOf("StopTask")).toHaveLength(0);
        // One DescribeTasks for the victim and web's served task; api's tasks are not web's business.
        const asked = fake.callsOf("DescribeTasks").slice(describedBefore).flatMap((c) => (c.input as { tasks: string[] }).tasks);
        expect(asked.sort()).toEqual([taskArn(C, "w1"), taskArn(C, "w2")].sort());
        // The next read describes w2 again.
        expect(cache.lookup(CLUSTER, listed).toDescribe).toEqual([taskArn(C, "w2")]);
    });

    it("a served task unchanged: the writes go ahead", async () => {
        const { fake, calls, snapshot, cache, plan } = await warmRead({ web: ["w1", "w2"] });
        const result = await act(plan, liveWriter(fake.clients, calls), defaultSettings([CLUSTER]), undefined, undefined, liveRecheck(fake.clients, snapshot, calls, cache));
        expect(result.services.map((s) => s.outcome)).toEqual(["done"]);
        expect(fake.callsOf("StopTask")).toHaveLength(1);
    });
});
