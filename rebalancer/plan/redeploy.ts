// The `redeploy` strategy: UpdateService(forceNewDeployment) on each unbalanced service, as most peers do. ECS's
// own rolling deployment keeps the healthy floor; every task is replaced, and the result is ECS's to decide
// (placement counts the old tasks, so a redeploy can flip the imbalance: the flap guard stops a repeat).

import { encodeLastMove } from "./markers";
import type { RebalanceStrategy, StrategyInput, StrategyResult } from "./strategy";

export const redeployStrategy: RebalanceStrategy = {
    name: "redeploy",
    planService(input: StrategyInput): StrategyResult {
        const { service, balance, layout } = input;
        const replaced = input.tasks.length;
        return {
            outcome: "redeploy",
            detail: `forceNewDeployment: ECS replaces all ${replaced} task(s) within its deployment limits`,
            actions: [
                { kind: "redeploy", service: service.name, serviceArn: service.arn },
                {
                    kind: "record-move",
                    service: service.name,
                    serviceArn: service.arn,
                    tag: encodeLastMove({ kind: "redeploy", lowerBound: balance.lowerBound, skew: balance.skew, fingerprint: input.fingerprint, at: Math.floor(input.now / 1000) }),
                },
            ],
            moves: replaced,
            // Not predicted: where ECS puts the new tasks depends on the old ones it still counts.
            predictedCounts: layout.counts,
            placements: new Map(),
            unreadProtection: [],
        };
    },
};
