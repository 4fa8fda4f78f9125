// The runner's floor/ceiling accounting (local/scenario/accounting.ts): a violation is a change by the rebalancer
// that takes a service's running count below its floor or above its ceiling. Before the fix, any rebalancer change
// while the service was already short counted — the seed stopping a PENDING task of a service that was still
// starting (0 running of 500) was reported as a floor violation.
import type { TaskChange } from "../../local/emulator";
import { RebalancerAccounting } from "../../local/scenario/accounting";
import type { ScenarioWorld } from "../../local/scenario/world";

const KEY = "AKIDREBALANCER";

function fakeWorld(desired: number, minimumHealthyPercent: number, maximumPercent: number) {
    let listener: (c: TaskChange) => void = () => undefined;
    const world = {
        emulator: { onTaskChange: (l: (c: TaskChange) => void) => ((listener = l), () => undefined) },
        ownerDesired: new Map([["web", desired]]),
        scenario: { services: [{ name: "web", minimumHealthyPercent, maximumPercent }] },
    } as unknown as ScenarioWorld;
    let time = 0;
    const change = (task: string, from: TaskChange["from"], to: TaskChange["to"], desiredStatus: TaskChange["desiredStatus"], byRebalancer: boolean) =>
        listener({
            time: ++time, clusterArn: "c", taskArn: task, service: "web", containerInstanceArn: "ci", ec2InstanceId: "i-a", from, to, desiredStatus,
            cause: { step: "x", root: byRebalancer ? { type: "api", operation: "StopTask", requestId: "r", accessKeyId: KEY, userAgent: "" } : { type: "control", action: "createService" } },
        } as unknown as TaskChange);
    return { world, change };
}

it("counts a rebalancer stop that takes the service below its floor, once until it recovers", () => {
    const { world, change } = fakeWorld(2, 100, 200);
    const accounting = new RebalancerAccounting(world, KEY);
    change("t1", undefined, "RUNNING", "RUNNING", false);
    change("t2", undefined, "RUNNING", "RUNNING", false);
    change("t1", "RUNNING", "STOPPING", "STOPPED", true);
    change("t2", "RUNNING", "STOPPING", "STOPPED", true);
    expect(accounting.count("floor")).toBe(1);
    change("t3", undefined, "RUNNING", "RUNNING", false);
    change("t4", undefined, "RUNNING", "RUNNING", false);
    change("t3", "RUNNING", "STOPPING", "STOPPED", true);
    expect(accounting.count("floor")).toBe(2);
});

it("does not count a rebalancer change that leaves the running count as it was while the service is still starting", () => {
    const { world, change } = fakeWorld(2, 100, 200);
    const accounting = new RebalancerAccounting(world, KEY);
    change("t1", undefined, "PENDING", "RUNNING", false);
    change("t1", "PENDING", "STOPPED", "STOPPED", true);
    expect(accounting.count("floor")).toBe(0);
    expect(accounting.stopped.has("t1")).toBe(true);
});

it("counts a rebalancer start that takes the service above its ceiling", () => {
    const { world, change } = fakeWorld(2, 50, 100);
    const accounting = new RebalancerAccounting(world, KEY);
    change("t1", undefined, "RUNNING", "RUNNING", false);
    change("t2", undefined, "RUNNING", "RUNNING", false);
    change("t3", undefined, "PENDING", "RUNNING", true);
    expect(accounting.count("ceiling")).toBe(0);
    change("t3", "PENDING", "RUNNING", "RUNNING", true);
    expect(accounting.count("ceiling")).toBe(1);
});
