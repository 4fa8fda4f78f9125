// A small scenario world on the emulator with the deployed rebalancer wired to it (not yet driven), for tests that
// need the function's real closure and the emulator's HTTP endpoint.

import { rebalancerFor, type RebalancerUnderTest } from "../../../local/scenario/rebalancers";
import { parseScenario, type Scenario } from "../../../local/scenario/scenarioFile";
import { ScenarioWorld } from "../../../local/scenario/world";

export const TWO_BY_TWO = {
    name: "two-by-two",
    cluster: "chaos",
    instances: [
        { id: "i-a", az: "us-east-1a" },
        { id: "i-b", az: "us-east-1b" },
        { id: "i-c", az: "us-east-1a" },
        { id: "i-d", az: "us-east-1b" },
    ],
    services: [{ name: "web", desiredCount: 4, minimumHealthyPercent: 50, maximumPercent: 200, placement: { "i-a": 3, "i-b": 1 } }],
};

export function scenarioOf(json: object): Scenario {
    return parseScenario(JSON.stringify(json), `${(json as { name: string }).name}.json`);
}

export interface TestWorld {
    world: ScenarioWorld;
    rebalancer: RebalancerUnderTest;
    close(): Promise<void>;
}

export async function openWorld(json: object = TWO_BY_TWO, strategy: "minimal" | "redeploy" = "minimal"): Promise<TestWorld> {
    const world = new ScenarioWorld(scenarioOf(json), { seed: 1 });
    await world.emulator.listen();
    const rebalancer = await rebalancerFor(strategy, world, {});
    return { world, rebalancer, close: () => world.close() };
}

/** A scheduled event, as the deployed schedule rule sends it. */
export function scheduledEvent(): Record<string, unknown> {
    return {
        version: "0", id: "00000000-0000-0000-0000-000000000001", "detail-type": "Scheduled Event", source: "aws.events",
        account: "123456789012", time: "2026-01-01T00:00:00Z", region: "us-east-1", resources: [], detail: {},
    };
}
