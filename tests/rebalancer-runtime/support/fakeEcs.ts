// A small stateful stand-in for ECS and Application Auto Scaling behind aws-sdk-client-mock: answers the reads
// with ECS's paging and batch limits enforced (a call over a limit fails as ECS would), applies the writes,
// and records every request as it was at call time (paginators reuse their input object).
import { mockClient } from "aws-sdk-client-mock";
import {
    DescribeClustersCommand,
    DescribeContainerInstancesCommand,
    DescribeServicesCommand,
    DescribeTaskDefinitionCommand,
    DescribeTasksCommand,
    ECSClient,
    GetTaskProtectionCommand,
    ListContainerInstancesCommand,
    ListServicesCommand,
    ListTasksCommand,
    StopTaskCommand,
    TagResourceCommand,
    UntagResourceCommand,
    UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import type { ContainerInstance, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import type { AwsClients } from "../../../rebalancer/awsClients";

/** When the fake's enabled protections lapse. */
export const PROTECTION_LAPSES_AT = Date.UTC(2026, 0, 1, 1, 0, 0);

export const REGION = "us-east-1";
export const ACCOUNT = "111122223333";
export const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;

export interface FakeClusterState {
    arn: string;
    instances: ContainerInstance[];
    services: Service[];
    tasks: Task[];
    /** Listed but gone by the time they are described (ECS answers failures[] MISSING). */
    vanished?: string[];
}

export interface RecordedCall {
    operation: string;
    input: Record<string, unknown>;
}

export const WRITE_OPERATIONS = ["StopTask", "UpdateService", "TagResource", "UntagResource", "RunTask", "StartTask", "RegisterTaskDefinition", "UpdateContainerInstancesState", "DeleteService", "CreateService", "UpdateTaskProtection"];

export class EcsApiError extends Error {
    $metadata = { httpStatusCode: 400, requestId: "req-1" };
    constructor(name: string, message: string) {
        super(message);
        this.name = name;
    }
}

function page<T>(items: T[], input: { nextToken?: string; maxResults?: number }, defaultSize: number, maxSize: number): { items: T[]; nextToken?: string } {
    const size = input.maxResults ?? defaultSize;
    if (size < 1 || size > maxSize) throw new EcsApiError("InvalidParameterException", `maxResults must be 1..${maxSize}`);
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const slice = items.slice(start, start + size);
    const next = start + size < items.length ? String(start + size) : undefined;
    return { items: slice, ...(next ? { nextToken: next } : {}) };
}

function limit(list: unknown[] | undefined, max: number, what: string): void {
    if (!list || list.length === 0) throw new EcsApiError("InvalidParameterException", `${what} must not be empty`);
    if (list.length > max) throw new EcsApiError("InvalidParameterException", `${what}: at most ${max} per call`);
}

export interface FakeEcs {
    clients: AwsClients;
    clusters: Map<string, FakeClusterState>;
    taskDefinitions: Map<string, TaskDefinition>;
    protection: Map<string, boolean>;
    /** Application Auto Scaling resource ids, e.g. `service/<cluster>/<service>`. */
    scalableTargets: string[];
    calls: RecordedCall[];
    callsOf(operation: string): RecordedCall[];
    writes(): RecordedCall[];
    /** Make the next `times` calls of an operation fail with this error (Infinity: always). */
    failNext(operation: string, error: Error, times?: number, when?: (input: Record<string, unknown>) => boolean): void;
    ecsMock: ReturnType<typeof mockClient>;
    autoScalingMock: ReturnType<typeof mockClient>;
}

export function createFakeEcs(clusters: FakeClusterState[] = []): FakeEcs {
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-secret" };
    const ecs = new ECSClient({ region: REGION, credentials });
    const autoScaling = new ApplicationAutoScalingClient({ region: REGION, credentials });
    const ecsMock = mockClient(ecs);
    const autoScalingMock = mockClient(autoScaling);
    const fake: FakeEcs = {
        clients: { ecs, autoScaling },
        clusters: new Map(clusters.map((c) => [c.arn, c])),
        taskDefinitions: new Map(),
        protection: new Map(),
        scalableTargets: [],
        calls: [],
        callsOf: (op) => fake.calls.filter((c) => c.operation === op),
        writes: () => fake.calls.filter((c) => WRITE_OPERATIONS.includes(c.operation)),
        failNext(operation, error, times = 1, when) {
            failures.push({ operation, error, times, when });
        },
        ecsMock: ecsMock as unknown as ReturnType<typeof mockClient>,
        autoScalingMock: autoScalingMock as unknown as ReturnType<typeof mockClient>,
    };
    const failures: Array<{ operation: string; error: Error; times: number; when?: (input: Record<string, unknown>) => boolean }> = [];

    const cluster = (arnOrName: unknown): FakeClusterState => {
        const key = String(arnOrName);
        const c = fake.clusters.get(key) ?? [...fake.clusters.values()].find((x) => x.arn.endsWith(`/${key}`));
        if (!c) throw new EcsApiError("ClusterNotFoundException", "Cluster not found.");
        return c;
    };
    // Each handler: record, maybe fail, then answer.
    const on = (command: any, operation: string, answer: (input: any) => unknown, mock: any = ecsMock) => {
        mock.on(command).callsFake(async (input: any) => {
            fake.calls.push({ operation, input: JSON.parse(JSON.stringify(input)) });
            const f = failures.find((x) => x.operation === operation && x.times > 0 && (!x.when || x.when(input)));
            if (f) {
                f.times -= 1;
                throw f.error;
            }
            return answer(input);
        });
    };

    on(DescribeClustersCommand, "DescribeClusters", (input) => {
        const found = (input.clusters ?? []).flatMap((name: string) => [...fake.clusters.values()].filter((c) => c.arn === name || c.arn.endsWith(`:cluster/${name}`)));
        return {
            clusters: found.map((c: FakeClusterState) => ({ clusterArn: c.arn, clusterName: c.arn.slice(c.arn.indexOf(":cluster/") + 9), status: "ACTIVE" })),
            failures: (input.clusters ?? []).filter((n: string) => !found.some((c: FakeClusterState) => c.arn.endsWith(`:cluster/${n}`) || c.arn === n)).map((arn: string) => ({ arn, reason: "MISSING" })),
        };
    });
    on(ListContainerInstancesCommand, "ListContainerInstances", (input) => {
        const c = cluster(input.cluster);
        const p = page([...c.instances.map((i) => i.containerInstanceArn!), ...(c.vanished ?? []).filter((a) => a.includes(":container-instance/"))], input, 100, 100);
        return { containerInstanceArns: p.items, nextToken: p.nextToken };
    });
    on(DescribeContainerInstancesCommand, "DescribeContainerInstances", (input) => {
        const c = cluster(input.cluster);
        limit(input.containerInstances, 100, "containerInstances");
        const found = c.instances.filter((i) => input.containerInstances.includes(i.containerInstanceArn));
        const missing = input.containerInstances.filter((a: string) => !found.some((i) => i.containerInstanceArn === a));
        return { containerInstances: found, failures: missing.map((arn: string) => ({ arn, reason: "MISSING" })) };
    });
    on(ListServicesCommand, "ListServices", (input) => {
        const c = cluster(input.cluster);
        // ECS pages ListServices at 10 unless asked for more.
        const p = page([...c.services.map((s) => s.serviceArn!), ...(c.vanished ?? []).filter((a) => a.includes(":service/"))], input, 10, 100);
        return { serviceArns: p.items, nextToken: p.nextToken };
    });
    on(DescribeServicesCommand, "DescribeServices", (input) => {
        const c = cluster(input.cluster);
        limit(input.services, 10, "services");
        const withTags = (input.include ?? []).includes("TAGS");
        const found = c.services.filter((s) => input.services.includes(s.serviceArn) || input.services.includes(s.serviceName));
        const missing = input.services.filter((a: string) => !found.some((s) => s.serviceArn === a || s.serviceName === a));
        return {
            services: found.map((s) => (withTags ? structuredClone(s) : { ...structuredClone(s), tags: undefined })),
            failures: missing.map((arn: string) => ({ arn, reason: "MISSING" })),
        };
    });
    on(ListTasksCommand, "ListTasks", (input) => {
        const c = cluster(input.cluster);
        const p = page([...c.tasks.filter((t) => t.desiredStatus === "RUNNING").map((t) => t.taskArn!), ...(c.vanished ?? []).filter((a) => a.includes(":task/"))], input, 100, 100);
        return { taskArns: p.items, nextToken: p.nextToken };
    });
    on(DescribeTasksCommand, "DescribeTasks", (input) => {
        const c = cluster(input.cluster);
        limit(input.tasks, 100, "tasks");
        const found = c.tasks.filter((t) => input.tasks.includes(t.taskArn));
        const missing = input.tasks.filter((a: string) => !found.some((t) => t.taskArn === a));
        return { tasks: structuredClone(found), failures: missing.map((arn: string) => ({ arn, reason: "MISSING" })) };
    });
    on(DescribeTaskDefinitionCommand, "DescribeTaskDefinition", (input) => {
        const td = fake.taskDefinitions.get(input.taskDefinition);
        if (!td) throw new EcsApiError("ClientException", "Unable to describe task definition.");
        return { taskDefinition: structuredClone(td) };
    });
    on(GetTaskProtectionCommand, "GetTaskProtection", (input) => {
        cluster(input.cluster);
        limit(input.tasks, 100, "tasks");
        const known = input.tasks.filter((a: string) => fake.protection.has(a));
        return {
            // Enabled protections lapse an hour from the fake's epoch (GetTaskProtection's expirationDate).
            protectedTasks: known.map((taskArn: string) => ({
                taskArn, protectionEnabled: fake.protection.get(taskArn), ...(fake.protection.get(taskArn) ? { expirationDate: new Date(PROTECTION_LAPSES_AT) } : {}),
            })),
            failures: input.tasks.filter((a: string) => !fake.protection.has(a)).map((arn: string) => ({ arn, reason: "TASK_NOT_VALID" })),
        };
    });
    on(StopTaskCommand, "StopTask", (input) => {
        const c = cluster(input.cluster);
        const t = c.tasks.find((x) => x.taskArn === input.task);
        if (!t) throw new EcsApiError("InvalidParameterException", "The referenced task was not found.");
        t.desiredStatus = "STOPPED";
        return { task: structuredClone(t) };
    });
    on(UpdateServiceCommand, "UpdateService", (input) => {
        const c = cluster(input.cluster);
        const s = c.services.find((x) => x.serviceName === input.service || x.serviceArn === input.service);
        if (!s) throw new EcsApiError("ServiceNotFoundException", "Service not found.");
        if (input.desiredCount !== undefined) s.desiredCount = input.desiredCount;
        return { service: structuredClone(s) };
    });
    on(TagResourceCommand, "TagResource", (input) => {
        const s = [...fake.clusters.values()].flatMap((c) => c.services).find((x) => x.serviceArn === input.resourceArn);
        if (!s) throw new EcsApiError("InvalidParameterException", "The specified resource is not found.");
        s.tags = [...(s.tags ?? []).filter((t) => !input.tags.some((n: { key: string }) => n.key === t.key)), ...input.tags];
        return {};
    });
    on(UntagResourceCommand, "UntagResource", (input) => {
        const s = [...fake.clusters.values()].flatMap((c) => c.services).find((x) => x.serviceArn === input.resourceArn);
        if (!s) throw new EcsApiError("InvalidParameterException", "The specified resource is not found.");
        s.tags = (s.tags ?? []).filter((t) => !input.tagKeys.includes(t.key));
        return {};
    });
    on(
        DescribeScalableTargetsCommand,
        "DescribeScalableTargets",
        (input) => {
            if (input.ServiceNamespace !== "ecs") throw new EcsApiError("ValidationException", "ServiceNamespace");
            const size = input.MaxResults ?? 50;
            if (size > 50) throw new EcsApiError("ValidationException", "MaxResults must be ≤ 50");
            const start = input.NextToken ? Number(input.NextToken) : 0;
            const ids = fake.scalableTargets.slice(start, start + size);
            return {
                ScalableTargets: ids.map((ResourceId) => ({ ServiceNamespace: "ecs", ResourceId, ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 1, MaxCapacity: 10, RoleARN: "r", CreationTime: new Date(0) })),
                ...(start + size < fake.scalableTargets.length ? { NextToken: String(start + size) } : {}),
            };
        },
        autoScalingMock,
    );
    return fake;
}
