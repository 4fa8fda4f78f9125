// CreateService, UpdateService, DeleteService, ListServices, DescribeServices. The scheduler does the work these
// ask for (placement, deployments, scale-in) on its next tick.

import { follows } from "../causes";
import type { EmulatorCore } from "../core";
import { EcsError, invalidParameter, serviceNotActive, serviceNotFound } from "../errors";
import {
    AZ_ATTRIBUTE,
    type CapacityProviderStrategyItem,
    type ClusterState,
    type PlacementConstraint,
    type PlacementStrategy,
    type ServiceState,
} from "../model";
import { OrderedIndex } from "../orderedIndex";
import { compileConstraints, validateStrategies } from "../placement";
import { compact, describeService, type Json } from "../serialize";
import { readCapacityProviderStrategy } from "./clusters";
import {
    findService,
    describeEach,
    identifierList,
    nextToken,
    optionalBoolean,
    optionalInteger,
    optionalList,
    optionalString,
    readPage,
    readTags,
    requiredString,
    resolveCluster,
    type CallContext,
    type Operation,
} from "./common";
import { defaultDeploymentConfiguration, readDeploymentConfiguration } from "./deploymentConfiguration";
import { resolveTaskDefinition } from "./taskDefinitions";

const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

function readStrategies(input: Json): PlacementStrategy[] | undefined {
    const list = optionalList<PlacementStrategy>(input, "placementStrategy");
    if (!list) return undefined;
    const strategies = list.map((s) => compact({ type: String(s.type), field: s.field === undefined ? undefined : String(s.field) }));
    validateStrategies(strategies);
    return strategies;
}

function readConstraints(input: Json): PlacementConstraint[] | undefined {
    const list = optionalList<PlacementConstraint>(input, "placementConstraints");
    if (!list) return undefined;
    if (list.length > 10) throw invalidParameter("A maximum of 10 placement constraints is supported.");
    const constraints = list.map((c) => compact({ type: String(c.type), expression: c.expression === undefined ? undefined : String(c.expression) }));
    compileConstraints(constraints);
    return constraints;
}

/** CreateService's default: ENABLED for services it can apply to, DISABLED otherwise (service-rebalancing.md). */
function defaultAzRebalancing(schedulingStrategy: string, strategies: PlacementStrategy[], constraints: PlacementConstraint[], maximumPercent: number): "ENABLED" | "DISABLED" {
    const first = strategies[0];
    const compatible =
        schedulingStrategy === "REPLICA" &&
        maximumPercent > 100 &&
        (first === undefined || (first.type === "spread" && first.field === `attribute:${AZ_ATTRIBUTE}`)) &&
        !constraints.some((c) => c.type === "memberOf" && (c.expression ?? "").includes(AZ_ATTRIBUTE));
    return compatible ? "ENABLED" : "DISABLED";
}

function readLaunch(input: Json, cluster: ClusterState): { launchType?: string; capacityProviderStrategy: CapacityProviderStrategyItem[] } {
    const launchType = optionalString(input, "launchType");
    const strategy = readCapacityProviderStrategy(input, "capacityProviderStrategy");
    if (launchType && strategy.length > 0) {
        throw invalidParameter("Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
    }
    if (launchType && launchType !== "EC2") throw invalidParameter(`The ${launchType} launch type is not supported by this emulator of ECS on EC2.`);
    if (strategy.length > 0) return { capacityProviderStrategy: strategy };
    if (launchType) return { launchType, capacityProviderStrategy: [] };
    if (cluster.defaultCapacityProviderStrategy.length > 0) return { capacityProviderStrategy: cluster.defaultCapacityProviderStrategy.map((s) => ({ ...s })) };
    return { launchType: "EC2", capacityProviderStrategy: [] };
}

export const createService: Operation = (core, input, call) => {
    const cluster = resolveCluster(core, input.cluster);
    const name = requiredString(input, "serviceName");
    if (!SERVICE_NAME.test(name)) throw invalidParameter("Service name can only contain letters, numbers, hyphens and underscores, up to 255 characters.");
    const existing = cluster.servicesByName.get(name);
    if (existing && existing.status !== "INACTIVE") throw invalidParameter("Creation of service was not idempotent.");
    const schedulingStrategy = optionalString(input, "schedulingStrategy") ?? "REPLICA";
    if (schedulingStrategy !== "REPLICA" && schedulingStrategy !== "DAEMON") throw invalidParameter("schedulingStrategy must be REPLICA or DAEMON.");
    const daemon = schedulingStrategy === "DAEMON";
    const controller = String((input.deploymentController as { type?: string } | undefined)?.type ?? "ECS");
    if (!["ECS", "CODE_DEPLOY", "EXTERNAL"].includes(controller)) throw invalidParameter("deploymentController type must be ECS, CODE_DEPLOY or EXTERNAL.");
    if (daemon && controller !== "ECS") throw invalidParameter("The DAEMON scheduling strategy is only supported with the ECS deployment controller.");
    const taskDefinition = resolveTaskDefinition(core, requiredString(input, "taskDefinition"));
    let desiredCount = optionalInteger(input, "desiredCount");
    if (desiredCount === undefined && !daemon) throw invalidParameter("desiredCount is required for services using the REPLICA scheduling strategy.");
    if (desiredCount !== undefined && (desiredCount < 0 || desiredCount > 5000)) throw invalidParameter("desiredCount must be between 0 and 5000.");
    desiredCount ??= 0;
    const strategies = readStrategies(input) ?? [];
    if (daemon && strategies.length > 0) throw invalidParameter("Placement strategies are not supported with the DAEMON scheduling strategy.");
    const constraints = readConstraints(input) ?? [];
    if (constraints.length + taskDefinition.placementConstraints.length > 10) throw invalidParameter("A maximum of 10 placement constraints is supported.");
    const deploymentConfiguration = readDeploymentConfiguration(input, defaultDeploymentConfiguration(daemon), {
        daemon,
        controller,
    });
    const azRebalancing = optionalString(input, "availabilityZoneRebalancing");
    if (azRebalancing !== undefined && azRebalancing !== "ENABLED" && azRebalancing !== "DISABLED") throw invalidParameter("availabilityZoneRebalancing must be ENABLED or DISABLED.");
    const propagateTags = optionalString(input, "propagateTags");
    if (propagateTags !== undefined && !["TASK_DEFINITION", "SERVICE", "NONE"].includes(propagateTags)) throw invalidParameter("propagateTags must be TASK_DEFINITION, SERVICE or NONE.");
    const launch = daemon ? { launchType: "EC2", capacityProviderStrategy: [] } : readLaunch(input, cluster);
    const grace = optionalInteger(input, "healthCheckGracePeriodSeconds");

    const service: ServiceState = {
        seq: core.nextSeq(),
        name,
        arn: core.arns.service(cluster.name, name),
        cluster,
        status: "ACTIVE",
        desiredCount: daemon ? 0 : desiredCount,
        schedulingStrategy,
        launchType: launch.launchType,
        capacityProviderStrategy: launch.capacityProviderStrategy,
        deploymentConfiguration,
        deploymentController: { type: controller },
        placementStrategy: strategies,
        placementConstraints: constraints,
        tags: readTags(input),
        propagateTags,
        enableECSManagedTags: optionalBoolean(input, "enableECSManagedTags") ?? false,
        enableExecuteCommand: optionalBoolean(input, "enableExecuteCommand") ?? false,
        availabilityZoneRebalancing: (azRebalancing as "ENABLED" | "DISABLED" | undefined) ??
            defaultAzRebalancing(schedulingStrategy, strategies, constraints, deploymentConfiguration.maximumPercent),
        healthCheckGracePeriodSeconds: grace,
        loadBalancers: optionalList(input, "loadBalancers") ?? [],
        serviceRegistries: optionalList(input, "serviceRegistries") ?? [],
        networkConfiguration: input.networkConfiguration,
        roleArn: optionalString(input, "role"),
        createdAt: core.clock.now(),
        createdBy: `arn:aws:iam::${core.accountId}:role/emulator`,
        deployments: [],
        events: [],
        tasks: new OrderedIndex(),
        activeTasks: new Set(),
        startCauses: [],
        desiredCause: call.cause,
        steady: false,
        azRebalancing: false,
        daemonCauses: new Map(),
    };
    cluster.services.add(service);
    cluster.servicesByName.set(name, service);
    core.scheduler.startDeployment(service, taskDefinition, call.cause);
    return { service: describeService(service, false) };
};

function activeService(cluster: ClusterState, identifier: string): ServiceState {
    const service = findService(cluster, identifier);
    if (!service) throw serviceNotFound();
    if (service.status !== "ACTIVE") throw serviceNotActive();
    return service;
}

function sameList<T>(a: T[], b: T[]): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

export const updateService: Operation = (core, input, call) => {
    const cluster = resolveCluster(core, input.cluster);
    const service = activeService(cluster, requiredString(input, "service"));
    const daemon = service.schedulingStrategy === "DAEMON";
    const primary = service.deployments[0]!;
    const desiredCount = optionalInteger(input, "desiredCount");
    if (desiredCount !== undefined && daemon) throw invalidParameter("The desired count of a service with the DAEMON scheduling strategy can't be set.");
    if (desiredCount !== undefined && (desiredCount < 0 || desiredCount > 5000)) throw invalidParameter("desiredCount must be between 0 and 5000.");
    const tdIdentifier = optionalString(input, "taskDefinition");
    const taskDefinition = tdIdentifier ? resolveTaskDefinition(core, tdIdentifier) : undefined;
    if (taskDefinition && service.deploymentController.type !== "ECS") {
        throw invalidParameter("Unable to update task definition on services with a CODE_DEPLOY or EXTERNAL deployment controller.");
    }
    const strategies = readStrategies(input);
    if (strategies && daemon && strategies.length > 0) throw invalidParameter("Placement strategies are not supported with the DAEMON scheduling strategy.");
    const constraints = readConstraints(input);
    const deploymentConfiguration = readDeploymentConfiguration(input, service.deploymentConfiguration, {
        daemon,
        controller: service.deploymentController.type,
    });
    const capacity = input.capacityProviderStrategy !== undefined ? readCapacityProviderStrategy(input, "capacityProviderStrategy") : undefined;
    const azRebalancing = optionalString(input, "availabilityZoneRebalancing");
    if (azRebalancing !== undefined && azRebalancing !== "ENABLED" && azRebalancing !== "DISABLED") throw invalidParameter("availabilityZoneRebalancing must be ENABLED or DISABLED.");
    const force = optionalBoolean(input, "forceNewDeployment") ?? false;

    const placementChanged =
        (strategies !== undefined && !sameList(strategies, service.placementStrategy)) ||
        (constraints !== undefined && !sameList(constraints, service.placementConstraints)) ||
        (capacity !== undefined && !sameList(capacity, service.capacityProviderStrategy));
    service.deploymentConfiguration = deploymentConfiguration;
    if (strategies) service.placementStrategy = strategies;
    if (constraints) service.placementConstraints = constraints;
    if (capacity) {
        service.capacityProviderStrategy = capacity;
        service.launchType = capacity.length > 0 ? undefined : "EC2";
    }
    if (azRebalancing) service.availabilityZoneRebalancing = azRebalancing as "ENABLED" | "DISABLED";
    const grace = optionalInteger(input, "healthCheckGracePeriodSeconds");
    if (grace !== undefined) service.healthCheckGracePeriodSeconds = grace;
    const exec = optionalBoolean(input, "enableExecuteCommand");
    if (exec !== undefined) service.enableExecuteCommand = exec;
    const propagateTags = optionalString(input, "propagateTags");
    if (propagateTags !== undefined) service.propagateTags = propagateTags;

    if (desiredCount !== undefined && desiredCount !== service.desiredCount) {
        const increase = desiredCount > service.desiredCount;
        service.desiredCount = desiredCount;
        service.desiredCause = call.cause;
        if (increase) core.scheduler.owe(service, follows(call.cause, "scale-out"));
    }
    if (force || placementChanged || (taskDefinition && taskDefinition !== primary.taskDefinition)) {
        core.scheduler.startDeployment(service, taskDefinition ?? primary.taskDefinition, call.cause);
    }
    core.scheduler.markDirty(service);
    return { service: describeService(service, false) };
};

export const deleteService: Operation = (core, input, call) => {
    const cluster = resolveCluster(core, input.cluster);
    const service = findService(cluster, requiredString(input, "service"));
    if (!service) throw serviceNotFound();
    if (service.status !== "ACTIVE") throw serviceNotActive();
    const force = optionalBoolean(input, "force") ?? false;
    if (!force && service.schedulingStrategy === "REPLICA" && service.desiredCount > 0) {
        throw invalidParameter("The service cannot be stopped while it is scaled above 0.");
    }
    service.status = "DRAINING";
    service.desiredCount = 0;
    service.desiredCause = call.cause;
    service.startCauses = [];
    core.scheduler.markDirty(service);
    return { service: describeService(service, false) };
};

export const listServices: Operation = (core, input) => {
    const cluster = resolveCluster(core, input.cluster);
    const page = readPage(input, "ListServices", 10, 100);
    const launchType = optionalString(input, "launchType");
    const schedulingStrategy = optionalString(input, "schedulingStrategy");
    // A deleted service (DRAINING until its tasks are gone, then INACTIVE) "is no longer visible in the console or
    // in the ListServices API operation" (API reference, DeleteService); DescribeServices still shows it.
    const { items, more } = cluster.services.page(
        page.afterSeq,
        page.limit,
        (s) =>
            s.status === "ACTIVE" &&
            (!launchType || (s.launchType ?? "EC2") === launchType) &&
            (!schedulingStrategy || s.schedulingStrategy === schedulingStrategy),
    );
    return { serviceArns: items.map((s) => s.arn), nextToken: more ? nextToken("ListServices", items[items.length - 1]!.seq) : undefined };
};

export const describeServices: Operation = (core, input) => {
    const cluster = resolveCluster(core, input.cluster);
    const ids = identifierList(input, "services", "service names", 10);
    const include = optionalList<string>(input, "include") ?? [];
    const { found, failures } = describeEach(ids, (id) => findService(cluster, id), (s) => describeService(s, include.includes("TAGS")), (id) => core.arns.service(cluster.name, id));
    return { services: found, failures };
};

/** Creates a service with some of its tasks already RUNNING on given instances (scenario set-up). */
export function createServiceWithTasks(core: EmulatorCore, input: Json, call: CallContext, placement: Record<string, number>): Json {
    const result = createService(core, input, call);
    const cluster = resolveCluster(core, input.cluster);
    const service = cluster.servicesByName.get(String(input.serviceName))!;
    const deployment = service.deployments[0]!;
    for (const [ec2InstanceId, count] of Object.entries(placement)) {
        const instance = core.instancesByEc2.get(ec2InstanceId);
        if (!instance || instance.cluster !== cluster) throw new EcsError("InvalidParameterException", `Instance ${ec2InstanceId} is not registered in cluster ${cluster.name}.`);
        for (let n = 0; n < count; n++) {
            core.lifecycle.launch({
                instance,
                taskDefinition: deployment.taskDefinition,
                service,
                deploymentId: deployment.id,
                group: `service:${service.name}`,
                startedBy: deployment.id,
                launchType: service.launchType ?? "EC2",
                capacityProviderName: service.capacityProviderStrategy.length > 0 ? instance.capacityProviderName : undefined,
                cause: follows(call.cause, "initial placement"),
                running: true,
            });
        }
    }
    return result;
}
