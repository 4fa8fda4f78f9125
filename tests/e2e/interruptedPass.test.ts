// A pass killed at any write leaves nothing the next pass does not repair: the container dies after k writes
// (its calls then fail, or hang until the invocation is abandoned), a fresh container takes over at the next
// scheduled event, and the end state is the one an uninterrupted run reaches: owner's desiredCount back, no surge
// marker, every floor and ceiling kept, exactly the surplus moved.

import { lowerBound, serviceState, skew } from "./support/balance";
import { dyingClients, type Death } from "./support/killSwitch";
import { isWrite } from "./support/requestLog";
import { REBALANCER_KEY, SCHEDULE_INTERVAL_MS, scheduledEvent, startRebalancer, writesOf, type RebalancerRun } from "./support/rebalancerRun";
import { CLUSTER, scenarioServices, type ServiceSpec } from "./support/scenario";
import { limitsFor, TaskWatch } from "./support/taskWatch";
import { rebalancerRequests, startWorld, type World } from "./support/world";

/** Both surge paths (one and several surges), the stop path, and a static host port; a DAEMON and a balanced service. */
const SERVICES: ServiceSpec[] = scenarioServices(1).filter((s) => ["az-instance-surge", "default-strategy", "az-instance-stop", "static-port", "daemon", "balanced-000"].includes(s.name));
const MAX_PASSES = 20;

interface Outcome {
    killedAfterWrites: number | undefined;
    cut: boolean;
    quiet: boolean;
    problems: string[];
    writes: number;
}

/** Passes on the schedule with a healthy container until one writes nothing with nothing in flight. */
async function passUntilQuiet(world: World, rebalancer: RebalancerRun): Promise<boolean> {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
        world.clock.advance(SCHEDULE_INTERVAL_MS);
        const inFlight = world.clock.pendingTimers() > 0;
        const summary = await rebalancer.invoke(scheduledEvent(world.clock.now()));
        if (writesOf(summary) === 0 && !inFlight) return true;
    }
    return false;
}

/** The whole run with the first container dying after `writesAllowed` writes (undefined: it never dies). */
async function runWithDeath(writesAllowed: number | undefined, death: Death): Promise<Outcome> {
    const world = await startWorld({ REBALANCER_STRATEGY: "minimal" }, { services: SERVICES });
    const watch = new TaskWatch(world.emulator, REBALANCER_KEY, limitsFor(SERVICES));
    const before = new Map(SERVICES.filter((s) => s.expect === "rebalance").map((s) => [s.name, serviceState(world.emulator, s)]));
    try {
        let cut = false;
        let quiet: boolean;
        if (writesAllowed === undefined) {
            const healthy = startRebalancer(world.clock);
            await healthy.invoke(world.scenario.registrationEvent);
            quiet = await passUntilQuiet(world, healthy);
        } else {
            const dying = dyingClients(writesAllowed, death);
            const doomed = startRebalancer(world.clock, dying.clients);
            let event: unknown = world.scenario.registrationEvent;
            for (let pass = 0; pass < MAX_PASSES && !dying.dead; pass++) {
                // A hung pass never returns: it is abandoned once its container is dead.
                await Promise.race([doomed.invoke(event), dying.died]);
                world.clock.advance(SCHEDULE_INTERVAL_MS);
                event = scheduledEvent(world.clock.now());
            }
            cut = dying.dead;
            quiet = await passUntilQuiet(world, startRebalancer(world.clock));
        }
        world.clock.runUntilIdle();
        const problems: string[] = [];
        for (const s of SERVICES) {
            if (s.daemon) continue;
            const service = world.emulator.control.service(CLUSTER, s.name) as { desiredCount: number; tags?: Array<{ key: string }> };
            if (service.desiredCount !== s.desiredCount) problems.push(`${s.name}: desiredCount ${service.desiredCount}, owner's ${s.desiredCount}`);
            if ((service.tags ?? []).some((t) => t.key === "ecs-rebalancer:surge")) problems.push(`${s.name}: surge marker left`);
            const b = before.get(s.name);
            if (b) {
                if (watch.stopped(s.name) !== b.bound) problems.push(`${s.name}: ${watch.stopped(s.name)} stopped, surplus ${b.bound}`);
                if (skew(world.emulator, s) > 1 || lowerBound(world.emulator, s) > 0) problems.push(`${s.name}: unbalanced at the end`);
            } else if (watch.stopped(s.name) + watch.started(s.name) > 0) problems.push(`${s.name}: touched`);
        }
        for (const v of watch.violations) problems.push(`${v.service}: ${v.kind} (${v.value} vs ${v.limit}) by ${v.chain.join(" ← ")}`);
        return { killedAfterWrites: writesAllowed, cut, quiet, problems, writes: rebalancerRequests(world).filter(isWrite).length };
    } finally {
        watch.dispose();
        await world.close();
    }
}

let baseline: Outcome;

beforeAll(async () => {
    baseline = await runWithDeath(undefined, "fails");
});

test("uninterrupted: the run the interrupted ones must match", () => {
    expect(baseline).toMatchObject({ quiet: true, problems: [] });
    expect(baseline.writes).toBeGreaterThan(5);
});

describe.each<Death>(["fails", "hangs"])("the first container's calls %s after k writes", (death) => {
    test("every k from 0 to the uninterrupted run's writes − 1: the next passes repair and finish the job", async () => {
        const outcomes: Outcome[] = [];
        for (let k = 0; k < baseline.writes; k++) outcomes.push(await runWithDeath(k, death));
        expect(outcomes.filter((o) => !o.cut)).toEqual([]);
        expect(outcomes.filter((o) => !o.quiet || o.problems.length > 0)).toEqual([]);
    });
});
