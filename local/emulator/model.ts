// The emulated control plane's state: plain records with the indexes the API and the scheduler need
// (by cluster, service and instance), so no call scans more than it returns.

import type { Cause } from "./causes";
import type { Timer } from "./clock";
import { OrderedIndex } from "./orderedIndex";

export const AZ_ATTRIBUTE = "ecs.availability-zone";

export interface PlacementStrategy {
    type: string;
    field?: string;
}

export interface PlacementConstraint {
    type: string;
    expression?: string;
}

export interface CapacityProviderStrategyItem {
    capacityProvider: string;
    weight: number;
    base: number;
}

export interface Reservation {
    cpu: number;
    memory: number;
}

export type Tags = Map<string, string>;

export interface ClusterState {
    readonly seq: number;
    readonly name: string;
    readonly arn: string;
    status: "ACTIVE" | "INACTIVE";
    tags: Tags;
    settings: { name: string; value: string }[];
    capacityProviders: string[];
    defaultCapacityProviderStrategy: CapacityProviderStrategyItem[];
    /** Every container instance not yet forgotten (INACTIVE ones stay describable for a while). */
    readonly instances: OrderedIndex<InstanceState>;
    readonly instancesById: Map<string, InstanceState>;
    /** ACTIVE and DRAINING services: what ListServices returns. */
    readonly services: OrderedIndex<ServiceState>;
    /** The latest service of each name, INACTIVE ones included until they are forgotten. */
    readonly servicesByName: Map<string, ServiceState>;
    /** Every task not yet forgotten (STOPPED ones stay describable for an hour). */
    readonly tasks: OrderedIndex<TaskState>;
    /** Tasks whose desired status is RUNNING (ListTasks' default). */
    readonly activeTasks: OrderedIndex<TaskState>;
    readonly tasksById: Map<string, TaskState>;
    /** Services short of tasks because placement failed: looked at again when capacity changes. */
    readonly blockedServices: Set<ServiceState>;
    runningTasksCount: number;
    pendingTasksCount: number;
    /** Bumped whenever an instance joins, leaves, or changes status or agent connection (keys placement caches). */
    topologyVersion: number;
}

export type InstanceStatus = "REGISTERING" | "REGISTRATION_FAILED" | "ACTIVE" | "DRAINING" | "DEREGISTERING" | "INACTIVE";

export interface InstanceState {
    readonly seq: number;
    readonly id: string;
    readonly arn: string;
    readonly cluster: ClusterState;
    readonly ec2InstanceId: string;
    status: InstanceStatus;
    statusReason?: string;
    agentConnected: boolean;
    capacityProviderName?: string;
    /** ECS's change counter: bumped with every container-instance event. */
    version: number;
    versionInfo: { agentVersion: string; agentHash: string; dockerVersion: string };
    registeredAt: number;
    deregisteredAt?: number;
    attributes: Map<string, string | undefined>;
    tags: Tags;
    registered: { cpu: number; memory: number; ports: number[]; portsUdp: number[] };
    /** CPU and memory reserved by the tasks that hold resources here. */
    used: Reservation;
    /** Static host ports held by tasks (the registration's reserved ports are in `registered`). */
    readonly tcpPorts: Set<number>;
    readonly udpPorts: Set<number>;
    /** Host ports handed out for dynamic mappings (hostPort 0, bridge mode). */
    readonly dynamicPorts: Set<number>;
    /** Every task placed here and not yet forgotten (ListTasks containerInstance filter). */
    readonly tasks: OrderedIndex<TaskState>;
    /** Tasks holding resources: placed and not yet STOPPED. */
    readonly resident: Set<TaskState>;
    runningTasksCount: number;
    pendingTasksCount: number;
    /** What set the instance DRAINING: the stops that drain it follow from it. */
    drainCause?: Cause;
    /** What registered the instance: daemon tasks started for it follow from it. */
    registrationCause?: Cause;
    /** Container health checks of tasks here fail (a bad host: the control API's setHealthChecksFailing). */
    healthChecksFailing: boolean;
}

export interface PortMappingSpec {
    containerName: string;
    containerPort: number;
    /** 0 = dynamic host port (bridge mode). */
    hostPort: number;
    protocol: "tcp" | "udp";
}

export interface TaskDefinitionState {
    readonly seq: number;
    readonly arn: string;
    readonly family: string;
    readonly revision: number;
    status: "ACTIVE" | "INACTIVE";
    readonly registeredAt: number;
    deregisteredAt?: number;
    readonly networkMode: string;
    readonly reservation: Reservation;
    readonly portMappings: PortMappingSpec[];
    readonly hasHealthCheck: boolean;
    /** The longest container stopTimeout, when the task definition sets one. */
    readonly stopTimeoutMs?: number;
    readonly placementConstraints: PlacementConstraint[];
    /** The TaskDefinition object as DescribeTaskDefinition returns it (without the changing fields). */
    readonly description: Record<string, unknown>;
    tags: Tags;
}

export type DeploymentStatus = "PRIMARY" | "ACTIVE" | "INACTIVE";
export type RolloutState = "IN_PROGRESS" | "COMPLETED" | "FAILED";

export interface DeploymentState {
    readonly id: string;
    status: DeploymentStatus;
    readonly taskDefinition: TaskDefinitionState;
    desiredCount: number;
    readonly createdAt: number;
    updatedAt: number;
    rolloutState: RolloutState;
    rolloutStateReason: string;
    /** Tasks that could not be placed or started, for the circuit breaker. */
    failedTasks: number;
    /** The action that created this deployment: tasks started and stopped to roll it out follow from it. */
    readonly cause: Cause;
    /** Set for a BLUE_GREEN / LINEAR / CANARY deployment that replaces running tasks (deploymentStrategy.ts). */
    strategyProgress?: StrategyProgress;
}

export interface ServiceEventRecord {
    id: string;
    createdAt: number;
    message: string;
}

export type DeploymentStrategyName = "ROLLING" | "BLUE_GREEN" | "LINEAR" | "CANARY";

/** A lifecycle hook as given (stored and described; the emulator does not invoke it). */
export interface LifecycleHookState {
    targetType?: string;
    hookTargetArn?: string;
    roleArn?: string;
    lifecycleStages: string[];
    hookDetails?: unknown;
}

export interface DeploymentConfigurationState {
    minimumHealthyPercent: number;
    maximumPercent: number;
    deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
    /** ECS-native deployment strategy (API reference, DeploymentConfiguration.strategy); default ROLLING. */
    strategy: DeploymentStrategyName;
    /** Minutes blue and green both run after production traffic has shifted (BLUE_GREEN, LINEAR, CANARY). */
    bakeTimeInMinutes?: number;
    linearConfiguration?: { stepPercent: number; stepBakeTimeInMinutes: number };
    canaryConfiguration?: { canaryPercent: number; canaryBakeTimeInMinutes: number };
    lifecycleHooks: LifecycleHookState[];
}

/** ServiceDeploymentLifecycleStage values a blue/green-family deployment passes (API reference, ServiceDeployment). */
export type LifecycleStage =
    | "SCALE_UP"
    | "TEST_TRAFFIC_SHIFT"
    | "PRODUCTION_TRAFFIC_SHIFT"
    | "BAKE_TIME"
    | "CLEAN_UP";

/** Where a BLUE_GREEN / LINEAR / CANARY deployment is: its stage and the share of production traffic on green. */
export interface StrategyProgress {
    readonly strategy: Exclude<DeploymentStrategyName, "ROLLING">;
    stage: LifecycleStage;
    productionTrafficPercent: number;
    /** When the current wait (a traffic step's bake or the bake time) ends, epoch ms. */
    waitUntil?: number;
    /** The configuration the deployment started with (a later UpdateService does not change it). */
    readonly configuration: Readonly<DeploymentConfigurationState>;
}

export interface ServiceState {
    readonly seq: number;
    readonly name: string;
    readonly arn: string;
    readonly cluster: ClusterState;
    status: "ACTIVE" | "DRAINING" | "INACTIVE";
    desiredCount: number;
    readonly schedulingStrategy: "REPLICA" | "DAEMON";
    launchType?: string;
    capacityProviderStrategy: CapacityProviderStrategyItem[];
    deploymentConfiguration: DeploymentConfigurationState;
    readonly deploymentController: { type: string };
    placementStrategy: PlacementStrategy[];
    placementConstraints: PlacementConstraint[];
    tags: Tags;
    propagateTags?: string;
    enableECSManagedTags: boolean;
    enableExecuteCommand: boolean;
    availabilityZoneRebalancing: "ENABLED" | "DISABLED";
    healthCheckGracePeriodSeconds?: number;
    loadBalancers: unknown[];
    serviceRegistries: unknown[];
    networkConfiguration?: unknown;
    roleArn?: string;
    readonly createdAt: number;
    readonly createdBy?: string;
    deletedAt?: number;
    /** PRIMARY first, then the ACTIVE ones still being replaced. */
    deployments: DeploymentState[];
    /** Service event messages, newest first. */
    events: ServiceEventRecord[];
    /** Every task of the service not yet forgotten. */
    readonly tasks: OrderedIndex<TaskState>;
    /** Tasks whose desired status is RUNNING, all deployments together. */
    readonly activeTasks: Set<TaskState>;
    /** Why each missing task is missing, oldest first: the task started to fill the gap follows from it. */
    startCauses: Cause[];
    /** The latest change of desiredCount: scale-out starts and scale-in stops follow from it. */
    desiredCause: Cause;
    /** Last reported steady state (SERVICE_STEADY_STATE is emitted on the way into it). */
    steady: boolean;
    /** Set while the service is short because no instance could take a task. */
    placementFailure?: { reason: string; instanceArn?: string };
    /** Availability Zone rebalancing under way (surge task started, surplus not yet stopped). */
    azRebalancing: boolean;
    /** When ECS may act on the AZ imbalance it has seen (the profile's delay after the service became steady). */
    azRebalancingAfter?: number;
    /** The last deployment that completed: where a circuit-breaker rollback goes back to. */
    lastCompleted?: { id: string; taskDefinition: TaskDefinitionState };
    /** DAEMON services: why the daemon task of an instance is missing, by instance id. */
    daemonCauses: Map<string, Cause>;
}

export type TaskStatus = "PROVISIONING" | "PENDING" | "RUNNING" | "STOPPING" | "STOPPED";

export interface NetworkBinding {
    bindIP: string;
    containerPort: number;
    hostPort: number;
    protocol: "tcp" | "udp";
}

export interface ContainerState {
    readonly arn: string;
    readonly name: string;
    readonly image: string;
    lastStatus: string;
    exitCode?: number;
    readonly networkBindings: NetworkBinding[];
    readonly cpu: string;
    readonly memory?: string;
    readonly memoryReservation?: string;
    readonly runtimeId: string;
}

export interface TaskState {
    readonly seq: number;
    readonly id: string;
    readonly arn: string;
    readonly cluster: ClusterState;
    /**
     * Where it runs; undefined while PROVISIONING (a capacity provider with managed scaling had no room: the task
     * waits for an instance, developer guide "Amazon ECS cluster auto scaling").
     */
    instance?: InstanceState;
    readonly service?: ServiceState;
    readonly deploymentId?: string;
    readonly taskDefinition: TaskDefinitionState;
    readonly group: string;
    readonly startedBy?: string;
    readonly launchType?: string;
    readonly capacityProviderName?: string;
    lastStatus: TaskStatus;
    desiredStatus: "RUNNING" | "STOPPED";
    healthStatus: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
    readonly createdAt: number;
    pullStartedAt?: number;
    pullStoppedAt?: number;
    startedAt?: number;
    connectivityAt?: number;
    stoppingAt?: number;
    stoppedAt?: number;
    executionStoppedAt?: number;
    updatedAt: number;
    stopCode?: string;
    stoppedReason?: string;
    /** ECS's change counter: bumped with every task event. */
    version: number;
    readonly containers: ContainerState[];
    readonly reservation: Reservation;
    readonly tcpPorts: number[];
    readonly udpPorts: number[];
    readonly dynamicPorts: number[];
    readonly overrides: Record<string, unknown>;
    tags: Tags;
    /** Scale-in protection, until this epoch-ms time. */
    protectedUntil?: number;
    readonly startCause: Cause;
    stopCause?: Cause;
    /** The pending lifecycle step (start or stop completion). */
    timer?: Timer;
    /** Placed and not yet STOPPED: counts against the instance's resources. */
    holdsResources: boolean;
}

/** A task that has its container instance (every status but PROVISIONING). */
export type PlacedTask = TaskState & { instance: InstanceState };

export function isPlaced(task: TaskState): task is PlacedTask {
    return task.instance !== undefined;
}

export function availabilityZoneOf(instance: InstanceState | undefined): string | undefined {
    return instance?.attributes.get(AZ_ATTRIBUTE);
}

export function isProtected(task: TaskState, now: number): boolean {
    return task.protectedUntil !== undefined && task.protectedUntil > now;
}

export function newCluster(seq: number, name: string, arn: string): ClusterState {
    return {
        seq,
        name,
        arn,
        status: "ACTIVE",
        tags: new Map(),
        settings: [{ name: "containerInsights", value: "disabled" }],
        capacityProviders: [],
        defaultCapacityProviderStrategy: [],
        instances: new OrderedIndex(),
        instancesById: new Map(),
        services: new OrderedIndex(),
        servicesByName: new Map(),
        tasks: new OrderedIndex(),
        activeTasks: new OrderedIndex(),
        tasksById: new Map(),
        blockedServices: new Set(),
        runningTasksCount: 0,
        pendingTasksCount: 0,
        topologyVersion: 0,
    };
}
