// EventBridge events: the documented shapes (../shared/reference/events), when each is emitted, and the
// per-resource version counters that tell duplicates and stale events apart.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { EcsEvent } from "../../local/emulator";
import { addInstances, SETTLE_MS, startHarness, taskDefinition, type Harness } from "./helpers";

// The documented samples, copied into the project (tests/fixtures/events) from ../shared/reference/events.
const REFERENCE = join(__dirname, "../fixtures/events");
const sample = (file: string) => JSON.parse(readFileSync(join(REFERENCE, file), "utf8")) as EcsEvent;

let h: Harness;
let events: EcsEvent[];

beforeEach(async () => {
    h = await startHarness();
    events = [];
    h.emulator.onEvent((e) => events.push(e));
    h.emulator.control.createCluster("demo");
    addInstances(h.emulator, "demo", [
        { id: "i-a", az: "us-east-1a" },
        { id: "i-b", az: "us-east-1b" },
    ]);
    taskDefinition(h.emulator, "web", { hostPort: 80 });
    h.emulator.control.createService({ cluster: "demo", serviceName: "web", taskDefinition: "web", desiredCount: 2 });
    h.clock.advance(SETTLE_MS);
});

afterEach(() => h.close());

const ofType = (type: string) => events.filter((e) => e["detail-type"] === type);

function expectShapeLike(actual: EcsEvent, reference: EcsEvent, notApplicable: string[] = []) {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(reference).sort());
    expect(actual).toMatchObject({ version: "0", source: "aws.ecs", account: "123456789012", region: "us-east-1" });
    expect(actual.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(actual.id).toMatch(/^[0-9a-f-]{36}$/);
    const missing = Object.keys(reference.detail).filter((k) => !(k in actual.detail) && !notApplicable.includes(k));
    expect(missing).toEqual([]);
}

test("container-instance events have the documented shape", () => {
    const e = ofType("ECS Container Instance State Change")[0]!;
    expectShapeLike(e, sample("container-instance-state-change.json"));
    expect(e.resources).toEqual([e.detail.containerInstanceArn]);
    expect(e.detail).toMatchObject({ clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/demo", ec2InstanceId: "i-a", status: "ACTIVE", agentConnected: true, version: 1 });
    expect(e.detail.registeredResources).toEqual([
        { name: "CPU", type: "INTEGER", integerValue: 2048 },
        { name: "MEMORY", type: "INTEGER", integerValue: 3891 },
        { name: "PORTS", type: "STRINGSET", stringSetValue: ["22", "2375", "2376", "51678", "51679"] },
        { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
    ]);
    expect(String(e.detail.updatedAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test("task events have the documented shape (EC2 fields, no health status)", () => {
    const e = ofType("ECS Task State Change").find((x) => x.detail.lastStatus === "RUNNING")!;
    expectShapeLike(e, sample("task-state-change-fargate.json"), ["platformVersion"]);
    expect(e.detail).toMatchObject({ launchType: "EC2", group: "service:web", desiredStatus: "RUNNING", cpu: "256", memory: "512" });
    expect(String(e.detail.startedBy)).toMatch(/^ecs-svc\/\d{19}$/);
    expect(e.detail.containerInstanceArn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:container-instance\/demo\//);
    expect("healthStatus" in e.detail).toBe(false);
    expect((e.detail.containers as { networkBindings: unknown[] }[])[0]!.networkBindings).toEqual([{ bindIP: "0.0.0.0", containerPort: 80, hostPort: 80, protocol: "tcp" }]);
});

test("service action and deployment events have the documented shapes", () => {
    const steady = ofType("ECS Service Action").find((e) => e.detail.eventName === "SERVICE_STEADY_STATE")!;
    expectShapeLike(steady, sample("service-action-steady-state.json"));
    expect(steady.resources).toEqual(["arn:aws:ecs:us-east-1:123456789012:service/demo/web"]);
    expect(steady.detail).toMatchObject({ eventType: "INFO", clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/demo" });
    const deployments = ofType("ECS Deployment State Change");
    expect(deployments.map((e) => e.detail.eventName)).toEqual(["SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED"]);
    expectShapeLike(deployments[1]!, sample("deployment-state-change.json"));
    expect("clusterArn" in deployments[1]!.detail).toBe(false);
    expect(deployments[1]!.resources).toEqual(["arn:aws:ecs:us-east-1:123456789012:service/demo/web"]);
    expect(deployments[1]!.detail.reason).toBe(`ECS deployment ${String(deployments[1]!.detail.deploymentId)} completed.`);
});

test("SERVICE_STEADY_STATE comes once per arrival in steady state", async () => {
    const steadyCount = () => ofType("ECS Service Action").filter((e) => e.detail.eventName === "SERVICE_STEADY_STATE").length;
    expect(steadyCount()).toBe(1);
    h.clock.advance(SETTLE_MS);
    expect(steadyCount()).toBe(1);
    await h.ecs.send(new UpdateServiceCommand({ cluster: "demo", service: "web", desiredCount: 1 }));
    h.clock.advance(SETTLE_MS);
    expect(steadyCount()).toBe(2);
});

test("instance events on registration, agent changes, status changes, task starts and stops", () => {
    const forB = () => ofType("ECS Container Instance State Change").filter((e) => e.detail.ec2InstanceId === "i-b");
    // Room for the draining task's replacement (its host port 80 is free on a new instance only).
    addInstances(h.emulator, "demo", [{ id: "i-c", az: "us-east-1b" }]);
    const before = forB().length;
    h.emulator.control.setAgentConnected("i-b", false);
    h.emulator.control.setAgentConnected("i-b", true);
    h.emulator.control.drainInstance("i-b");
    h.clock.advance(SETTLE_MS);
    const after = forB().slice(before).map((e) => [e.detail.status, e.detail.agentConnected, e.detail.runningTasksCount]);
    expect(after).toEqual([
        ["ACTIVE", false, 1],
        ["ACTIVE", true, 1],
        ["DRAINING", true, 1],
        ["DRAINING", true, 0],
    ]);
});

test("version counters increase by one per event and match what Describe* returns", async () => {
    h.emulator.control.terminateInstance("i-b");
    h.clock.advance(SETTLE_MS);
    const byResource = new Map<string, number[]>();
    for (const e of events) {
        if (e.detail.version === undefined) continue;
        const list = byResource.get(e.resources[0]!) ?? [];
        list.push(e.detail.version as number);
        byResource.set(e.resources[0]!, list);
    }
    for (const versions of byResource.values()) expect(versions).toEqual(versions.map((_, i) => i + 1));
    const instances = await h.ecs.send(new ListContainerInstancesCommand({ cluster: "demo", status: "ACTIVE" }));
    const described = await h.ecs.send(new DescribeContainerInstancesCommand({ cluster: "demo", containerInstances: instances.containerInstanceArns }));
    for (const i of described.containerInstances!) expect(i.version).toBe(byResource.get(i.containerInstanceArn!)!.at(-1));
    const taskArn = [...byResource.keys()].find((k) => k.includes(":task/"))!;
    const task = (await h.ecs.send(new DescribeTasksCommand({ cluster: "demo", tasks: [taskArn] }))).tasks![0]!;
    expect(task.version).toBe(byResource.get(taskArn)!.at(-1));
});

test("placement failure events name the reason and the closest instance", () => {
    h.emulator.control.setDesiredCount("demo", "web", 3);
    h.clock.advance(SETTLE_MS);
    const failure = ofType("ECS Service Action").find((e) => e.detail.eventName === "SERVICE_TASK_PLACEMENT_FAILURE")!;
    expect(failure.detail).toMatchObject({ eventType: "ERROR", reason: "RESOURCE:PORTS", clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/demo" });
    expect((failure.detail.containerInstanceArns as string[])[0]).toMatch(/container-instance\/demo\//);
});
