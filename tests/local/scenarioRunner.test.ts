// The scenario runner end to end: the seed walk-through through the serialized closure (as `npm run demo` runs
// it), under minimal and redeploy, and scenario files that do not follow the format.
import { join } from "node:path";
import { dashboardReport, verdict } from "../../local/demo";
import { figuresText } from "../../local/dashboardText";
import { runScenario, type RunResult } from "../../local/scenario/runner";
import { parseScenario, readScenarioFile, ScenarioError } from "../../local/scenario/scenarioFile";

const SEED = readScenarioFile(join(__dirname, "../../scenarios/seed-scale-down-up.json"));

describe("the seed walk-through with the deployed rebalancer", () => {
    let minimal: RunResult;
    let redeploy: RunResult;
    beforeAll(async () => {
        minimal = await runScenario(SEED, { strategy: "minimal" });
        redeploy = await runScenario(SEED, { strategy: "redeploy" });
    });

    it("ECS alone leaves both tasks on the old instance", () => {
        expect(minimal.report.before).toEqual({ web: { "i-a": 2 } });
        expect(minimal.report.minimalMoves).toBe(1);
    });

    it("minimal moves exactly one task, by a surge within maximumPercent, and ends balanced with desiredCount restored", () => {
        const r = minimal.report;
        expect(r.after).toEqual({ web: { "i-a": 1, "i-c": 1 } });
        expect({ stopped: r.tasksStopped, started: r.tasksStarted, floor: r.floorViolations, ceiling: r.ceilingViolations, remaining: r.remainingMoves })
            .toEqual({ stopped: 1, started: 1, floor: 0, ceiling: 0, remaining: 0 });
        expect(r.converged).toBe(true);
        expect(r.apiCalls.UpdateService).toBe(2); // surge to 3, back to 2
        expect(r.apiCalls.RegisterTaskDefinition).toBeUndefined();
        const decisions = minimal.timeline.filter((e) => e.kind === "decision").map((e) => e.text);
        expect(decisions).toEqual(expect.arrayContaining([expect.stringMatching(/^web: surge — desiredCount 2 → 3/), expect.stringMatching(/^web: restore — /)]));
        expect(verdict(r).ok).toBe(true);
    });

    it("the demo's dashboard figures: the deployed dashboard's widgets evaluated on the run (npm run demo prints them)", () => {
        const dashboard = dashboardReport(minimal)!;
        const figure = (section: string, title: string, label: string) =>
            dashboard.figures.find((w) => w.section === section && w.title === title)?.lines.find((l) => l.label === label)?.value;
        expect(figure("Cluster demo", "Tasks: planned and moved", "moved")).toBe(1);
        expect(figure("Cluster demo", "Worst skew: before and after each pass", "before")).toBe(2);
        expect(figure("Cluster demo", "Surges: open and overdue", "open")).toBe(1);
        expect(figure("Cluster demo", "ECS calls and throttles", "calls")).toBe(minimal.report.apiCalls ? Object.values(minimal.report.apiCalls).reduce((a, b) => a + b, 0) : NaN);
        expect(dashboard.figures[0].section).toMatch(/^ecs-rebalancer — function /);
        expect(figure(dashboard.figures[0].section, "Function: invocations, errors, cold starts", "invocations")).toBe(minimal.report.invocations);
        expect(dashboard.decisions.map((d) => d["decision.outcome"])).toEqual(expect.arrayContaining(["surge", "waiting", "restore"]));
        expect(figuresText(dashboard.figures)).toContain("  Cluster demo\n    Worst skew: before and after each pass: before 2 (maximum of ");
        // The seed strategy runs no deployed function: no dashboard.
        expect(dashboardReport({ ...minimal, dashboard: undefined })).toBeUndefined();
    });

    it("runs the closure Pulumi serialized: the function's logs carry its pass records", () => {
        const passes = minimal.logs.filter((l) => typeof l.record === "object" && (l.record as { message?: string }).message === "rebalancer pass");
        expect(passes.length).toBeGreaterThan(0);
        expect(passes.every((p) => (p.record as { outcome?: string }).outcome !== "failed")).toBe(true);
    });

    it("redeploy replaces both tasks, and ECS's placement (counting the old tasks) flips the imbalance; it does not retry", () => {
        const r = redeploy.report;
        expect(r.tasksStopped).toBe(2);
        expect(r.after).toEqual({ web: { "i-c": 2 } });
        expect(r.apiCalls.UpdateService).toBe(1);
        expect(r.converged).toBe(true);
        expect(verdict(r).ok).toBe(false);
        expect(redeploy.timeline.some((e) => e.kind === "decision" && /redeploy-did-not-help/.test(e.text))).toBe(true);
    });
});

describe("the demo stack under managed scaling (demo-managed-scaling.json)", () => {
    let run: RunResult;
    beforeAll(async () => {
        run = await runScenario(readScenarioFile(join(__dirname, "../../scenarios/demo-managed-scaling.json")), { strategy: "minimal" });
    });

    it("the group shrinks to one, grows back to two, and ECS alone scales the empty instance in again 15 minutes later", () => {
        const { before, after } = run.report.autoScalingGroups!.demo!;
        const sizes = before.sizeOverTime.map(([, size]) => size);
        expect(sizes).toEqual([2, 1, 2, 1]);
        const [grown, shrunk] = [before.sizeOverTime[2]![0], before.sizeOverTime[3]![0]];
        // Registered a minute after the step, empty; the low alarm needs 15 data points; draining takes the rest.
        expect(shrunk - grown).toBeGreaterThanOrEqual(60 + 900);
        expect(before).toMatchObject({ maxSizeReached: 2, finalSize: 1, launched: 3 });
        // With the rebalancer the new instance gets a task before the low alarm fires: the group keeps two.
        expect(after.sizeOverTime.map(([, size]) => size)).toEqual([2, 1, 2]);
        expect(after).toMatchObject({ maxSizeReached: 2, finalSize: 2, launched: 3 });
    });

    it("the rebalancer moves one task onto the new instance within the service's floor and ceiling", () => {
        const r = run.report;
        expect(Object.values(r.after.web!).sort()).toEqual([1, 1]);
        expect({ stopped: r.tasksStopped, started: r.tasksStarted, floor: r.floorViolations, ceiling: r.ceilingViolations }).toEqual({ stopped: 1, started: 1, floor: 0, ceiling: 0 });
        expect(r.converged).toBe(true);
    });
});

describe("scenario files that do not follow the format", () => {
    const valid = { name: "ok", instances: [{ id: "i-a", az: "us-east-1a" }, { id: "i-b", az: "us-east-1b" }], services: [{ name: "web", desiredCount: 2 }] };
    const group = {
        name: "cp",
        autoScalingGroup: { minSize: 1, maxSize: 4, desiredCapacity: 2, availabilityZones: ["us-east-1a", "us-east-1b"] },
        managedScaling: { status: "ENABLED" },
    };
    const cases: [string, unknown, string][] = [
        ["missing instances", { ...valid, instances: undefined }, "instances"],
        ["a name with spaces", { ...valid, name: "my scenario" }, "name"],
        ["an unknown field", { ...valid, instance: [] }, "instance"],
        ["desiredCount not an integer", { ...valid, services: [{ name: "web", desiredCount: "2" }] }, "services[0].desiredCount"],
        ["binpack on a bad field", { ...valid, services: [{ name: "web", desiredCount: 2, placementStrategy: [{ type: "binpack", field: "disk" }] }] }, "services[0].placementStrategy[0].field"],
        ["placement on an unknown instance", { ...valid, services: [{ name: "web", desiredCount: 2, placement: { "i-x": 2 } }] }, "services[0].placement.i-x"],
        ["placement that does not add up", { ...valid, services: [{ name: "web", desiredCount: 2, placement: { "i-a": 3 } }] }, "services[0].placement"],
        ["a step with two actions", { ...valid, steps: [{ terminate: ["i-a"], advance: 5 }] }, "steps[0]"],
        ["terminating an unknown instance", { ...valid, steps: [{ terminate: ["i-z"] }] }, "steps[0].terminate[0]"],
        ["a duplicate instance id", { ...valid, steps: [{ launch: [{ id: "i-a", az: "us-east-1a" }] }] }, "steps[0].launch[0].id"],
        ["setDesired of an unknown service", { ...valid, steps: [{ setDesired: { api: 3 } }] }, "steps[0].setDesired.api"],
        ["a schedule that is not whole minutes", { ...valid, timing: { schedulePeriodSeconds: 90 } }, "timing.schedulePeriodSeconds"],
        ["minimumHealthyPercent above 100", { ...valid, services: [{ name: "web", desiredCount: 2, minimumHealthyPercent: 150 }] }, "services[0].minimumHealthyPercent"],
        ["an expectation on an unknown service", { ...valid, expect: { before: { api: { "i-a": 1 } } } }, "expect.before.api"],
        ["an expectation on an unknown instance", { ...valid, expect: { before: { web: { "i-x": 1 } } } }, "expect.before.web.i-x"],
        ["an unplaced count that is not an integer", { ...valid, expect: { unplaced: { web: "2" } } }, "expect.unplaced.web"],
        ["an unknown expectation", { ...valid, expect: { after: {} } }, "expect.after"],
        ["healthCheck not a boolean", { ...valid, services: [{ name: "web", desiredCount: 2, healthCheck: "yes" }] }, "services[0].healthCheck"],
        ["healthChecksFail not a boolean", { ...valid, instances: [{ id: "i-a", az: "us-east-1a", healthChecksFail: 1 }] }, "instances[0].healthChecksFail"],
        ["failing health checks on an unknown instance", { ...valid, steps: [{ failHealthChecks: ["i-z"] }] }, "steps[0].failHealthChecks[0]"],
        ["a group without AZs", { ...valid, capacityProviders: [{ ...group, autoScalingGroup: { ...group.autoScalingGroup, availabilityZones: [] } }] }, "capacityProviders[0].autoScalingGroup.availabilityZones"],
        ["a group's desired capacity above its maxSize", { ...valid, capacityProviders: [{ ...group, autoScalingGroup: { ...group.autoScalingGroup, desiredCapacity: 5 } }] }, "capacityProviders[0].autoScalingGroup.desiredCapacity"],
        ["a targetCapacity of 0", { ...valid, capacityProviders: [{ ...group, managedScaling: { status: "ENABLED", targetCapacity: 0 } }] }, "capacityProviders[0].managedScaling.targetCapacity"],
        ["termination protection without managed scaling", { ...valid, capacityProviders: [{ ...group, managedScaling: undefined, managedTerminationProtection: "ENABLED" }] }, "capacityProviders[0].managedTerminationProtection"],
        ["managedDraining not ENABLED or DISABLED", { ...valid, capacityProviders: [{ ...group, managedDraining: true }] }, "capacityProviders[0].managedDraining"],
        ["a capacity provider name ECS reserves", { ...valid, capacityProviders: [{ ...group, name: "fargate-x" }] }, "capacityProviders[0].name"],
        ["an instance registered with a group's provider", { ...valid, capacityProviders: [group], instances: [{ id: "i-a", az: "us-east-1a", capacityProvider: "cp" }] }, "instances[0].capacityProvider"],
        ["updating an unknown group", { ...valid, capacityProviders: [group], steps: [{ updateAutoScalingGroup: { capacityProvider: "other", desiredCapacity: 1 } }] }, "steps[0].updateAutoScalingGroup.capacityProvider"],
        ["a group update below minSize", { ...valid, capacityProviders: [group], steps: [{ updateAutoScalingGroup: { capacityProvider: "cp", desiredCapacity: 0 } }] }, "steps[0].updateAutoScalingGroup.desiredCapacity"],
        ["a group update that changes nothing", { ...valid, capacityProviders: [group], steps: [{ updateAutoScalingGroup: { capacityProvider: "cp" } }] }, "steps[0].updateAutoScalingGroup"],
        ["an unknown deployment strategy", { ...valid, services: [{ name: "web", desiredCount: 2, deploymentStrategy: "RED_BLACK" }] }, "services[0].deploymentStrategy"],
        ["BLUE_GREEN without a bake time", { ...valid, services: [{ name: "web", desiredCount: 2, deploymentStrategy: "BLUE_GREEN" }] }, "services[0].bakeTimeInMinutes"],
        ["a bake time above 1440 minutes", { ...valid, services: [{ name: "web", desiredCount: 2, deploymentStrategy: "LINEAR", bakeTimeInMinutes: 1441 }] }, "services[0].bakeTimeInMinutes"],
        [
            "a linear step that is not a multiple of 0.1",
            { ...valid, services: [{ name: "web", desiredCount: 2, deploymentStrategy: "LINEAR", linearConfiguration: { stepPercent: 10.05 } }] },
            "services[0].linearConfiguration.stepPercent",
        ],
        [
            "a canary configuration on a linear service",
            { ...valid, services: [{ name: "web", desiredCount: 2, deploymentStrategy: "LINEAR", canaryConfiguration: { canaryPercent: 5 } }] },
            "services[0].canaryConfiguration",
        ],
        ["deploying an unknown service", { ...valid, steps: [{ deploy: ["api"] }] }, "steps[0].deploy[0]"],
        ["a churn window without seconds", { ...valid, steps: [{ churn: { agentReconnectsPerHour: 6 } }] }, "steps[0].churn.seconds"],
        ["a churn window where nothing churns", { ...valid, steps: [{ churn: { seconds: 600 } }] }, "steps[0].churn"],
        ["an unknown churn setting", { ...valid, steps: [{ churn: { seconds: 600, flapsPerHour: 6 } }] }, "steps[0].churn.flapsPerHour"],
    ];
    it.each(cases)("%s: refused naming the file and the field", (_, json, field) => {
        let error: unknown;
        try {
            parseScenario(JSON.stringify(json), "bad.json");
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ScenarioError);
        expect((error as ScenarioError).message).toMatch(new RegExp(`^bad\\.json: ${field.replace(/[[\].]/g, "\\$&")}: `));
    });

    it("not JSON at all", () => {
        expect(() => parseScenario("{ nope", "broken.json")).toThrow(/^broken\.json: \(file\): not valid JSON/);
    });
});
