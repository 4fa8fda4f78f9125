// Target clusters arrive as names or ARNs; the rebalancer, its event patterns and its IAM policy all need ARNs.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { clusterNameOf } from "../rebalancer/arns";
import { isClusterArn } from "../rebalancer/settings";
import { ConfigError } from "./configError";

/** Where names are resolved: the account, region and partition the stack deploys into. */
export interface AccountScope {
    partition: string;
    region: string;
    accountId: string;
}

const ARN_PARTS = /^arn:([^:]+):ecs:([^:]+):(\d{12}):cluster\/(.+)$/;

/** `prod` → `arn:<partition>:ecs:<region>:<account>:cluster/prod`; an ARN is returned unchanged. */
export function clusterArnFor(nameOrArn: string, scope: AccountScope): string {
    if (isClusterArn(nameOrArn)) return nameOrArn;
    return `arn:${scope.partition}:ecs:${scope.region}:${scope.accountId}:cluster/${nameOrArn}`;
}

export function parseClusterArn(arn: string): { partition: string; region: string; accountId: string; name: string } {
    const m = ARN_PARTS.exec(arn);
    if (!m) throw new Error(`not an ECS cluster ARN: ${arn}`);
    return { partition: m[1], region: m[2], accountId: m[3], name: m[4] };
}

/** The provider's region (`region`; `name` is the pre-v7 field some mocks and older providers still return alone). */
export function currentRegion(opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    return aws.getRegionOutput({}, opts).apply((r) => r.region ?? (r as { name?: string }).name);
}

/** The partition a Region belongs to (for when the partition data source answers nothing). */
export function partitionOfRegion(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    if (region.startsWith("us-iso-")) return "aws-iso";
    if (region.startsWith("us-isob-")) return "aws-iso-b";
    return "aws";
}

/** The scope the AWS provider deploys into, or a description of what is missing (data sources only). */
export function lookupAccountScope(): pulumi.Output<AccountScope | string> {
    return pulumi
        .all([aws.getPartitionOutput(), currentRegion(), aws.getCallerIdentityOutput()])
        .apply(([partition, region, identity]) => {
            const resolvedRegion = region ?? aws.config.region;
            const scope = {
                partition: partition?.partition ?? partition?.id ?? (resolvedRegion ? partitionOfRegion(resolvedRegion) : undefined),
                region: resolvedRegion,
                accountId: identity?.accountId,
            };
            if (!scope.partition || !scope.region || !/^\d{12}$/.test(scope.accountId ?? "")) {
                return `could not determine the account, region and partition to resolve cluster names (got ${JSON.stringify(scope)})`;
            }
            return scope as AccountScope;
        });
}

/** The scope the AWS provider deploys into (data sources only: nothing is declared). */
export function currentAccountScope(): pulumi.Output<AccountScope> {
    return lookupAccountScope().apply((scope) => {
        if (typeof scope === "string") throw new Error(scope);
        return scope;
    });
}

/**
 * The ARNs of `ecs-rebalancer:targetClusters` entries in this scope. A name and an ARN that turn out to be the same
 * cluster are refused like any other duplicate; ARNs of another account or region are returned with a warning:
 * their events never reach this stack's rules.
 */
export function targetClusterArnsIn(entries: readonly string[], scope: AccountScope): { arns: string[]; warnings: string[] } {
    const arns = entries.map((e) => clusterArnFor(e, scope));
    const duplicate = arns.find((a, i) => arns.indexOf(a) !== i);
    if (duplicate !== undefined) {
        throw new ConfigError([
            { key: "targetClusters", raw: JSON.stringify(entries), problem: `${duplicate} is listed twice (once by name, once by ARN); list each cluster once` },
        ]);
    }
    const warnings: string[] = [];
    for (const arn of arns) {
        const parts = parseClusterArn(arn);
        if (parts.region !== scope.region || parts.accountId !== scope.accountId || parts.partition !== scope.partition) {
            warnings.push(
                `ecs-rebalancer:targetClusters: ${arn} is not in this stack's account ${scope.accountId} and region ${scope.region}; ` +
                    "EventBridge rules here never see its events and the function's ECS calls go to its own region.",
            );
        }
    }
    return { arns, warnings };
}

/** Resolves `ecs-rebalancer:targetClusters` entries to ARNs with the provider's account, region and partition. */
export function resolveTargetClusterArns(entries: readonly string[]): pulumi.Output<string[]> {
    if (entries.length === 0) return pulumi.output([]);
    return currentAccountScope().apply((scope) => {
        const { arns, warnings } = targetClusterArnsIn(entries, scope);
        for (const warning of warnings) pulumi.log.warn(warning);
        return arns;
    });
}

/** A cluster to rebalance: its ARN, and a key that names its resources (alarms). */
export interface TargetCluster {
    key: string;
    arn: pulumi.Input<string>;
}

/** `names` as keys, each once: a name met again gets -2, -3, … (two ARNs may name clusters of the same name). */
export function uniqueKeys(names: readonly string[]): string[] {
    const used = new Set<string>();
    return names.map((name) => {
        let key = name;
        for (let n = 2; used.has(key); n++) key = `${name}-${n}`;
        used.add(key);
        return key;
    });
}

/**
 * The clusters the stack rebalances: the demo's (when built), then `ecs-rebalancer:targetClusters` resolved in this
 * account and Region, keyed by cluster name (the demo's by "demo").
 */
export function targetClusters(demoClusterArn: pulumi.Input<string> | undefined, entries: readonly string[]): TargetCluster[] {
    const resolved = resolveTargetClusterArns(entries);
    const names = [...(demoClusterArn === undefined ? [] : ["demo"]), ...entries.map(clusterNameOf)];
    const arns: pulumi.Input<string>[] = [
        ...(demoClusterArn === undefined ? [] : [demoClusterArn]),
        ...entries.map((_, i) => resolved.apply((all) => all[i])),
    ];
    return uniqueKeys(names).map((key, i) => ({ key, arn: arns[i] }));
}
