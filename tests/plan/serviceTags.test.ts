// Per-service selection and settings by tag: the filter alone, then through plan() (which services move, with
// which threshold and cap, and whose writes are only reported), and a bad tag that skips only its service.
import { plan, type Plan } from "../../rebalancer/plan";
import { formatPlanReport } from "../../rebalancer/planReport";
import { selectionRefusal, serviceSettings } from "../../rebalancer/plan/serviceTags";
import { SURGE_TAG } from "../../rebalancer/plan/markers";
import { defaultSettings, perServiceFields, type Settings } from "../../rebalancer/settings";
import { ENABLED_TAG } from "../../rebalancer/tagKeys";
import { buildSnapshot, CLUSTER_ARN, NOW, SPREAD_INSTANCE, type InstanceSpec, type ServiceSpec } from "../support/snapshotBuilder";

const settings = (overrides: Partial<Settings> = {}): Settings => ({ ...defaultSettings([CLUSTER_ARN]), ...overrides });
const FOUR: InstanceSpec[] = [
    { id: "i-1", az: "us-east-1a" },
    { id: "i-2", az: "us-east-1a" },
    { id: "i-3", az: "us-east-1b" },
    { id: "i-4", az: "us-east-1b" },
];
/** Eight tasks on one of four instances, floor 0 %: six must move, by stops. */
const piled = (name: string, tags: Record<string, string> = {}): ServiceSpec => ({ name, placement: { "i-1": 8 }, minHealthy: 0, strategies: SPREAD_INSTANCE, tags });
const serviceOf = (tags: Record<string, string>) => buildSnapshot({ instances: FOUR, services: [piled("web", tags)] }).services[0];

function decision(p: Plan, name: string) {
    const d = p.decisions.find((x) => x.service === name);
    if (!d) throw new Error(`no decision for ${name}`);
    return d;
}
const actionsOf = (p: Plan, name: string) => p.actions.filter((a) => a.service === name);

describe("selectionRefusal", () => {
    it("selects every service with serviceSelection all, whatever its enabled tag says", () => {
        const variants: Record<string, string>[] = [{}, { [ENABLED_TAG]: "false" }, { [ENABLED_TAG]: "maybe" }];
        for (const tags of variants) expect(selectionRefusal(serviceOf(tags), settings())).toBeUndefined();
    });

    it("with tagged, selects only services tagged enabled=true; false or no tag is not-selected; anything else is a bad tag", () => {
        const tagged = settings({ serviceSelection: "tagged" });
        expect(selectionRefusal(serviceOf({ [ENABLED_TAG]: "true" }), tagged)).toBeUndefined();
        expect(selectionRefusal(serviceOf({}), tagged)).toMatchObject({ reason: "not-selected", detail: expect.stringContaining(`${ENABLED_TAG}=true`) });
        expect(selectionRefusal(serviceOf({ [ENABLED_TAG]: "false" }), tagged)).toMatchObject({ reason: "not-selected" });
        expect(selectionRefusal(serviceOf({ [ENABLED_TAG]: "yes" }), tagged)).toEqual({
            reason: "invalid-service-tag",
            detail: `tag ${ENABLED_TAG}="yes" is invalid: expected true or false`,
        });
    });
});

describe("serviceSettings", () => {
    it("reads exactly the per-service settings from their tags and applies them over the pass's", () => {
        expect(perServiceFields().map((f) => f.key).sort()).toEqual(["dryRun", "maxMovesPerService", "skewThreshold"]);
        const read = serviceSettings(serviceOf({ "ecs-rebalancer:skewThreshold": "3", "ecs-rebalancer:maxMovesPerService": "2", "ecs-rebalancer:dryRun": "true", "ecs-rebalancer:strategy": "redeploy" }), settings());
        expect(read).toEqual({
            settings: { ...settings(), skewThreshold: 3, maxMovesPerService: 2, dryRun: true },
            overrides: { skewThreshold: 3, maxMovesPerService: 2, dryRun: true },
            dryRunOnly: true,
        });
    });

    it("never makes a service live in a dry-run pass: dryRun=false on a service changes nothing then", () => {
        const read = serviceSettings(serviceOf({ "ecs-rebalancer:dryRun": "false" }), settings({ dryRun: true }));
        expect(read).toMatchObject({ settings: { dryRun: true }, overrides: { dryRun: false }, dryRunOnly: false });
    });

    it.each([
        ["ecs-rebalancer:skewThreshold", "0", "expected an integer from 1 to 5000"],
        ["ecs-rebalancer:skewThreshold", "two", "expected an integer from 1 to 5000"],
        ["ecs-rebalancer:maxMovesPerService", "1.5", "expected an integer from 1 to 1000"],
        ["ecs-rebalancer:dryRun", "yes", "expected true or false"],
        ["ecs-rebalancer:dryRun", "True", "expected true or false"],
    ])("refuses %s=%s with the same rule as the stack setting (%s)", (tag, value, expected) => {
        expect(serviceSettings(serviceOf({ [tag]: value }), settings())).toEqual({
            skip: { reason: "invalid-service-tag", detail: `tag ${tag}=${JSON.stringify(value)} is invalid: ${expected}` },
        });
    });

    it("names every bad tag at once", () => {
        const read = serviceSettings(serviceOf({ "ecs-rebalancer:skewThreshold": "-1", "ecs-rebalancer:dryRun": "1" }), settings());
        expect("skip" in read && read.skip.detail.split("; ")).toEqual([
            'tag ecs-rebalancer:dryRun="1" is invalid: expected true or false',
            'tag ecs-rebalancer:skewThreshold="-1" is invalid: expected an integer from 1 to 5000',
        ]);
    });
});

describe("plan with per-service tags", () => {
    const snapshot = buildSnapshot({
        instances: FOUR,
        services: [
            piled("plain"),
            piled("opted-in", { [ENABLED_TAG]: "true" }),
            piled("capped", { [ENABLED_TAG]: "true", "ecs-rebalancer:maxMovesPerService": "2" }),
            piled("tolerant", { [ENABLED_TAG]: "true", "ecs-rebalancer:skewThreshold": "8" }),
            piled("observed", { [ENABLED_TAG]: "true", "ecs-rebalancer:dryRun": "true" }),
            piled("bad-tag", { [ENABLED_TAG]: "true", "ecs-rebalancer:skewThreshold": "lots" }),
        ],
    });
    const all = plan(snapshot, settings({ maxMovesPerPass: 100 }));
    const tagged = plan(snapshot, settings({ maxMovesPerPass: 100, serviceSelection: "tagged" }));

    it("serviceSelection all: every service is planned, untagged ones with the stack's settings", () => {
        expect(decision(all, "plain")).toMatchObject({ outcome: "move", moves: 6 });
        expect(decision(all, "plain").overrides).toBeUndefined();
    });

    it("serviceSelection tagged: a service without the opt-in tag is skipped, not-selected, with no action", () => {
        expect(decision(tagged, "plain")).toMatchObject({ outcome: "skipped", reason: "not-selected" });
        expect(actionsOf(tagged, "plain")).toEqual([]);
        expect(decision(tagged, "opted-in")).toMatchObject({ outcome: "move", moves: 6 });
    });

    it("maxMovesPerService by tag caps that service's moves only", () => {
        expect(decision(tagged, "capped")).toMatchObject({ outcome: "move", moves: 2, overrides: { maxMovesPerService: 2 } });
        expect(actionsOf(tagged, "capped").filter((a) => a.kind === "stop-task")).toHaveLength(2);
    });

    it("skewThreshold by tag: a skew the stack would move is tolerated for that service", () => {
        expect(decision(tagged, "tolerant")).toMatchObject({ outcome: "balanced", skewBefore: 8, lowerBound: 0, overrides: { skewThreshold: 8 } });
        expect(actionsOf(tagged, "tolerant")).toEqual([]);
    });

    it("dryRun by tag: the service's plan is made in full and marked dry-run only; act decides not to send it", () => {
        expect(decision(tagged, "observed")).toMatchObject({ outcome: "move", moves: 6, dryRunOnly: true, overrides: { dryRun: true } });
        expect(actionsOf(tagged, "observed").filter((a) => a.kind === "stop-task")).toHaveLength(6);
        // In a dry-run pass every service is dry-run already: nothing to mark.
        expect(decision(plan(snapshot, settings({ dryRun: true, maxMovesPerPass: 100 })), "observed").dryRunOnly).toBeUndefined();
    });

    it("a bad tag value skips that service with the tag named, and the others still move", () => {
        expect(decision(tagged, "bad-tag")).toMatchObject({
            outcome: "skipped",
            reason: "invalid-service-tag",
            detail: 'tag ecs-rebalancer:skewThreshold="lots" is invalid: expected an integer from 1 to 5000',
        });
        expect(actionsOf(tagged, "bad-tag")).toEqual([]);
        expect(tagged.metrics.skipReasons).toEqual({ "not-selected": 1, "invalid-service-tag": 1 });
    });

    it("the operator's plan report shows a service's tag settings under it", () => {
        const report = formatPlanReport(snapshot, tagged);
        expect(report).toContain("observed: move, moves 6");
        expect(report).toContain("    tags: dryRun=true, its writes only reported (tag dryRun=true)");
        expect(report).toContain("    tags: maxMovesPerService=2");
    });

    it("an open surge is finished whatever the selection and tags say now", () => {
        const s = buildSnapshot({ instances: FOUR, services: [{ ...piled("web", { [SURGE_TAG]: `v1 owner=8 desired=9 at=${NOW / 1000 - 60}`, "ecs-rebalancer:skewThreshold": "x" }), desired: 9, placement: { "i-1": 8, "i-2": 1 } }] });
        for (const t of s.tasks) t.protectionEnabled = false;
        const p = plan(s, settings({ serviceSelection: "tagged" }));
        expect(decision(p, "web").outcome).toBe("restore");
        expect(p.actions.find((a) => a.kind === "restore-desired")).toMatchObject({ desiredCount: 8 });
    });
});
