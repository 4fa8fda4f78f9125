// --ecs-profile, as every local command reads it (scenario, demo, bench, chaos; the emulator server parses its own),
// and the profile a scenario report records.
import { join } from "node:path";
import { ecsProfileFlag, UsageError } from "../../local/cliFlags";
import { runScenario } from "../../local/scenario/runner";
import { readScenarioFile } from "../../local/scenario/scenarioFile";

test("a known profile name is taken; none means service-page; anything else is a usage error naming the choices", () => {
    expect(ecsProfileFlag("adversarial")).toBe("adversarial");
    expect(ecsProfileFlag(undefined)).toBe("service-page");
    expect(() => ecsProfileFlag("strict")).toThrow(UsageError);
    expect(() => ecsProfileFlag("strict")).toThrow('--ecs-profile must be one of service-page, placement-page, adversarial, got "strict"');
});

test("the scenario report records the profile the emulator played, and the emulator plays it", async () => {
    // Two instances of AZ a hold 3 and 1 tasks; the owner scales to 3. The service-page reading stops one of the
    // three, the adversary the single one (the least even outcome).
    const scenario = readScenarioFile(join(__dirname, "../../scenarios/seed-scale-down-up.json"));
    const file = {
        ...scenario,
        instances: [{ id: "a1", az: "us-east-1a", cpu: 2048, memory: 3891, attributes: {} }, { id: "a2", az: "us-east-1a", cpu: 2048, memory: 3891, attributes: {} }],
        services: [{ ...scenario.services[0]!, desiredCount: 4, placement: { a1: 3, a2: 1 } }],
        steps: [{ setDesired: { web: 3 } }],
    };
    const servicePage = await runScenario(file, { strategy: "none" });
    const adversarial = await runScenario(file, { strategy: "none", ecsProfile: "adversarial" });
    expect([servicePage.report.ecsProfile, adversarial.report.ecsProfile]).toEqual(["service-page", "adversarial"]);
    expect(servicePage.report.before.web).toEqual({ a1: 2, a2: 1 });
    expect(adversarial.report.before.web).toEqual({ a1: 3 });
});
