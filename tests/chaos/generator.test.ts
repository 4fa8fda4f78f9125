// The chaos case generator: the same seed gives the same case; every case is a valid scenario file whose starting
// placement fits, with steps that name instances that exist by then; a batch covers what the issue asks for; the
// delivery is drawn on a stream of its own, so every seed's scenario, faults, kills and disruptions are what they were.

import { createHash } from "node:crypto";
import { drawDelivery, generateCase, runSeed, type ChaosCase } from "../../local/chaos/generator";
import { parseScenario } from "../../local/scenario/scenarioFile";

const SEEDS = Array.from({ length: 300 }, (_, i) => runSeed(42, i));
const cases: ChaosCase[] = SEEDS.map((seed) => generateCase(seed));

test("the same seed gives the same case; run seeds of a batch are distinct", () => {
    expect(generateCase(SEEDS[7]!)).toEqual(generateCase(SEEDS[7]!));
    expect(generateCase(SEEDS[7]!)).not.toEqual(generateCase(SEEDS[8]!));
    expect(new Set(SEEDS).size).toBe(SEEDS.length);
    expect(runSeed(42, 3)).toBe(runSeed(42, 3));
    expect(runSeed(42, 3)).not.toBe(runSeed(43, 3));
    // The profile is the batch's, not drawn from the seed: the same case under every profile.
    const { ecsProfile, ...adversarial } = generateCase(SEEDS[7]!, "adversarial");
    const { ecsProfile: defaultProfile, ...plain } = generateCase(SEEDS[7]!);
    expect([ecsProfile, defaultProfile]).toEqual(["adversarial", "service-page"]);
    expect(adversarial).toEqual(plain);
});

test("every case is a scenario file the scenario runner accepts, and the case's scenario is that file", () => {
    for (const c of cases) {
        expect(parseScenario(JSON.stringify(c.scenarioFile), `chaos-${c.seed}.json`)).toEqual(c.scenario);
        expect(c.scenario.name).toBe(`chaos-${c.seed}`);
    }
});

test("starting placements fit the instances' CPU, memory and host ports", () => {
    for (const c of cases) {
        const used = new Map<string, { cpu: number; memory: number; ports: number[] }>();
        for (const s of c.scenario.services) {
            for (const [id, n] of Object.entries(s.placement ?? {})) {
                const u = used.get(id) ?? { cpu: 0, memory: 0, ports: [] };
                u.cpu += n * s.cpu;
                u.memory += n * s.memory;
                if (s.hostPort !== undefined) for (let k = 0; k < n; k++) u.ports.push(s.hostPort);
                used.set(id, u);
            }
        }
        for (const [id, u] of used) {
            const instance = c.scenario.instances.find((i) => i.id === id)!;
            expect(u.cpu).toBeLessThanOrEqual(instance.cpu);
            expect(u.memory).toBeLessThanOrEqual(instance.memory);
            expect(new Set(u.ports).size).toBe(u.ports.length);
        }
    }
});

test("every planned kill and disruption names a call; Service Auto Scaling only acts where it owns a service", () => {
    for (const c of cases) {
        for (const k of c.kills) expect(k.atCall).toBeGreaterThanOrEqual(1);
        for (const d of c.disruptions) {
            expect(d.atCall).toBeGreaterThanOrEqual(1);
            expect(d.pick.every((p) => p >= 0 && p < 1)).toBe(true);
            if (d.kind === "autoscaling") expect(c.scalableTargets.length).toBeGreaterThan(0);
        }
        for (const t of c.scalableTargets) expect(c.scenario.services.some((s) => s.name === t.service && s.schedulingStrategy === "REPLICA")).toBe(true);
    }
});

test("a batch covers the strategies, floors, ceilings, constraints, capacity providers, churn, faults and disruptions the issue names", () => {
    const services = cases.flatMap((c) => c.scenario.services);
    const steps = cases.flatMap((c) => c.scenario.steps.map((s) => Object.keys(s)[0]));
    const seen = {
        strategies: new Set(cases.map((c) => c.strategy)),
        floors: new Set(services.filter((s) => s.schedulingStrategy === "REPLICA").map((s) => s.minimumHealthyPercent)),
        ceilings: new Set(services.filter((s) => s.schedulingStrategy === "REPLICA").map((s) => s.maximumPercent)),
        constraints: new Set(services.flatMap((s) => s.placementConstraints.map((k) => k.type))),
        firstStrategies: new Set(services.map((s) => s.placementStrategy?.[0]?.type ?? "default")),
        providers: cases.some((c) => c.scenario.instances.some((i) => i.capacityProvider)) && services.some((s) => s.capacityProviderStrategy),
        azCounts: new Set(cases.map((c) => new Set(c.scenario.instances.map((i) => i.az)).size)),
        steps: new Set(steps),
        kills: new Set(cases.flatMap((c) => c.kills.map((k) => k.kind))),
        disruptions: new Set(cases.flatMap((c) => c.disruptions.map((d) => d.kind))),
        throttling: cases.some((c) => c.faults.throttling),
        serverErrors: cases.some((c) => (c.faults.serverErrorRate ?? 0) > 0),
        // Calls slow enough that a pass making a couple of them runs past the 300 s Lambda timeout.
        timeouts: cases.some((c) => (c.faults.latency?.rate ?? 0) > 0 && (c.faults.latency?.emulatedMs ?? 0) >= 200_000),
        eventFaults: cases.some((c) => (c.faults.eventDuplicateRate ?? 0) > 0) && cases.some((c) => (c.faults.eventDelayRate ?? 0) > 0),
        daemons: services.some((s) => s.schedulingStrategy === "DAEMON"),
        optedOut: services.some((s) => s.tags["ecs-rebalancer:skip"] === "true"),
        protectedTasks: services.some((s) => s.taskProtection > 0),
    };
    expect(seen).toEqual({
        strategies: new Set(["minimal", "redeploy"]),
        floors: new Set([0, 50, 100]),
        ceilings: new Set([100, 150, 200]),
        constraints: new Set(["distinctInstance", "memberOf"]),
        firstStrategies: new Set(["default", "spread", "binpack", "random"]),
        providers: true,
        azCounts: new Set([1, 2, 3]),
        steps: new Set(["launch", "terminate", "drain", "agentDisconnect", "agentConnect", "advance", "setDesired"]),
        kills: new Set(["crash", "timeout"]),
        disruptions: new Set(["instance-lost", "agent-disconnect", "deployment", "autoscaling", "owner-desired", "throttle-burst", "throttle-storm"]),
        throttling: true,
        serverErrors: true,
        timeouts: true,
        eventFaults: true,
        daemons: true,
        optedOut: true,
        protectedTasks: true,
    });
});

test("the delivery is drawn without changing any other draw: known seeds give the case they gave before it existed", () => {
    // SHA-256 of JSON.stringify(generateCase(seed)) before cases had a delivery (commit c273234).
    const before: Record<number, string> = {
        502361220: "aca7b348f12a7ff6944195bcc71eb97aa3bc5f9b18e16931392ee50008eb3b17",
        1866243072: "015736a9b6550338dfe21610506d2b4b2b92090759fb94a453786a7b5898f7f2",
    };
    for (const [seed, hash] of Object.entries(before)) {
        for (const delivery of ["direct", "queue"] as const) {
            const { delivery: forced, ...rest } = generateCase(Number(seed), "service-page", delivery);
            expect(forced).toBe(delivery);
            expect({ seed, delivery, hash: createHash("sha256").update(JSON.stringify(rest)).digest("hex") }).toEqual({ seed, delivery, hash });
        }
        expect(generateCase(Number(seed)).delivery).toBe(drawDelivery(Number(seed)));
    }
});

test("about a third of the cases draw queue delivery", () => {
    const queued = cases.filter((c) => c.delivery === "queue").length / cases.length;
    expect(queued).toBeGreaterThan(0.25);
    expect(queued).toBeLessThan(0.42);
});
