// Which events cost ECS calls: a duplicate or stale container-instance event makes none (the container remembers
// what an earlier pass covered), and an event for a cluster the function does not target makes none at all.

import { CONTAINER_INSTANCE_STATE_CHANGE, type EcsEvent } from "../../local/emulator";
import { handler } from "../../rebalancer/handler";
import { REBALANCER_KEY, startRebalancer, writesOf, type RebalancerRun } from "./support/rebalancerRun";
import { JOINING_INSTANCE } from "./support/scenario";
import { captureOutput } from "../support/stdoutCapture";
import { startWorld, type World } from "./support/world";

let world: World;
let rebalancer: RebalancerRun;
/** The joining instance's container-instance events before any pass, oldest first. */
const joining: EcsEvent[] = [];
let registration: EcsEvent;
let later: EcsEvent;

beforeAll(async () => {
    world = await startWorld({ REBALANCER_STRATEGY: "minimal" });
    joining.push(world.scenario.registrationEvent);
    const unsubscribe = world.emulator.onEvent((e) => {
        if (e["detail-type"] === CONTAINER_INSTANCE_STATE_CHANGE && (e.detail as { ec2InstanceId?: string }).ec2InstanceId === JOINING_INSTANCE.id) joining.push(structuredClone(e));
    });
    // The scheduler places the DAEMON task on the new instance: a later event of the same instance.
    world.clock.advance(5_000);
    unsubscribe();
    registration = joining[0];
    later = joining[joining.length - 1];
    rebalancer = startRebalancer(world.clock);
});

afterAll(async () => {
    await world?.close();
});

/** Invokes the handler and counts the requests the emulator received meanwhile. */
async function requestsMadeBy(run: () => Promise<unknown>): Promise<{ result: any; requests: number; rebalancerRequests: number }> {
    const mark = world.requests.length;
    const result = await run();
    return { result, requests: world.requests.length - mark, rebalancerRequests: world.requests.by(REBALANCER_KEY, mark).length };
}

test("the later event of the new instance starts a pass that moves tasks", async () => {
    const version = (e: EcsEvent) => (e.detail as { version: number }).version;
    expect(joining.length).toBeGreaterThanOrEqual(2);
    expect(version(joining[joining.length - 1])).toBeGreaterThan(version(joining[0]));
    const { result, rebalancerRequests } = await requestsMadeBy(() => rebalancer.invoke(later));
    expect(result.trigger).toBe("container-instance");
    expect(writesOf(result)).toBeGreaterThan(0);
    expect(rebalancerRequests).toBeGreaterThan(0);
});

test("the same event again (EventBridge delivers at least once): no ECS call", async () => {
    const { result, requests } = await requestsMadeBy(() => rebalancer.invoke(later));
    expect(result).toMatchObject({ trigger: "redundant", clusters: [] });
    expect(result.why).toMatch(/duplicate/);
    expect(requests).toBe(0);
});

test("an older event of the same instance arriving late: no ECS call", async () => {
    const { result, requests } = await requestsMadeBy(() => rebalancer.invoke(registration));
    expect(result).toMatchObject({ trigger: "redundant", clusters: [] });
    expect(result.why).toMatch(/stale/);
    expect(requests).toBe(0);
    expect(rebalancer.logs.filter((l) => l.message === "event skipped")).toHaveLength(2);
});

test("events for a cluster the function does not target: no call at all", async () => {
    const seen: EcsEvent[] = [];
    const unsubscribe = world.emulator.onEvent((e) => seen.push(structuredClone(e)));
    world.emulator.control.createCluster("not-targeted");
    world.emulator.control.registerInstance({ cluster: "not-targeted", ec2InstanceId: "i-other", az: "us-east-1a" });
    world.emulator.control.registerTaskDefinition({ family: "other", containerDefinitions: [{ name: "other", image: "example/other:1", cpu: 16, memory: 32 }] });
    world.emulator.control.createService({ cluster: "not-targeted", serviceName: "other", taskDefinition: "other", desiredCount: 1, availabilityZoneRebalancing: "DISABLED" });
    world.clock.advance(60_000);
    unsubscribe();
    const foreign = seen.filter((e) => (e.detail as { clusterArn?: string }).clusterArn?.endsWith(":cluster/not-targeted"));
    const kinds = new Set(foreign.map((e) => e["detail-type"]));
    expect(kinds).toEqual(new Set([CONTAINER_INSTANCE_STATE_CHANGE, "ECS Task State Change", "ECS Service Action"]));
    const out = captureOutput();
    try {
        for (const event of foreign) {
            // The plain export, as deployed: the first call builds its clients from the environment.
            const { result, requests } = await requestsMadeBy(() => handler(event));
            expect({ type: event["detail-type"], trigger: result.trigger, requests }).toEqual({ type: event["detail-type"], trigger: "ignored", requests: 0 });
        }
        const { result, requests } = await requestsMadeBy(() => rebalancer.invoke(foreign.find((e) => e["detail-type"] === CONTAINER_INSTANCE_STATE_CHANGE)));
        expect({ trigger: result.trigger, requests }).toEqual({ trigger: "ignored", requests: 0 });
    } finally {
        out.restore();
    }
    expect(out.lines().filter((l) => l.message === "event ignored")).toHaveLength(foreign.length);
});
