// What follows a task's end: StopTask's replacement is an ordinary placement by the service's strategy, EC2
// termination stops the instance's tasks with TerminationNotice, and every start carries the cause it follows from.

import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { causeChain, type TaskChange } from "../../local/emulator";
import { addInstances, ecsClient, offlineEmulator, SETTLE_MS, startHarness, taskDefinition } from "./helpers";

test("a StopTask replacement lands per the spread strategy and follows from the StopTask call", async () => {
    const h = await startHarness();
    const rebalancer = ecsClient(h.endpoint, "REBALANCERKEY");
    try {
        h.emulator.control.createCluster("demo");
        addInstances(h.emulator, "demo", [
            { id: "i-a", az: "us-east-1a" },
            { id: "i-c", az: "us-east-1b" },
        ]);
        taskDefinition(h.emulator, "web");
        h.emulator.control.createService({ cluster: "demo", serviceName: "web", taskDefinition: "web", desiredCount: 2, availabilityZoneRebalancing: "DISABLED", initialPlacement: { "i-a": 2 } });
        h.clock.advance(SETTLE_MS);
        const changes: TaskChange[] = [];
        h.emulator.onTaskChange((c) => changes.push(c));
        const [victim] = (await rebalancer.send(new ListTasksCommand({ cluster: "demo", serviceName: "web" }))).taskArns!;
        const stop = await rebalancer.send(new StopTaskCommand({ cluster: "demo", task: victim, reason: "rebalancer: move" }));
        h.clock.advance(SETTLE_MS);
        // AZ a kept one task, AZ b had none: the replacement goes to i-c.
        expect(h.emulator.control.tasksPerInstance("demo", "web")).toEqual({ "i-a": 1, "i-c": 1 });
        const started = changes.filter((c) => c.from === undefined);
        expect(started).toHaveLength(1);
        expect(started[0]!.ec2InstanceId).toBe("i-c");
        expect(causeChain(started[0]!.cause)).toEqual(["replace stopped task", "StopTask"]);
        expect(started[0]!.cause.root).toEqual({
            type: "api",
            operation: "StopTask",
            requestId: stop.$metadata.requestId,
            accessKeyId: "REBALANCERKEY",
            userAgent: expect.any(String),
        });
        const stopped = changes.filter((c) => c.taskArn === victim).map((c) => [c.from, c.to]);
        expect(stopped).toEqual([
            ["RUNNING", "STOPPING"],
            ["STOPPING", "STOPPED"],
        ]);
    } finally {
        rebalancer.destroy();
        await h.close();
    }
});

test("a replacement cannot reuse a static port until the stopped task has released it", () => {
    const { emulator, clock } = offlineEmulator({ timing: { taskStopMs: 30_000 } });
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [{ id: "i-1", az: "us-east-1a" }]);
    taskDefinition(emulator, "edge", { hostPort: 80 });
    emulator.control.createService({ cluster: "c", serviceName: "edge", taskDefinition: "edge", desiredCount: 1, initialPlacement: { "i-1": 1 } });
    clock.advance(SETTLE_MS);
    const [task] = emulator.control.snapshot("c").tasks;
    emulator.call("AmazonEC2ContainerServiceV20141113.StopTask", { cluster: "c", task: task!.taskArn });
    clock.advance(20_000);
    expect(emulator.control.service("c", "edge").runningCount).toBe(0);
    expect(emulator.control.snapshot("c").tasks).toHaveLength(0);
    clock.advance(SETTLE_MS);
    expect(emulator.control.service("c", "edge").runningCount).toBe(1);
});

test("EC2 termination: tasks stop with TerminationNotice, the instance goes INACTIVE, services replace them", async () => {
    const h = await startHarness();
    try {
        h.emulator.control.createCluster("demo");
        addInstances(h.emulator, "demo", [
            { id: "i-a", az: "us-east-1a" },
            { id: "i-b", az: "us-east-1b" },
        ]);
        taskDefinition(h.emulator, "web");
        h.emulator.control.createService({ cluster: "demo", serviceName: "web", taskDefinition: "web", desiredCount: 2 });
        h.clock.advance(SETTLE_MS);
        expect(h.emulator.control.tasksPerInstance("demo", "web")).toEqual({ "i-a": 1, "i-b": 1 });
        const onB = h.emulator.control.snapshot("demo").tasks.find((t) => t.ec2InstanceId === "i-b")!;
        const starts: TaskChange[] = [];
        h.emulator.onTaskChange((c) => c.from === undefined && starts.push(c));
        h.emulator.control.terminateInstance("i-b");
        const gone = (await h.ecs.send(new DescribeTasksCommand({ cluster: "demo", tasks: [onB.taskArn] }))).tasks![0]!;
        expect(gone).toMatchObject({ lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "TerminationNotice", stoppedReason: "Host EC2 (instance i-b) terminated." });
        const instance = h.emulator.control.snapshot("demo").instances.find((i) => i.ec2InstanceId === "i-b")!;
        expect(instance).toMatchObject({ status: "INACTIVE", agentConnected: false });
        h.clock.advance(SETTLE_MS);
        expect(h.emulator.control.tasksPerInstance("demo", "web")).toEqual({ "i-a": 2 });
        expect(starts).toHaveLength(1);
        expect(starts[0]!.cause.root).toEqual({ type: "control", action: "terminateInstance" });
    } finally {
        await h.close();
    }
});

test("scale-out starts follow from the desiredCount change; set-up tasks from the control action", () => {
    const { emulator, clock } = offlineEmulator();
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [{ id: "i-1", az: "us-east-1a" }]);
    taskDefinition(emulator, "app");
    const starts: TaskChange[] = [];
    emulator.onTaskChange((c) => c.from === undefined && starts.push(c));
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 1, initialPlacement: { "i-1": 1 } });
    clock.advance(SETTLE_MS);
    emulator.control.setDesiredCount("c", "app", 3, "service-auto-scaling");
    clock.advance(SETTLE_MS);
    expect(starts.map((s) => causeChain(s.cause))).toEqual([["initial placement", "createService"], ["scale-out", "setDesiredCount"], ["scale-out", "setDesiredCount"]]);
    expect(starts[1]!.cause.root).toEqual({ type: "control", action: "setDesiredCount", actor: "service-auto-scaling" });
});
