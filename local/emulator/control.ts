// The control API: what the scenario runner and tests do to the emulated world outside ECS's API (EC2
// launching and terminating instances, an owner or Service Auto Scaling changing desiredCount, scenario set-up),
// and read access to the whole state. Not counted as API calls and never subject to faults.

import { serviceName as serviceNameOf } from "./arns";
import { instanceHours, type CapacityProviderInput } from "./autoScalingGroups";
import { rootCause, type Cause } from "./causes";
import type { EmulatorCore } from "./core";
import { clientException, invalidParameter } from "./errors";
import { registerInstance, setAgentConnected, setInstanceStatus, terminate } from "./instances";
import { isProtected, type InstanceState } from "./model";
import { createCluster } from "./operations/clusters";
import { findService, findTask, resolveCluster, type CallContext } from "./operations/common";
import { createServiceWithTasks, updateService } from "./operations/services";
import { registerTaskDefinition } from "./operations/taskDefinitions";
import { setTaskProtection } from "./operations/taskProtection";
import { parseQuery } from "./queryLanguage";
import { describeCapacityProvider, describeContainerInstance, describeService, describeTask, type Json } from "./serialize";

export interface RegisterInstanceInput {
    cluster?: string;
    ec2InstanceId: string;
    az: string;
    /** CPU units; default 2048. */
    cpu?: number;
    /** MiB; default 3891. */
    memory?: number;
    /** Custom attributes (name → value). */
    attributes?: Record<string, string>;
    capacityProviderName?: string;
    instanceType?: string;
    /** ecs.vpc-id and ecs.subnet-id attributes; default: the emulator's VPC and the AZ's subnet. */
    vpcId?: string;
    subnetId?: string;
}

export interface CapacityProviderView extends Json {
    capacityProviderReservation: number;
    autoScalingGroup: {
        name: string;
        minSize: number;
        maxSize: number;
        desiredCapacity: number;
        instances: { ec2InstanceId: string; availabilityZone: string; state: string }[];
        sizeHistory: { time: number; size: number }[];
        maxSizeReached: number;
        instanceHours: number;
    };
}

export interface CreateClusterOptions {
    capacityProviders?: string[];
    defaultCapacityProviderStrategy?: { capacityProvider: string; weight?: number; base?: number }[];
    tags?: Record<string, string>;
}

/** A task as assertions want it: the DescribeTasks shape plus where it runs and whose it is. */
/** `ec2InstanceId` is undefined while the task is PROVISIONING. */
export type TaskView = Json & { taskArn: string; serviceName?: string; ec2InstanceId?: string; availabilityZone?: string; protected: boolean };

/** A BLUE_GREEN / LINEAR / CANARY deployment's stage (ServiceDeployment.lifecycleStage values) and traffic share. */
export interface DeploymentProgressView {
    deploymentId: string;
    strategy: string;
    lifecycleStage: string;
    productionTrafficPercent: number;
}

export interface ClusterSnapshot {
    clusterArn: string;
    /** Emulated time, epoch ms. */
    time: number;
    instances: (Json & { ec2InstanceId: string; availabilityZone?: string })[];
    services: Json[];
    /** Tasks whose desired status is RUNNING. */
    tasks: TaskView[];
}

export class EmulatorControl {
    constructor(private readonly core: EmulatorCore) {}

    createCluster(name = "default", options: CreateClusterOptions = {}): string {
        return this.act("createCluster", (call) => {
            const result = createCluster(
                this.core,
                {
                    clusterName: name,
                    capacityProviders: options.capacityProviders,
                    defaultCapacityProviderStrategy: options.defaultCapacityProviderStrategy,
                    tags: Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value })),
                },
                call,
            );
            return String((result.cluster as Json).clusterArn);
        });
    }

    /** Registers an instance as its ECS agent would (emits the registration event); returns its ARN. */
    registerInstance(input: RegisterInstanceInput): string {
        return this.act("registerInstance", (call) => {
            const cluster = resolveCluster(this.core, input.cluster);
            const instance = registerInstance(
                this.core,
                cluster,
                {
                    ec2InstanceId: input.ec2InstanceId,
                    availabilityZone: input.az,
                    instanceType: input.instanceType,
                    cpu: input.cpu ?? 2048,
                    memory: input.memory ?? 3891,
                    attributes: Object.entries(input.attributes ?? {}).map(([name, value]) => ({ name, value })),
                    capacityProviderName: input.capacityProviderName,
                    vpcId: input.vpcId,
                    subnetId: input.subnetId,
                },
                call.cause,
            );
            return instance.arn;
        });
    }

    /**
     * An Auto Scaling group capacity provider for the cluster (`input.cluster`, default "default"): the group and the
     * provider's settings (managed scaling, managed termination protection, managed draining; ECS's defaults). The
     * group's first `desiredCapacity` instances register at once, ids `<group>-1`, `<group>-2`, ... Returns its ARN.
     */
    createCapacityProvider(input: CapacityProviderInput): string {
        return this.act("createCapacityProvider", (call) => this.core.managedScaling.create(input, resolveCluster(this.core, input.cluster), call.cause).arn);
    }

    /** The operator changes the provider's group (`aws autoscaling update-auto-scaling-group`): EC2 acts at once. */
    updateAutoScalingGroup(capacityProvider: string, change: { minSize?: number; maxSize?: number; desiredCapacity?: number }): void {
        this.act("updateAutoScalingGroup", (call) => this.core.managedScaling.setGroupCapacity(capacityProvider, change, call.cause));
    }

    /**
     * The provider as DescribeCapacityProviders shows it, plus its group: sizes, members (id, AZ, state), the size
     * over time, instance-hours so far and the last CapacityProviderReservation computed.
     */
    capacityProvider(name: string): CapacityProviderView {
        const p = this.core.managedScaling.provider(name);
        const g = p.group;
        const now = this.core.clock.now();
        return {
            ...describeCapacityProvider(p),
            capacityProviderReservation: this.core.managedScaling.reservationOf(p).reservation,
            autoScalingGroup: {
                name: g.name,
                minSize: g.minSize,
                maxSize: g.maxSize,
                desiredCapacity: g.desiredCapacity,
                instances: g.instances.map((m) => ({ ec2InstanceId: m.ec2InstanceId, availabilityZone: m.availabilityZone, state: m.state })),
                sizeHistory: g.sizeHistory.map((h) => ({ ...h })),
                maxSizeReached: Math.max(0, ...g.sizeHistory.map((h) => h.size)),
                instanceHours: instanceHours(g, now),
            },
        };
    }

    /** EC2 terminates the instance: its tasks stop (TerminationNotice), it is deregistered, services replace them. */
    terminateInstance(ec2InstanceId: string): void {
        this.act("terminateInstance", (call) => terminate(this.core, this.instance(ec2InstanceId), call.cause));
    }

    drainInstance(ec2InstanceId: string): void {
        this.act("drainInstance", (call) => setInstanceStatus(this.core, this.instance(ec2InstanceId), "DRAINING", call.cause));
    }

    activateInstance(ec2InstanceId: string): void {
        this.act("activateInstance", (call) => setInstanceStatus(this.core, this.instance(ec2InstanceId), "ACTIVE", call.cause));
    }

    setAgentConnected(ec2InstanceId: string, connected: boolean): void {
        this.act("setAgentConnected", () => setAgentConnected(this.core, this.instance(ec2InstanceId), connected));
    }

    /**
     * The container health checks of tasks on this instance start (or stop) failing — a bad host. Each running task
     * with a health check is checked again after timing.healthCheckMs: UNHEALTHY (ECS replaces it) or HEALTHY again.
     */
    setHealthChecksFailing(ec2InstanceId: string, failing: boolean): void {
        this.act("setHealthChecksFailing", () => {
            const instance = this.instance(ec2InstanceId);
            instance.healthChecksFailing = failing;
            this.core.lifecycle.recheckHealth(instance);
        });
    }

    /** RegisterTaskDefinition input; returns the task definition ARN. */
    registerTaskDefinition(input: Json): string {
        return this.act("registerTaskDefinition", (call) => String(((registerTaskDefinition(this.core, input, call).taskDefinition) as Json).taskDefinitionArn));
    }

    /**
     * CreateService input; `initialPlacement` (ec2InstanceId → count) starts that many tasks RUNNING at once on
     * those instances, and the scheduler places the rest. Returns the service ARN.
     */
    createService(input: Json & { initialPlacement?: Record<string, number> }): string {
        return this.act("createService", (call) => {
            const { initialPlacement, ...rest } = input;
            const result = createServiceWithTasks(this.core, rest, call, initialPlacement ?? {});
            return String((result.service as Json).serviceArn);
        });
    }

    /** Changes desiredCount as the service owner or Service Auto Scaling (`actor`) would. */
    setDesiredCount(cluster: string, service: string, desiredCount: number, actor = "owner"): void {
        this.act("setDesiredCount", (call) => updateService(this.core, { cluster, service, desiredCount }, call), actor);
    }

    /**
     * Starts a deployment as the service owner (`actor`) would with UpdateService: to another task definition
     * revision, or `forceNewDeployment` with the same one.
     */
    deployService(cluster: string, service: string, change: { taskDefinition?: string; forceNewDeployment?: boolean }, actor = "owner"): void {
        this.act("deployService", (call) => updateService(this.core, { cluster, service, ...change }, call), actor);
    }

    /** Makes Application Auto Scaling's DescribeScalableTargets report the service as scalable. */
    registerScalableTarget(cluster: string, service: string, minCapacity: number, maxCapacity: number): void {
        this.act("registerScalableTarget", () => {
            const c = resolveCluster(this.core, cluster);
            const s = findService(c, service);
            if (!s) throw invalidParameter(`Service ${service} not found in cluster ${c.name}.`);
            const resourceId = `service/${c.name}/${serviceNameOf(service)}`;
            const existing = this.core.scalableTargetsById.get(resourceId);
            if (existing) {
                existing.minCapacity = minCapacity;
                existing.maxCapacity = maxCapacity;
                return;
            }
            const target = { seq: this.core.nextSeq(), resourceId, minCapacity, maxCapacity, createdAt: this.core.clock.now(), arnSuffix: this.core.rng.ids.hex(32) };
            this.core.scalableTargets.add(target);
            this.core.scalableTargetsById.set(resourceId, target);
        });
    }

    setTaskProtection(cluster: string, task: string, enabled: boolean, expiresInMinutes = 120): void {
        this.act("setTaskProtection", () => {
            const t = findTask(resolveCluster(this.core, cluster), task);
            if (!t) throw invalidParameter("The referenced task was not found.");
            setTaskProtection(t, enabled, expiresInMinutes, this.core.clock.now());
        });
    }

    /** The whole cluster as DescribeContainerInstances/DescribeServices/DescribeTasks would show it. */
    snapshot(cluster = "default"): ClusterSnapshot {
        this.core.retention.forgetExpired(this.core.clock.now());
        const c = resolveCluster(this.core, cluster);
        return {
            clusterArn: c.arn,
            time: this.core.clock.now(),
            instances: [...c.instances.values()].map((i) => ({ ...describeContainerInstance(i, true), ec2InstanceId: i.ec2InstanceId, availabilityZone: i.attributes.get("ecs.availability-zone") })),
            services: [...c.servicesByName.values()].map((s) => describeService(s, true)),
            tasks: [...c.activeTasks.values()].map((t) => this.taskView(t.arn, c.name)),
        };
    }

    /** Tasks of a service (desired RUNNING; lastStatus RUNNING only when `runningOnly`) per EC2 instance id. */
    tasksPerInstance(cluster: string, service: string, runningOnly = false): Record<string, number> {
        const s = findService(resolveCluster(this.core, cluster), service);
        if (!s) throw invalidParameter(`Service ${service} not found.`);
        const counts: Record<string, number> = {};
        for (const t of s.activeTasks) {
            if ((runningOnly && t.lastStatus !== "RUNNING") || !t.instance) continue;
            counts[t.instance.ec2InstanceId] = (counts[t.instance.ec2InstanceId] ?? 0) + 1;
        }
        return counts;
    }

    /** Same per Availability Zone. */
    tasksPerAvailabilityZone(cluster: string, service: string): Record<string, number> {
        const s = findService(resolveCluster(this.core, cluster), service);
        if (!s) throw invalidParameter(`Service ${service} not found.`);
        const counts: Record<string, number> = {};
        for (const t of s.activeTasks) {
            if (!t.instance) continue;
            const az = t.instance.attributes.get("ecs.availability-zone") ?? "";
            counts[az] = (counts[az] ?? 0) + 1;
        }
        return counts;
    }

    service(cluster: string, service: string): Json {
        const s = findService(resolveCluster(this.core, cluster), service);
        if (!s) throw invalidParameter(`Service ${service} not found.`);
        return describeService(s, true);
    }

    /**
     * The current deployment's BLUE_GREEN / LINEAR / CANARY progress: its lifecycle stage (ServiceDeployment's
     * lifecycleStage values) and the share of production traffic on green; undefined for a rolling deployment.
     * (DescribeServiceDeployments is not emulated; this is where tests read the stage.)
     */
    deploymentProgress(cluster: string, service: string): DeploymentProgressView | undefined {
        const s = findService(resolveCluster(this.core, cluster), service);
        if (!s) throw invalidParameter(`Service ${service} not found.`);
        const primary = s.deployments[0];
        const progress = primary?.strategyProgress;
        if (!primary || !progress) return undefined;
        return {
            deploymentId: primary.id,
            strategy: progress.strategy,
            lifecycleStage: progress.stage,
            productionTrafficPercent: progress.productionTrafficPercent,
        };
    }

    /** Any task still remembered (STOPPED ones for an hour), by ARN or id. */
    taskView(task: string, cluster = "default"): TaskView {
        const t = findTask(resolveCluster(this.core, cluster), task);
        if (!t) throw invalidParameter("The referenced task was not found.");
        return {
            ...describeTask(t, true),
            taskArn: t.arn,
            serviceName: t.service?.name,
            ec2InstanceId: t.instance?.ec2InstanceId,
            availabilityZone: t.instance?.attributes.get("ecs.availability-zone"),
            protected: isProtected(t, this.core.clock.now()),
        };
    }

    /** Whether the instance satisfies a cluster query language expression (as a memberOf constraint would). */
    instanceMatches(ec2InstanceId: string, expression: string): boolean {
        return parseQuery(expression).matches(this.instance(ec2InstanceId));
    }

    private instance(ec2InstanceId: string): InstanceState {
        const instance = this.core.instancesByEc2.get(ec2InstanceId);
        if (!instance) throw clientException(`No registered container instance for EC2 instance ${ec2InstanceId}.`);
        return instance;
    }

    /** Runs a control action with its cause, then delivers the events it produced. */
    private act<T>(action: string, fn: (call: CallContext) => T, actor?: string): T {
        this.core.retention.forgetExpired(this.core.clock.now());
        const cause: Cause = rootCause({ type: "control", action, actor }, action);
        try {
            return fn({ operation: action, cause });
        } finally {
            this.core.bus.flush();
        }
    }
}
