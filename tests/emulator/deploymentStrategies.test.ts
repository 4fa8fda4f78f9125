// ECS-native BLUE_GREEN, LINEAR and CANARY deployments: a full green set beside the blue one (within capacity, not
// within maximumPercent), traffic shifted in the configured steps and waits, the bake time, then blue stopped; the
// strategy and its settings in DescribeServices; validation errors naming the field.

import { CreateServiceCommand, DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { EcsEmulator } from "../../local/emulator";
import { trafficSteps } from "../../local/emulator/deploymentStrategy";
import type { DeploymentConfigurationState } from "../../local/emulator/model";
import { addInstances, offlineEmulator, startHarness, taskDefinition } from "./helpers";

const MINUTE = 60_000;

function cluster(emulator: EcsEmulator, cpu = 2048): void {
    emulator.control.createCluster("c");
    addInstances(emulator, "c", [
        { id: "a1", az: "us-east-1a", cpu },
        { id: "b1", az: "us-east-1b", cpu },
    ]);
    taskDefinition(emulator, "app", { cpu: 256, memory: 256 });
}

function service(emulator: EcsEmulator, deploymentConfiguration: Record<string, unknown>, desiredCount = 4): void {
    emulator.control.createService({
        cluster: "c",
        serviceName: "app",
        taskDefinition: "app",
        desiredCount,
        availabilityZoneRebalancing: "DISABLED",
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 100, ...deploymentConfiguration },
        initialPlacement: { a1: desiredCount / 2, b1: desiredCount / 2 },
    });
}

/** Tasks desired RUNNING per deployment id. */
function tasksByDeployment(emulator: EcsEmulator): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of emulator.control.snapshot("c").tasks) {
        const id = String(t.startedBy);
        counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
}

test("BLUE_GREEN: a full green set runs beside blue (maximumPercent 100 does not bound it), bakes, blue stops", () => {
    const { emulator, clock } = offlineEmulator();
    cluster(emulator);
    service(emulator, { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 });
    clock.advance(2 * MINUTE);
    const blue = String(emulator.control.snapshot("c").tasks[0]!.startedBy);
    emulator.control.deployService("c", "app", { forceNewDeployment: true });
    const green = emulator.control.deploymentProgress("c", "app")!;
    expect(green).toMatchObject({ strategy: "BLUE_GREEN", lifecycleStage: "SCALE_UP", productionTrafficPercent: 0 });
    clock.advance(10_000);
    expect(tasksByDeployment(emulator)).toEqual(new Map([[green.deploymentId, 4], [blue, 4]]));
    // Green counts as healthy 40 s after RUNNING; the traffic then shifts all at once and the bake starts.
    clock.advance(45_000);
    const baking = emulator.control.deploymentProgress("c", "app");
    expect(baking).toMatchObject({ lifecycleStage: "BAKE_TIME", productionTrafficPercent: 100 });
    clock.advance(4 * MINUTE);
    expect(tasksByDeployment(emulator).get(blue)).toBe(4);
    clock.advance(MINUTE + 2_000);
    expect(emulator.control.deploymentProgress("c", "app")!.lifecycleStage).toBe("CLEAN_UP");
    expect(tasksByDeployment(emulator)).toEqual(new Map([[green.deploymentId, 4]]));
    clock.advance(MINUTE);
    const described = emulator.control.service("c", "app") as { deployments: { id: string; rolloutState: string }[] };
    const completed = expect.objectContaining({ id: green.deploymentId, rolloutState: "COMPLETED" });
    expect(described.deployments).toEqual([completed]);
});

test("BLUE_GREEN within capacity: green waits for room and the blue set keeps serving meanwhile", () => {
    const { emulator, clock } = offlineEmulator();
    // Room for 6 tasks of 256 CPU: 4 blue + 2 green.
    cluster(emulator, 768);
    service(emulator, { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0 });
    clock.advance(2 * MINUTE);
    emulator.control.deployService("c", "app", { forceNewDeployment: true });
    const green = emulator.control.deploymentProgress("c", "app")!;
    clock.advance(10 * MINUTE);
    expect(tasksByDeployment(emulator).get(green.deploymentId)).toBe(2);
    expect(emulator.control.deploymentProgress("c", "app")!.lifecycleStage).toBe("SCALE_UP");
    expect(tasksByDeployment(emulator).size).toBe(2);
    // A third instance gives room for the rest of green; then blue goes.
    addInstances(emulator, "c", [{ id: "c1", az: "us-east-1c" }]);
    clock.advance(5 * MINUTE);
    expect(tasksByDeployment(emulator)).toEqual(new Map([[green.deploymentId, 4]]));
});

test.each([
    ["LINEAR", { linearConfiguration: { stepPercent: 30, stepBakeTimeInMinutes: 2 }, bakeTimeInMinutes: 1 }, [30, 60, 90, 100], 2],
    ["CANARY", { canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 }, bakeTimeInMinutes: 1 }, [10, 100], 3],
])("%s shifts traffic in its steps, waiting its step bake between them (not after 100 %%)", (strategy, config, steps, minutes) => {
    const settings = config as Record<string, unknown>;
    const stepMinutes = minutes as number;
    const { emulator, clock } = offlineEmulator();
    cluster(emulator);
    service(emulator, { strategy, ...settings }, 2);
    clock.advance(2 * MINUTE);
    emulator.control.deployService("c", "app", { forceNewDeployment: true });
    clock.advance(60_000);
    const seen: number[] = [];
    for (let m = 0; m < 20; m++) {
        const p = emulator.control.deploymentProgress("c", "app")!;
        if (p.lifecycleStage === "PRODUCTION_TRAFFIC_SHIFT" || p.lifecycleStage === "BAKE_TIME") {
            if (seen[seen.length - 1] !== p.productionTrafficPercent) seen.push(p.productionTrafficPercent);
        }
        clock.advance(stepMinutes * MINUTE);
    }
    expect(seen).toEqual(steps);
    expect(emulator.control.deploymentProgress("c", "app")!.lifecycleStage).toBe("CLEAN_UP");
    expect(tasksByDeployment(emulator).size).toBe(1);
});

test("linear steps are multiples of the step, counted in tenths of a percent", () => {
    const config = (stepPercent: number) =>
        ({ linearConfiguration: { stepPercent, stepBakeTimeInMinutes: 0 } }) as DeploymentConfigurationState;
    expect(trafficSteps({ strategy: "LINEAR", configuration: config(33.3) })).toEqual([33.3, 66.6, 99.9, 100]);
    expect(trafficSteps({ strategy: "LINEAR", configuration: config(50) })).toEqual([50, 100]);
});

test("the first deployment of a new service has no blue to keep; a ROLLING deployment has no stages", () => {
    const { emulator, clock } = offlineEmulator();
    cluster(emulator);
    emulator.control.createService({
        cluster: "c",
        serviceName: "fresh",
        taskDefinition: "app",
        desiredCount: 2,
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 },
    });
    expect(emulator.control.deploymentProgress("c", "fresh")).toBeUndefined();
    service(emulator, {}, 2);
    clock.advance(MINUTE);
    emulator.control.deployService("c", "app", { forceNewDeployment: true });
    expect(emulator.control.deploymentProgress("c", "app")).toBeUndefined();
    const described = emulator.control.service("c", "app") as { deploymentConfiguration: { strategy: string } };
    expect(described.deploymentConfiguration.strategy).toBe("ROLLING");
});

test("DescribeServices reports the strategy and its settings; bad settings are refused naming the field", async () => {
    const h = await startHarness();
    try {
        cluster(h.emulator);
        const create = (deploymentConfiguration: Record<string, unknown>, name = "svc") =>
            h.ecs.send(
                new CreateServiceCommand({ cluster: "c", serviceName: name, taskDefinition: "app", desiredCount: 1, deploymentConfiguration }),
            );
        await create({ strategy: "LINEAR", linearConfiguration: { stepPercent: 25 }, bakeTimeInMinutes: 3 });
        const described = (await h.ecs.send(new DescribeServicesCommand({ cluster: "c", services: ["svc"] }))).services![0]!;
        expect(described.deploymentConfiguration).toMatchObject({
            strategy: "LINEAR",
            bakeTimeInMinutes: 3,
            linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 6 },
        });
        await h.ecs.send(new UpdateServiceCommand({ cluster: "c", service: "svc", deploymentConfiguration: { strategy: "CANARY" } }));
        const canary = (await h.ecs.send(new DescribeServicesCommand({ cluster: "c", services: ["svc"] }))).services![0]!;
        expect(canary.deploymentConfiguration).toMatchObject({
            strategy: "CANARY",
            canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 10 },
        });
        expect(canary.deploymentConfiguration!.linearConfiguration).toBeUndefined();
        const refused = async (config: Record<string, unknown>): Promise<string> => {
            try {
                await create(config, "bad");
            } catch (e) {
                expect((e as Error).name).toBe("InvalidParameterException");
                return (e as Error).message;
            }
            throw new Error("expected InvalidParameterException");
        };
        const cases: [Record<string, unknown>, RegExp][] = [
            [{ strategy: "PURPLE" }, /deploymentConfiguration\.strategy must be one of ROLLING, BLUE_GREEN, LINEAR, CANARY/],
            [{ strategy: "BLUE_GREEN" }, /deploymentConfiguration\.bakeTimeInMinutes is required with strategy BLUE_GREEN/],
            [{ strategy: "BLUE_GREEN", bakeTimeInMinutes: 1441 }, /bakeTimeInMinutes must be an integer from 0 to 1440/],
            [
                { strategy: "LINEAR", linearConfiguration: { stepPercent: 2.5 } },
                /linearConfiguration\.stepPercent must be a multiple of 0\.1 from 3\.0 to 100\.0/,
            ],
            [{ strategy: "CANARY", canaryConfiguration: { canaryPercent: 5.05 } }, /canaryPercent must be a multiple of 0\.1 from 0\.1/],
            [{ strategy: "ROLLING", canaryConfiguration: { canaryPercent: 5 } }, /canaryConfiguration is only valid with strategy CANARY/],
            [
                {
                    strategy: "BLUE_GREEN",
                    bakeTimeInMinutes: 1,
                    lifecycleHooks: [{ hookTargetArn: "arn:aws:lambda:us-east-1:1:function:f", lifecycleStages: ["BAKE_TIME"] }],
                },
                /lifecycleHooks\[0\]\.lifecycleStages must be a non-empty list of RECONCILE_SERVICE/,
            ],
        ];
        for (const [config, message] of cases) expect(await refused(config)).toMatch(message);
    } finally {
        await h.close();
    }
});
