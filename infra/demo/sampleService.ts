// The demo's sample web service: bridge networking with dynamic host ports behind the ALB, spread over AZs and
// then instances, on the cluster's capacity provider. This is the service the rebalancer visibly rebalances.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { currentRegion } from "../clusterArns";

export const SAMPLE_CONTAINER_NAME = "web";
export const SAMPLE_CONTAINER_PORT = 80;
/** Demo access logs are only for watching the walk-through. */
export const SAMPLE_LOG_RETENTION_DAYS = 7;

export interface SampleServiceArgs {
    clusterArn: pulumi.Input<string>;
    capacityProviderName: pulumi.Input<string>;
    targetGroupArn: pulumi.Input<string>;
    desiredCount: number;
    image: string;
    /** Resources the service must wait for: the capacity provider attachment and the ALB listener. */
    dependsOn: pulumi.Resource[];
}

export class SampleService extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: SampleServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-rebalancer:demo:SampleService", name, {}, opts);
        if (!Number.isInteger(args.desiredCount) || args.desiredCount < 0) throw new Error(`SampleService ${name}: desiredCount must be an integer ≥ 0`);
        if (args.image.trim() === "") throw new Error(`SampleService ${name}: image is required`);

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: SAMPLE_LOG_RETENTION_DAYS }, { parent: this });
        const region = currentRegion({ parent: this });

        const taskDefinition = new aws.ecs.TaskDefinition(
            name,
            {
                family: `${pulumi.getProject()}-${pulumi.getStack()}-${name}`,
                requiresCompatibilities: ["EC2"],
                networkMode: "bridge",
                containerDefinitions: pulumi.jsonStringify([
                    {
                        name: SAMPLE_CONTAINER_NAME,
                        image: args.image,
                        essential: true,
                        cpu: 128,
                        memoryReservation: 64,
                        memory: 256,
                        // hostPort 0: Docker picks a free host port, so several copies fit on one instance.
                        portMappings: [{ containerPort: SAMPLE_CONTAINER_PORT, hostPort: 0, protocol: "tcp" }],
                        logConfiguration: {
                            logDriver: "awslogs",
                            options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": SAMPLE_CONTAINER_NAME },
                        },
                    },
                ]),
            },
            { parent: this },
        );

        const service = new aws.ecs.Service(
            name,
            {
                cluster: args.clusterArn,
                taskDefinition: taskDefinition.arn,
                desiredCount: args.desiredCount,
                // The cluster's capacity provider, not a launch type: managed scaling adds instances for new tasks.
                capacityProviderStrategies: [{ capacityProvider: args.capacityProviderName, weight: 1, base: 0 }],
                orderedPlacementStrategies: [
                    { type: "spread", field: "attribute:ecs.availability-zone" },
                    { type: "spread", field: "instanceId" },
                ],
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                healthCheckGracePeriodSeconds: 30,
                loadBalancers: [{ targetGroupArn: args.targetGroupArn, containerName: SAMPLE_CONTAINER_NAME, containerPort: SAMPLE_CONTAINER_PORT }],
                // ECS's own AZ rebalancing would also move tasks; off, so the demo shows what the rebalancer does.
                availabilityZoneRebalancing: "DISABLED",
                enableEcsManagedTags: true,
                propagateTags: "SERVICE",
            },
            { parent: this, dependsOn: args.dependsOn },
        );

        this.serviceName = service.name;
        this.logGroupName = logGroup.name;
        this.registerOutputs({ serviceName: this.serviceName, logGroupName: this.logGroupName });
    }
}
