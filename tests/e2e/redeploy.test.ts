// `redeploy` end to end: UpdateService(forceNewDeployment) on the unbalanced services only, nothing else in
// the request, and no flapping: ECS places a redeployed service's new tasks while its old ones still count, so a
// redeploy can flip the imbalance instead of removing it; such a redeploy is not repeated while nothing changes.

import type { ClusterSnapshot } from "../../local/emulator";
import type { InvocationSummary } from "../../rebalancer/handler";
import { lowerBound, skew, spreadLevels } from "./support/balance";
import { isWrite } from "./support/requestLog";
import { REBALANCER_KEY, SCHEDULE_INTERVAL_MS, scheduledEvent, startRebalancer, writesOf } from "./support/rebalancerRun";
import { CLUSTER, type ServiceSpec } from "./support/scenario";
import { limitsFor, TaskWatch } from "./support/taskWatch";
import { rebalancerRequests, startWorld, type World } from "./support/world";

const MAX_PASSES = 40;

/** Imbalance as the flap guard weighs it: the surplus first, then the skew. */
interface Imbalance {
    bound: number;
    skew: number;
}

function better(a: Imbalance, b: Imbalance): boolean {
    return a.bound < b.bound || (a.bound === b.bound && a.skew < b.skew);
}

let world: World;
let watch: TaskWatch;
const summaries: InvocationSummary[] = [];
/** Per service, the imbalance before each redeploy and once the world settled after it. */
const redeploys = new Map<string, Array<{ pass: number; before: Imbalance; after?: Imbalance }>>();
let quiet = false;

const specs = (kind?: ServiceSpec["expect"]) => world.scenario.services.filter((s) => kind === undefined || s.expect === kind);
const imbalance = (s: ServiceSpec, snapshot: ClusterSnapshot): Imbalance => ({ bound: lowerBound(world.emulator, s, spreadLevels(s), snapshot), skew: skew(world.emulator, s, snapshot) });

beforeAll(async () => {
    world = await startWorld({ REBALANCER_STRATEGY: "redeploy" }, { seed: 5 });
    watch = new TaskWatch(world.emulator, REBALANCER_KEY, limitsFor(world.scenario.services));
    const rebalancer = startRebalancer(world.clock);
    let event: unknown = world.scenario.registrationEvent;
    for (let pass = 0; pass <= MAX_PASSES && !quiet; pass++) {
        // Everything settles between two scheduled passes: what the pass sees is a redeploy's outcome.
        const snapshot = world.emulator.control.snapshot(CLUSTER);
        const states = new Map(specs().filter((s) => !s.daemon).map((s) => [s.name, imbalance(s, snapshot)]));
        for (const [name, list] of redeploys) {
            const last = list[list.length - 1];
            last.after ??= states.get(name);
        }
        const inFlight = world.clock.pendingTimers() > 0;
        const mark = world.requests.length;
        const summary = await rebalancer.invoke(event);
        summaries.push(summary);
        for (const r of rebalancerRequests(world, mark).filter((x) => x.operation === "UpdateService")) {
            const name = String(r.input.service);
            redeploys.set(name, [...(redeploys.get(name) ?? []), { pass, before: states.get(name)! }]);
        }
        quiet = pass > 0 && writesOf(summary) === 0 && !inFlight;
        world.clock.advance(SCHEDULE_INTERVAL_MS);
        event = scheduledEvent(world.clock.now());
    }
    world.clock.runUntilIdle();
});

afterAll(async () => {
    watch?.dispose();
    await world?.close();
});

test("the passes end with one that writes nothing, with nothing in flight; no pass failed", () => {
    expect(quiet).toBe(true);
    expect(summaries.flatMap((s) => s.clusters.flatMap((c) => c.errors))).toEqual([]);
});

test("exactly the unbalanced eligible services are redeployed", () => {
    expect([...redeploys.keys()].sort()).toEqual(specs("rebalance").map((s) => s.name).sort());
});

test("UpdateService carries cluster, service and forceNewDeployment, nothing else; no task-definition call", () => {
    const writes = rebalancerRequests(world).filter(isWrite);
    const updates = writes.filter((w) => w.operation === "UpdateService");
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) expect(u.input).toEqual({ cluster: world.scenario.clusterArn, service: expect.any(String), forceNewDeployment: true });
    expect(new Set(writes.map((w) => w.operation))).toEqual(new Set(["UpdateService", "TagResource"]));
    expect(rebalancerRequests(world).filter((r) => /TaskDefinition/.test(r.operation) && r.operation !== "DescribeTaskDefinition")).toEqual([]);
});

test("no flapping: a service is redeployed again only when its last redeploy lowered the imbalance", () => {
    for (const [service, list] of redeploys) {
        for (let k = 1; k < list.length; k++) {
            expect({ service, redeploy: k + 1, improvedSinceLast: better(list[k].before, list[k - 1].before) }).toEqual({ service, redeploy: k + 1, improvedSinceLast: true });
        }
        const last = list[list.length - 1];
        expect({ service, settledAfterLastRedeploy: last.after !== undefined }).toEqual({ service, settledAfterLastRedeploy: true });
    }
    // ECS flipped at least one imbalance instead of removing it, so the guard had something to stop.
    const flips = [...redeploys.values()].flat().filter((r) => r.after && !better(r.after, r.before));
    expect(flips.length).toBeGreaterThan(0);
});

test("every redeploy finished: one completed deployment per service the rebalancer redeployed", () => {
    for (const name of redeploys.keys()) {
        const service = world.emulator.control.service(CLUSTER, name) as { deployments: Array<{ rolloutState?: string }> };
        expect({ service: name, rollouts: service.deployments.map((d) => d.rolloutState) }).toEqual({ service: name, rollouts: ["COMPLETED"] });
    }
});

test("ECS kept every floor and ceiling during the redeploys", () => {
    expect(watch.stoppedByRebalancer.size).toBeGreaterThan(0);
    expect(watch.violations).toEqual([]);
});

test("DAEMON, binpack, opted-out, mid-deployment, no-headroom and balanced services are untouched; desired counts unchanged", () => {
    const leftAlone = new Set([...specs("untouched"), ...specs("balanced")].map((s) => s.name));
    expect(watch.touchedServices().filter((name) => leftAlone.has(name))).toEqual([]);
    const named = rebalancerRequests(world).filter(isWrite).map((r) => String(r.input.service ?? r.input.resourceArn).split("/").pop()!);
    expect(named.filter((name) => leftAlone.has(name))).toEqual([]);
    for (const s of specs()) {
        if (s.daemon) continue;
        const service = world.emulator.control.service(CLUSTER, s.name) as { desiredCount: number };
        expect({ service: s.name, desiredCount: service.desiredCount }).toEqual({ service: s.name, desiredCount: s.desiredCount });
    }
});
