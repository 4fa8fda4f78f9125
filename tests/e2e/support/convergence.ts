// The run the check describes: the handler woken by the joining instance's registration event (and the
// same event again, as EventBridge may deliver it twice), then by the schedule until a pass writes nothing while
// nothing is in flight. Records everything the assertions need, judged independently of the planner.

import type { InvocationSummary } from "../../../rebalancer/handler";
import { serviceState, type ServiceState } from "./balance";
import { REBALANCER_KEY, scheduledEvent, startRebalancer, writesOf, type RebalancerRun } from "./rebalancerRun";
import { CLUSTER, type ServiceSpec } from "./scenario";
import { limitsFor, TaskWatch } from "./taskWatch";
import { startWorld, type World } from "./world";

export interface ConvergenceRun {
    world: World;
    watch: TaskWatch;
    rebalancer: RebalancerRun;
    /** Every REPLICA service's state when the first event arrived. */
    before: Map<string, ServiceState>;
    /** Each invocation's summary: the container-instance event, then the schedule. */
    summaries: InvocationSummary[];
    /** The duplicate of the first event: its summary and the requests it made. */
    duplicate: { summary: InvocationSummary; requests: number };
    /** True when the last pass wrote nothing and found nothing in flight. */
    quiet: boolean;
    close(): Promise<void>;
}

export interface ConvergenceOptions {
    settings: Record<string, string>;
    /** Emulated time between scheduled passes. */
    intervalMs: number;
    maxPasses: number;
    seed?: number;
    services?: ServiceSpec[];
}

export async function runToQuiet(options: ConvergenceOptions): Promise<ConvergenceRun> {
    const world = await startWorld(options.settings, { seed: options.seed, services: options.services });
    const before = new Map<string, ServiceState>();
    const snapshot = world.emulator.control.snapshot(CLUSTER);
    for (const s of world.scenario.services) if (!s.daemon) before.set(s.name, serviceState(world.emulator, s, snapshot));
    const watch = new TaskWatch(world.emulator, REBALANCER_KEY, limitsFor(world.scenario.services));
    const rebalancer = startRebalancer(world.clock);
    const summaries: InvocationSummary[] = [await rebalancer.invoke(world.scenario.registrationEvent)];
    const mark = world.requests.length;
    const duplicate = { summary: await rebalancer.invoke(world.scenario.registrationEvent), requests: world.requests.length - mark };
    let quiet = false;
    for (let pass = 0; pass < options.maxPasses && !quiet; pass++) {
        world.clock.advance(options.intervalMs);
        const inFlight = world.clock.pendingTimers() > 0;
        const summary = await rebalancer.invoke(scheduledEvent(world.clock.now()));
        summaries.push(summary);
        quiet = writesOf(summary) === 0 && !inFlight;
    }
    world.clock.runUntilIdle();
    return {
        world,
        watch,
        rebalancer,
        before,
        summaries,
        duplicate,
        quiet,
        async close() {
            watch.dispose();
            await world.close();
        },
    };
}
