// The JSON protocol as the real SDK sees it: shapes, defaults, pagination, batch limits, error types, failures[].

import { DescribeScalableTargetsCommand, paginateDescribeScalableTargets } from "@aws-sdk/client-application-auto-scaling";
import {
    CreateClusterCommand,
    CreateServiceCommand,
    DeleteClusterCommand,
    DeregisterContainerInstanceCommand,
    RegisterContainerInstanceCommand,
    DeleteServiceCommand,
    DescribeClustersCommand,
    DescribeContainerInstancesCommand,
    DescribeServicesCommand,
    DescribeTaskDefinitionCommand,
    DescribeTasksCommand,
    GetTaskProtectionCommand,
    ListContainerInstancesCommand,
    ListServicesCommand,
    ListTagsForResourceCommand,
    ListTasksCommand,
    paginateListServices,
    paginateListTasks,
    RegisterTaskDefinitionCommand,
    RunTaskCommand,
    StopTaskCommand,
    TagResourceCommand,
    UntagResourceCommand,
    UpdateServiceCommand,
    UpdateTaskProtectionCommand,
} from "@aws-sdk/client-ecs";
import { addInstances, autoScalingClient, SETTLE_MS, startHarness, taskDefinition, type Harness } from "./helpers";

let h: Harness;

beforeEach(async () => {
    h = await startHarness();
    h.emulator.control.createCluster("prod", { tags: { team: "platform" } });
    addInstances(h.emulator, "prod", [
        { id: "i-1", az: "us-east-1a", cpu: 100_000, memory: 100_000 },
        { id: "i-2", az: "us-east-1b", cpu: 100_000, memory: 100_000 },
    ]);
    taskDefinition(h.emulator, "small", { cpu: 10, memory: 10 });
});

afterEach(() => h.close());

async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
    try {
        await p;
    } catch (e) {
        const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
        return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
    }
    throw new Error("expected the call to fail");
}

function createServices(n: number, desiredCount = 0): void {
    for (let i = 0; i < n; i++) {
        h.emulator.control.createService({ cluster: "prod", serviceName: `svc-${String(i).padStart(3, "0")}`, taskDefinition: "small", desiredCount });
    }
}

describe("services", () => {
    test("ListServices returns 10 per page by default and pages through all of them", async () => {
        createServices(25);
        const first = await h.ecs.send(new ListServicesCommand({ cluster: "prod" }));
        expect(first.serviceArns).toHaveLength(10);
        expect(first.nextToken).toBeDefined();
        const pages: number[] = [];
        const arns: string[] = [];
        for await (const page of paginateListServices({ client: h.ecs }, { cluster: "prod" })) {
            pages.push(page.serviceArns!.length);
            arns.push(...page.serviceArns!);
        }
        expect(pages).toEqual([10, 10, 5]);
        expect(new Set(arns).size).toBe(25);
        expect(arns[0]).toBe("arn:aws:ecs:us-east-1:123456789012:service/prod/svc-000");
        const big = await h.ecs.send(new ListServicesCommand({ cluster: "prod", maxResults: 100 }));
        expect(big.serviceArns).toHaveLength(25);
        expect(big.nextToken).toBeUndefined();
        expect((await errorOf(h.ecs.send(new ListServicesCommand({ cluster: "prod", maxResults: 101 })))).name).toBe("InvalidParameterException");
    });

    test("DescribeServices takes at most 10 services and reports unknown ones in failures", async () => {
        createServices(11);
        const names = Array.from({ length: 11 }, (_, i) => `svc-${String(i).padStart(3, "0")}`);
        const tooMany = await errorOf(h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: names })));
        expect(tooMany).toMatchObject({ name: "InvalidParameterException", message: "service names can have at most 10 items.", status: 400 });
        const r = await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["svc-000", "nope"] }));
        expect(r.services!.map((s) => s.serviceName)).toEqual(["svc-000"]);
        expect(r.failures).toEqual([{ arn: "arn:aws:ecs:us-east-1:123456789012:service/prod/nope", reason: "MISSING" }]);
        expect((await errorOf(h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: [] })))).name).toBe("InvalidParameterException");
    });

    test("a service carries ECS's defaults, and tags only with include TAGS", async () => {
        await h.ecs.send(new CreateServiceCommand({ cluster: "prod", serviceName: "web", taskDefinition: "small", desiredCount: 1, tags: [{ key: "owner", value: "me" }] }));
        const plain = (await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }))).services![0]!;
        expect(plain.tags).toBeUndefined();
        expect(plain.deploymentConfiguration).toMatchObject({ minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false } });
        expect(plain.schedulingStrategy).toBe("REPLICA");
        expect(plain.launchType).toBe("EC2");
        expect(plain.deploymentController).toEqual({ type: "ECS" });
        expect(plain.deployments![0]).toMatchObject({ status: "PRIMARY", rolloutState: "IN_PROGRESS", desiredCount: 1 });
        expect(plain.createdAt).toBeInstanceOf(Date);
        expect(plain.createdAt!.getTime()).toBe(h.clock.now() - 10);
        const tagged = (await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"], include: ["TAGS"] }))).services![0]!;
        expect(tagged.tags).toEqual([{ key: "owner", value: "me" }]);
    });

    test("error types: unknown cluster, unknown and inactive services, duplicate names", async () => {
        expect(await errorOf(h.ecs.send(new ListServicesCommand({ cluster: "nope" })))).toMatchObject({ name: "ClusterNotFoundException", message: "Cluster not found." });
        expect((await errorOf(h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "nope", desiredCount: 1 })))).name).toBe("ServiceNotFoundException");
        createServices(1);
        expect(await errorOf(h.ecs.send(new CreateServiceCommand({ cluster: "prod", serviceName: "svc-000", taskDefinition: "small", desiredCount: 0 })))).toMatchObject({
            name: "InvalidParameterException",
            message: "Creation of service was not idempotent.",
        });
        expect(await errorOf(h.ecs.send(new CreateServiceCommand({ cluster: "prod", serviceName: "x", taskDefinition: "missing", desiredCount: 0 })))).toMatchObject({
            name: "ClientException",
            message: "TaskDefinition not found.",
        });
        await h.ecs.send(new DeleteServiceCommand({ cluster: "prod", service: "svc-000" }));
        expect(await errorOf(h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "svc-000", desiredCount: 1 })))).toMatchObject({
            name: "ServiceNotActiveException",
            message: "Service was not ACTIVE.",
        });
        h.clock.advance(SETTLE_MS);
        const gone = (await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["svc-000"] }))).services![0]!;
        expect(gone.status).toBe("INACTIVE");
        expect((await h.ecs.send(new ListServicesCommand({ cluster: "prod" }))).serviceArns).toEqual([]);
    });

    test("DeleteService refuses a scaled-up REPLICA service without force", async () => {
        createServices(1, 2);
        expect(await errorOf(h.ecs.send(new DeleteServiceCommand({ cluster: "prod", service: "svc-000" })))).toMatchObject({
            name: "InvalidParameterException",
            message: "The service cannot be stopped while it is scaled above 0.",
        });
        const r = await h.ecs.send(new DeleteServiceCommand({ cluster: "prod", service: "svc-000", force: true }));
        expect(r.service!.status).toBe("DRAINING");
    });

    test("a deleted service leaves ListServices at once, while DRAINING; DescribeServices still shows it", async () => {
        createServices(2, 2);
        h.clock.advance(SETTLE_MS);
        await h.ecs.send(new DeleteServiceCommand({ cluster: "prod", service: "svc-000", force: true }));
        const listed = (await h.ecs.send(new ListServicesCommand({ cluster: "prod" }))).serviceArns!;
        expect(listed.map((a) => a.split("/").pop())).toEqual(["svc-001"]);
        const draining = (await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["svc-000"] }))).services![0]!;
        expect(draining.status).toBe("DRAINING");
        // Its tasks are still stopping: the cluster cannot be deleted yet.
        expect((await errorOf(h.ecs.send(new DeleteClusterCommand({ cluster: "prod" })))).name).toBe("ClusterContainsServicesException");
    });
});

describe("tasks", () => {
    beforeEach(() => {
        // AZ rebalancing off: it would otherwise even out the 130/120 split by itself.
        h.emulator.control.createService({
            cluster: "prod",
            serviceName: "bulk",
            taskDefinition: "small",
            desiredCount: 250,
            availabilityZoneRebalancing: "DISABLED",
            initialPlacement: { "i-1": 130, "i-2": 120 },
        });
    });

    test("ListTasks pages by 100 through every task, filtered by service and instance", async () => {
        const pages: number[] = [];
        const arns = new Set<string>();
        for await (const page of paginateListTasks({ client: h.ecs }, { cluster: "prod", serviceName: "bulk" })) {
            pages.push(page.taskArns!.length);
            for (const a of page.taskArns!) arns.add(a);
        }
        expect(pages).toEqual([100, 100, 50]);
        expect(arns.size).toBe(250);
        const onOne: string[] = [];
        for await (const page of paginateListTasks({ client: h.ecs, pageSize: 100 }, { cluster: "prod", containerInstance: (await instanceArn("i-1")) })) onOne.push(...page.taskArns!);
        expect(onOne).toHaveLength(130);
        expect((await h.ecs.send(new ListTasksCommand({ cluster: "prod", desiredStatus: "STOPPED" }))).taskArns).toEqual([]);
        expect((await errorOf(h.ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "nope" })))).name).toBe("ServiceNotFoundException");
        expect((await errorOf(h.ecs.send(new ListTasksCommand({ cluster: "prod", startedBy: "x", serviceName: "bulk" })))).name).toBe("InvalidParameterException");
    });

    test("DescribeTasks takes at most 100 tasks and reports unknown ones in failures", async () => {
        const arns = (await h.ecs.send(new ListTasksCommand({ cluster: "prod" }))).taskArns!;
        const more = (await h.ecs.send(new ListTasksCommand({ cluster: "prod", maxResults: 1, nextToken: undefined }))).taskArns!;
        const tooMany = await errorOf(h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [...arns, "extra"] })));
        expect(tooMany).toMatchObject({ name: "InvalidParameterException", message: "tasks can have at most 100 items." });
        expect(await errorOf(h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [] })))).toMatchObject({ message: "Tasks cannot be empty." });
        const missing = "arn:aws:ecs:us-east-1:123456789012:task/prod/00000000000000000000000000000000";
        const r = await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [more[0]!, missing] }));
        expect(r.tasks).toHaveLength(1);
        expect(r.failures).toEqual([{ arn: missing, reason: "MISSING" }]);
        const task = r.tasks![0]!;
        expect(task).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "RUNNING", group: "service:bulk", launchType: "EC2", cpu: "10", memory: "10" });
        expect(task.startedBy).toMatch(/^ecs-svc\/\d{19}$/);
        expect(task.startedAt).toBeInstanceOf(Date);
        expect(task.containers![0]!.networkBindings).toEqual([]);
    });

    test("StopTask validates its reason and task, and records UserInitiated", async () => {
        const [arn] = (await h.ecs.send(new ListTasksCommand({ cluster: "prod", maxResults: 1 }))).taskArns!;
        expect(await errorOf(h.ecs.send(new StopTaskCommand({ cluster: "prod", task: arn, reason: "x".repeat(256) })))).toMatchObject({ name: "InvalidParameterException" });
        expect(await errorOf(h.ecs.send(new StopTaskCommand({ cluster: "prod", task: "0123456789abcdef0123456789abcdef" })))).toMatchObject({
            name: "InvalidParameterException",
            message: "The referenced task was not found.",
        });
        const stopped = await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: arn, reason: "rebalancer: move" }));
        expect(stopped.task).toMatchObject({ desiredStatus: "STOPPED", lastStatus: "STOPPING", stopCode: "UserInitiated", stoppedReason: "rebalancer: move" });
        h.clock.advance(SETTLE_MS);
        const after = (await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [arn!] }))).tasks![0]!;
        expect(after.lastStatus).toBe("STOPPED");
        expect(after.stoppedAt!.getTime()).toBeGreaterThan(after.stoppingAt!.getTime());
        expect((await h.ecs.send(new ListTasksCommand({ cluster: "prod", desiredStatus: "STOPPED" }))).taskArns).toEqual([arn]);
        // ECS keeps STOPPED tasks describable for an hour, then forgets them.
        h.clock.advance(3_600_000);
        expect((await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [arn!] }))).failures![0]!.reason).toBe("MISSING");
    });

    test("task protection: default 120 minutes, 1–2880 allowed, at most 10 tasks per update", async () => {
        const arns = (await h.ecs.send(new ListTasksCommand({ cluster: "prod", maxResults: 11 }))).taskArns!;
        expect((await errorOf(h.ecs.send(new UpdateTaskProtectionCommand({ cluster: "prod", tasks: arns, protectionEnabled: true })))).name).toBe("InvalidParameterException");
        expect((await errorOf(h.ecs.send(new UpdateTaskProtectionCommand({ cluster: "prod", tasks: [arns[0]!], protectionEnabled: true, expiresInMinutes: 2881 })))).name).toBe(
            "InvalidParameterException",
        );
        const r = await h.ecs.send(new UpdateTaskProtectionCommand({ cluster: "prod", tasks: [arns[0]!], protectionEnabled: true }));
        const now = h.clock.now();
        expect(r.protectedTasks![0]!.protectionEnabled).toBe(true);
        expect(r.protectedTasks![0]!.expirationDate!.getTime()).toBe(now + 120 * 60_000);
        const g = await h.ecs.send(new GetTaskProtectionCommand({ cluster: "prod", tasks: [arns[0]!, arns[1]!] }));
        expect(g.protectedTasks!.map((p) => p.protectionEnabled)).toEqual([true, false]);
        h.clock.advance(121 * 60_000);
        expect((await h.ecs.send(new GetTaskProtectionCommand({ cluster: "prod", tasks: [arns[0]!] }))).protectedTasks![0]!.protectionEnabled).toBe(false);
    });

    test("RunTask takes at most 10 tasks and places standalone tasks with the family group", async () => {
        expect((await errorOf(h.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "small", count: 11 })))).name).toBe("InvalidParameterException");
        const r = await h.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "small", count: 3, startedBy: "batch-1" }));
        expect(r.tasks).toHaveLength(3);
        expect(r.failures).toEqual([]);
        expect(r.tasks!.every((t) => t.group === "family:small" && t.lastStatus === "PENDING")).toBe(true);
        expect((await h.ecs.send(new ListTasksCommand({ cluster: "prod", startedBy: "batch-1" }))).taskArns).toHaveLength(3);
    });

    async function instanceArn(ec2: string): Promise<string> {
        return h.emulator.control.snapshot("prod").instances.find((i) => i.ec2InstanceId === ec2)!.containerInstanceArn as string;
    }
});

describe("container instances and clusters", () => {
    test("DescribeContainerInstances reports resources, attributes, counts and version", async () => {
        taskDefinition(h.emulator, "web", { cpu: 256, memory: 512, hostPort: 80 });
        h.emulator.control.createService({ cluster: "prod", serviceName: "web", taskDefinition: "web", desiredCount: 1, initialPlacement: { "i-1": 1 } });
        const arns = (await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod" }))).containerInstanceArns!;
        expect(arns).toHaveLength(2);
        const missing = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/ffffffffffffffffffffffffffffffff";
        const r = await h.ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: [...arns, missing] }));
        expect(r.failures).toEqual([{ arn: missing, reason: "MISSING" }]);
        const i1 = r.containerInstances!.find((i) => i.ec2InstanceId === "i-1")!;
        const res = (list: typeof i1.registeredResources, name: string) => list!.find((x) => x.name === name)!;
        expect(res(i1.registeredResources, "CPU").integerValue).toBe(100_000);
        expect(res(i1.remainingResources, "CPU").integerValue).toBe(100_000 - 256);
        expect(res(i1.remainingResources, "MEMORY").integerValue).toBe(100_000 - 512);
        expect(res(i1.registeredResources, "PORTS").stringSetValue).toEqual(["22", "2375", "2376", "51678", "51679"]);
        expect(res(i1.remainingResources, "PORTS").stringSetValue).toEqual(["22", "2375", "2376", "51678", "51679", "80"]);
        expect(res(i1.registeredResources, "PORTS_UDP").stringSetValue).toEqual([]);
        const attrs = Object.fromEntries(i1.attributes!.map((a) => [a.name, a.value]));
        expect(attrs).toMatchObject({ "ecs.availability-zone": "us-east-1a", "ecs.instance-type": "m5.large", "ecs.os-type": "linux", "ecs.os-family": "LINUX" });
        // ecs.vpc-id / ecs.subnet-id: one VPC, one subnet per AZ
        const i2 = Object.fromEntries(r.containerInstances!.find((i) => i.ec2InstanceId === "i-2")!.attributes!.map((a) => [a.name, a.value]));
        expect(attrs["ecs.vpc-id"]).toMatch(/^vpc-[0-9a-f]{17}$/);
        expect(i2["ecs.vpc-id"]).toBe(attrs["ecs.vpc-id"]);
        expect(attrs["ecs.subnet-id"]).toMatch(/^subnet-[0-9a-f]{17}$/);
        expect(i2["ecs.subnet-id"]).not.toBe(attrs["ecs.subnet-id"]);
        h.emulator.control.registerInstance({ cluster: "prod", ec2InstanceId: "i-3", az: "us-east-1a", subnetId: "subnet-0abc", vpcId: "vpc-0abc" });
        expect(h.emulator.control.instanceMatches("i-3", "attribute:ecs.subnet-id == subnet-0abc and attribute:ecs.vpc-id == vpc-0abc")).toBe(true);
        expect(i1).toMatchObject({ status: "ACTIVE", agentConnected: true, runningTasksCount: 1, pendingTasksCount: 0 });
        // registration (1) + the task's placement (2)
        expect(i1.version).toBe(2);
        const tooMany = Array.from({ length: 101 }, () => arns[0]!);
        expect((await errorOf(h.ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: tooMany })))).name).toBe("InvalidParameterException");
    });

    test("ListContainerInstances filters by status and by cluster query", async () => {
        h.emulator.control.drainInstance("i-2");
        const all = await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod" }));
        expect(all.containerInstanceArns).toHaveLength(2);
        expect((await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", status: "DRAINING" }))).containerInstanceArns).toHaveLength(1);
        const inB = await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", filter: "attribute:ecs.availability-zone == us-east-1b" }));
        const described = await h.ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: inB.containerInstanceArns }));
        expect(described.containerInstances!.map((i) => i.ec2InstanceId)).toEqual(["i-2"]);
        expect((await errorOf(h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", filter: "attribute:x ==" })))).name).toBe("InvalidParameterException");
        h.emulator.control.terminateInstance("i-2");
        expect((await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod" }))).containerInstanceArns).toHaveLength(1);
        expect((await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", status: "DRAINING" }))).containerInstanceArns).toHaveLength(0);
    });

    test("DescribeClusters counts and failures", async () => {
        const r = await h.ecs.send(new DescribeClustersCommand({ clusters: ["prod", "nope"], include: ["TAGS"] }));
        expect(r.clusters![0]).toMatchObject({ clusterName: "prod", status: "ACTIVE", registeredContainerInstancesCount: 2, tags: [{ key: "team", value: "platform" }] });
        expect(r.failures).toEqual([{ arn: "arn:aws:ecs:us-east-1:123456789012:cluster/nope", reason: "MISSING" }]);
    });

    test("tags on services, clusters and tasks", async () => {
        createServices(1, 1);
        h.clock.advance(SETTLE_MS);
        const [taskArn] = (await h.ecs.send(new ListTasksCommand({ cluster: "prod" }))).taskArns!;
        await h.ecs.send(new TagResourceCommand({ resourceArn: taskArn, tags: [{ key: "k", value: "v" }] }));
        expect((await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [taskArn!], include: ["TAGS"] }))).tasks![0]!.tags).toEqual([{ key: "k", value: "v" }]);
        const serviceArn = "arn:aws:ecs:us-east-1:123456789012:service/prod/svc-000";
        await h.ecs.send(new TagResourceCommand({ resourceArn: serviceArn, tags: [{ key: "ecs-rebalancer:skip", value: "true" }, { key: "b", value: "2" }] }));
        await h.ecs.send(new UntagResourceCommand({ resourceArn: serviceArn, tagKeys: ["b"] }));
        expect((await h.ecs.send(new ListTagsForResourceCommand({ resourceArn: serviceArn }))).tags).toEqual([{ key: "ecs-rebalancer:skip", value: "true" }]);
        const described = await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: [serviceArn], include: ["TAGS"] }));
        expect(described.services![0]!.tags).toEqual([{ key: "ecs-rebalancer:skip", value: "true" }]);
        expect((await h.ecs.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod" }))).tags).toEqual([{ key: "team", value: "platform" }]);
        const missing = await errorOf(h.ecs.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:ecs:us-east-1:123456789012:service/prod/none" })));
        expect(missing.name).toBe("ResourceNotFoundException");
    });

    test("task definitions: defaults, lookups by family and revision, errors", async () => {
        const r = await h.ecs.send(new RegisterTaskDefinitionCommand({ family: "small", containerDefinitions: [{ name: "a", image: "x", memoryReservation: 64 }] }));
        expect(r.taskDefinition).toMatchObject({ revision: 2, status: "ACTIVE", networkMode: "bridge", compatibilities: ["EC2"] });
        const latest = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "small" }));
        expect(latest.taskDefinition!.revision).toBe(2);
        const first = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "small:1" }));
        expect(first.taskDefinition!.containerDefinitions![0]!.cpu).toBe(10);
        expect(await errorOf(h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "nope" })))).toMatchObject({ name: "ClientException", message: "Unable to describe task definition." });
        const noMemory = await errorOf(h.ecs.send(new RegisterTaskDefinitionCommand({ family: "bad", containerDefinitions: [{ name: "a", image: "x" }] })));
        expect(noMemory.name).toBe("ClientException");
    });
});

describe("set-up as the agent and an operator do it", () => {
    const identity = (instanceId: string, availabilityZone: string) => JSON.stringify({ instanceId, availabilityZone, instanceType: "c5.xlarge", imageId: "ami-1", region: "us-east-1" });

    test("RegisterContainerInstance reads the identity document, resources and attributes; re-registration reconnects", async () => {
        await h.ecs.send(new CreateClusterCommand({ clusterName: "agent" }));
        const r = await h.ecs.send(
            new RegisterContainerInstanceCommand({
                cluster: "agent",
                instanceIdentityDocument: identity("i-0abc", "us-east-1c"),
                totalResources: [
                    { name: "CPU", type: "INTEGER", integerValue: 4096 },
                    { name: "MEMORY", type: "INTEGER", integerValue: 7680 },
                    { name: "PORTS", type: "STRINGSET", stringSetValue: ["22", "2375", "2376", "51678", "51679"] },
                ],
                attributes: [{ name: "team", value: "blue" }],
            }),
        );
        const ci = r.containerInstance!;
        expect(ci).toMatchObject({ ec2InstanceId: "i-0abc", status: "ACTIVE", agentConnected: true, version: 1 });
        expect(ci.containerInstanceArn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:container-instance\/agent\/[0-9a-f]{32}$/);
        const attrs = Object.fromEntries(ci.attributes!.map((a) => [a.name, a.value]));
        expect(attrs).toMatchObject({ "ecs.availability-zone": "us-east-1c", "ecs.instance-type": "c5.xlarge", "ecs.ami-id": "ami-1", team: "blue" });
        expect(ci.registeredResources!.find((x) => x.name === "MEMORY")!.integerValue).toBe(7680);
        expect(ci.registeredAt!.getTime()).toBe(h.clock.now());
        const again = await h.ecs.send(new RegisterContainerInstanceCommand({ cluster: "agent", instanceIdentityDocument: identity("i-0abc", "us-east-1c") }));
        expect(again.containerInstance!.containerInstanceArn).toBe(ci.containerInstanceArn);
        expect(await errorOf(h.ecs.send(new RegisterContainerInstanceCommand({ cluster: "missing", instanceIdentityDocument: identity("i-1", "us-east-1a") })))).toMatchObject({
            name: "ClientException",
            message: "Cluster not found.",
        });
    });

    test("DeregisterContainerInstance needs force while tasks run; DeleteCluster refuses a cluster in use", async () => {
        createServices(1, 2);
        h.clock.advance(SETTLE_MS);
        const [arn] = (await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", filter: "ec2InstanceId == i-1" }))).containerInstanceArns!;
        expect((await errorOf(h.ecs.send(new DeregisterContainerInstanceCommand({ cluster: "prod", containerInstance: arn })))).name).toBe("InvalidParameterException");
        expect((await errorOf(h.ecs.send(new DeleteClusterCommand({ cluster: "prod" })))).name).toBe("ClusterContainsServicesException");
        const r = await h.ecs.send(new DeregisterContainerInstanceCommand({ cluster: "prod", containerInstance: arn, force: true }));
        expect(r.containerInstance).toMatchObject({ status: "INACTIVE", agentConnected: false });
        h.clock.advance(SETTLE_MS);
        expect(h.emulator.control.tasksPerInstance("prod", "svc-000")).toEqual({ "i-2": 2 });
        await h.ecs.send(new DeleteServiceCommand({ cluster: "prod", service: "svc-000", force: true }));
        h.clock.advance(SETTLE_MS);
        expect((await errorOf(h.ecs.send(new DeleteClusterCommand({ cluster: "prod" })))).name).toBe("ClusterContainsContainerInstancesException");
    });

    test("CreateService validates placement, launch and deployment settings", async () => {
        const create = (extra: Record<string, unknown>) => errorOf(h.ecs.send(new CreateServiceCommand({ cluster: "prod", serviceName: "v", taskDefinition: "small", desiredCount: 1, ...extra })));
        const six = Array.from({ length: 6 }, () => ({ type: "spread" as const, field: "instanceId" }));
        expect((await create({ placementStrategy: six })).name).toBe("InvalidParameterException");
        expect((await create({ placementStrategy: [{ type: "binpack", field: "disk" }] })).name).toBe("InvalidParameterException");
        expect((await create({ placementConstraints: [{ type: "memberOf", expression: "attribute:x ==" }] })).name).toBe("InvalidParameterException");
        expect((await create({ launchType: "EC2", capacityProviderStrategy: [{ capacityProvider: "cp", weight: 1 }] })).name).toBe("InvalidParameterException");
        expect((await create({ deploymentConfiguration: { minimumHealthyPercent: 150 } })).name).toBe("InvalidParameterException");
        expect((await create({ desiredCount: undefined })).name).toBe("InvalidParameterException");
    });

    test("ListTasks filters by family and desired status", async () => {
        taskDefinition(h.emulator, "other", { cpu: 10, memory: 10 });
        createServices(1, 2);
        h.emulator.control.createService({ cluster: "prod", serviceName: "o", taskDefinition: "other", desiredCount: 1 });
        h.clock.advance(SETTLE_MS);
        expect((await h.ecs.send(new ListTasksCommand({ cluster: "prod", family: "other" }))).taskArns).toHaveLength(1);
        expect((await h.ecs.send(new ListTasksCommand({ cluster: "prod", family: "small" }))).taskArns).toHaveLength(2);
        expect((await h.ecs.send(new ListTasksCommand({ cluster: "prod", desiredStatus: "PENDING" }))).taskArns).toEqual([]);
    });
});

describe("wire format", () => {
    test("errors are HTTP 400 with __type, message and a request id; unknown operations are rejected", async () => {
        const post = (target: string, body: unknown) =>
            fetch(h.endpoint, { method: "POST", headers: { "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1" }, body: JSON.stringify(body) });
        const res = await post("AmazonEC2ContainerServiceV20141113.ListServices", { cluster: "nope" });
        expect(res.status).toBe(400);
        expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.1");
        expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
        expect(await res.json()).toEqual({ __type: "ClusterNotFoundException", message: "Cluster not found." });
        const unknown = await post("AmazonEC2ContainerServiceV20141113.Frobnicate", {});
        expect(unknown.status).toBe(400);
        expect(((await unknown.json()) as { __type: string }).__type).toBe("UnknownOperationException");
        const ok = await post("AmazonEC2ContainerServiceV20141113.ListClusters", {});
        expect(ok.status).toBe(200);
        expect(await ok.json()).toEqual({ clusterArns: ["arn:aws:ecs:us-east-1:123456789012:cluster/prod"] });
    });

    test("every HTTP call is counted by operation, failed ones too", async () => {
        h.emulator.resetApiCalls();
        await h.ecs.send(new ListServicesCommand({ cluster: "prod" }));
        await errorOf(h.ecs.send(new ListServicesCommand({ cluster: "nope" })));
        await h.ecs.send(new DescribeClustersCommand({ clusters: ["prod"] }));
        expect(h.emulator.apiCalls).toEqual({ ListServices: 2, DescribeClusters: 1 });
        h.emulator.resetApiCalls();
        expect(h.emulator.apiCalls).toEqual({});
    });
});

describe("Application Auto Scaling", () => {
    test("DescribeScalableTargets filters by resource id and pages by 50", async () => {
        createServices(60);
        for (let i = 0; i < 60; i++) h.emulator.control.registerScalableTarget("prod", `svc-${String(i).padStart(3, "0")}`, 1, 10);
        const aas = autoScalingClient(h.endpoint);
        try {
            const pages: number[] = [];
            for await (const page of paginateDescribeScalableTargets({ client: aas }, { ServiceNamespace: "ecs" })) pages.push(page.ScalableTargets!.length);
            expect(pages).toEqual([50, 10]);
            const one = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: ["service/prod/svc-007", "service/prod/none"] }));
            expect(one.ScalableTargets).toHaveLength(1);
            expect(one.ScalableTargets![0]).toMatchObject({ ResourceId: "service/prod/svc-007", ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 1, MaxCapacity: 10 });
            expect(one.ScalableTargets![0]!.CreationTime).toBeInstanceOf(Date);
            expect(h.emulator.apiCalls.DescribeScalableTargets).toBe(3);
        } finally {
            aas.destroy();
        }
    });
});
