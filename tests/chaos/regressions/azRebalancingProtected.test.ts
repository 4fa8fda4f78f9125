// Found by the chaos runner (npm run chaos -- --replay 1301423743; the world never settled, even with ECS alone):
// the emulator's AZ rebalancing looped forever on a service whose tasks in its fullest AZ are all protected from
// scale-in. It started a task in the emptiest AZ; the balanced scale-in, which never stops a protected task, then
// removed that new task; and again. ECS can only rebalance by stopping a task where there are too many: when none
// there may be stopped, it has nothing to do.

import { EcsEmulator, VirtualClock, type TaskChange } from "../../../local/emulator";

test("AZ rebalancing leaves alone a service whose fullest AZ holds only scale-in protected tasks", () => {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ clock });
    const c = emulator.control;
    const changes: TaskChange[] = [];
    emulator.onTaskChange((x) => changes.push(x));
    c.createCluster("demo");
    c.registerInstance({ cluster: "demo", ec2InstanceId: "i-a", az: "us-east-1a" });
    c.registerInstance({ cluster: "demo", ec2InstanceId: "i-b", az: "us-east-1b" });
    const td = c.registerTaskDefinition({ family: "web", containerDefinitions: [{ name: "web", image: "x", cpu: 128, memory: 128 }] });
    c.createService({ cluster: "demo", serviceName: "web", taskDefinition: td, desiredCount: 2, availabilityZoneRebalancing: "ENABLED", initialPlacement: { "i-a": 2 } });
    for (const t of c.snapshot("demo").tasks) c.setTaskProtection("demo", t.taskArn, true, 2880);
    c.registerInstance({ cluster: "demo", ec2InstanceId: "i-c", az: "us-east-1c" });
    const settled = clock.runUntilIdle(6 * 3600_000);
    expect(settled).toBe(true);
    expect(c.tasksPerAvailabilityZone("demo", "web")).toEqual({ "us-east-1a": 2 });
    expect(changes.filter((x) => x.from === undefined).length).toBeLessThanOrEqual(4);
});
