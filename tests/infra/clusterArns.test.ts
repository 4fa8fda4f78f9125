// Cluster names become ARNs of the stack's own account, region and partition.
import { clusterArnFor, parseClusterArn, targetClusterArnsIn, uniqueKeys } from "../../infra/clusterArns";

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

describe("targetClusterArnsIn", () => {
    const here = { partition: "aws", region: "us-east-1", accountId: "123456789012" };

    it("resolves names and keeps ARNs, in order, without warnings when all are local", () => {
        expect(targetClusterArnsIn(["prod", "arn:aws:ecs:us-east-1:123456789012:cluster/batch"], here)).toEqual({
            arns: ["arn:aws:ecs:us-east-1:123456789012:cluster/prod", "arn:aws:ecs:us-east-1:123456789012:cluster/batch"],
            warnings: [],
        });
    });

    it("refuses a name and an ARN that are the same cluster, naming the key", () => {
        expect(() => targetClusterArnsIn(["prod", "arn:aws:ecs:us-east-1:123456789012:cluster/prod"], here)).toThrow(
            /ecs-rebalancer:targetClusters = .* is invalid: arn:aws:ecs:us-east-1:123456789012:cluster\/prod is listed twice \(once by name, once by ARN\)/,
        );
    });

    it("warns about clusters of another region or account", () => {
        const { warnings } = targetClusterArnsIn(["arn:aws:ecs:eu-west-1:123456789012:cluster/far", "arn:aws:ecs:us-east-1:210987654321:cluster/other"], here);
        expect(warnings).toHaveLength(2);
        expect(warnings[0]).toMatch(/eu-west-1.*is not in this stack's account 123456789012 and region us-east-1/);
    });
});

describe("uniqueKeys", () => {
    it("keys the clusters' alarms by name, a name met again with -2, -3 (two ARNs can name clusters alike)", () => {
        expect(uniqueKeys(["demo", "prod", "batch"])).toEqual(["demo", "prod", "batch"]);
        expect(uniqueKeys(["demo", "prod", "prod", "demo", "prod"])).toEqual(["demo", "prod", "prod-2", "demo-2", "prod-3"]);
        expect(uniqueKeys(["a", "a-2", "a"])).toEqual(["a", "a-2", "a-3"]);
    });
});
