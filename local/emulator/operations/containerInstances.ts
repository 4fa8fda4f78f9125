// RegisterContainerInstance (as the ECS agent calls it), DeregisterContainerInstance, UpdateContainerInstancesState,
// ListContainerInstances (status filter, cluster-query-language filter), DescribeContainerInstances.

import { clusterName } from "../arns";
import { clientException, invalidParameter } from "../errors";
import { deregister, registerInstance, setInstanceStatus } from "../instances";
import { parseQuery, QuerySyntaxError, type Query } from "../queryLanguage";
import { describeContainerInstance, type Json } from "../serialize";
import {
    findInstance,
    describeEach,
    identifierList,
    nextToken,
    optionalBoolean,
    optionalList,
    optionalString,
    readPage,
    readTags,
    requiredString,
    resolveCluster,
    type Operation,
} from "./common";

const INSTANCE_STATUSES = ["ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED"];

function resourceValue(resources: { name?: string; integerValue?: number; stringSetValue?: string[] }[], name: string) {
    return resources.find((r) => r.name === name);
}

export const registerContainerInstance: Operation = (core, input, call) => {
    const name = clusterName(optionalString(input, "cluster") || "default");
    const cluster = core.clustersByName.get(name);
    // The agent gets ClientException here, not ClusterNotFoundException (amazon-ecs-agent PR #4689).
    if (!cluster || cluster.status !== "ACTIVE") throw clientException("Cluster not found.");
    const document = optionalString(input, "instanceIdentityDocument");
    if (!document) throw clientException("An instance identity document is required to register an EC2 container instance.");
    let identity: { instanceId?: string; availabilityZone?: string; instanceType?: string; imageId?: string };
    try {
        identity = JSON.parse(document);
    } catch {
        throw clientException("The instance identity document is not valid JSON.");
    }
    if (!identity.instanceId) throw clientException("The instance identity document has no instanceId.");
    const resources = optionalList<{ name?: string; integerValue?: number; stringSetValue?: string[] }>(input, "totalResources") ?? [];
    const attributes = (optionalList<{ name?: string; value?: string }>(input, "attributes") ?? []).map((a) => ({ name: String(a.name), value: a.value }));
    const existingArn = optionalString(input, "containerInstanceArn");
    const existing = existingArn ? findInstance(cluster, existingArn) : undefined;
    const instance = registerInstance(
        core,
        cluster,
        {
            ec2InstanceId: existing?.ec2InstanceId ?? identity.instanceId,
            availabilityZone: identity.availabilityZone,
            instanceType: identity.instanceType,
            amiId: identity.imageId,
            cpu: resourceValue(resources, "CPU")?.integerValue ?? 2048,
            memory: resourceValue(resources, "MEMORY")?.integerValue ?? 3891,
            ports: resourceValue(resources, "PORTS")?.stringSetValue?.map(Number),
            portsUdp: resourceValue(resources, "PORTS_UDP")?.stringSetValue?.map(Number),
            attributes,
            tags: readTags(input),
            versionInfo: input.versionInfo as { agentVersion?: string } | undefined,
        },
        call.cause,
    );
    return { containerInstance: describeContainerInstance(instance, true) };
};

export const deregisterContainerInstance: Operation = (core, input, call) => {
    const cluster = resolveCluster(core, input.cluster);
    const id = requiredString(input, "containerInstance");
    const instance = findInstance(cluster, id);
    if (!instance) throw invalidParameter("The referenced container instance was not found.");
    const force = optionalBoolean(input, "force") ?? false;
    if (instance.status !== "INACTIVE") {
        if (!force && instance.runningTasksCount > 0) {
            throw invalidParameter("The container instance has tasks running. Deregister it with force to orphan them.");
        }
        deregister(core, instance, call.cause, "Task stopped because its container instance was deregistered.");
    }
    return { containerInstance: describeContainerInstance(instance, false) };
};

export const updateContainerInstancesState: Operation = (core, input, call) => {
    const cluster = resolveCluster(core, input.cluster);
    const ids = identifierList(input, "containerInstances", "container instances", 10);
    const status = requiredString(input, "status");
    if (status !== "ACTIVE" && status !== "DRAINING") throw invalidParameter("Container instances status should be one of [ACTIVE,DRAINING]");
    const containerInstances: Json[] = [];
    const failures: Json[] = [];
    for (const id of ids) {
        const instance = findInstance(cluster, id);
        if (!instance) {
            failures.push({ arn: id, reason: "MISSING" });
        } else if (instance.status !== "ACTIVE" && instance.status !== "DRAINING") {
            failures.push({ arn: instance.arn, reason: instance.status, detail: `A container instance in ${instance.status} status can't be updated.` });
        } else {
            setInstanceStatus(core, instance, status, call.cause);
            containerInstances.push(describeContainerInstance(instance, false));
        }
    }
    return { containerInstances, failures };
};

export const listContainerInstances: Operation = (core, input) => {
    const cluster = resolveCluster(core, input.cluster);
    const page = readPage(input, "ListContainerInstances", 100, 100);
    const status = optionalString(input, "status");
    if (status !== undefined && !INSTANCE_STATUSES.includes(status)) throw invalidParameter(`status must be one of ${INSTANCE_STATUSES.join(", ")}.`);
    const filterText = optionalString(input, "filter");
    let query: Query | undefined;
    if (filterText) {
        try {
            query = parseQuery(filterText);
        } catch (e) {
            if (e instanceof QuerySyntaxError) throw invalidParameter(`Invalid filter expression: ${e.message}.`);
            throw e;
        }
    }
    const { items, more } = cluster.instances.page(
        page.afterSeq,
        page.limit,
        (i) => (status === undefined ? i.status !== "INACTIVE" : i.status === status) && (!query || query.matches(i)),
    );
    return {
        containerInstanceArns: items.map((i) => i.arn),
        nextToken: more ? nextToken("ListContainerInstances", items[items.length - 1]!.seq) : undefined,
    };
};

export const describeContainerInstances: Operation = (core, input) => {
    const cluster = resolveCluster(core, input.cluster);
    const ids = identifierList(input, "containerInstances", "container instances", 100);
    const include = new Set(optionalList<string>(input, "include") ?? []);
    const describe = (instance: NonNullable<ReturnType<typeof findInstance>>): Json => {
        const described = describeContainerInstance(instance, include.has("TAGS"));
        if (include.has("CONTAINER_INSTANCE_HEALTH")) {
            described.healthStatus = { overallStatus: instance.agentConnected ? "OK" : "INSUFFICIENT_DATA", details: [] };
        }
        return described;
    };
    const { found, failures } = describeEach(ids, (id) => findInstance(cluster, id), describe, (id) => core.arns.containerInstance(cluster.name, id));
    return { containerInstances: found, failures };
};
