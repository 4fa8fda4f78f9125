// DAEMON services: one task on every ACTIVE, connected instance that meets the constraints, placed before
// replica tasks on a new instance, stopped last when the instance drains.

import type { TaskChange } from "../../local/emulator";
import { addInstances, offlineEmulator, SETTLE_MS, taskDefinition } from "./helpers";

function world() {
    const { emulator, clock } = offlineEmulator();
    emulator.control.createCluster("c");
    taskDefinition(emulator, "agent", { cpu: 256, memory: 256 });
    taskDefinition(emulator, "app", { cpu: 256, memory: 256 });
    return { emulator, clock, settle: () => clock.advance(SETTLE_MS) };
}

test("one task per instance; desiredCount follows the eligible instances; constraints are honoured", () => {
    const { emulator, settle } = world();
    addInstances(emulator, "c", [
        { id: "i-1", az: "us-east-1a" },
        { id: "i-2", az: "us-east-1b", attributes: { role: "edge" } },
    ]);
    emulator.control.createService({ cluster: "c", serviceName: "agent", taskDefinition: "agent", schedulingStrategy: "DAEMON" });
    emulator.control.createService({
        cluster: "c",
        serviceName: "edge-agent",
        taskDefinition: "agent",
        schedulingStrategy: "DAEMON",
        placementConstraints: [{ type: "memberOf", expression: "attribute:role == edge" }],
    });
    settle();
    expect(emulator.control.tasksPerInstance("c", "agent")).toEqual({ "i-1": 1, "i-2": 1 });
    expect(emulator.control.tasksPerInstance("c", "edge-agent")).toEqual({ "i-2": 1 });
    expect(emulator.control.service("c", "agent")).toMatchObject({ desiredCount: 2, runningCount: 2, schedulingStrategy: "DAEMON" });
    expect(emulator.control.service("c", "agent").deploymentConfiguration).toMatchObject({ minimumHealthyPercent: 0, maximumPercent: 100 });
    addInstances(emulator, "c", [{ id: "i-3", az: "us-east-1c" }]);
    settle();
    expect(emulator.control.tasksPerInstance("c", "agent")).toEqual({ "i-1": 1, "i-2": 1, "i-3": 1 });
    emulator.control.terminateInstance("i-1");
    settle();
    expect(emulator.control.tasksPerInstance("c", "agent")).toEqual({ "i-2": 1, "i-3": 1 });
    expect(emulator.control.service("c", "agent").desiredCount).toBe(2);
});

test("on a new instance the daemon task is placed before replica tasks fill it", () => {
    const { emulator, settle } = world();
    addInstances(emulator, "c", [{ id: "i-1", az: "us-east-1a", cpu: 512 }]);
    emulator.control.createService({ cluster: "c", serviceName: "agent", taskDefinition: "agent", schedulingStrategy: "DAEMON" });
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 3 });
    settle();
    expect(emulator.control.tasksPerInstance("c", "agent")).toEqual({ "i-1": 1 });
    expect(emulator.control.tasksPerInstance("c", "app")).toEqual({ "i-1": 1 });
    // The short replica service and the daemon both want the new instance's room (512 CPU): the daemon goes first.
    addInstances(emulator, "c", [{ id: "i-2", az: "us-east-1a", cpu: 512 }]);
    settle();
    expect(emulator.control.tasksPerInstance("c", "agent")).toEqual({ "i-1": 1, "i-2": 1 });
    expect(emulator.control.tasksPerInstance("c", "app")).toEqual({ "i-1": 1, "i-2": 1 });
});

test("a draining instance keeps its daemon task until the other service tasks have left", () => {
    const { emulator, clock, settle } = world();
    addInstances(emulator, "c", [
        { id: "i-1", az: "us-east-1a" },
        { id: "i-2", az: "us-east-1a" },
    ]);
    emulator.control.createService({ cluster: "c", serviceName: "agent", taskDefinition: "agent", schedulingStrategy: "DAEMON" });
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 2, initialPlacement: { "i-1": 2 } });
    settle();
    const stops: TaskChange[] = [];
    emulator.onTaskChange((c) => c.to === "STOPPING" && c.ec2InstanceId === "i-1" && stops.push(c));
    emulator.control.drainInstance("i-1");
    clock.runUntilIdle();
    expect(stops.map((s) => s.service)).toEqual(["app", "app", "agent"]);
    expect(emulator.control.tasksPerInstance("c", "agent")).toEqual({ "i-2": 1 });
});
