import { buildPassRecord, LOG_RECORD_MAX_BYTES, splitForLog } from "../../rebalancer/passLog";
import { passMetrics } from "../../rebalancer/passMetrics";
import { createInstanceEventMemory } from "../../rebalancer/eventMemory";
import { createTaskDefinitionCache } from "../../rebalancer/taskDefinitions";
import { decision, planOf } from "./support/plans";

const CLUSTER = "arn:aws:ecs:us-east-1:111122223333:cluster/huge";

function hugePlan(services: number) {
    const decisions = Array.from({ length: services }, (_, i) =>
        decision(`service-with-a-long-name-${i}`, `${CLUSTER.replace(":cluster/", ":service/")}/service-with-a-long-name-${i}`, i % 3 === 0 ? "balanced" : "skipped", {
            reason: i % 3 === 0 ? undefined : "mid-deployment",
            detail: "deployment ecs-svc/1234567890 is IN_PROGRESS: running 3 of 4 desired, 1 pending; not touched until it completes",
        }),
    );
    return planOf(CLUSTER, decisions, []);
}

describe("pass record", () => {
    test("a pass over 5,000 services is split into log records CloudWatch accepts, and nothing is lost", () => {
        const record = buildPassRecord({ trigger: "schedule", clusterArn: CLUSTER, clusterName: "huge", dryRun: false, strategy: "minimal", durationMs: 1, calls: { ListServices: 50 }, planRounds: 1, plan: hugePlan(5000), observeFailures: [], outcome: "completed" });
        const parts = splitForLog(record);
        expect(parts.length).toBeGreaterThan(2);
        for (const p of parts) expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(LOG_RECORD_MAX_BYTES);
        expect(parts[0]).toMatchObject({ cluster: "huge", outcome: "completed", parts: parts.length - 1, totals: { services: 5000 } });
        const services = parts.slice(1).flatMap((p) => p.services as unknown[]);
        const balanced = parts.slice(1).flatMap((p) => p.balancedServices as unknown[]);
        expect(services.length + balanced.length).toBe(5000);
        expect(record.totals.skipReasons).toEqual({ "mid-deployment": 3333 });
    });

    test("a small pass is one record", () => {
        const record = buildPassRecord({ trigger: "schedule", clusterArn: CLUSTER, clusterName: "huge", dryRun: true, strategy: "minimal", durationMs: 1, calls: {}, planRounds: 1, plan: hugePlan(10), observeFailures: [], outcome: "completed" });
        expect(splitForLog(record)).toEqual([record]);
    });

    test("a failed pass counts one error in the metrics", () => {
        const record = buildPassRecord({ trigger: "schedule", clusterArn: CLUSTER, clusterName: "huge", dryRun: false, strategy: "minimal", durationMs: 5, calls: {}, planRounds: 0, observeFailures: [], outcome: "failed", failure: { name: "ThrottlingException", message: "Rate exceeded" } });
        expect(passMetrics(record).find((m) => m.name === "Errors")!.value).toBe(1);
    });
});

describe("per-container memory stays bounded", () => {
    test("instance event memory forgets the oldest first", () => {
        const memory = createInstanceEventMemory(3);
        memory.noteSeen([1, 2, 3, 4].map((i) => ({ arn: `ci/${i}`, version: 10 })));
        expect(memory.redundant("ci/1", 5)).toBeUndefined();
        expect(memory.redundant("ci/4", 10)).toMatch(/already seen by a completed pass/);
        expect(memory.redundant("ci/4", 11)).toBeUndefined();
    });

    test("task-definition cache forgets the oldest first", () => {
        const cache = createTaskDefinitionCache(2);
        for (const arn of ["a", "b", "c"]) cache.set({ arn, networkMode: "bridge", staticHostPorts: [], reservation: { cpu: 1, memory: 1 } });
        expect(cache.size).toBe(2);
        expect(cache.get("a")).toBeUndefined();
        expect(cache.get("c")).toBeDefined();
    });
});
