// Application Auto Scaling's DescribeScalableTargets for ECS services (ServiceNamespace "ecs", ResourceIds
// `service/<cluster>/<service>`), so a client can tell which services an autoscaler owns. MaxResults 1–50, default 50.

import { EcsError } from "../errors";
import { compact, epochSeconds, type Json } from "../serialize";
import { nextToken, optionalList, optionalString, readPage, type Operation } from "./common";

const validation = (message: string) => new EcsError("ValidationException", message);

export const describeScalableTargets: Operation = (core, input) => {
    const namespace = optionalString(input, "ServiceNamespace");
    if (!namespace) throw validation("1 validation error detected: Value null at 'serviceNamespace' failed to satisfy constraint: Member must not be null");
    const resourceIds = optionalList<string>(input, "ResourceIds");
    const dimension = optionalString(input, "ScalableDimension");
    if (dimension && !resourceIds?.length) throw validation("If you specify a scalable dimension, you must also specify a resource ID.");
    let page;
    try {
        page = readPage(input, "DescribeScalableTargets", 50, 50, "MaxResults", "NextToken");
    } catch (e) {
        throw validation((e as Error).message);
    }
    const wanted = resourceIds ? new Set(resourceIds) : undefined;
    const { items, more } =
        namespace === "ecs" && (!dimension || dimension === "ecs:service:DesiredCount")
            ? core.scalableTargets.page(page.afterSeq, page.limit, (t) => !wanted || wanted.has(t.resourceId))
            : { items: [], more: false };
    const role = `arn:aws:iam::${core.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`;
    return compact({
        ScalableTargets: items.map(
            (t): Json => ({
                ServiceNamespace: "ecs",
                ResourceId: t.resourceId,
                ScalableDimension: "ecs:service:DesiredCount",
                MinCapacity: t.minCapacity,
                MaxCapacity: t.maxCapacity,
                RoleARN: role,
                CreationTime: epochSeconds(t.createdAt),
                SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
                ScalableTargetARN: `arn:aws:application-autoscaling:${core.region}:${core.accountId}:scalable-target/${t.arnSuffix}`,
            }),
        ),
        NextToken: more ? nextToken("DescribeScalableTargets", items[items.length - 1]!.seq) : undefined,
    });
};
