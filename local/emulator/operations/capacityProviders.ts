// DescribeCapacityProviders for the Auto Scaling group capacity providers the control API created (API reference,
// DescribeCapacityProviders: up to 100 names or ARNs, missing ones as MISSING failures). FARGATE and FARGATE_SPOT
// are not listed: the emulator has no Fargate. CreateCapacityProvider is not served: it names an Auto Scaling group
// by ARN, and EC2 Auto Scaling is not emulated (the control API creates the group with its provider).

import type { CapacityProviderState } from "../autoScalingGroups";
import { describeCapacityProvider } from "../serialize";
import { describeEach, identifierList, type Operation } from "./common";

export const describeCapacityProviders: Operation = (core, input) => {
    const all = [...core.managedScaling.providers.values()];
    if (input.capacityProviders === undefined || input.capacityProviders === null) {
        return { capacityProviders: all.map(describeCapacityProvider), failures: [] };
    }
    const ids = identifierList(input, "capacityProviders", "capacityProviders", 100);
    const find = (id: string): CapacityProviderState | undefined => all.find((p) => p.name === id || p.arn === id);
    const arnOf = (id: string) => core.arns.capacityProvider(id);
    const { found, failures } = describeEach(ids, find, describeCapacityProvider, arnOf);
    return { capacityProviders: found, failures };
};
