// The demo stack: network, ECS-on-EC2 cluster and sample service, wired together.
import * as pulumi from "@pulumi/pulumi";
import type { DemoConfig } from "../config";
import { DemoNetwork } from "./network";
import { Ec2Cluster } from "./ec2Cluster";
import { SampleService } from "./sampleService";

export class DemoStack extends pulumi.ComponentResource {
    readonly url: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly clusterArn: pulumi.Output<string>;
    readonly autoScalingGroupName: pulumi.Output<string>;
    readonly serviceName: pulumi.Output<string>;

    constructor(name: string, args: DemoConfig, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-rebalancer:demo:DemoStack", name, {}, opts);

        const network = new DemoNetwork(`${name}-net`, { azCount: args.azCount }, { parent: this });
        const cluster = new Ec2Cluster(
            `${name}-ecs`,
            {
                subnetIds: network.privateSubnetIds,
                securityGroupIds: [network.instanceSecurityGroupId],
                instanceType: args.instanceType,
                minSize: args.minInstances,
                desiredCapacity: args.desiredInstances,
                maxSize: args.maxInstances,
            },
            { parent: this },
        );
        const service = new SampleService(
            `${name}-web`,
            {
                clusterArn: cluster.clusterArn,
                capacityProviderName: cluster.capacityProviderName,
                targetGroupArn: network.targetGroupArn,
                desiredCount: args.serviceDesiredCount,
                image: args.serviceImage,
                dependsOn: [cluster.capacityProviders, network.loadBalancer],
            },
            { parent: this },
        );

        this.url = network.url;
        this.clusterName = cluster.clusterName;
        this.clusterArn = cluster.clusterArn;
        this.autoScalingGroupName = cluster.autoScalingGroupName;
        this.serviceName = service.serviceName;
        this.registerOutputs({
            url: this.url,
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            autoScalingGroupName: this.autoScalingGroupName,
            serviceName: this.serviceName,
        });
    }
}
