// The program under the plainest mocks an outside reviewer might write: resources answer their inputs and
// nothing else (no ARNs, no auto-names), and only the two data sources that define "this account and Region".
import * as pulumi from "@pulumi/pulumi";
import { containerInstancePattern } from "../../rebalancer/eventPatterns";

const types: { type: string; inputs: Record<string, any> }[] = [];

beforeAll(async () => {
    pulumi.runtime.setAllConfig({
        "aws:region": "eu-west-1",
        "ecs-rebalancer:targetClusters": JSON.stringify(["payments", "arn:aws:ecs:eu-west-1:210987654321:cluster/shared"]),
    });
    pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                types.push({ type: args.type, inputs: args.inputs });
                return { id: `${args.name}_id`, state: args.inputs };
            },
            call: (args) => {
                if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") return { accountId: "210987654321" };
                if (args.token === "aws:index/getRegion:getRegion") return { name: "eu-west-1" };
                return args.inputs;
            },
        },
        "ecs-rebalancer",
        "plain",
        false,
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require("../../index") as Record<string, pulumi.Output<unknown>>;
    await new Promise<void>((resolve) => program.targetClusterArns.apply(() => resolve()));
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
});

it("derives the demo cluster's ARN from its name and the account, and targets every cluster", () => {
    const rules = types.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && typeof r.inputs.eventPattern === "string");
    const patterns = rules.map((r) => JSON.parse(r.inputs.eventPattern));
    const arns = [
        "arn:aws:ecs:eu-west-1:210987654321:cluster/plain-demo-ecs",
        "arn:aws:ecs:eu-west-1:210987654321:cluster/payments",
        "arn:aws:ecs:eu-west-1:210987654321:cluster/shared",
    ];
    expect(patterns).toContainEqual(containerInstancePattern(arns));
    const cluster = types.find((r) => r.type === "aws:ecs/cluster:Cluster")!;
    expect(cluster.inputs.name).toBe("plain-demo-ecs");
});
