// Resolving target cluster names to ARNs through the AWS provider's data sources (mocked).
import * as pulumi from "@pulumi/pulumi";
import { resolveTargetClusterArns } from "../../infra/clusterArns";
import { installMocks, MockRecorder } from "../../local/pulumiMocks";

let rec: MockRecorder;
beforeAll(() => {
    rec = installMocks(pulumi, {});
});

/** The value, or the error the Output failed with. */
function settled<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

it("builds arn:<partition>:ecs:<region>:<account>:cluster/<name> from getPartition, getRegion and getCallerIdentity", async () => {
    const arns = await settled(resolveTargetClusterArns(["prod", "arn:aws:ecs:us-east-1:123456789012:cluster/batch"]));
    expect(arns).toEqual(["arn:aws:ecs:us-east-1:123456789012:cluster/prod", "arn:aws:ecs:us-east-1:123456789012:cluster/batch"]);
    const tokens = rec.calls.map((c) => c.token);
    expect(tokens).toEqual(expect.arrayContaining(["aws:index/getPartition:getPartition", "aws:index/getRegion:getRegion", "aws:index/getCallerIdentity:getCallerIdentity"]));
});

it("needs no lookup for an empty list", async () => {
    const before = rec.calls.length;
    expect(await settled(resolveTargetClusterArns([]))).toEqual([]);
    expect(rec.calls.length).toBe(before);
});

it("warns about a cluster in another region, whose events never reach this stack's rules", async () => {
    const warnings: string[] = [];
    const spies = (["warn", "error", "log"] as const).map((m) => jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void warnings.push(args.join(" "))));
    try {
        await settled(resolveTargetClusterArns(["arn:aws:ecs:eu-west-1:123456789012:cluster/far"]));
    } finally {
        spies.forEach((s) => s.mockRestore());
    }
    expect(warnings.join("\n")).toMatch(/arn:aws:ecs:eu-west-1:123456789012:cluster\/far is not in this stack's account 123456789012 and region us-east-1/);
});
