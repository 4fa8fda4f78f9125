// Per-service selection and settings by tag, end to end: the handler with serviceSelection=tagged against the
// emulator's ECS, woken by an instance's registration and then by the schedule until quiet. Only the service that
// opted in with the stack's settings, or a tag that lets it move, is moved; a service tagged dryRun=true gets its
// plan reported and nothing written; a bad tag value skips its service with the reason logged; nothing fails.

import { lowerBound } from "./support/balance";
import { runToQuiet, type ConvergenceRun } from "./support/convergence";
import { isWrite } from "./support/requestLog";
import { SCHEDULE_INTERVAL_MS } from "./support/rebalancerRun";
import { SPREAD_AZ, SPREAD_INSTANCE, type ServiceSpec } from "./support/scenario";
import { rebalancerRequests } from "./support/world";

const ENABLED = { "ecs-rebalancer:enabled": "true" };
/** Six tasks on one instance of six over three AZs, floor 50 %: four must move, by stops. */
const piled = (name: string, expect: ServiceSpec["expect"], why: string, tags: Record<string, string>): ServiceSpec => ({
    name, expect, why, tags, desiredCount: 6, placement: { "i-a1": 6 }, strategy: [SPREAD_AZ, SPREAD_INSTANCE], minimumHealthyPercent: 50, maximumPercent: 200,
});
const SERVICES: ServiceSpec[] = [
    piled("opted-in", "rebalance", "tagged enabled=true", ENABLED),
    piled("capped", "rebalance", "tagged enabled=true, maxMovesPerService=1", { ...ENABLED, "ecs-rebalancer:maxMovesPerService": "1" }),
    piled("not-opted-in", "untouched", "serviceSelection is tagged and it has no enabled tag", {}),
    piled("observed", "untouched", "tagged dryRun=true", { ...ENABLED, "ecs-rebalancer:dryRun": "true" }),
    piled("bad-tag", "untouched", "skewThreshold tag is not a number", { ...ENABLED, "ecs-rebalancer:skewThreshold": "abc" }),
    { ...piled("tolerant", "untouched", "skewThreshold=6 tolerates its skew of 6", { ...ENABLED, "ecs-rebalancer:skewThreshold": "6" }), strategy: [SPREAD_INSTANCE] },
];

let run: ConvergenceRun;
const spec = (name: string) => SERVICES.find((s) => s.name === name)!;
const passRecords = () => run.rebalancer.logs.filter((l) => l.message === "rebalancer pass").map((l) => l.fields);
const entry = (record: Record<string, any>, service: string) => (record.services as Array<Record<string, any>>).find((s) => s.service === service);

/** The service a write to a service names (UpdateService, TagResource, UntagResource). */
function serviceNamedBy(input: Record<string, unknown>): string | undefined {
    if (typeof input.service === "string") return input.service.split("/").pop();
    if (typeof input.resourceArn === "string") return input.resourceArn.split("/").pop();
    return undefined;
}

beforeAll(async () => {
    run = await runToQuiet({ settings: { REBALANCER_SERVICE_SELECTION: "tagged" }, intervalMs: SCHEDULE_INTERVAL_MS, maxPasses: 20, services: SERVICES });
});
afterAll(async () => {
    await run?.close();
});

test("the passes end quiet, and no pass or service failed", () => {
    expect(run.quiet).toBe(true);
    expect(run.summaries.flatMap((s) => s.clusters.flatMap((c) => [c.outcome, ...c.errors]))).toEqual(run.summaries.map(() => "completed"));
});

test("only the opted-in services are written to; they end balanced, the capped one moved one task per pass", () => {
    const writes = rebalancerRequests(run.world).filter(isWrite);
    const serviceWrites = new Set(writes.filter((r) => r.operation !== "StopTask").map((r) => serviceNamedBy(r.input as Record<string, unknown>)));
    expect([...serviceWrites].sort()).toEqual(["capped", "opted-in"]);
    // Stops, by the task's service as the emulator recorded its cause.
    const stops = Object.fromEntries(SERVICES.map((s) => [s.name, run.watch.stopped(s.name)]));
    expect(stops).toEqual({ "opted-in": run.before.get("opted-in")!.bound, capped: run.before.get("capped")!.bound, "not-opted-in": 0, observed: 0, "bad-tag": 0, tolerant: 0 });
    expect(writes.filter((r) => r.operation === "StopTask")).toHaveLength(stops["opted-in"] + stops.capped);
    for (const name of ["opted-in", "capped"]) expect({ name, bound: lowerBound(run.world.emulator, spec(name)) }).toEqual({ name, bound: 0 });
    const cappedMoves = passRecords().map((r) => entry(r, "capped")?.moves ?? 0).filter((m) => m > 0);
    expect(cappedMoves.length).toBe(run.before.get("capped")!.bound);
    expect(cappedMoves.every((m) => m === 1)).toBe(true);
});

test("the services left alone are as unbalanced as before, each with the reason it was left in every pass's log", () => {
    for (const name of ["not-opted-in", "observed", "bad-tag", "tolerant"]) {
        expect({ name, bound: lowerBound(run.world.emulator, spec(name)) }).toEqual({ name, bound: run.before.get(name)!.bound });
    }
    const last = passRecords()[passRecords().length - 1];
    expect(entry(last, "not-opted-in")).toMatchObject({ outcome: "skipped", reason: "not-selected" });
    expect(entry(last, "bad-tag")).toMatchObject({ outcome: "skipped", reason: "invalid-service-tag", detail: 'tag ecs-rebalancer:skewThreshold="abc" is invalid: expected an integer from 1 to 5000' });
    expect(last.balancedServices).toContain("tolerant");
    expect(last.totals.skipReasons).toMatchObject({ "not-selected": 1, "invalid-service-tag": 1 });
});

test("the dryRun=true service: every pass plans its moves and reports them as recorded, and none is made", () => {
    for (const record of passRecords()) {
        expect(entry(record, "observed")).toMatchObject({ outcome: "move", dryRunOnly: true, overrides: { dryRun: true }, act: { outcome: "done" } });
        expect(entry(record, "observed")?.moves).toBeGreaterThan(0);
    }
    expect(run.watch.stopped("observed")).toBe(0);
});
