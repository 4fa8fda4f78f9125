import { Readable } from "node:stream";
import { observe } from "../../rebalancer/observe";
import { createAwsClients, MAX_ATTEMPTS, RETRY_MODE } from "../../rebalancer/awsClients";
import { createTaskDefinitionCache, readTaskDefinitions } from "../../rebalancer/taskDefinitions";
import { readTaskProtection } from "../../rebalancer/taskProtection";
import { parseCpu, parseMemory, toTask } from "../../rebalancer/snapshotMapping";
import type { ApiCalls } from "../../rebalancer/apiCalls";
import { clusterArn, createFakeEcs, EcsApiError, PROTECTION_LAPSES_AT } from "./support/fakeEcs";
import type { FakeClusterState } from "./support/fakeEcs";
import { instanceArn, sdkInstance, sdkService, sdkTask, sdkTaskDefinition, taskArn, taskDefinitionArn } from "./support/sdkShapes";

const NOW = Date.parse("2026-03-01T00:00:00Z");
const AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];

function bigCluster(name: string, instances: number, services: number, tasks: number): FakeClusterState {
    const inst = Array.from({ length: instances }, (_, i) => sdkInstance(name, `ci${i}`, AZS[i % 3], { version: 100 + i }));
    const svcs = Array.from({ length: services }, (_, i) => sdkService(name, `svc${String(i).padStart(3, "0")}`));
    const tsks = Array.from({ length: tasks }, (_, i) => sdkTask(name, `t${i}`, `svc${String(i % services).padStart(3, "0")}`, inst[i % instances].containerInstanceArn!));
    return { arn: clusterArn(name), instances: inst, services: svcs, tasks: tsks };
}

describe("observe", () => {
    test("reads a service's native deployment strategy and when ECS last changed each deployment", async () => {
        const name = "bg";
        const ci = sdkInstance(name, "a", "us-east-1a");
        const updatedAt = new Date("2026-02-01T12:00:00Z");
        const web = sdkService(name, "web", { deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 } });
        web.deployments = web.deployments!.map((d) => ({ ...d, updatedAt }));
        const fake = createFakeEcs([{ arn: clusterArn(name), instances: [ci], services: [web], tasks: [] }]);
        const snap = await observe(fake.clients, clusterArn(name), createTaskDefinitionCache(), NOW, {});
        expect(snap.services[0].deploymentStrategy).toBe("BLUE_GREEN");
        expect(snap.services[0].deployments[0].updatedAt).toBe(updatedAt.getTime());
    });

    test("maps ECS shapes to the snapshot model", async () => {
        const name = "small";
        const ci = sdkInstance(name, "a", "us-east-1b", { capacityProviderName: "cp-1", version: 42 });
        const web = sdkService(name, "web", {
            deploymentConfiguration: undefined,
            deploymentController: undefined,
            placementStrategy: [{ type: "spread", field: "host" }, { type: "binpack", field: "memory" }],
            placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ t3.*" }, { type: "distinctInstance" }],
            capacityProviderStrategy: [{ capacityProvider: "cp-1", weight: 1 }],
            launchType: undefined,
            availabilityZoneRebalancing: "ENABLED",
            tags: [{ key: "ecs-rebalancer:skip", value: "true" }],
        });
        const task = sdkTask(name, "t1", "web", ci.containerInstanceArn!, {
            cpu: undefined,
            memory: undefined,
            containers: [
                { name: "app", cpu: "256", memory: "512", networkBindings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }, { hostPort: 5353, containerPort: 53, protocol: "udp" }] },
                { name: "sidecar", cpu: "128", memoryReservation: "64", networkBindings: [{ hostPort: 9090, containerPort: 9090 }] },
            ],
        });
        const standalone = sdkTask(name, "t2", "x", ci.containerInstanceArn!, { group: "family:batch", startedBy: undefined });
        const fake = createFakeEcs([{ arn: clusterArn(name), instances: [ci], services: [web], tasks: [task, standalone] }]);
        fake.scalableTargets = [`service/${name}/web`, `service/other/api`];
        const calls: ApiCalls = {};
        const snap = await observe(fake.clients, clusterArn(name), createTaskDefinitionCache(), NOW, calls);

        expect(snap.clusterArn).toBe(clusterArn(name));
        expect(snap.observedAt).toBe(NOW);
        expect(snap.instances).toEqual([
            {
                arn: ci.containerInstanceArn,
                ec2InstanceId: "i-a",
                az: "us-east-1b",
                status: "ACTIVE",
                agentConnected: true,
                capacityProviderName: "cp-1",
                registered: { cpu: 2048, memory: 3767 },
                remaining: { cpu: 1536, memory: 2743 },
                portsInUse: [22, 2375, 2376, 8080, 51678, 51679],
                attributes: { "ecs.availability-zone": "us-east-1b", "ecs.instance-type": "t3.small", "com.amazonaws.ecs.capability.ecr-auth": "" },
                registeredAt: Date.parse("2026-01-01T00:00:00Z"),
                version: 42,
            },
        ]);
        const svc = snap.services[0];
        expect(svc).toMatchObject({
            name: "web",
            schedulingStrategy: "REPLICA",
            deploymentController: "ECS",
            minimumHealthyPercent: 100,
            maximumPercent: 200,
            placementStrategy: [{ type: "spread", field: "instanceId" }, { type: "binpack", field: "memory" }],
            placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ t3.*" }, { type: "distinctInstance" }],
            capacityProviderStrategy: [{ capacityProvider: "cp-1", weight: 1, base: 0 }],
            availabilityZoneRebalancing: "ENABLED",
            tags: { "ecs-rebalancer:skip": "true" },
            autoScaled: true,
            deployments: [{ id: "ecs-svc/web", status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: taskDefinitionArn("web"), desiredCount: 2, runningCount: 2, pendingCount: 0 }],
        });
        expect(svc.launchType).toBeUndefined();
        expect(svc.deploymentStrategy).toBeUndefined();
        const [t1, t2] = snap.tasks;
        expect(t1).toMatchObject({
            serviceName: "web",
            containerInstanceArn: ci.containerInstanceArn,
            reservation: { cpu: 384, memory: 576 },
            hostPorts: [8080, 9090],
            startedAt: Date.parse("2026-01-01T01:00:00Z"),
            lastStatus: "RUNNING",
            healthStatus: "HEALTHY",
        });
        expect(t1.protectionEnabled).toBeUndefined();
        expect(t2.serviceName).toBeUndefined();
        expect(t2.reservation).toEqual({ cpu: 256, memory: 512 });
        expect(snap.failures).toEqual([]);
        // Not cached yet: the plan asks for the definitions it needs.
        expect(snap.taskDefinitions).toEqual({});
    });

    test("more than 100 services, instances and tasks: pages of 100, describe batches at ECS's limits", async () => {
        const fake = createFakeEcs([bigCluster("big", 205, 235, 430)]);
        const calls: ApiCalls = {};
        const snap = await observe(fake.clients, clusterArn("big"), createTaskDefinitionCache(), NOW, calls);

        expect(snap.instances).toHaveLength(205);
        expect(snap.services).toHaveLength(235);
        expect(snap.tasks).toHaveLength(430);
        expect(new Set(snap.services.map((s) => s.name)).size).toBe(235);

        for (const op of ["ListServices", "ListContainerInstances", "ListTasks"]) {
            for (const c of fake.callsOf(op)) expect(c.input.maxResults).toBe(100);
        }
        expect(fake.callsOf("ListServices")).toHaveLength(3);
        expect(fake.callsOf("ListContainerInstances")).toHaveLength(3);
        expect(fake.callsOf("ListTasks")).toHaveLength(5);
        const describeServices = fake.callsOf("DescribeServices");
        expect(describeServices).toHaveLength(24);
        for (const c of describeServices) {
            expect((c.input.services as string[]).length).toBeLessThanOrEqual(10);
            expect(c.input.include).toEqual(["TAGS"]);
        }
        expect(fake.callsOf("DescribeContainerInstances").map((c) => (c.input.containerInstances as string[]).length)).toEqual([100, 100, 5]);
        expect(fake.callsOf("DescribeTasks").map((c) => (c.input.tasks as string[]).length)).toEqual([100, 100, 100, 100, 30]);
        expect(calls).toEqual({
            ListServices: 3,
            DescribeServices: 24,
            ListContainerInstances: 3,
            DescribeContainerInstances: 3,
            ListTasks: 5,
            DescribeTasks: 5,
            DescribeScalableTargets: 1,
        });
        expect(fake.writes()).toEqual([]);
    });

    test("failures[] and resources that vanish between list and describe are recorded and skipped, not thrown", async () => {
        const cluster = bigCluster("churn", 3, 2, 4);
        cluster.vanished = [instanceArn("churn", "gone"), `arn:aws:ecs:us-east-1:111122223333:service/churn/deleted`, taskArn("churn", "stopped")];
        const fake = createFakeEcs([cluster]);
        const snap = await observe(fake.clients, clusterArn("churn"), createTaskDefinitionCache(), NOW, {});
        expect(snap.instances).toHaveLength(3);
        expect(snap.services.map((s) => s.name)).toEqual(["svc000", "svc001"]);
        expect(snap.tasks).toHaveLength(4);
        expect(snap.failures.map((f) => [f.arn, f.reason]).sort()).toEqual(
            [
                [instanceArn("churn", "gone"), "MISSING"],
                ["arn:aws:ecs:us-east-1:111122223333:service/churn/deleted", "MISSING"],
                [taskArn("churn", "stopped"), "MISSING"],
            ].sort(),
        );
    });

    test("a cluster with nothing in it is an empty snapshot", async () => {
        const fake = createFakeEcs([{ arn: clusterArn("empty"), instances: [], services: [], tasks: [] }]);
        const calls: ApiCalls = {};
        const snap = await observe(fake.clients, clusterArn("empty"), createTaskDefinitionCache(), NOW, calls);
        expect(snap).toMatchObject({ instances: [], services: [], tasks: [], failures: [] });
        // No describe call with an empty list (ECS rejects those).
        expect(Object.keys(calls).sort()).toEqual(["DescribeScalableTargets", "ListContainerInstances", "ListServices", "ListTasks"]);
    });

    test("throttling that outlasts the SDK's retries ends observe with the error; no chain is left running", async () => {
        const fake = createFakeEcs([bigCluster("hot", 3, 30, 10)]);
        fake.failNext("DescribeTasks", new EcsApiError("ThrottlingException", "Rate exceeded"), Infinity);
        await expect(observe(fake.clients, clusterArn("hot"), createTaskDefinitionCache(), NOW, {})).rejects.toMatchObject({ name: "ThrottlingException" });
        // allSettled: the services chain finished its reads before observe gave up.
        expect(fake.callsOf("DescribeServices")).toHaveLength(3);
        const callsAfter = fake.calls.length;
        await new Promise((r) => setTimeout(r, 20));
        expect(fake.calls.length).toBe(callsAfter);
    });

    test("scalable targets: this cluster's services only, paged at 50; unreadable → every service taken as auto-scaled", async () => {
        const fake = createFakeEcs([bigCluster("as", 2, 3, 0)]);
        fake.scalableTargets = [
            ...Array.from({ length: 70 }, (_, i) => `service/elsewhere/s${i}`),
            "service/as/svc001",
            "service/as-prod/svc002",
        ];
        const calls: ApiCalls = {};
        const snap = await observe(fake.clients, clusterArn("as"), createTaskDefinitionCache(), NOW, calls);
        expect(snap.services.map((s) => [s.name, s.autoScaled])).toEqual([["svc000", false], ["svc001", true], ["svc002", false]]);
        expect(calls.DescribeScalableTargets).toBe(2);
        expect(fake.callsOf("DescribeScalableTargets")[0].input).toMatchObject({ ServiceNamespace: "ecs", MaxResults: 50 });
        // A dimension without resource ids is refused by the API.
        expect(fake.callsOf("DescribeScalableTargets")[0].input).not.toHaveProperty("ScalableDimension");

        fake.failNext("DescribeScalableTargets", new EcsApiError("AccessDeniedException", "not allowed"));
        const blind = await observe(fake.clients, clusterArn("as"), createTaskDefinitionCache(), NOW, {});
        expect(blind.services.every((s) => s.autoScaled)).toBe(true);
        expect(blind.failures).toEqual([expect.objectContaining({ reason: "AUTO_SCALING_UNREADABLE" })]);
    });

    test("cached task definitions referenced by the cluster come with the snapshot", async () => {
        const fake = createFakeEcs([bigCluster("td", 2, 2, 2)]);
        fake.taskDefinitions.set(taskDefinitionArn("svc000"), sdkTaskDefinition("svc000"));
        const cache = createTaskDefinitionCache();
        const calls: ApiCalls = {};
        await readTaskDefinitions(fake.clients, [taskDefinitionArn("svc000")], cache, calls);
        const snap = await observe(fake.clients, clusterArn("td"), cache, NOW, calls);
        expect(Object.keys(snap.taskDefinitions)).toEqual([taskDefinitionArn("svc000")]);
    });
});

describe("SDK retries (the real client stack, a fake HTTP layer)", () => {
    const saved = { ...process.env };
    afterEach(() => {
        process.env = { ...saved };
    });

    test("the clients retry throttling adaptively: two throttled answers, then success, count as one call", async () => {
        process.env.AWS_ACCESS_KEY_ID = "AKIDEXAMPLE";
        process.env.AWS_SECRET_ACCESS_KEY = "not-a-secret";
        const clients = createAwsClients({ region: "us-east-1" });
        expect(await clients.ecs.config.retryStrategy()).toMatchObject({ mode: RETRY_MODE });
        expect(await clients.ecs.config.maxAttempts()).toBe(MAX_ATTEMPTS);
        let attempts = 0;
        const json = (status: number, body: unknown, type?: string) =>
            // The shape of @smithy's HttpResponse, which the SDK checks by its fields.
            ({
                statusCode: status,
                headers: { "content-type": "application/x-amz-json-1.1", ...(type ? { "x-amzn-errortype": type } : {}) },
                body: Readable.from([Buffer.from(JSON.stringify(body))]),
            });
        (clients.ecs.config as { requestHandler: unknown }).requestHandler = {
            handle: async () => {
                attempts += 1;
                if (attempts <= 2) return { response: json(400, { __type: "ThrottlingException", message: "Rate exceeded" }, "ThrottlingException") };
                return { response: json(200, { containerInstanceArns: [], serviceArns: [], taskArns: [] }) };
            },
        };
        (clients.autoScaling.config as { requestHandler: unknown }).requestHandler = {
            handle: async () => ({ response: json(200, { ScalableTargets: [] }) }),
        };
        const calls: ApiCalls = {};
        const snap = await observe(clients, clusterArn("retry"), createTaskDefinitionCache(), NOW, calls);
        expect(snap.services).toEqual([]);
        // Three list chains; the first request was throttled twice and retried by the SDK.
        expect(attempts).toBe(2 + 3);
        expect(calls.ListServices! + calls.ListContainerInstances! + calls.ListTasks!).toBe(3);
    });
});

describe("task definitions and scale-in protection", () => {
    test("facts: static host ports by network mode, reservation; cached after one read; unreadable reported", async () => {
        const fake = createFakeEcs();
        const bridge = sdkTaskDefinition("bridge", {
            containerDefinitions: [
                { name: "a", cpu: 256, memory: 512, portMappings: [{ containerPort: 80, hostPort: 0 }, { containerPort: 81, hostPort: 8081, protocol: "tcp" }, { containerPort: 53, hostPort: 53, protocol: "udp" }] },
                { name: "b", cpu: 128, memoryReservation: 128, portMappings: [{ containerPort: 82 }] },
            ],
        });
        const host = sdkTaskDefinition("host", { networkMode: "host", cpu: "1 vCPU", memory: "2 GB", containerDefinitions: [{ name: "a", portMappings: [{ containerPort: 9000 }] }] });
        const awsvpc = sdkTaskDefinition("awsvpc", { networkMode: "awsvpc", containerDefinitions: [{ name: "a", cpu: 256, memory: 512, portMappings: [{ containerPort: 443, hostPort: 443 }] }] });
        for (const td of [bridge, host, awsvpc]) fake.taskDefinitions.set(td.taskDefinitionArn!, td);
        const cache = createTaskDefinitionCache();
        const calls: ApiCalls = {};
        const arns = [bridge, host, awsvpc].map((t) => t.taskDefinitionArn!);
        const read = await readTaskDefinitions(fake.clients, [...arns, taskDefinitionArn("gone", 3)], cache, calls);
        expect(read.facts[arns[0]]).toEqual({ arn: arns[0], networkMode: "bridge", staticHostPorts: [8081], reservation: { cpu: 384, memory: 640 }, runningTaskCanChange: false });
        expect(read.facts[arns[1]]).toEqual({ arn: arns[1], networkMode: "host", staticHostPorts: [9000], reservation: { cpu: 1024, memory: 2048 }, runningTaskCanChange: false });
        expect(read.facts[arns[2]]).toMatchObject({ networkMode: "awsvpc", staticHostPorts: [] });
        expect(read.failures).toEqual([expect.objectContaining({ arn: taskDefinitionArn("gone", 3), reason: "TASK_DEFINITION_UNREADABLE" })]);
        expect(calls.DescribeTaskDefinition).toBe(4);

        const again = await readTaskDefinitions(fake.clients, arns, cache, calls);
        expect(Object.keys(again.facts)).toEqual(arns);
        expect(calls.DescribeTaskDefinition).toBe(4);
    });

    test("protection is read in batches of at most 100; unanswered tasks stay unread", async () => {
        const fake = createFakeEcs([{ arn: clusterArn("p"), instances: [], services: [], tasks: [] }]);
        const tasks = Array.from({ length: 250 }, (_, i) => taskArn("p", `t${i}`));
        tasks.forEach((t, i) => i < 240 && fake.protection.set(t, i % 7 === 0));
        const calls: ApiCalls = {};
        const read = await readTaskProtection(fake.clients, clusterArn("p"), tasks, calls);
        expect(fake.callsOf("GetTaskProtection").map((c) => (c.input.tasks as string[]).length)).toEqual([100, 100, 50]);
        expect(Object.keys(read.protection)).toHaveLength(240);
        expect(read.protection[tasks[0]]).toEqual({ enabled: true, expiresAt: PROTECTION_LAPSES_AT });
        expect(read.protection[tasks[1]]).toEqual({ enabled: false });
        expect(read.protection[tasks[245]]).toBeUndefined();
        expect(read.failures).toHaveLength(10);

        fake.failNext("GetTaskProtection", new EcsApiError("ThrottlingException", "Rate exceeded"));
        const partial = await readTaskProtection(fake.clients, clusterArn("p"), tasks, {});
        expect(Object.keys(partial.protection)).toHaveLength(140);
        expect(partial.failures[0]).toMatchObject({ reason: "PROTECTION_UNREADABLE" });
    });
});

describe("snapshot mapping details", () => {
    test("CPU and memory strings", () => {
        expect(parseCpu("1024")).toBe(1024);
        expect(parseCpu("0.5 vCPU")).toBe(512);
        expect(parseCpu("lots")).toBeUndefined();
        expect(parseMemory("512")).toBe(512);
        expect(parseMemory("1 GB")).toBe(1024);
        expect(parseMemory("2gb")).toBe(2048);
        expect(parseMemory(undefined)).toBeUndefined();
    });

    test("a task without an ARN is dropped; a task with no bindings has no host ports", () => {
        expect(toTask({})).toBeUndefined();
        expect(toTask({ taskArn: "arn:x", containers: [{ name: "a" }] })).toMatchObject({ hostPorts: [], reservation: { cpu: 0, memory: 0 } });
    });
});
