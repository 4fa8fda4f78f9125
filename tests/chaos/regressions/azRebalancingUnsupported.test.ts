// Found by the chaos runner (npm run chaos -- --replay 1873667108): a service with availabilityZoneRebalancing
// ENABLED but maximumPercent 100 stayed with every task in one AZ. The planner leaves the AZ level to ECS whenever
// the flag is ENABLED, but AWS does not rebalance AZs for services with maximumPercent 100 or with a placement
// constraint on the AZ attribute (service-rebalancing.html; the emulator follows it), so nobody did.

import { plan } from "../../../rebalancer/plan";
import { defaultSettings } from "../../../rebalancer/settings";
import { buildSnapshot, CLUSTER_ARN, SPREAD_AZ_THEN_INSTANCE } from "../../support/snapshotBuilder";

const instances = [{ id: "i-a1", az: "a" }, { id: "i-a2", az: "a" }, { id: "i-b1", az: "b" }, { id: "i-b2", az: "b" }];

function planFor(maxPercent: number, constraints: { type: string; expression?: string }[] = []) {
    const s = buildSnapshot({
        instances,
        services: [{ name: "web", placement: { "i-a1": 2, "i-a2": 2 }, minHealthy: 50, maxPercent, strategies: SPREAD_AZ_THEN_INSTANCE, constraints, service: { availabilityZoneRebalancing: "ENABLED" } }],
    });
    // Its tasks started within the grace: ECS's AZ rebalancing still has time to act where it is supported.
    for (const t of s.tasks) t.startedAt = s.observedAt - 600_000;
    return plan(s, defaultSettings([CLUSTER_ARN])).decisions[0]!;
}

test("ENABLED with maximumPercent above 100: the AZ level is ECS's, nothing to do between instances of AZ a", () => {
    expect(planFor(200)).toMatchObject({ outcome: "balanced", lowerBound: 0 });
});

test("ENABLED with maximumPercent 100: ECS does not rebalance AZs, so the rebalancer does", () => {
    expect(planFor(100)).toMatchObject({ outcome: "move", lowerBound: 2 });
});

test("ENABLED with a placement constraint on the AZ attribute: ECS does not rebalance AZs, so the rebalancer does", () => {
    expect(planFor(200, [{ type: "memberOf", expression: "attribute:ecs.availability-zone in [a, b]" }])).toMatchObject({ lowerBound: 2 });
});
