// The reference architecture's rebalancer (awslabs/ecs-refarch-task-rebalancing, ecs-task-rebalancer.py), as a
// baseline for the scenario runner and the benchmark only — never deployed. Reproduced faithfully, bugs included:
// on any container-instance event of its cluster, if the instance (re-read) has no running or pending task and
// the event says its agent is connected, it re-registers every service's task definition with only family,
// containerDefinitions and volumes, and points the service at the new revision. All services are described in one
// DescribeServices call, so a cluster with more than 10 services makes it fail.

import type { ECSClient } from "@aws-sdk/client-ecs";

/** The seed's rule: every container-instance state change of the cluster (no status or agent filter). */
export function seedEventPattern(clusterArn: string): Record<string, unknown> {
    return { source: ["aws.ecs"], "detail-type": ["ECS Container Instance State Change"], detail: { clusterArn: [clusterArn] } };
}

export function createSeedHandler(client: ECSClient, clusterName: string): (event: unknown) => Promise<string> {
    const sdk = require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs");
    return async (event: unknown) => {
        const detail = (event as { detail?: { containerInstanceArn?: string; agentConnected?: boolean } }).detail ?? {};
        const described = await client.send(new sdk.DescribeContainerInstancesCommand({ cluster: clusterName, containerInstances: [detail.containerInstanceArn ?? ""] }));
        const instance = described.containerInstances?.[0];
        if (!instance || instance.runningTasksCount !== 0 || instance.pendingTasksCount !== 0 || detail.agentConnected !== true) {
            return "Event does not warrant task rebalancing.";
        }
        const serviceArns: string[] = [];
        let nextToken: string | undefined;
        do {
            const page = await client.send(new sdk.ListServicesCommand({ cluster: clusterName, nextToken }));
            serviceArns.push(...(page.serviceArns ?? []));
            nextToken = page.nextToken;
        } while (nextToken);
        // One call for every service: ECS accepts at most 10 (the seed's best-known bug).
        const services = await client.send(new sdk.DescribeServicesCommand({ cluster: clusterName, services: serviceArns }));
        for (const service of services.services ?? []) {
            const td = await client.send(new sdk.DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }));
            const definition = td.taskDefinition!;
            const registered = await client.send(new sdk.RegisterTaskDefinitionCommand({
                family: definition.family,
                containerDefinitions: definition.containerDefinitions,
                volumes: definition.volumes,
            }));
            await client.send(new sdk.UpdateServiceCommand({
                cluster: clusterName,
                service: service.serviceArn,
                taskDefinition: registered.taskDefinition!.taskDefinitionArn,
            }));
        }
        return `rebalanced ${services.services?.length ?? 0} service(s)`;
    };
}
