// Surges where ECS's undocumented choices decide: where it places a surge's task among equally good instances (its
// tie-breaks), and — before the restore chose its victims — which task its scale-in took back. The prediction judges
// ECS's tied choices on the whole service (chaos seed 1584461210).

import { plan } from "../../rebalancer/plan";
import { defaultSettings } from "../../rebalancer/settings";
import { buildSnapshot, CLUSTER_ARN, SPREAD_AZ_THEN_INSTANCE } from "../support/snapshotBuilder";

const settings = defaultSettings([CLUSTER_ARN]);

// With the restore's victims protected-around (surgeRepair.ts), ECS's scale-in no longer decides which task leaves:
// a surge ECS's own scale-in could have taken back (once a chance) is sure.
test("min 100 %: a one-task surge ECS's scale-in could have taken back from the AZ with the surplus is sure with an exact restore", () => {
    const s = buildSnapshot({
        instances: [{ id: "i-1", az: "us-east-1a" }, { id: "i-4", az: "us-east-1a" }, { id: "i-2", az: "us-east-1b" }, { id: "i-3", az: "us-east-1c" }],
        services: [{ name: "web", placement: { "i-4": 2, "i-2": 1, "i-3": 1 }, minHealthy: 100, maxPercent: 150, strategies: SPREAD_AZ_THEN_INSTANCE }],
    });
    const p = plan(s, settings);
    expect(p.decisions[0]).toMatchObject({ outcome: "surge", moves: 1, lowerBound: 1, lowerBoundAfter: 0 });
    expect(p.decisions[0].detail).not.toMatch(/tie-break/);
    const record = p.actions.find((a) => a.kind === "record-move");
    expect(record?.kind === "record-move" && record.tag.value).toMatch(/ sure=1 /);
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
// surge of one lands in the AZ of two; ECS's own scale-in took it back (every AZ at 3, that instance the fullest), so
// a detour of two was the only sure way. With the restore choosing its victim, the surge of one is sure: the task
// from the instance with the surplus leaves, and the AZs end 3 / 2 / 3.
test("min 100 %: where ECS's scale-in would take a one-task surge back, the exact restore makes it sure, within the ceiling", () => {
    const instances = [
        { id: "i-1", az: "us-east-1c" }, { id: "i-2", az: "us-east-1a" }, { id: "i-3", az: "us-east-1b" },
        { id: "i-new-1", az: "us-east-1a" }, { id: "i-new-2", az: "us-east-1b" }, { id: "i-new-3", az: "us-east-1b" },
    ];
    const spec = (maxPercent: number) => buildSnapshot({
        instances,
        services: [{ name: "web", placement: { "i-1": 2, "i-2": 2, "i-3": 2, "i-new-1": 1, "i-new-2": 1 }, cpu: 512, memory: 256, minHealthy: 100, maxPercent, strategies: SPREAD_AZ_THEN_INSTANCE }],
    });
    expect(plan(spec(200), settings).decisions[0]).toMatchObject({ outcome: "surge", moves: 1, lowerBound: 1, lowerBoundAfter: 0 });
    // A ceiling that allows one more task is enough now.
    expect(plan(spec(120), settings).decisions[0]).toMatchObject({ outcome: "surge", moves: 1, lowerBoundAfter: 0 });
    // None more: the service waits for a change.
    expect(plan(spec(100), settings).decisions[0]).toMatchObject({ outcome: "skipped", reason: "no-headroom" });
});
