// The `redeploy` strategy: UpdateService(forceNewDeployment) on each unbalanced service, as most peers do. ECS's
// own rolling deployment keeps the healthy floor; every task is replaced, and the result is ECS's to decide
// (placement counts the old tasks, so a redeploy can flip the imbalance: the flap guard stops a repeat).

import { encodeLastMove } from "./markers";
import { ceilingOf, countsTowardFloor, healthyFloor } from "./limits";
import type { RebalanceStrategy, StrategyInput, StrategyResult } from "./strategy";

export const redeployStrategy: RebalanceStrategy = {
    name: "redeploy",
    planService(input: StrategyInput): StrategyResult {
        const { service, balance, layout } = input;
        const replaced = input.tasks.length;
        const skipped = (reason: "no-headroom" | "native-deployment-strategy", detail: string): StrategyResult =>
            ({ outcome: "skipped", reason, detail, actions: [], moves: 0, predictedCounts: layout.counts, placements: new Map(), unreadProtection: [] });
        if (service.deploymentStrategy !== undefined && service.deploymentStrategy !== "ROLLING") {
            // forceNewDeployment starts a deployment with the service's own strategy: a blue/green one starts a whole
            // second set of tasks and shifts its traffic, linear and canary shift traffic in steps with bake times
            // ("Amazon ECS blue/green deployments", "linear", "canary"). Not a rebalancing move to start unasked.
            return skipped("native-deployment-strategy", `deployment strategy ${service.deploymentStrategy}: a forced deployment would run it (a full second task set, traffic shifts and bake time); left to the service's owner`);
        }
        // ECS's rolling deployment starts a task only below the ceiling and stops one only above the floor: with
        // neither possible (minimumHealthyPercent = maximumPercent = 100) it never finishes, and the service would
        // stay mid-deployment for good.
        const floor = healthyFloor(service.desiredCount, service.minimumHealthyPercent);
        const ceiling = ceilingOf(service.desiredCount, service.maximumPercent);
        if (ceiling - input.tasks.length < 1 && input.tasks.filter((t) => countsTowardFloor(t, input.now)).length - floor < 1) {
            return skipped("no-headroom", `a redeploy could neither start a task first (ceiling ${ceiling}) nor stop one (healthy floor ${floor} of ${service.desiredCount}): ECS's deployment would never finish`);
        }
        return {
            outcome: "redeploy",
            detail: `forceNewDeployment: ECS replaces all ${replaced} task(s) within its deployment limits`,
            actions: [
                { kind: "redeploy", service: service.name, serviceArn: service.arn },
                {
                    kind: "record-move",
                    service: service.name,
                    serviceArn: service.arn,
                    tag: encodeLastMove({ kind: "redeploy", sure: true, lowerBound: balance.lowerBound, skew: balance.skew, fingerprint: input.fingerprint, at: Math.floor(input.now / 1000) }),
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
