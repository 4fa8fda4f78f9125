import containerInstance from "../fixtures/events/container-instance-state-change.json";
import serviceAction from "../fixtures/events/service-action-steady-state.json";
import taskStateChange from "../fixtures/events/task-state-change-fargate.json";
import deploymentStateChange from "../fixtures/events/deployment-state-change.json";
import { classifyEvent, clustersFor, exceedsSize, resolveClusters } from "../../rebalancer/events";
import { defaultSettings } from "../../rebalancer/settings";
import { BAD_EVENTS, SAMPLE_CLUSTERS } from "./support/badEvents";

const settings = defaultSettings(SAMPLE_CLUSTERS);
const scheduled = {
    version: "0",
    id: "89d1a02d-5ec7-412e-82f5-13505f849b41",
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "111122223333",
    time: "2026-03-01T00:00:00Z",
    region: "us-east-1",
    resources: ["arn:aws:events:us-east-1:111122223333:rule/rebalancer-sweep"],
    detail: {},
};

describe("sample events", () => {
    test("container-instance state change: look at its cluster", () => {
        const c = classifyEvent(containerInstance, settings);
        expect(c).toEqual({
            accepted: true,
            trigger: {
                kind: "container-instance",
                clusterArn: "arn:aws:ecs:us-east-1:111122223333:cluster/default",
                containerInstanceArn: "arn:aws:ecs:us-east-1:111122223333:container-instance/b54a2a04-046f-4331-9d74-3f6d7f6ca315",
                version: 14801,
            },
        });
        if (c.accepted) expect(clustersFor(c.trigger, settings)).toEqual(["arn:aws:ecs:us-east-1:111122223333:cluster/default"]);
    });

    test("service steady state: look at its cluster", () => {
        expect(classifyEvent(serviceAction, settings)).toEqual({
            accepted: true,
            trigger: { kind: "service-action", clusterArn: "arn:aws:ecs:us-west-2:111122223333:cluster/default", eventName: "SERVICE_STEADY_STATE", emittedAt: Date.parse("2019-11-19T19:27:22Z") },
        });
    });

    test("scheduled event: sweep every target cluster", () => {
        const c = classifyEvent(scheduled, settings);
        expect(c).toEqual({ accepted: true, trigger: { kind: "schedule" } });
        if (c.accepted) expect(clustersFor(c.trigger, settings)).toEqual(SAMPLE_CLUSTERS);
    });

    test("task state change and deployment state change are not subscribed: ignored with a reason", () => {
        expect(classifyEvent(taskStateChange, settings)).toEqual({ accepted: false, why: "detail-type ECS Task State Change is not handled" });
        expect(classifyEvent(deploymentStateChange, settings)).toEqual({ accepted: false, why: "detail-type ECS Deployment State Change is not handled" });
    });

    test("unknown extra fields in a real event are tolerated (ECS adds fields)", () => {
        const e = JSON.parse(JSON.stringify(containerInstance));
        e.detail.runningTasksCount = 3;
        e.detail.somethingNew = { nested: [1, 2, 3] };
        e.newTopLevel = true;
        expect(classifyEvent(e, settings).accepted).toBe(true);
    });
});

describe("operator requests", () => {
    test("empty request: every cluster, dry-run as configured", () => {
        expect(classifyEvent({}, settings)).toEqual({ accepted: true, trigger: { kind: "operator", clusters: SAMPLE_CLUSTERS, unknownClusters: [], dryRun: false } });
    });

    test("names and ARNs resolve against the targets; unknown and ambiguous ones are reported", () => {
        const three = defaultSettings([...SAMPLE_CLUSTERS, "arn:aws:ecs:us-east-1:111122223333:cluster/prod"]);
        expect(classifyEvent({ dryRun: true, clusters: ["prod", "nope", SAMPLE_CLUSTERS[1], "default", "prod"] }, three)).toEqual({
            accepted: true,
            // "default" exists in two regions: ambiguous, so reported rather than guessed.
            trigger: { kind: "operator", clusters: ["arn:aws:ecs:us-east-1:111122223333:cluster/prod", SAMPLE_CLUSTERS[1]], unknownClusters: ["nope", "default"], dryRun: true },
        });
    });

    test("an operator can make a pass drier, never live when the settings say dry-run", () => {
        const dry = { ...settings, dryRun: true };
        const c = classifyEvent({ dryRun: false }, dry);
        expect(c.accepted && c.trigger.kind === "operator" && c.trigger.dryRun).toBe(true);
    });

    test("resolveClusters keeps the configured ARN, never the operator's spelling", () => {
        expect(resolveClusters(["arn:aws:ecs:us-east-1:111122223333:cluster/DEFAULT"], SAMPLE_CLUSTERS)).toEqual({ clusters: [], unknown: ["arn:aws:ecs:us-east-1:111122223333:cluster/DEFAULT"] });
    });
});

describe("malformed and foreign events", () => {
    test.each(BAD_EVENTS)("%s: ignored with a reason, never thrown", (_name, event) => {
        const c = classifyEvent(event, settings);
        expect(c.accepted).toBe(false);
        if (!c.accepted) expect(c.why.length).toBeGreaterThan(5);
    });

    test("there are at least 30 of them", () => {
        expect(BAD_EVENTS.length).toBeGreaterThanOrEqual(30);
    });

    test("partitions and foreign clusters are told apart in the reason", () => {
        const why = (name: string) => {
            const c = classifyEvent(BAD_EVENTS.find(([n]) => n === name)![1], settings);
            return c.accepted ? "" : c.why;
        };
        expect(why("aws-cn partition")).toMatch(/partition aws-cn/);
        expect(why("aws-us-gov partition")).toMatch(/partition aws-us-gov/);
        expect(why("a cluster that is not a target")).toMatch(/other .* is not a target/);
    });
});

describe("size check", () => {
    test("stops early on large, deep or cyclic values", () => {
        expect(exceedsSize({ a: "x".repeat(100) }, 1000)).toBe(false);
        expect(exceedsSize({ a: "x".repeat(2000) }, 1000)).toBe(true);
        let deep: Record<string, unknown> = {};
        const root = deep;
        for (let i = 0; i < 100; i++) deep = (deep.next = {}) as Record<string, unknown>;
        expect(exceedsSize(root, 1_000_000)).toBe(true);
        const cyc: Record<string, unknown> = {};
        cyc.self = cyc;
        expect(exceedsSize(cyc, 1_000_000)).toBe(true);
    });
});
