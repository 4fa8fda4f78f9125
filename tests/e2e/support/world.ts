// One emulated world per test file: the emulator on a virtual clock, listening on 127.0.0.1, the scenario built,
// the rebalancer's environment set, and a wire-level log of every request.

import { EcsEmulator, VirtualClock } from "../../../local/emulator";
import { RequestLog } from "./requestLog";
import { REBALANCER_KEY, useRebalancerEnvironment } from "./rebalancerRun";
import { buildScenario, scenarioServices, type BuiltScenario, type ServiceSpec } from "./scenario";

export interface World {
    emulator: EcsEmulator;
    clock: VirtualClock;
    endpoint: string;
    scenario: BuiltScenario;
    requests: RequestLog;
    close(): Promise<void>;
}

export interface WorldOptions {
    seed?: number;
    services?: ServiceSpec[];
    /** Where emulated time starts (default: the VirtualClock's fixed epoch). */
    startMs?: number;
}

export async function startWorld(settings: Record<string, string>, options: WorldOptions = {}): Promise<World> {
    const clock = new VirtualClock(options.startMs);
    const emulator = new EcsEmulator({ clock, seed: options.seed ?? 7 });
    const endpoint = await emulator.listen();
    const scenario = buildScenario(emulator, clock, options.services ?? scenarioServices());
    const restoreEnv = useRebalancerEnvironment(endpoint, { REBALANCER_CLUSTERS: scenario.clusterArn, ...settings });
    const requests = new RequestLog(emulator);
    return {
        emulator,
        clock,
        endpoint,
        scenario,
        requests,
        async close() {
            requests.dispose();
            restoreEnv();
            await emulator.close();
            clock.dispose();
        },
    };
}

/** The rebalancer's requests from index `from` on. */
export function rebalancerRequests(world: World, from = 0) {
    return world.requests.by(REBALANCER_KEY, from);
}
