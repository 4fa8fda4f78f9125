// What ECS repeats on its own, opt-in: SERVICE_STEADY_STATE re-emitted while a service stays steady
// (timing.steadyStateReemitMs) and ECS agents disconnecting and reconnecting (faults.agentReconnectsPerHour). Off,
// nothing repeats and runUntilIdle() returns.

import type { EcsEmulator, EcsEvent } from "../../local/emulator";
import { addInstances, offlineEmulator, taskDefinition } from "./helpers";

const HOUR = 3_600_000;

function world(emulator: EcsEmulator): EcsEvent[] {
    const events: EcsEvent[] = [];
    emulator.onEvent((e) => events.push(e));
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "a1", az: "us-east-1a" },
        { id: "b1", az: "us-east-1b" },
        { id: "c1", az: "us-east-1c" },
    ]);
    taskDefinition(emulator, "app", { cpu: 256, memory: 256 });
    emulator.control.createService({ cluster: "c", serviceName: "app", taskDefinition: "app", desiredCount: 3 });
    return events;
}

const steadyStates = (events: EcsEvent[]) =>
    events.filter((e) => (e.detail as { eventName?: string }).eventName === "SERVICE_STEADY_STATE");
const agentEvents = (events: EcsEvent[]) => events.filter((e) => e["detail-type"] === "ECS Container Instance State Change");

test("off by default: steady state is reported once, agents stay connected, and runUntilIdle() returns", () => {
    const { emulator, clock } = offlineEmulator();
    const events = world(emulator);
    expect(clock.runUntilIdle()).toBe(true);
    clock.advance(5 * HOUR);
    expect(steadyStates(events)).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
    expect(emulator.faultsInjected.agentReconnects).toBe(0);
});

test("steadyStateReemitMs: steady state is reported again every period while it lasts, and anew after a change", () => {
    const { emulator, clock } = offlineEmulator({ timing: { steadyStateReemitMs: 10 * 60_000 } });
    const events = world(emulator);
    clock.advance(2 * 60_000);
    expect(steadyStates(events)).toHaveLength(1);
    clock.advance(HOUR);
    expect(steadyStates(events)).toHaveLength(7);
    const times = steadyStates(events).map((e) => Date.parse(e.time));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(new Set(gaps)).toEqual(new Set([10 * 60_000]));
    // Out of steady state (scale-out under way) nothing is re-emitted; back in it, the period starts again.
    emulator.control.setDesiredCount("c", "app", 4);
    clock.advance(1_500);
    const before = steadyStates(events).length;
    clock.advance(2 * 60_000);
    expect(steadyStates(events).length).toBe(before + 1);
    const latest = (emulator.control.service("c", "app") as { events: { message: string }[] }).events[0]!;
    expect(latest.message).toBe("(service app) has reached a steady state.");
    expect(clock.runUntilIdle(HOUR)).toBe(false);
});

function churnTrace(seed: number): { events: EcsEvent[]; emulator: EcsEmulator } {
    const { emulator, clock } = offlineEmulator({ seed, faults: { agentReconnectsPerHour: 6, agentDisconnectMs: 3_000 } });
    const events = world(emulator);
    clock.advance(10 * HOUR);
    // Churn off again: every agent ends connected and the world goes idle.
    emulator.setFaults({});
    expect(clock.runUntilIdle()).toBe(true);
    return { events, emulator };
}

test("agentReconnectsPerHour: agents disconnect and reconnect about that often, each a new instance version", () => {
    const { events, emulator } = churnTrace(3);
    const reconnects = emulator.faultsInjected.agentReconnects;
    // 3 instances × 6 an hour × 10 hours = 180 on average.
    expect(reconnects).toBeGreaterThan(120);
    expect(reconnects).toBeLessThan(250);
    for (const id of ["a1", "b1", "c1"]) {
        const instance = emulator.control.snapshot("c").instances.find((i) => i.ec2InstanceId === id)!;
        type Detail = { containerInstanceArn: string; version: number; agentConnected: boolean };
        const mine = agentEvents(events)
            .map((e) => e.detail as Detail)
            .filter((d) => d.containerInstanceArn === instance.containerInstanceArn && d.version > 0);
        // Versions go up by one per event; disconnections and reconnections alternate.
        mine.forEach((d, i) => i > 0 && expect(d.version).toBe(mine[i - 1]!.version + 1));
        const flips = mine.filter((d, i) => i > 0 && d.agentConnected !== mine[i - 1]!.agentConnected);
        expect(flips.length).toBeGreaterThan(20);
    }
    expect(emulator.control.snapshot("c").instances.every((i) => i.agentConnected === true)).toBe(true);
    // The service keeps its tasks: a disconnected agent's tasks keep running.
    expect(Object.values(emulator.control.tasksPerInstance("c", "app")).reduce((a, b) => a + b, 0)).toBe(3);
    // Seeded: the same seed gives the same disconnections.
    expect(churnTrace(3).events.map((e) => e.time)).toEqual(events.map((e) => e.time));
});

test("setChurn turns both on for a while and off again: disconnected agents reconnect and the world goes idle", () => {
    const { emulator, clock } = offlineEmulator({ seed: 5 });
    const events = world(emulator);
    clock.advance(2 * 60_000);
    emulator.setChurn({ steadyStateReemitMs: 5 * 60_000, agentReconnectsPerHour: 120, agentDisconnectMs: 60_000 });
    clock.advance(HOUR);
    expect(steadyStates(events).length).toBeGreaterThan(5);
    // Some agent is down for a minute at a time, often; stop in the middle of the hour's churn.
    emulator.setChurn({ steadyStateReemitMs: 0, agentReconnectsPerHour: 0 });
    expect(clock.runUntilIdle()).toBe(true);
    expect(emulator.control.snapshot("c").instances.every((i) => i.agentConnected === true)).toBe(true);
    expect(() => emulator.setChurn({ agentReconnectsPerHour: -1 })).toThrow(/churn.agentReconnectsPerHour must be a non-negative number/);
});
