// The fleet simulation end to end on a tiny fleet: the deployed closure in Lambda containers, one sweep, agent
// reconnect events. What must hold whatever the figures: passes of one cluster never overlap, every cluster is
// reached, every event is covered by a later pass, nothing is lost.
import { FLEET_TINY } from "../../local/fleet/fleetShape";
import { simulateFleet, type FleetResult } from "../../local/fleet/fleetSimulation";

jest.setTimeout(180_000);

let direct: FleetResult;
let queue: FleetResult;

beforeAll(async () => {
    direct = await simulateFleet(FLEET_TINY, { delivery: "direct", seed: 3, sweeps: 1, agentReconnectsPerHour: 2 });
    queue = await simulateFleet(FLEET_TINY, { delivery: "queue", seed: 3, sweeps: 1, agentReconnectsPerHour: 2 });
});

describe("fleet simulation, direct delivery", () => {
    test("the sweep reaches both clusters, and its time is at least its read-rate bound", () => {
        expect(direct.sweeps).toHaveLength(1);
        expect(direct.sweeps[0].clustersStarved).toEqual([]);
        expect(direct.sweeps[0].seconds).toBeGreaterThanOrEqual(direct.sweeps[0].lowerBoundSeconds);
    });

    test("agent reconnects wake passes: every event is covered, none lost, within seconds (nothing else queues)", () => {
        expect(direct.events.events).toBeGreaterThan(0);
        expect(direct.events.notCovered).toBe(0);
        expect(direct.eventsLost).toBe(0);
        expect(direct.events.p99Seconds).toBeLessThan(60);
    });

    test("passes of one cluster never overlap", () => {
        expect(direct.passes).toBeGreaterThan(2);
        expect(direct.overlappingPasses).toBe(0);
    });

    test("reserved concurrency 1: one container, invocations one after the other", () => {
        expect(direct.containersStarted).toBe(1);
        expect(direct.invocationsTimedOut).toBe(0);
        expect(direct.invocations).toBeGreaterThan(direct.sweeps.length);
    });

    test("a warm container's steady pass costs fewer calls than the cold first pass", () => {
        const c = direct.largestCluster;
        expect(c.warmSteadyPassCalls).toBeLessThan(c.coldPassCalls!);
    });
});

describe("fleet simulation, queue delivery", () => {
    test("each cluster's sweep message reaches it; passes of one cluster never overlap", () => {
        expect(queue.sweeps.map((s) => s.clustersStarved)).toEqual([[]]);
        expect(queue.passes).toBeGreaterThan(2);
        expect(queue.overlappingPasses).toBe(0);
    });

    test("every event is covered by a later pass of its cluster and none is lost; nothing is left queued", () => {
        expect(queue.events.events).toBeGreaterThan(0);
        expect(queue.events.notCovered).toBe(0);
        expect(queue.eventsLost).toBe(0);
        expect(queue.backlogAtEnd).toBe(0);
    });

    test("clusters are served side by side: more than one container, none timed out", () => {
        expect(queue.containersStarted).toBeGreaterThan(1);
        expect(queue.invocationsTimedOut).toBe(0);
    });
});
