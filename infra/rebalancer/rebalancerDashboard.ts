// The stack's CloudWatch dashboard (its body: dashboardBody.ts), and its address in the console.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { currentRegion } from "../clusterArns";
import { dashboardBody, dashboardUrl, describeInvalidDashboardName } from "./dashboardBody";

export interface RebalancerDashboardArgs {
    /** The dashboard's name (one per stack): letters, digits, - and _, at most 255. */
    dashboardName: string;
    functionName: pulumi.Input<string>;
    logGroupName: pulumi.Input<string>;
    deadLetterQueueName: pulumi.Input<string>;
    clusterNames: ReadonlyArray<pulumi.Input<string>>;
    timeoutSeconds: number;
    skewThreshold: number;
}

export class RebalancerDashboard extends pulumi.ComponentResource {
    readonly dashboardName: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: RebalancerDashboardArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ecs-rebalancer:rebalancer:RebalancerDashboard", name, {}, opts);
        const invalidName = describeInvalidDashboardName(args.dashboardName);
        if (invalidName) throw new Error(`RebalancerDashboard ${name}: dashboardName ${JSON.stringify(args.dashboardName)}: ${invalidName}`);
        if (args.clusterNames.length === 0) throw new Error(`RebalancerDashboard ${name}: clusterNames: expected at least one cluster`);

        const region = currentRegion({ parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this }).apply((p) => p.partition);
        const body = pulumi
            .all([region, pulumi.all([...args.clusterNames]), args.functionName, args.logGroupName, args.deadLetterQueueName])
            .apply(([r, clusterNames, functionName, logGroupName, deadLetterQueueName]) =>
                JSON.stringify(dashboardBody({
                    region: r, clusterNames, functionName, logGroupName, deadLetterQueueName,
                    timeoutSeconds: args.timeoutSeconds, skewThreshold: args.skewThreshold,
                })));
        const dashboard = new aws.cloudwatch.Dashboard(name, { dashboardName: args.dashboardName, dashboardBody: body }, { parent: this });

        this.dashboardName = dashboard.dashboardName;
        this.url = pulumi.all([partition, region, dashboard.dashboardName]).apply(([p, r, n]) => dashboardUrl(p, r, n));
        this.registerOutputs({ dashboardName: this.dashboardName, url: this.url });
    }
}
