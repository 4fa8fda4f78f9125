// An ECS cluster on EC2: Container Insights, a launch template with the ECS-optimized AL2023 AMI, an Auto Scaling
// group over the private subnets, and a capacity provider with managed scaling as the cluster's default strategy.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { clusterArnFor, lookupAccountScope } from "../clusterArns";
import { isClusterArn } from "../../rebalancer/settings";
import { ecsAmiParameterFor } from "./ecsAmi";
import { buildEcsUserData, encodeUserData } from "./userData";

export interface Ec2ClusterArgs {
    /** Subnets of the container instances (private). */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    instanceType: string;
    minSize: number;
    /** Only the initial size: ECS managed scaling owns the group's desired capacity afterwards. */
    desiredCapacity: number;
    maxSize: number;
}

/** `<stack>-<name>`, restricted to what ECS accepts in a cluster name. */
export function physicalClusterName(name: string, stack: string = pulumi.getStack()): string {
    return `${stack}-${name}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 255);
}

export class Ec2Cluster extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly clusterArn: pulumi.Output<string>;
    readonly autoScalingGroupName: pulumi.Output<string>;
    readonly capacityProviderName: pulumi.Output<string>;
    /** Services must be created after the capacity provider is attached to the cluster. */
    readonly capacityProviders: aws.ecs.ClusterCapacityProviders;

    constructor(name: string, args: Ec2ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-rebalancer:demo:Ec2Cluster", name, {}, opts);
        if (!(Number.isInteger(args.minSize) && Number.isInteger(args.desiredCapacity) && Number.isInteger(args.maxSize))) {
            throw new Error(`Ec2Cluster ${name}: instance counts must be integers`);
        }
        if (!(0 <= args.minSize && args.minSize <= args.desiredCapacity && args.desiredCapacity <= args.maxSize && args.maxSize >= 1)) {
            throw new Error(`Ec2Cluster ${name}: expected 0 ≤ minSize (${args.minSize}) ≤ desiredCapacity (${args.desiredCapacity}) ≤ maxSize (${args.maxSize}), maxSize ≥ 1`);
        }

        // A fixed physical name: the instances' user data and the rebalancer's ARNs are derived from it.
        const clusterName = physicalClusterName(name);
        const cluster = new aws.ecs.Cluster(name, { name: clusterName, settings: [{ name: "containerInsights", value: "enabled" }] }, { parent: this });

        const instanceRole = new aws.iam.Role(
            `${name}-instance`,
            {
                description: "ECS container instances of the demo cluster",
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(
            `${name}-instance-ecs`,
            { role: instanceRole.name, policyArn: aws.iam.ManagedPolicy.AmazonEC2ContainerServiceforEC2Role },
            { parent: this },
        );
        // Session Manager instead of SSH: look at an instance during the walk-through with no port opened.
        new aws.iam.RolePolicyAttachment(
            `${name}-instance-ssm`,
            { role: instanceRole.name, policyArn: aws.iam.ManagedPolicy.AmazonSSMManagedInstanceCore },
            { parent: this },
        );
        const instanceProfile = new aws.iam.InstanceProfile(`${name}-instance`, { role: instanceRole.name }, { parent: this });

        const ami = aws.ssm.getParameterOutput({ name: ecsAmiParameterFor(args.instanceType) }, { parent: this });
        const launchTemplate = new aws.ec2.LaunchTemplate(
            name,
            {
                description: "ECS container instances of the demo cluster",
                imageId: ami.value,
                instanceType: args.instanceType,
                iamInstanceProfile: { arn: instanceProfile.arn },
                vpcSecurityGroupIds: args.securityGroupIds,
                userData: encodeUserData(buildEcsUserData({ clusterName })),
                // IMDSv2 only; hop limit 1 keeps bridge-mode containers away from the instance role's credentials
                // (the agent uses host networking; task roles are served by the agent, not IMDS).
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                tagSpecifications: [{ resourceType: "instance", tags: { Name: name } }],
                updateDefaultVersion: true,
            },
            { parent: this },
        );

        const group = new aws.autoscaling.Group(
            name,
            {
                vpcZoneIdentifiers: args.subnetIds,
                minSize: args.minSize,
                desiredCapacity: args.desiredCapacity,
                maxSize: args.maxSize,
                launchTemplate: { id: launchTemplate.id, version: "$Latest" },
                // Managed termination protection is off (so the walk-through can scale in); ECS managed draining
                // moves tasks off an instance before the group terminates it.
                protectFromScaleIn: false,
                tags: [
                    // The capacity provider adds this tag itself; declaring it keeps Pulumi from removing it.
                    { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
                    { key: "Name", value: name, propagateAtLaunch: true },
                ],
            },
            // ECS managed scaling sets the desired capacity; Pulumi must not reset it on every update.
            { parent: this, ignoreChanges: ["desiredCapacity"] },
        );

        const capacityProvider = new aws.ecs.CapacityProvider(
            name,
            {
                autoScalingGroupProvider: {
                    autoScalingGroupArn: group.arn,
                    managedScaling: { status: "ENABLED", targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 2, instanceWarmupPeriod: 180 },
                    managedTerminationProtection: "DISABLED",
                    managedDraining: "ENABLED",
                },
            },
            { parent: this },
        );

        this.capacityProviders = new aws.ecs.ClusterCapacityProviders(
            name,
            {
                clusterName: cluster.name,
                capacityProviders: [capacityProvider.name],
                defaultCapacityProviderStrategies: [{ capacityProvider: capacityProvider.name, weight: 1, base: 0 }],
            },
            { parent: this },
        );

        this.clusterName = pulumi.output(clusterName);
        // ECS's ARN when it reports one; otherwise (a preview, or mocks without outputs) the ARN ECS will give it.
        this.clusterArn = pulumi.all([cluster.arn, lookupAccountScope()]).apply(([arn, scope]) => {
            if (typeof arn === "string" && isClusterArn(arn)) return arn;
            if (typeof scope === "string") throw new Error(`Ec2Cluster ${name}: no cluster ARN from ECS, and ${scope}`);
            return clusterArnFor(clusterName, scope);
        });
        this.autoScalingGroupName = group.name;
        this.capacityProviderName = capacityProvider.name;
        this.registerOutputs({
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            autoScalingGroupName: this.autoScalingGroupName,
            capacityProviderName: this.capacityProviderName,
        });
    }
}
