// Cluster names become ARNs of the stack's own account, region and partition.
import { clusterArnFor, parseClusterArn } from "../../infra/clusterArns";

const scope = { partition: "aws-cn", region: "cn-north-1", accountId: "210987654321" };

describe("clusterArnFor", () => {
    it("turns a name into an ARN of the deploying account, region and partition", () => {
        expect(clusterArnFor("prod", scope)).toBe("arn:aws-cn:ecs:cn-north-1:210987654321:cluster/prod");
    });

    it("returns an ARN unchanged, even from another region", () => {
        const arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/batch";
        expect(clusterArnFor(arn, scope)).toBe(arn);
    });
});

describe("parseClusterArn", () => {
    it("splits an ARN into its parts", () => {
        expect(parseClusterArn("arn:aws-us-gov:ecs:us-gov-west-1:123456789012:cluster/a_b-c")).toEqual({
            partition: "aws-us-gov",
            region: "us-gov-west-1",
            accountId: "123456789012",
            name: "a_b-c",
        });
    });

    it("refuses what is not a cluster ARN", () => {
        expect(() => parseClusterArn("arn:aws:ecs:us-east-1:123456789012:service/prod/web")).toThrow(/not an ECS cluster ARN/);
    });
});
