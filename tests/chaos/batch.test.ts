// The chaos runner end to end: a small fixed-seed batch with every count at zero, and a run where a harness breaks
// every invariant on purpose, each caught by its own count.

import { generateCase, runSeed, type ChaosCase } from "../../local/chaos/generator";
import { COUNT_KEYS, playChaosCase, type ChaosRunResult } from "../../local/chaos/play";
import { addRun, emptyReport } from "../../local/chaos/report";
import { scenarioOf, TWO_BY_TWO } from "./support/world";

const ECS = "AmazonEC2ContainerServiceV20141113";
const BATCH_SEED = 2026;
const BATCH_RUNS = 10;

describe(`a fixed-seed batch (${BATCH_RUNS} runs, seed ${BATCH_SEED})`, () => {
    const report = emptyReport(BATCH_SEED, "service-page");
    const results: ChaosRunResult[] = [];
    beforeAll(async () => {
        for (let i = 0; i < BATCH_RUNS; i++) {
            const result = await playChaosCase(generateCase(runSeed(BATCH_SEED, i)));
            results.push(result);
            addRun(report, result);
        }
    }, 120_000);

    test("every count is zero", () => {
        const counts = Object.fromEntries(COUNT_KEYS.map((k) => [k, report[k]]));
        expect({ counts, details: results.filter((r) => Object.keys(r.details).length > 0).map((r) => ({ seed: r.seed, details: r.details })) })
            .toEqual({ counts: Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])), details: [] });
    });

    test("faults were injected: throttling, 5xx, latency, event faults, killed passes, disruptions", () => {
        const f = report.faultsInjected;
        expect(f.serverErrors + f.latency + f.eventDuplicates + f.eventDelays).toBeGreaterThan(0);
        expect(f.passesCrashed + f.passesTimedOut).toBeGreaterThan(0);
        expect(f.instancesLost + f.agentDisconnects + f.deployments + f.ownerDesiredChanges + f.throttleBursts + f.throttleStorms).toBeGreaterThan(0);
        expect(results.every((r) => r.invocations > 0 && r.invocationsAfterFaults > 0)).toBe(true);
    });
});

describe("a harness that breaks every invariant", () => {
    let result: ChaosRunResult;
    beforeAll(async () => {
        const chaosCase: ChaosCase = {
            seed: 7, ecsProfile: "service-page", strategy: "minimal", delivery: "direct", scenarioFile: TWO_BY_TWO, scenario: scenarioOf(TWO_BY_TWO),
            scalableTargets: [], faults: {}, kills: [], disruptions: [],
        };
        result = await playChaosCase(chaosCase, {
            plant: ({ world, rebalancer, calls }) => {
                const live = { accessKeyId: rebalancer.accessKeyId, userAgent: `aws-sdk-js/3 app/chaos-container-1` };
                const web = world.control.service("chaos", "web") as { serviceArn: string };
                const tasks = world.control.snapshot("chaos").tasks;
                // As the rebalancer: a task definition, a surge marker left behind, a raised desiredCount, stops below the floor.
                world.emulator.call(`${ECS}.RegisterTaskDefinition`, { family: "web", containerDefinitions: [{ name: "web", image: "x", memory: 128 }] }, live);
                world.emulator.call(`${ECS}.TagResource`, { resourceArn: web.serviceArn, tags: [{ key: "ecs-rebalancer:surge", value: "v1 owner=4 desired=5 at=1" }] }, live);
                for (const t of tasks.slice(0, 3)) world.emulator.call(`${ECS}.StopTask`, { cluster: "chaos", task: t.taskArn }, live);
                world.emulator.call(`${ECS}.UpdateService`, { cluster: "chaos", service: "web", desiredCount: 12 }, live);
                world.clock.advance(600_000);
                // An instance that drains and comes back empty: the cluster is left unbalanced.
                world.control.drainInstance("i-c");
                world.clock.advance(600_000);
                world.control.activateInstance("i-c");
                // What it prints: a crash outside the structured log, a skip without a reason, a secret.
                rebalancer.logs.push({ invocation: 99, record: "TypeError: Cannot read properties of undefined (reading 'arn')" });
                rebalancer.logs.push({ invocation: 99, record: { message: "rebalancer pass", totals: { services: 1 }, services: [{ service: "web", outcome: "skipped", detail: "" }], balancedServices: [] } });
                rebalancer.logs.push({ invocation: 99, record: { message: "debug", key: rebalancer.accessKeyId } });
                expect(calls.reached.length).toBeGreaterThan(0);
            },
        });
    }, 60_000);

    test.each(COUNT_KEYS)("%s catches it", (key) => {
        expect({ key, count: result.counts[key] }).toEqual({ key, count: expect.any(Number) });
        expect(result.counts[key]).toBeGreaterThan(0);
        expect(result.details[key]!.length).toBe(result.counts[key] === 1 && key === "notConverged" ? result.details[key]!.length : result.counts[key]);
    });
});
