// The bench's own skew (bench/skew.ts), from a report's `after` and `instances` and the scenario file.
import { serviceSkew, spreadLevels, worstSkew } from "../../bench/skew";
import { parseScenario } from "../../local/scenario/scenarioFile";

function scenario(services: unknown[], instances: unknown[], steps: unknown[] = []) {
    return parseScenario(JSON.stringify({ name: "t", instances, services, steps }), "t.json");
}

const SIX = [
    { id: "a1", az: "us-east-1a" }, { id: "a2", az: "us-east-1a" },
    { id: "b1", az: "us-east-1b" }, { id: "b2", az: "us-east-1b" },
    { id: "c1", az: "us-east-1c" }, { id: "c2", az: "us-east-1c" },
];
const ALL_ELIGIBLE = Object.fromEntries(SIX.map((i) => [i.id, { az: i.az, eligible: true }]));

it("reads the spread levels from the strategies, ECS's default (AZ, then instance) when there are none", () => {
    const s = scenario([
        { name: "dflt", desiredCount: 1 },
        { name: "inst", desiredCount: 1, placementStrategy: [{ type: "spread", field: "instanceId" }] },
        { name: "az-bin", desiredCount: 1, placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "binpack", field: "memory" }] },
    ], SIX);
    expect(s.services.map(spreadLevels)).toEqual([["az", "instance"], ["instance"], ["az"]]);
});

it("AZ first: AZ totals, and instances compared within their AZ only", () => {
    const s = scenario([{ name: "web", desiredCount: 9 }], SIX);
    // AZs 4 / 3 / 2: skew 2. Within AZs: a 3-1 = 2, b 2-1, c 1-1: 2.
    const report = { instances: ALL_ELIGIBLE, after: { web: { a1: 3, a2: 1, b1: 2, b2: 1, c1: 1, c2: 1 } } };
    expect(serviceSkew(s, s.services[0], report)).toEqual({ service: "web", az: 2, instance: 2 });
    // Unequal instances per AZ are not a skew: 2 + 1 in a, 3 in b's only instance.
    const uneven = { instances: { a1: ALL_ELIGIBLE.a1, a2: ALL_ELIGIBLE.a2, b1: ALL_ELIGIBLE.b1 }, after: { web: { a1: 2, a2: 1, b1: 3 } } };
    expect(serviceSkew(s, s.services[0], uneven)).toEqual({ service: "web", az: 0, instance: 1 });
});

it("instance spread only: every instance against every other, no AZ figure", () => {
    const s = scenario([{ name: "w", desiredCount: 6, placementStrategy: [{ type: "spread", field: "instanceId" }] }], SIX);
    const report = { instances: ALL_ELIGIBLE, after: { w: { a1: 2, a2: 2, b1: 2 } } };
    expect(serviceSkew(s, s.services[0], report)).toEqual({ service: "w", instance: 2 });
});

it("ignores instances that are not eligible, cannot fit a task, or fail a memberOf constraint", () => {
    const instances = [
        { id: "a1", az: "us-east-1a", attributes: { tier: "web" } },
        { id: "a2", az: "us-east-1a", attributes: { tier: "batch" } },
        { id: "a3", az: "us-east-1a", attributes: { tier: "web" }, cpu: 128 },
        { id: "a4", az: "us-east-1a", attributes: { tier: "web" } },
    ];
    const s = scenario([{ name: "f", desiredCount: 2, cpu: 256, placementConstraints: [{ type: "memberOf", expression: "attribute:tier == web" }], placementStrategy: [{ type: "spread", field: "instanceId" }] }], instances);
    const report = {
        instances: { a1: { az: "us-east-1a", eligible: true }, a2: { az: "us-east-1a", eligible: true }, a3: { az: "us-east-1a", eligible: true }, a4: { az: "us-east-1a", eligible: false } },
        after: { f: { a1: 2 } },
    };
    // Only a1 counts (a2 batch, a3 too small, a4 gone): one bin, no skew.
    expect(serviceSkew(s, s.services[0], report)).toEqual({ service: "f", instance: 0 });
});

it("compares a service's instances within each of its capacity providers", () => {
    const instances = [
        { id: "od", az: "us-east-1a", capacityProvider: "on-demand" },
        { id: "s1", az: "us-east-1a", capacityProvider: "spot" },
        { id: "s2", az: "us-east-1b", capacityProvider: "spot" },
        { id: "x", az: "us-east-1b", capacityProvider: "other" },
    ];
    const s = scenario([{ name: "m", desiredCount: 6, capacityProviderStrategy: [{ capacityProvider: "on-demand", base: 2 }, { capacityProvider: "spot", weight: 1 }] }], instances);
    const report = { instances: Object.fromEntries(instances.map((i) => [i.id, { az: i.az, eligible: true }])), after: { m: { od: 4, s1: 1, s2: 1 } } };
    // on-demand: one instance, one AZ; spot: 1 / 1 across two AZs; "other" is not the service's.
    expect(serviceSkew(s, s.services[0], report)).toEqual({ service: "m", az: 0, instance: 0 });
});

it("leaves out DAEMON, binpack, random, opted-out and scaled-to-zero services; the worst of the rest wins", () => {
    const s = scenario([
        { name: "d", desiredCount: 0, schedulingStrategy: "DAEMON" },
        { name: "b", desiredCount: 6, placementStrategy: [{ type: "binpack", field: "memory" }] },
        { name: "r", desiredCount: 6, placementStrategy: [{ type: "random" }] },
        { name: "o", desiredCount: 6, tags: { "ecs-rebalancer:skip": "true" } },
        { name: "z", desiredCount: 6 },
        { name: "w", desiredCount: 6 },
        { name: "v", desiredCount: 6, placementStrategy: [{ type: "spread", field: "instanceId" }] },
    ], SIX, [{ setDesired: { z: 0 } }]);
    const skewed = { a1: 6 };
    const report = {
        instances: ALL_ELIGIBLE,
        after: { d: { a1: 1 }, b: skewed, r: skewed, o: skewed, z: skewed, w: { a1: 1, a2: 1, b1: 1, b2: 1, c1: 1, c2: 1 }, v: { a1: 2, b1: 1, c1: 1, a2: 1, b2: 1 } },
    };
    expect(s.services.map((svc) => serviceSkew(s, svc, report)?.service)).toEqual([undefined, undefined, undefined, undefined, undefined, "w", "v"]);
    expect(worstSkew(s, report)).toEqual({ instance: { value: 2, service: "v" }, az: { value: 0 } });
});
