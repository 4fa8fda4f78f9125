// The demo's network edge: a VPC with public and private subnets (one NAT gateway), an internet-facing ALB on
// port 80, and the security groups that let the ALB, and only the ALB, reach the container instances.
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";

/** Docker's dynamic host ports (bridge networking, hostPort 0) fall in this range on the ECS-optimized AMIs. */
export const DYNAMIC_HOST_PORTS = { from: 32768, to: 65535 } as const;
export const HTTP_PORT = 80;

export interface DemoNetworkArgs {
    /** Availability Zones to spread over; the ALB needs at least two. */
    azCount: number;
}

export class DemoNetwork extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly albSecurityGroupId: pulumi.Output<string>;
    readonly instanceSecurityGroupId: pulumi.Output<string>;
    /** The ALB component: depend on it so its listener exists before a service registers targets. */
    readonly loadBalancer: awsx.lb.ApplicationLoadBalancer;
    readonly targetGroupArn: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: DemoNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-rebalancer:demo:DemoNetwork", name, {}, opts);
        if (!Number.isInteger(args.azCount) || args.azCount < 2) throw new Error(`DemoNetwork ${name}: azCount must be an integer ≥ 2, got ${args.azCount}`);

        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                numberOfAvailabilityZones: args.azCount,
                subnetStrategy: "Auto",
                subnetSpecs: [{ type: "Public" }, { type: "Private" }],
                // One NAT gateway keeps the demo cheap; instances only need it to pull images and reach ECS.
                natGateways: { strategy: "Single" },
            },
            { parent: this },
        );
        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;

        const albSg = new aws.ec2.SecurityGroup(`${name}-alb-sg`, { vpcId: vpc.vpcId, description: "Demo ALB: HTTP from anywhere" }, { parent: this });
        const instanceSg = new aws.ec2.SecurityGroup(
            `${name}-instance-sg`,
            { vpcId: vpc.vpcId, description: "Demo ECS container instances: dynamic host ports from the ALB only" },
            { parent: this },
        );
        // Standalone rules: the two groups reference each other, which inline rules cannot express.
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-alb-http-in`,
            { securityGroupId: albSg.id, ipProtocol: "tcp", fromPort: HTTP_PORT, toPort: HTTP_PORT, cidrIpv4: "0.0.0.0/0", description: "HTTP from the internet" },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-to-instances`,
            {
                securityGroupId: albSg.id,
                ipProtocol: "tcp",
                fromPort: DYNAMIC_HOST_PORTS.from,
                toPort: DYNAMIC_HOST_PORTS.to,
                referencedSecurityGroupId: instanceSg.id,
                description: "to the tasks' dynamic host ports",
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-instances-from-alb`,
            {
                securityGroupId: instanceSg.id,
                ipProtocol: "tcp",
                fromPort: DYNAMIC_HOST_PORTS.from,
                toPort: DYNAMIC_HOST_PORTS.to,
                referencedSecurityGroupId: albSg.id,
                description: "the tasks' dynamic host ports, from the ALB only",
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-instances-out`,
            { securityGroupId: instanceSg.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "ECS, ECR, CloudWatch Logs and image pulls via the NAT gateway" },
            { parent: this },
        );
        this.albSecurityGroupId = albSg.id;
        this.instanceSecurityGroupId = instanceSg.id;

        this.loadBalancer = new awsx.lb.ApplicationLoadBalancer(
            `${name}-alb`,
            {
                subnetIds: vpc.publicSubnetIds,
                securityGroups: [albSg.id],
                listener: { port: HTTP_PORT, protocol: "HTTP" },
                defaultTargetGroup: {
                    port: HTTP_PORT,
                    protocol: "HTTP",
                    // Bridge networking with dynamic host ports: targets are instance + port.
                    targetType: "instance",
                    // Short drain so a moved task's old copy leaves quickly.
                    deregistrationDelay: 30,
                    healthCheck: { path: "/", matcher: "200-399", interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 2 },
                },
            },
            { parent: this },
        );
        this.targetGroupArn = this.loadBalancer.defaultTargetGroup.arn;
        this.url = pulumi.interpolate`http://${this.loadBalancer.loadBalancer.dnsName}`;

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            albSecurityGroupId: this.albSecurityGroupId,
            instanceSecurityGroupId: this.instanceSecurityGroupId,
            targetGroupArn: this.targetGroupArn,
            url: this.url,
        });
    }
}
