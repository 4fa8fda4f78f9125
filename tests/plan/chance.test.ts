// Chances where ECS's undocumented tie-breaks decide (chaos seed 1584461210): a surge whose new task
// ECS may place in either of two equally full AZs, and whose scale-in may then stop in either of two equally full
// AZs. In the best case it balances the service, in the worst it changes nothing. The "best" resolution must judge
// ECS's tied choices on the whole service: by a score per instance against fixed targets, stopping the surplus task
// in the AZ that needs it gone looked no better than stopping the task just started, and no chance was seen.

import { plan } from "../../rebalancer/plan";
import { defaultSettings } from "../../rebalancer/settings";
import { buildSnapshot, CLUSTER_ARN, SPREAD_AZ_THEN_INSTANCE } from "../support/snapshotBuilder";

const settings = defaultSettings([CLUSTER_ARN]);

test("min 100 %: a one-task surge that ECS's scale-in may take back from the AZ with the surplus is a chance", () => {
    const s = buildSnapshot({
        instances: [{ id: "i-1", az: "us-east-1a" }, { id: "i-4", az: "us-east-1a" }, { id: "i-2", az: "us-east-1b" }, { id: "i-3", az: "us-east-1c" }],
        services: [{ name: "web", placement: { "i-4": 2, "i-2": 1, "i-3": 1 }, minHealthy: 100, maxPercent: 150, strategies: SPREAD_AZ_THEN_INSTANCE }],
    });
    const p = plan(s, settings);
    expect(p.decisions[0]).toMatchObject({ outcome: "surge", moves: 1, lowerBound: 1, detail: expect.stringMatching(/tie-break/) });
    // At worst (the scale-in takes the new task back) nothing changes; the record says it was not sure.
    expect(p.decisions[0].lowerBoundAfter).toBe(1);
    const record = p.actions.find((a) => a.kind === "record-move");
    expect(record?.kind === "record-move" && record.tag.value).toMatch(/ sure=0 /);
});

test("two AZs of three tasks, one instance with two: ECS's strategies narrow in turn (the AZs tie, then the emptiest instance of both), so the surge is sure", () => {
    const s = buildSnapshot({
        instances: [
            { id: "i-1", az: "us-east-1b" }, { id: "i-n1", az: "us-east-1b" }, { id: "i-n2", az: "us-east-1b" },
            { id: "i-2", az: "us-east-1a" }, { id: "i-4", az: "us-east-1a" }, { id: "i-n3", az: "us-east-1a" },
        ],
        services: [{ name: "web", placement: { "i-1": 1, "i-n1": 1, "i-n2": 1, "i-2": 2, "i-4": 1 }, minHealthy: 100, maxPercent: 200, strategies: SPREAD_AZ_THEN_INSTANCE }],
    });
    const d = plan(s, settings).decisions[0];
    expect(d).toMatchObject({ outcome: "surge", moves: 1, lowerBound: 1, lowerBoundAfter: 0 });
    expect(d.detail).not.toMatch(/tie-break/);
});

// Chaos seed 353933094: AZs 3 / 3 / 2, and in the AZ of three one instance holds 2 where another holds none. A
// surge of one lands in the AZ of two and ECS's scale-in takes it back (every AZ at 3, that instance the fullest);
// a surge of two reaches the empty instance too, and the scale-in removes one from the instance with the surplus
// and one from the AZ of two. Two stops for a surplus of one: the only sure way ECS offers.
test("min 100 %: a surge larger than the surplus when nothing smaller can be steered, and not past the ceiling", () => {
    const s = buildSnapshot({
        instances: [
            { id: "i-1", az: "us-east-1c" }, { id: "i-2", az: "us-east-1a" }, { id: "i-3", az: "us-east-1b" },
            { id: "i-new-1", az: "us-east-1a" }, { id: "i-new-2", az: "us-east-1b" }, { id: "i-new-3", az: "us-east-1b" },
        ],
        services: [{ name: "web", placement: { "i-1": 2, "i-2": 2, "i-3": 2, "i-new-1": 1, "i-new-2": 1 }, cpu: 512, memory: 256, minHealthy: 100, maxPercent: 200, strategies: SPREAD_AZ_THEN_INSTANCE }],
    });
    const d = plan(s, settings).decisions[0];
    expect(d).toMatchObject({ outcome: "surge", moves: 2, lowerBound: 1, lowerBoundAfter: 0, detail: expect.stringContaining("with more tasks than it removes") });
    // With a ceiling that allows only one more task, no detour: the service waits for a change.
    const tight = buildSnapshot({ ...{ instances: s.instances.map((i) => ({ id: i.ec2InstanceId, az: i.az })) },
        services: [{ name: "web", placement: { "i-1": 2, "i-2": 2, "i-3": 2, "i-new-1": 1, "i-new-2": 1 }, cpu: 512, memory: 256, minHealthy: 100, maxPercent: 120, strategies: SPREAD_AZ_THEN_INSTANCE }] });
    expect(plan(tight, settings).decisions[0]).toMatchObject({ outcome: "skipped", reason: "no-safe-move" });
});
