// Chaos runs with delivery `queue`: the deployed rules write to the FIFO queue, the function gets batches, a
// container killed mid-pass (crash or Lambda timeout) returns its batch, which comes back after the visibility
// timeout; the run still ends quiet with every count 0. Quiet is judged from the batch's logged cluster summaries
// (a queue batch answers with batchItemFailures only), so a run that never judged it would count notConverged.

import { generateCase, type ChaosCase } from "../../local/chaos/generator";
import { COUNT_KEYS, playChaosCase, type ChaosRunResult } from "../../local/chaos/play";
import { LocalQueueLambda } from "../../local/queueLambda";
import { scenarioOf, TWO_BY_TWO } from "./support/world";

const ZEROS = Object.fromEntries(COUNT_KEYS.map((k) => [k, 0]));

interface Seen {
    /** Per batch: its records' message groups and detail-types, its receive counts, and whether it failed. */
    batches: { groups: string[]; kinds: string[]; receives: number[]; error?: string }[];
    queueRules: number;
}

async function play(chaosCase: ChaosCase): Promise<{ result: ChaosRunResult; seen: Seen }> {
    const seen: Seen = { batches: [], queueRules: 0 };
    const result = await playChaosCase(chaosCase, {
        plant: ({ rebalancer }) => {
            const lambda = rebalancer.lambda;
            if (!(lambda instanceof LocalQueueLambda)) throw new Error("the run was not wired to the queue");
            for (const i of lambda.invocations) {
                const records = (i.event as { Records: { body: string; attributes: Record<string, string> }[] }).Records;
                seen.batches.push({
                    groups: records.map((r) => r.attributes.MessageGroupId!),
                    kinds: records.map((r) => (JSON.parse(r.body) as { "detail-type": string })["detail-type"]),
                    receives: records.map((r) => Number(r.attributes.ApproximateReceiveCount)),
                    ...(i.error ? { error: i.error } : {}),
                });
            }
        },
    });
    return { result, seen };
}

function twoByTwo(kills: ChaosCase["kills"], faults: ChaosCase["faults"] = {}): ChaosCase {
    return {
        seed: 11, ecsProfile: "service-page", strategy: "minimal", delivery: "queue", scenarioFile: TWO_BY_TWO, scenario: scenarioOf(TWO_BY_TWO),
        scalableTargets: [], faults, kills, disruptions: [],
    };
}

test("a container crashed mid-pass: its batch fails, comes back, and the run ends quiet with every count 0", async () => {
    const { result, seen } = await play(twoByTwo([{ atCall: 3, kind: "crash" }]));
    expect(result.counts).toEqual(ZEROS);
    expect(result.delivery).toBe("queue");
    expect(result.faultsInjected.passesCrashed).toBe(1);
    const killed = seen.batches.findIndex((b) => b.error !== undefined);
    expect(seen.batches[killed]!.error).toMatch(/^ChaosContainerKilled: /);
    // The killed batch's messages are received again, in one later batch.
    expect(seen.batches.slice(killed + 1).some((b) => b.receives.includes(2))).toBe(true);
    expect(result.queue!.redeliveries).toBeGreaterThan(0);
    // One cluster, one message group; the sweeps are the cluster's own messages.
    expect(new Set(seen.batches.flatMap((b) => b.groups)).size).toBe(1);
    expect(seen.batches.flatMap((b) => b.kinds)).toContain("Cluster Sweep");
    expect(result.queue!.left).toBe(0);
}, 60_000);

test("a container past the Lambda timeout and duplicated events: duplicates are dropped, the run ends with every count 0", async () => {
    const { result } = await play(twoByTwo([{ atCall: 4, kind: "timeout" }, { atCall: 12, kind: "crash" }], { eventDuplicateRate: 0.3, eventDelayRate: 0.3, eventDelayMs: 30_000 }));
    expect(result.counts).toEqual(ZEROS);
    expect(result.faultsInjected.passesTimedOut).toBe(1);
    expect(result.faultsInjected.eventDuplicates).toBeGreaterThan(0);
    expect(result.queue!.duplicatesDropped).toBeGreaterThan(0);
    expect(result.queue!.redeliveries).toBeGreaterThan(0);
}, 60_000);

test("a generated case played with delivery queue (faults, a crash mid-pass) ends with every count 0", async () => {
    // Seed 1451528385 of batch 20261212: a crash at call 42 fires; redeploy strategy, 30 % duplicated events.
    const { result, seen } = await play(generateCase(1451528385, "service-page", "queue"));
    expect(result.counts).toEqual(ZEROS);
    expect(result.faultsInjected.passesCrashed).toBe(1);
    expect(seen.batches.some((b) => b.receives.some((n) => n > 1))).toBe(true);
}, 60_000);
