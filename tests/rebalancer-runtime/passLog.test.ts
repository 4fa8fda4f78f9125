import { buildPassRecord, LOG_RECORD_MAX_BYTES, splitForLog } from "../../rebalancer/passLog";
import { passMetrics } from "../../rebalancer/passMetrics";
import { createInstanceEventMemory } from "../../rebalancer/eventMemory";
import { createTaskDefinitionCache } from "../../rebalancer/taskDefinitions";
import { decision, planOf } from "./support/plans";
import type { ActResult, ServiceActResult } from "../../rebalancer/act";
import type { ServiceDecision } from "../../rebalancer/plan/types";

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
        const record = buildPassRecord({ trigger: "schedule", clusterArn: CLUSTER, clusterName: "huge", dryRun: false, strategy: "minimal", durationMs: 1, calls: { ListServices: 50 }, apiThrottles: 0, surgeTimeoutSeconds: 900, planRounds: 1, plan: hugePlan(5000), observeFailures: [], outcome: "completed" });
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
        const record = buildPassRecord({ trigger: "schedule", clusterArn: CLUSTER, clusterName: "huge", dryRun: true, strategy: "minimal", durationMs: 1, calls: {}, apiThrottles: 0, surgeTimeoutSeconds: 900, planRounds: 1, plan: hugePlan(10), observeFailures: [], outcome: "completed" });
        expect(splitForLog(record)).toEqual([record]);
    });

    test("a failed pass counts one error in the metrics", () => {
        const record = buildPassRecord({ trigger: "schedule", clusterArn: CLUSTER, clusterName: "huge", dryRun: false, strategy: "minimal", durationMs: 5, calls: {}, apiThrottles: 0, surgeTimeoutSeconds: 900, planRounds: 0, observeFailures: [], outcome: "failed", failure: { name: "ThrottlingException", message: "Rate exceeded" } });
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
        for (const arn of ["a", "b", "c"]) cache.set({ arn, networkMode: "bridge", staticHostPorts: [], reservation: { cpu: 1, memory: 1 }, runningTaskCanChange: false });
        expect(cache.size).toBe(2);
        expect(cache.get("a")).toBeUndefined();
        expect(cache.get("c")).toBeDefined();
    });
});

describe("what is left after the pass (the alarms' metrics)", () => {
    const arn = (name: string) => `${CLUSTER.replace(":cluster/", ":service/")}/${name}`;
    const d = (name: string, outcome: ServiceDecision["outcome"], extra: Partial<ServiceDecision>) => decision(name, arn(name), outcome, { lowerBound: 0, ...extra });
    const acted = (services: Array<[string, ServiceActResult["outcome"], Partial<ServiceActResult>?]>, dryRun = false): ActResult => ({
        dryRun, writes: [], recordedOnly: [], stoppedByDeadline: false, pacedMs: 0,
        services: services.map(([name, outcome, extra]) => ({ service: name, serviceArn: arn(name), outcome, planned: 1, written: 1, stopped: 0, ...extra })),
    });
    const record = (decisions: ServiceDecision[], act: ActResult, dryRun = false) =>
        buildPassRecord({
            trigger: "schedule", clusterArn: CLUSTER, clusterName: "huge", dryRun, strategy: "minimal", durationMs: 1, calls: {}, apiThrottles: 3,
            surgeTimeoutSeconds: 900, planRounds: 1, plan: planOf(CLUSTER, decisions, []), acted: act, observeFailures: [], outcome: "completed",
        });

    test("services left unbalanced: judged unbalanced, not dry-run, and not fixed by writes that were made", () => {
        const decisions = [
            d("fixed", "move", { lowerBound: 2, lowerBoundAfter: 0, moves: 2 }),
            d("partly", "move", { lowerBound: 4, lowerBoundAfter: 2, moves: 2 }),
            d("held-back", "skipped", { reason: "no-improvement", lowerBound: 1, lowerBoundAfter: 1 }),
            d("opted-out", "skipped", { reason: "opted-out" }),
            d("write-failed", "move", { lowerBound: 2, lowerBoundAfter: 0, moves: 2 }),
            d("observed", "move", { lowerBound: 2, lowerBoundAfter: 0, moves: 2, dryRunOnly: true }),
            d("fine", "balanced", {}),
        ];
        const act = acted([["fixed", "done"], ["partly", "done"], ["write-failed", "failed"], ["observed", "done", { dryRun: true }]]);
        expect(record(decisions, act).totals.servicesLeftUnbalanced).toBe(3);
        // A dry-run pass changes nothing and is not the rebalancer failing: nothing counts.
        expect(record(decisions, acted([], true), true).totals.servicesLeftUnbalanced).toBe(0);
    });

    test("surges open after the pass, and those past surgeTimeoutSeconds", () => {
        const decisions = [
            d("waiting-old", "waiting", { surgeAgeSeconds: 1000 }),
            d("waiting-new", "waiting", { surgeAgeSeconds: 60 }),
            d("restored", "restore", { surgeAgeSeconds: 950 }),
            d("restore-failed", "restore", { surgeAgeSeconds: 950 }),
            d("surged", "surge", { lowerBound: 1, lowerBoundAfter: 0, moves: 1 }),
            d("surge-observed", "surge", { lowerBound: 1, lowerBoundAfter: 0, moves: 1, dryRunOnly: true }),
        ];
        const act = acted([["restored", "done"], ["restore-failed", "failed"], ["surged", "done"], ["surge-observed", "done", { dryRun: true }]]);
        const live = record(decisions, act);
        expect([live.totals.surgesOpen, live.totals.surgesOverdue]).toEqual([4, 2]);
        // In a dry-run pass no restore is made and no surge opens.
        const dry = record(decisions, acted([], true), true);
        expect([dry.totals.surgesOpen, dry.totals.surgesOverdue]).toEqual([4, 3]);
    });

    test("the metrics carry them, the throttles, a deadline stop, and one value per skip reason with its dimension", () => {
        const decisions = [d("a", "skipped", { reason: "opted-out" }), d("b", "skipped", { reason: "opted-out" }), d("c", "skipped", { reason: "not-selected" })];
        const r = { ...record(decisions, acted([])), stoppedByDeadline: true };
        const values = passMetrics(r);
        const value = (name: string) => values.filter((v) => v.name === name && !v.dimensions).map((v) => v.value);
        expect(value("ApiThrottles")).toEqual([3]);
        expect(value("PassesStoppedByDeadline")).toEqual([1]);
        expect(value("ServicesSkipped")).toEqual([3]);
        expect(values.filter((v) => v.dimensions)).toEqual([
            { name: "ServicesSkippedByReason", value: 1, dimensions: { reason: "not-selected" } },
            { name: "ServicesSkippedByReason", value: 2, dimensions: { reason: "opted-out" } },
        ]);
        const notStarted = buildPassRecord({
            trigger: "schedule", clusterArn: CLUSTER, clusterName: "huge", dryRun: false, strategy: "minimal", durationMs: 0, calls: {}, apiThrottles: 0,
            surgeTimeoutSeconds: 900, planRounds: 0, observeFailures: [], outcome: "deadline",
        });
        expect(passMetrics(notStarted).find((v) => v.name === "PassesStoppedByDeadline")!.value).toBe(1);
        expect(passMetrics(record(decisions, acted([]))).find((v) => v.name === "PassesStoppedByDeadline")!.value).toBe(0);
    });
});
