// CreateCluster, DescribeClusters, ListClusters, DeleteCluster.

import { clusterName } from "../arns";
import type { EmulatorCore } from "../core";
import { EcsError, invalidParameter } from "../errors";
import { newCluster, type CapacityProviderStrategyItem } from "../model";
import { describeCluster, type Json } from "../serialize";
import { nextToken, optionalList, optionalString, readPage, readTags, resolveCluster, type Operation } from "./common";

const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

export function readCapacityProviderStrategy(input: Json, key: string): CapacityProviderStrategyItem[] {
    const list = optionalList<{ capacityProvider?: unknown; weight?: unknown; base?: unknown }>(input, key) ?? [];
    if (list.length > 20) throw invalidParameter("A capacity provider strategy can contain at most 20 capacity providers.");
    const items = list.map((i) => {
        if (typeof i?.capacityProvider !== "string" || !i.capacityProvider) throw invalidParameter("capacityProvider can not be blank.");
        const weight = i.weight === undefined ? 0 : Number(i.weight);
        const base = i.base === undefined ? 0 : Number(i.base);
        if (!Number.isInteger(weight) || weight < 0 || weight > 1000) throw invalidParameter("weight must be between 0 and 1000.");
        if (!Number.isInteger(base) || base < 0 || base > 100000) throw invalidParameter("base must be between 0 and 100000.");
        return { capacityProvider: i.capacityProvider, weight, base };
    });
    if (items.filter((i) => i.base > 0).length > 1) throw invalidParameter("Only one capacity provider in a strategy can have a base defined.");
    return items;
}

export const createCluster: Operation = (core, input) => {
    const name = optionalString(input, "clusterName") ?? "default";
    if (!CLUSTER_NAME.test(name)) throw invalidParameter("Cluster name can only contain letters, numbers, hyphens and underscores, up to 255 characters.");
    const tags = readTags(input);
    const providers = (optionalList<string>(input, "capacityProviders") ?? []).map(String);
    const strategy = readCapacityProviderStrategy(input, "defaultCapacityProviderStrategy");
    for (const s of strategy) {
        if (!providers.includes(s.capacityProvider)) throw invalidParameter(`The capacity provider ${s.capacityProvider} is not associated with the cluster.`);
    }
    let cluster = core.clustersByName.get(name);
    if (cluster && cluster.status === "ACTIVE") return { cluster: describeCluster(cluster, new Set(["TAGS", "SETTINGS"])) };
    if (cluster) core.clusters.delete(cluster);
    cluster = newCluster(core.nextSeq(), name, core.arns.cluster(name));
    cluster.tags = tags;
    cluster.capacityProviders = providers;
    cluster.defaultCapacityProviderStrategy = strategy;
    const settings = optionalList<{ name: string; value: string }>(input, "settings");
    if (settings) cluster.settings = settings.map((s) => ({ name: String(s.name), value: String(s.value) }));
    core.clustersByName.set(name, cluster);
    core.clusters.add(cluster);
    return { cluster: describeCluster(cluster, new Set(["TAGS", "SETTINGS"])) };
};

export const describeClusters: Operation = (core, input) => {
    const identifiers = optionalList<string>(input, "clusters") ?? ["default"];
    if (identifiers.length > 100) throw invalidParameter("clusters can have at most 100 items.");
    const include = new Set((optionalList<string>(input, "include") ?? []).map(String));
    const clusters: Json[] = [];
    const failures: Json[] = [];
    for (const id of identifiers) {
        const name = clusterName(String(id));
        const cluster = core.clustersByName.get(name);
        if (cluster) clusters.push(describeCluster(cluster, include));
        else failures.push({ arn: core.arns.cluster(name), reason: "MISSING" });
    }
    return { clusters, failures };
};

export const listClusters: Operation = (core, input) => {
    const page = readPage(input, "ListClusters", 100, 100);
    const { items, more } = core.clusters.page(page.afterSeq, page.limit, (c) => c.status === "ACTIVE");
    return { clusterArns: items.map((c) => c.arn), nextToken: more ? nextToken("ListClusters", items[items.length - 1]!.seq) : undefined };
};

export const deleteCluster: Operation = (core, input) => {
    const cluster = resolveCluster(core, input.cluster);
    if (cluster.services.size > 0) throw new EcsError("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.");
    for (const i of cluster.instances.values()) {
        if (i.status === "ACTIVE" || i.status === "DRAINING") {
            throw new EcsError("ClusterContainsContainerInstancesException", "The Cluster cannot be deleted while Container Instances are active or draining.");
        }
    }
    if (cluster.activeTasks.size > 0) throw new EcsError("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.");
    cluster.status = "INACTIVE";
    core.clusters.delete(cluster);
    return { cluster: describeCluster(cluster, new Set()) };
};
