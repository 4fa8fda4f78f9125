import { parseCliArgs, runPlanCli, USAGE } from "../../rebalancer/planCli";
import { clusterArn, createFakeEcs } from "./support/fakeEcs";
import type { FakeClusterState } from "./support/fakeEcs";
import { sdkInstance, sdkService, sdkTask, sdkTaskDefinition } from "./support/sdkShapes";
import { SETTING_FIELDS } from "../../rebalancer/settings";

const NOW = Date.parse("2026-03-01T00:00:00Z");

/** Six web tasks all on the first of three instances in three AZs; api skipped (binpack). */
function lopsided(): FakeClusterState {
    const instances = ["a", "b", "c"].map((id, i) => sdkInstance("shop", id, `us-east-1${"abc"[i]}`));
    return {
        arn: clusterArn("shop"),
        instances,
        services: [
            sdkService("shop", "web", { desiredCount: 6, runningCount: 6, deployments: [{ id: "d", status: "PRIMARY", rolloutState: "COMPLETED", desiredCount: 6, runningCount: 6, pendingCount: 0 }] }),
            sdkService("shop", "api", { placementStrategy: [{ type: "binpack", field: "memory" }] }),
        ],
        tasks: [
            ...Array.from({ length: 6 }, (_, i) => sdkTask("shop", `w${i}`, "web", instances[0].containerInstanceArn!)),
            sdkTask("shop", "a0", "api", instances[1].containerInstanceArn!),
            sdkTask("shop", "a1", "api", instances[1].containerInstanceArn!),
        ],
    };
}

/** The fake with every fact the planner may ask for: task definitions, and no task protected. */
function fakeShop() {
    const fake = createFakeEcs([lopsided()]);
    for (const family of ["web", "api"]) fake.taskDefinitions.set(sdkTaskDefinition(family).taskDefinitionArn!, sdkTaskDefinition(family));
    for (const t of fake.clusters.get(clusterArn("shop"))!.tasks) fake.protection.set(t.taskArn!, false);
    return fake;
}

function io(env: Record<string, string | undefined> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env }, out: () => out.join(""), err: () => err.join("") };
}

describe("arguments", () => {
    test("accepted forms", () => {
        expect(parseCliArgs(["--cluster", "shop"])).toEqual({ ok: true, args: { cluster: "shop", json: false } });
        expect(parseCliArgs(["--cluster=shop", "--region", "eu-west-1", "--json"])).toEqual({ ok: true, args: { cluster: "shop", region: "eu-west-1", json: true } });
    });

    test.each([
        [[]],
        [["--cluster"]],
        [["--cluster", "--json"]],
        [["--cluster", "a", "--cluster", "b"]],
        [["--cluster", "a", "--region"]],
        [["--cluster", "a", "--region", "moon"]],
        [["--cluster", "a", "--write"]],
        [["shop"]],
    ])("bad flags %j: usage error, exit 2, no AWS call", async (argv) => {
        const fake = createFakeEcs([lopsided()]);
        const h = io();
        expect(await runPlanCli(argv, h.io, { clients: fake.clients })).toBe(2);
        expect(h.err()).toContain(USAGE);
        expect(fake.calls).toEqual([]);
    });

    test("--help prints the usage and exits 0", async () => {
        const h = io();
        expect(await runPlanCli(["--help"], h.io)).toBe(0);
        expect(h.out()).toContain(USAGE);
    });
});

describe("plan", () => {
    test("a table per service from the real planner, read-only", async () => {
        const fake = fakeShop();
        const h = io();
        expect(await runPlanCli(["--cluster", "shop"], h.io, { clients: fake.clients, now: () => NOW })).toBe(0);
        const text = h.out();
        expect(text).toContain(`cluster ${clusterArn("shop")}`);
        // What the planner decides is its business; the table shows it with counts now → target per level.
        expect(text).toMatch(/^web: (move|surge), moves [1-9]\d*, skew 6→\d+, lower bound 4/m);
        expect(text).toMatch(/az\s+us-east-1a 6→\d, us-east-1b 0→\d, us-east-1c 0→\d/);
        expect(text).toMatch(/instance\s+i-a \(us-east-1a\) 6→\d, i-b \(us-east-1b\) 0→\d, i-c \(us-east-1c\) 0→\d/);
        expect(text).not.toContain("not seen");
        expect(text).toMatch(/^api: skipped \(binpack-or-random\)/m);
        expect(text).toMatch(/API calls: .*DescribeServices 1/);
        expect(fake.writes()).toEqual([]);
        // The name was resolved through ECS.
        expect(fake.callsOf("DescribeClusters")).toHaveLength(1);
    });

    test("a service whose AZ level ECS's AZ rebalancing owns says so on that level", async () => {
        const fake = fakeShop();
        const web = fake.clusters.get(clusterArn("shop"))!.services.find((s) => s.serviceName === "web")!;
        web.availabilityZoneRebalancing = "ENABLED";
        // ECS started its tasks 10 minutes ago: within the grace, the level is left to ECS.
        for (const t of fake.clusters.get(clusterArn("shop"))!.tasks) t.startedAt = new Date(NOW - 600_000);
        const h = io();
        expect(await runPlanCli(["--cluster", "shop"], h.io, { clients: fake.clients, now: () => NOW })).toBe(0);
        // Three AZs, each with room: ECS's rebalancing can act, the counts stay the targets.
        expect(h.out()).toMatch(/az\s+us-east-1a 6, us-east-1b 0, us-east-1c 0 \(left to ECS's AZ rebalancing\)/);
        web.availabilityZoneRebalancing = "DISABLED";
        const plain = io();
        await runPlanCli(["--cluster", "shop"], plain.io, { clients: fake.clients, now: () => NOW });
        expect(plain.out()).not.toContain("left to ECS");
        // Quiet for longer than the grace with the AZs uneven: the rebalancer takes the level and says why.
        web.availabilityZoneRebalancing = "ENABLED";
        for (const t of fake.clusters.get(clusterArn("shop"))!.tasks) t.startedAt = new Date(NOW - 3_600_000);
        const quiet = io();
        await runPlanCli(["--cluster", "shop"], quiet.io, { clients: fake.clients, now: () => NOW });
        expect(quiet.out()).not.toContain("left to ECS");
        expect(quiet.out()).toMatch(/AZ level taken back from ECS's AZ rebalancing: AZs uneven and nothing started or deployed for 60 min/);
    });

    test("--json prints the plan; REBALANCER_* settings apply; a configured name needs no lookup", async () => {
        const fake = fakeShop();
        const h = io({ REBALANCER_CLUSTERS: clusterArn("shop"), REBALANCER_STRATEGY: "redeploy", REBALANCER_DRY_RUN: "false" });
        expect(await runPlanCli(["--cluster", "shop", "--json"], h.io, { clients: fake.clients, now: () => NOW })).toBe(0);
        const plan = JSON.parse(h.out());
        expect(plan).toMatchObject({ clusterArn: clusterArn("shop"), strategy: "redeploy" });
        expect(plan.actions).toContainEqual({ kind: "redeploy", service: "web", serviceArn: expect.stringContaining(":service/shop/web") });
        expect(plan.actions.some((a: { kind: string }) => a.kind === "stop-task")).toBe(false);
        expect(fake.callsOf("DescribeClusters")).toHaveLength(0);
        expect(fake.writes()).toEqual([]);
    });

    test("a bad REBALANCER_* variable is named, exit 2", async () => {
        const fake = createFakeEcs([lopsided()]);
        const h = io({ REBALANCER_SKEW_THRESHOLD: "zero" });
        expect(await runPlanCli(["--cluster", clusterArn("shop")], h.io, { clients: fake.clients })).toBe(2);
        expect(h.err()).toContain("REBALANCER_SKEW_THRESHOLD");
        expect(SETTING_FIELDS.some((f) => f.env === "REBALANCER_SKEW_THRESHOLD")).toBe(true);
    });

    test("an unknown cluster fails with exit 1 and says so", async () => {
        const fake = createFakeEcs([lopsided()]);
        const h = io();
        expect(await runPlanCli(["--cluster", "nope"], h.io, { clients: fake.clients })).toBe(1);
        expect(h.err()).toMatch(/cluster nope not found/);
    });
});
