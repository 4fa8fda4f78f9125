// Each invariant check of the chaos runner catches a planted violation, and lets the allowed case through.

import { checkDesiredCounts, checkErrors, checkMarkers, checkSecrets, checkSkipReasons, checkTaskDefinitions, checkWrites, forbiddenWrite, SURGE_TAG } from "../../local/chaos/checks";
import { HARNESS_ERROR_PREFIX } from "../../local/chaos/containers";
import { checkConvergence, midDeployment, noSafeMove, serviceConvergence } from "../../local/chaos/convergence";
import { FloorCeilingMonitor, limitsOf } from "../../local/chaos/floorCeiling";
import type { RebalancerCall } from "../../local/chaos/rebalancerCalls";
import type { CapturedLog } from "../../local/scenario/rebalancers";
import { ScenarioWorld } from "../../local/scenario/world";
import { scenarioOf } from "./support/world";

const ECS = "AmazonEC2ContainerServiceV20141113";
const KEY = "AKIDLOCALREBALANCER";

/** `before` runs before the cluster is populated (a monitor must see every task start). */
function worldWith(service: Record<string, unknown>, instances = 2, before: (w: ScenarioWorld) => void = () => undefined): ScenarioWorld {
    const world = new ScenarioWorld(scenarioOf({
        name: "checks",
        cluster: "chaos",
        instances: Array.from({ length: instances }, (_, i) => ({ id: `i-${i + 1}`, az: i % 2 === 0 ? "us-east-1a" : "us-east-1b" })),
        services: [{ name: "web", desiredCount: 4, ...service }],
    }), { seed: 1 });
    before(world);
    world.populate();
    world.clock.advance(600_000);
    return world;
}

const tasksOf = (world: ScenarioWorld) => world.control.snapshot("chaos").tasks.filter((t) => t.serviceName === "web");
const call = (index: number, operation: string, input: Record<string, unknown>): RebalancerCall => ({ index, operation, input, time: 0 });

describe("floors and ceilings", () => {
    test("limits round as ECS does: ceil for the floor, floor for the ceiling", () => {
        expect(limitsOf(3, 50, 150)).toEqual({ floor: 2, ceiling: 4 });
    });

    test("a stop by the rebalancer that leaves fewer than the floor is counted; the same stop by someone else is not", async () => {
        let monitor!: FloorCeilingMonitor;
        const world = worldWith({ minimumHealthyPercent: 75, placement: { "i-1": 2, "i-2": 2 } }, 2, (w) => (monitor = new FloorCeilingMonitor(w, KEY)));
        const [a, b] = tasksOf(world);
        world.emulator.call(`${ECS}.StopTask`, { cluster: "chaos", task: a!.taskArn }, { accessKeyId: "AKIDOWNER" });
        expect(monitor.violations).toEqual([]);
        world.emulator.call(`${ECS}.StopTask`, { cluster: "chaos", task: b!.taskArn }, { accessKeyId: KEY });
        expect(monitor.violations).toEqual([expect.objectContaining({ kind: "floor", service: "web", running: 2, limit: 3, operation: "StopTask" })]);
        await world.close();
    });

    test("tasks the rebalancer's desiredCount raise starts beyond the ceiling are counted", async () => {
        let monitor!: FloorCeilingMonitor;
        const world = worldWith({ maximumPercent: 150, placement: { "i-1": 2, "i-2": 2 } }, 2, (w) => (monitor = new FloorCeilingMonitor(w, KEY)));
        world.emulator.call(`${ECS}.UpdateService`, { cluster: "chaos", service: "web", desiredCount: 8 }, { accessKeyId: KEY });
        world.clock.advance(600_000);
        expect(monitor.count("ceiling")).toBe(2); // the 7th and 8th running tasks, over floor(4 × 1.5) = 6
        expect(monitor.count("floor")).toBe(0);
        await world.close();
    });
});

describe("end state", () => {
    test("a desiredCount other than the owner's is counted until the owner's value is back", async () => {
        const world = worldWith({});
        expect(checkDesiredCounts(world).count).toBe(0);
        world.control.setDesiredCount("chaos", "web", 5, "rebalancer");
        expect(checkDesiredCounts(world)).toEqual({ count: 1, details: ["web: desiredCount 5, its owner's value is 4"] });
        world.control.setDesiredCount("chaos", "web", 4);
        expect(checkDesiredCounts(world).count).toBe(0);
        await world.close();
    });

    test("a surge marker left behind is counted; the flap-guard record is not", async () => {
        const world = worldWith({});
        const arn = (world.control.service("chaos", "web") as { serviceArn: string }).serviceArn;
        world.emulator.call(`${ECS}.TagResource`, { resourceArn: arn, tags: [{ key: "ecs-rebalancer:last-move", value: "v1" }] });
        expect(checkMarkers(world).count).toBe(0);
        world.emulator.call(`${ECS}.TagResource`, { resourceArn: arn, tags: [{ key: SURGE_TAG, value: "v1 owner=4 desired=5 at=1" }] });
        expect(checkMarkers(world).count).toBe(1);
        await world.close();
    });

    test("a task definition registered by the rebalancer, or one the harness never registered, is counted", () => {
        const harness = new Set(["td:web:1"]);
        expect(checkTaskDefinitions([call(1, "DescribeTaskDefinition", {})], ["td:web:1"], harness).count).toBe(0);
        expect(checkTaskDefinitions([call(1, "RegisterTaskDefinition", { family: "web" })], ["td:web:1"], harness).count).toBe(1);
        expect(checkTaskDefinitions([], ["td:web:1", "td:web:2"], harness).details).toEqual(["td:web:2 exists but the harness never registered it"]);
    });

    test("writes outside DESIGN.md's contract are counted; reads and allowed writes are not", () => {
        const service = "arn:aws:ecs:us-east-1:123456789012:service/chaos/web";
        const allowed = [
            call(1, "ListTasks", {}),
            call(2, "StopTask", { cluster: "c", task: "t" }),
            call(3, "UpdateService", { cluster: "c", service: "web", desiredCount: 3 }),
            call(4, "UpdateService", { cluster: "c", service: "web", forceNewDeployment: true }),
            call(5, "TagResource", { resourceArn: service, tags: [{ key: SURGE_TAG, value: "v1" }] }),
            call(6, "UntagResource", { resourceArn: service, tagKeys: [SURGE_TAG] }),
        ];
        expect(checkWrites(allowed).count).toBe(0);
        for (const bad of [
            call(7, "UpdateService", { cluster: "c", service: "web", taskDefinition: "web:2" }),
            call(8, "UpdateService", { cluster: "c", service: "web", desiredCount: 3, placementStrategy: [] }),
            call(9, "TagResource", { resourceArn: service, tags: [{ key: "team", value: "x" }] }),
            call(9, "UntagResource", { resourceArn: service, tagKeys: ["ecs-rebalancer:skip"] }),
            call(9, "TagResource", { resourceArn: service, tags: [{ key: "ecs-rebalancer:enabled", value: "false" }] }),
            call(10, "UntagResource", { resourceArn: "arn:aws:ecs:us-east-1:123456789012:cluster/chaos", tagKeys: [SURGE_TAG] }),
            call(11, "DeleteService", { service: "web" }),
            call(12, "RunTask", {}),
            call(13, "UpdateContainerInstancesState", {}),
        ]) expect(forbiddenWrite(bad)).toEqual(expect.any(String));
    });
});

describe("logs and invocations", () => {
    const pass = (services: unknown[], extra: Record<string, unknown> = {}): CapturedLog => ({
        invocation: 1,
        record: { level: "INFO", message: "rebalancer pass", totals: { services: services.length }, services, balancedServices: [], ...extra },
    });

    test("an invocation error of the function's own is unhandled; a harness kill is not", () => {
        expect(checkErrors([{ startedAt: 0, error: `${HARNESS_ERROR_PREFIX}Task timed out after 300.00 seconds` }], []).count).toBe(0);
        expect(checkErrors([{ startedAt: 0, error: "TypeError: Cannot read properties of undefined" }], []).count).toBe(1);
    });

    test("output outside the structured log, and a logged failure that is not an AWS answer, are unhandled", () => {
        expect(checkErrors([], [{ invocation: 1, record: "Error: boom\n    at x" }]).count).toBe(1);
        const throttled = pass([], { outcome: "failed", failure: { name: "ThrottlingException", message: "Rate exceeded", httpStatusCode: 400 } });
        const bug = pass([], { outcome: "failed", failure: { name: "TypeError", message: "x is not a function" } });
        const actBug = pass([{ service: "web", outcome: "move", detail: "d", act: { failure: { name: "RangeError", message: "r" } } }]);
        expect(checkErrors([], [throttled]).count).toBe(0);
        expect(checkErrors([], [bug, actBug]).count).toBe(2);
    });

    test("a skipped service without a reason, or a service missing from the record, is counted", () => {
        expect(checkSkipReasons([pass([{ service: "web", outcome: "skipped", reason: "daemon", detail: "DAEMON" }])]).count).toBe(0);
        expect(checkSkipReasons([pass([{ service: "web", outcome: "skipped", detail: "no reason given" }])]).count).toBe(1);
        expect(checkSkipReasons([pass([{ service: "web", outcome: "skipped", reason: "daemon", detail: "" }])]).count).toBe(1);
        const missing = pass([], { totals: { services: 2 } });
        expect(checkSkipReasons([missing]).details).toEqual(["invocation 1: 2 service(s) seen, 0 in the log"]);
    });

    test("a credential or environment secret anywhere in the output is counted", () => {
        const secret = "chaosSecret0123456789abcdef";
        expect(checkSecrets([pass([])], [secret]).count).toBe(0);
        expect(checkSecrets([pass([], { error: { message: `signing with ${secret}` } })], [secret]).count).toBe(1);
        expect(checkSecrets([{ invocation: 2, record: `AWS_SESSION_TOKEN=${secret}` }], [secret]).count).toBe(1);
    });
});

describe("convergence", () => {
    test("no safe move: neither surge nor stop room; an auto-scaled service never surges", () => {
        expect(noSafeMove(4, 100, 100)).toEqual(expect.any(String));
        expect(noSafeMove(1, 100, 150)).toEqual(expect.any(String));
        expect(noSafeMove(2, 100, 150)).toBeUndefined();
        expect(noSafeMove(4, 100, 200, true)).toEqual(expect.any(String));
        expect(noSafeMove(4, 50, 100, true)).toBeUndefined();
    });

    test("mid-deployment as DESIGN.md defines it", () => {
        expect(midDeployment({ desiredCount: 3, runningCount: 3, pendingCount: 0, deployments: [{ rolloutState: "COMPLETED" }] })).toBeUndefined();
        expect(midDeployment({ desiredCount: 3, runningCount: 2, pendingCount: 0, deployments: [{ rolloutState: "COMPLETED" }] })).toEqual(expect.any(String));
        expect(midDeployment({ desiredCount: 3, runningCount: 3, deployments: [{}, {}] })).toEqual(expect.any(String));
    });

    test("an unbalanced service the rebalancer could move is counted; a quiet run with every move made is not", async () => {
        const world = worldWith({ minimumHealthyPercent: 50, placement: { "i-1": 4 }, placementStrategy: [{ type: "spread", field: "instanceId" }] });
        const unbalanced = serviceConvergence(world, { skipTag: "ecs-rebalancer:skip" });
        expect(unbalanced).toEqual([{ service: "web", remainingMoves: 2 }]);
        expect(checkConvergence(unbalanced, { reached: true }).count).toBe(1);
        expect(checkConvergence([{ service: "web", remainingMoves: 0 }], { reached: true }).count).toBe(0);
        expect(checkConvergence([{ service: "web", remainingMoves: 0 }], { reached: false, stoppedBy: "time limit" }).count).toBe(1);
        await world.close();
    });

    test("exemptions are named: no safe move, protected tasks, unpredictable placement, several providers, a redeploy ECS placed", async () => {
        const frozen = worldWith({ minimumHealthyPercent: 100, maximumPercent: 100, placement: { "i-1": 4 }, placementStrategy: [{ type: "spread", field: "instanceId" }] });
        expect(serviceConvergence(frozen, { skipTag: "x" })[0]!.exempt).toMatch(/no room/);
        await frozen.close();
        const redeployed = worldWith({ minimumHealthyPercent: 50, placement: { "i-1": 4 }, placementStrategy: [{ type: "spread", field: "instanceId" }] });
        expect(serviceConvergence(redeployed, { skipTag: "x", redeployed: new Set(["web"]) })[0]!.exempt).toMatch(/redeployed/);
        await redeployed.close();
        const unpredictable = worldWith({ minimumHealthyPercent: 50, placement: { "i-1": 4 }, placementStrategy: [{ type: "spread", field: "instanceId" }], placementConstraints: [{ type: "memberOf", expression: "task:group != service:db" }] });
        expect(serviceConvergence(unpredictable, { skipTag: "x" })[0]!.exempt).toMatch(/cannot be predicted/);
        await unpredictable.close();
        const providers = new ScenarioWorld(scenarioOf({
            name: "providers", cluster: "chaos",
            instances: [{ id: "i-1", az: "us-east-1a", capacityProvider: "a" }, { id: "i-2", az: "us-east-1b", capacityProvider: "b" }, { id: "i-3", az: "us-east-1b", capacityProvider: "b" }],
            services: [{ name: "web", desiredCount: 4, minimumHealthyPercent: 50, capacityProviderStrategy: [{ capacityProvider: "a", weight: 1 }, { capacityProvider: "b", weight: 1 }], placement: { "i-1": 2, "i-2": 2 } }],
        }), { seed: 1 });
        providers.populate();
        providers.clock.advance(600_000);
        expect(serviceConvergence(providers, { skipTag: "x" })[0]).toMatchObject({ remainingMoves: 1, exempt: expect.stringMatching(/capacity providers/) });
        await providers.close();
        const protectedTask = worldWith({ minimumHealthyPercent: 50, taskProtection: 1, placement: { "i-1": 4 }, placementStrategy: [{ type: "spread", field: "instanceId" }] });
        expect(serviceConvergence(protectedTask, { skipTag: "x" })[0]!.exempt).toMatch(/protected/);
        await protectedTask.close();
    });
});
