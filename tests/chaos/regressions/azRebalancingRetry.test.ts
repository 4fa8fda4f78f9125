// Found by the chaos runner (npm run chaos -- --replay 1404728347): the emulator's AZ rebalancing gave up for good
// when its task could not be placed in the AZ with the fewest (no room there at that moment), and never looked
// again when room came back. ECS "continuously monitors the distribution of tasks across Availability Zones"
// (service-rebalancing.html): it tries again once the AZ can take the task.

import { EcsEmulator, VirtualClock } from "../../../local/emulator";

const SETTLE_MS = 10 * 60_000;

test("AZ rebalancing that found no room tries again once a task elsewhere frees it", () => {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ clock });
    const c = emulator.control;
    c.createCluster("demo");
    c.registerInstance({ cluster: "demo", ec2InstanceId: "i-a", az: "us-east-1a", cpu: 1024, memory: 4000 });
    c.registerInstance({ cluster: "demo", ec2InstanceId: "i-b", az: "us-east-1b", cpu: 2048, memory: 4000 });
    const web = c.registerTaskDefinition({ family: "web", containerDefinitions: [{ name: "web", image: "x", cpu: 256, memory: 256 }] });
    const filler = c.registerTaskDefinition({ family: "filler", containerDefinitions: [{ name: "filler", image: "x", cpu: 1024, memory: 256 }] });
    // i-a is full with another service's task; web sits in AZ b only.
    c.createService({ cluster: "demo", serviceName: "filler", taskDefinition: filler, desiredCount: 1, placementStrategy: [{ type: "binpack", field: "cpu" }], initialPlacement: { "i-a": 1 } });
    c.createService({ cluster: "demo", serviceName: "web", taskDefinition: web, desiredCount: 2, availabilityZoneRebalancing: "ENABLED", initialPlacement: { "i-b": 2 } });
    clock.advance(SETTLE_MS);
    expect(c.tasksPerAvailabilityZone("demo", "web")).toEqual({ "us-east-1b": 2 });
    // The owner scales the other service in: room in AZ a.
    c.setDesiredCount("demo", "filler", 0);
    clock.advance(SETTLE_MS);
    expect(c.tasksPerAvailabilityZone("demo", "web")).toEqual({ "us-east-1a": 1, "us-east-1b": 1 });
});
