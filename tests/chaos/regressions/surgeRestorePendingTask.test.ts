// Found by the chaos runner (seed 2058100056, before runs replayed exactly): a surge 8 → 10 of a service with
// minimumHealthyPercent 100 timed out with 9 tasks running; its tenth task was placed just then (new capacity), and
// the timed-out restore to 8 let ECS's scale-in stop 2 of the 10 — both running — leaving 7, below the floor of 8.
//
// The emulator is right: ECS's scale-in chooses what to stop by placement strategy ("spread … keeps the AZs
// balanced; within an AZ, tasks are chosen at random", task-placement-strategies.html), not by task state; a task
// still starting is not documented to go first. The rebalancer assumed the stops would fall on the surplus. It now
// restores a timed-out surge only when even the worst choice (every stop a running task) keeps the floor, and
// otherwise waits for the starting tasks to run or stop (rebalancer/plan/surgeRepair.ts).

import { EcsEmulator, VirtualClock } from "../../../local/emulator";
import { plan } from "../../../rebalancer/plan";
import { SURGE_TAG } from "../../../rebalancer/plan/markers";
import { defaultSettings } from "../../../rebalancer/settings";
import { buildSnapshot, CLUSTER_ARN, NOW } from "../../support/snapshotBuilder";

test("ECS's scale-in may stop running tasks while the tasks that made the surplus are still starting", () => {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ clock });
    const c = emulator.control;
    c.createCluster("demo");
    c.registerInstance({ cluster: "demo", ec2InstanceId: "i-a", az: "us-east-1a", cpu: 4096, memory: 8192 });
    c.registerInstance({ cluster: "demo", ec2InstanceId: "i-b", az: "us-east-1b", cpu: 4096, memory: 8192 });
    c.registerInstance({ cluster: "demo", ec2InstanceId: "i-c", az: "us-east-1c", cpu: 4096, memory: 8192 });
    const td = c.registerTaskDefinition({ family: "web", containerDefinitions: [{ name: "web", image: "x", cpu: 256, memory: 256 }] });
    c.createService({
        cluster: "demo", serviceName: "web", taskDefinition: td, desiredCount: 8, availabilityZoneRebalancing: "DISABLED",
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 150 }, initialPlacement: { "i-a": 4, "i-b": 4 },
    });
    clock.advance(600_000);
    let running = 8;
    let lowest = 8;
    emulator.onTaskChange((t) => {
        if (t.service !== "web") return;
        if (t.to === "RUNNING" && t.desiredStatus === "RUNNING") running++;
        else if (t.from === "RUNNING" && t.to === "STOPPING") running--;
        lowest = Math.min(lowest, running);
    });
    // A surge of 2: both new tasks go to AZ c (the fewest), and are PENDING for a few seconds.
    c.setDesiredCount("demo", "web", 10);
    clock.advance(2_000);
    expect(c.snapshot("demo").tasks.filter((t) => t.lastStatus === "PENDING").map((t) => t.ec2InstanceId)).toEqual(["i-c", "i-c"]);
    // Put back while they start: the scale-in keeps the AZs balanced and stops 2 tasks in AZ a or b, both running.
    c.setDesiredCount("demo", "web", 8);
    clock.advance(600_000);
    expect(lowest).toBe(6);
    expect(running).toBe(8);
});

test("a timed-out surge with a task still starting waits when the scale-in could cross the floor, and restores once it runs", () => {
    const instances = [{ id: "i-a", az: "us-east-1a" }, { id: "i-b", az: "us-east-1b" }, { id: "i-c", az: "us-east-1c" }];
    const snapshot = (running: number, pending: number) => {
        const s = buildSnapshot({ instances, services: [{ name: "web", placement: { "i-a": 4, "i-b": 4, "i-c": running - 8 }, desired: 10, minHealthy: 100 }] });
        Object.assign(s.services[0], { runningCount: running, pendingCount: pending });
        s.services[0].tags[SURGE_TAG] = `v1 owner=8 desired=10 at=${NOW / 1000 - 1000}`;
        return s;
    };
    const settings = { ...defaultSettings([CLUSTER_ARN]), surgeTimeoutSeconds: 900 };
    const starting = plan(snapshot(9, 1), settings);
    expect(starting.decisions[0]).toMatchObject({ outcome: "waiting" });
    expect(starting.actions).toEqual([]);
    // The task ran (the surge completed): the normal restore.
    expect(plan(snapshot(10, 0), settings).actions[0]).toMatchObject({ kind: "restore-desired", desiredCount: 8 });
    // It could not start at all (nothing pending): the timed-out restore; ECS can only stop a surplus task.
    expect(plan(snapshot(9, 0), settings).actions[0]).toMatchObject({ kind: "restore-desired", desiredCount: 8, why: "surge timed out" });
});
