// The cluster as the rebalancer sees it: one consistent read of ECS, in plain data.
// Produced by observe.ts, consumed by the pure planner. Times are epoch milliseconds.

export interface Reservation {
    cpu: number;
    memory: number;
}

export interface ContainerInstance {
    arn: string;
    ec2InstanceId: string;
    /** Value of the `ecs.availability-zone` attribute ("" when ECS did not report one). */
    az: string;
    /** REGISTERING | REGISTRATION_FAILED | ACTIVE | DRAINING | DEREGISTERING | INACTIVE */
    status: string;
    agentConnected: boolean;
    capacityProviderName?: string;
    registered: Reservation;
    remaining: Reservation;
    /** TCP host ports unavailable on the instance (reserved at registration plus held by tasks). */
    portsInUse: number[];
    /** Every attribute by name; attributes without a value map to "". */
    attributes: Record<string, string>;
    registeredAt?: number;
    /** ECS's per-resource change counter; events carry the same number. */
    version: number;
}

export type PlacementStrategyType = "spread" | "binpack" | "random";

export interface PlacementStrategy {
    type: PlacementStrategyType | string;
    field?: string;
}

export interface PlacementConstraint {
    type: "distinctInstance" | "memberOf" | string;
    expression?: string;
}

export interface Deployment {
    id: string;
    /** PRIMARY | ACTIVE | INACTIVE */
    status: string;
    /** IN_PROGRESS | COMPLETED | FAILED (absent on very old deployments) */
    rolloutState?: string;
    taskDefinition: string;
    desiredCount: number;
    runningCount: number;
    pendingCount: number;
    /** When ECS last changed the deployment (epoch ms), when it says. */
    updatedAt?: number;
}

export interface CapacityProviderStrategyItem {
    capacityProvider: string;
    weight: number;
    base: number;
}

export interface Service {
    arn: string;
    name: string;
    /** ACTIVE | DRAINING | INACTIVE */
    status: string;
    /** REPLICA | DAEMON */
    schedulingStrategy: string;
    /** EC2 | FARGATE | EXTERNAL | MANAGED_INSTANCES; absent when a capacity provider strategy is used. */
    launchType?: string;
    capacityProviderStrategy: CapacityProviderStrategyItem[];
    desiredCount: number;
    runningCount: number;
    pendingCount: number;
    deployments: Deployment[];
    /** ECS | CODE_DEPLOY | EXTERNAL */
    deploymentController: string;
    /** ECS-native deployment strategy (deploymentConfiguration.strategy): ROLLING, BLUE_GREEN, LINEAR, CANARY; absent = ROLLING. */
    deploymentStrategy?: string;
    placementStrategy: PlacementStrategy[];
    placementConstraints: PlacementConstraint[];
    minimumHealthyPercent: number;
    maximumPercent: number;
    tags: Record<string, string>;
    taskDefinition: string;
    /** ENABLED when ECS itself keeps the service balanced across Availability Zones. */
    availabilityZoneRebalancing?: string;
    /** Application Auto Scaling has a scalable target on this service's desiredCount. */
    autoScaled: boolean;
}

export interface Task {
    arn: string;
    /** From the task's group `service:<name>`; undefined for tasks no service owns. */
    serviceName?: string;
    containerInstanceArn?: string;
    /** PROVISIONING | PENDING | ACTIVATING | RUNNING | DEACTIVATING | STOPPING | ... | STOPPED */
    lastStatus: string;
    desiredStatus: string;
    /** HEALTHY | UNHEALTHY | UNKNOWN */
    healthStatus?: string;
    taskDefinitionArn: string;
    reservation: Reservation;
    /** Host ports bound on the instance (TCP), as reported in the containers' network bindings. */
    hostPorts: number[];
    startedAt?: number;
    startedBy?: string;
    /** Scale-in protection: undefined until read (it is read for candidate victims and surge restores only). */
    protectionEnabled?: boolean;
    /** When that protection lapses (epoch ms), when it is enabled and read. */
    protectionExpiresAt?: number;
}

/** What the task definition says about where a task can go: only what observe needs to read from it. */
export interface TaskDefinitionFacts {
    arn: string;
    networkMode: string;
    /** Host ports fixed in the task definition (TCP); dynamic mappings (hostPort 0 in bridge mode) excluded. */
    staticHostPorts: number[];
    reservation: Reservation;
    /**
     * A RUNNING task of this definition can still change what observe maps from it: some container defines a health
     * check (the task's healthStatus moves) or has a restart policy (a container restarted in place can bind new host
     * ports). When false the task's description stays as read until it leaves ListTasks (taskCache.ts).
     */
    runningTaskCanChange: boolean;
}

export interface ClusterSnapshot {
    clusterArn: string;
    /** When the read started, by the clock of the process that made it. */
    observedAt: number;
    instances: ContainerInstance[];
    services: Service[];
    /** Tasks whose desired status is RUNNING (what ListTasks returns by default). */
    tasks: Task[];
    /** Task definitions read so far, by ARN; immutable, so they can be cached across passes. */
    taskDefinitions: Record<string, TaskDefinitionFacts>;
    /** Things observe could not see (failures[] entries, vanished resources), for the log. */
    failures: ObserveFailure[];
}

export interface ObserveFailure {
    arn?: string;
    reason: string;
    detail?: string;
}

export const AZ_ATTRIBUTE = "ecs.availability-zone";
