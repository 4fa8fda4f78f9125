// ECS-native BLUE_GREEN, LINEAR and CANARY deployments of REPLICA services (developer guide "Amazon ECS blue/green
// deployments", "Amazon ECS linear deployments", "Amazon ECS canary deployments"; API reference
// DeploymentConfiguration, LinearConfiguration, CanaryConfiguration, ServiceDeployment.lifecycleStage).
//
// A deployment that replaces running tasks keeps the blue (older) tasks running and scales the green deployment up
// to 100 % of desiredCount ("SCALE_UP: the green service revision scales up to 100% and launches new tasks"); the
// rolling limits do not bound the green set, placement (capacity) does. It then shifts production traffic:
// BLUE_GREEN all at once; LINEAR in equal stepPercent steps, waiting stepBakeTimeInMinutes between steps ("not
// applied after reaching 100 percent traffic"); CANARY canaryPercent, canaryBakeTimeInMinutes, then the rest. It
// waits bakeTimeInMinutes ("the time period when both blue and green service revisions are running simultaneously
// after the production traffic has shifted") and stops the blue tasks (CLEAN_UP).
//
// The emulator's choices, where the pages are silent: the emulated services are headless (no load balancer or
// Service Connect: "Amazon ECS doesn't manage the traffic shift automatically for headless services"), so traffic
// percentages are bookkeeping and the test-traffic stage passes at once, while the configured waits are kept;
// lifecycle hooks are stored and described but never invoked (no Lambda here), so every hook stage passes; a blue
// task that stops during the deployment is not replaced (green is the service's desired set); a deployment started
// while one is under way (or a circuit-breaker rollback) holds every older task as blue and starts a new green set.

import type { EmulatorCore } from "./core";
import type { DeploymentState, ServiceState, StrategyProgress, TaskState } from "./model";

const NO_TASKS: ReadonlySet<TaskState> = new Set();

/** The production-traffic percentages a deployment goes through, in order (the last is always 100). */
export function trafficSteps(progress: Pick<StrategyProgress, "strategy" | "configuration">): number[] {
    const { strategy, configuration } = progress;
    if (strategy === "LINEAR") {
        const step = configuration.linearConfiguration!.stepPercent;
        const steps: number[] = [];
        // Multiples of 0.1: count in tenths so that 3 × 33.3 is 99.9, not 99.89999.
        const stepTenths = Math.round(step * 10);
        for (let tenths = stepTenths; tenths < 1000; tenths += stepTenths) steps.push(tenths / 10);
        return [...steps, 100];
    }
    if (strategy === "CANARY") {
        const canary = configuration.canaryConfiguration!.canaryPercent;
        return canary < 100 ? [canary, 100] : [100];
    }
    return [100];
}

/** Minutes to wait after reaching `percent` before the next traffic step. */
function stepBakeMinutes(progress: StrategyProgress): number {
    const { configuration } = progress;
    if (progress.strategy === "LINEAR") return configuration.linearConfiguration!.stepBakeTimeInMinutes;
    if (progress.strategy === "CANARY") return configuration.canaryConfiguration!.canaryBakeTimeInMinutes;
    return 0;
}

export class DeploymentStrategyRunner {
    constructor(
        private readonly core: EmulatorCore,
        /** Looks at the service again (at the scheduler's next tick). */
        private readonly wake: (service: ServiceState) => void,
    ) {}

    /** A new deployment of a REPLICA service with running tasks follows the service's strategy, unless ROLLING. */
    begin(service: ServiceState, deployment: DeploymentState): void {
        const configuration = service.deploymentConfiguration;
        if (configuration.strategy === "ROLLING" || service.schedulingStrategy !== "REPLICA") return;
        if (![...service.activeTasks].some((t) => t.deploymentId !== deployment.id)) return;
        deployment.strategyProgress = {
            strategy: configuration.strategy,
            stage: "SCALE_UP",
            productionTrafficPercent: 0,
            configuration: { ...configuration, lifecycleHooks: [...configuration.lifecycleHooks] },
        };
    }

    /**
     * The blue tasks the current deployment keeps until its clean-up: older deployments' RUNNING tasks, except
     * those the ordinary rules replace anyway (on a draining instance, or UNHEALTHY).
     */
    held(service: ServiceState): ReadonlySet<TaskState> {
        const primary = service.deployments[0];
        const progress = primary?.strategyProgress;
        if (!primary || !progress || progress.stage === "CLEAN_UP") return NO_TASKS;
        const blue = new Set<TaskState>();
        for (const t of service.activeTasks) {
            if (t.deploymentId === primary.id || t.lastStatus !== "RUNNING") continue;
            if (t.instance?.status === "DRAINING" || t.healthStatus === "UNHEALTHY") continue;
            blue.add(t);
        }
        return blue;
    }

    /**
     * Moves the deployment through its stages as far as it can now. `greenReady`: whether the green set is at
     * desiredCount and healthy (asked only during SCALE_UP). `stopBlue` stops the blue tasks at clean-up.
     */
    advance(service: ServiceState, greenReady: () => boolean, stopBlue: (tasks: TaskState[]) => void): void {
        const primary = service.deployments[0];
        const progress = primary?.strategyProgress;
        if (!primary || !progress || progress.stage === "CLEAN_UP" || primary.rolloutState !== "IN_PROGRESS") return;
        const now = this.core.clock.now();
        if (progress.waitUntil !== undefined && now < progress.waitUntil) return;
        progress.waitUntil = undefined;
        const steps = trafficSteps(progress);
        for (;;) {
            switch (progress.stage) {
                case "SCALE_UP":
                    if (!greenReady()) return;
                    progress.stage = "TEST_TRAFFIC_SHIFT";
                    break;
                case "TEST_TRAFFIC_SHIFT":
                    // Headless: no test listener to shift; hooks are not invoked.
                    progress.stage = "PRODUCTION_TRAFFIC_SHIFT";
                    progress.productionTrafficPercent = steps[0]!;
                    if (this.bakeStep(service, progress)) return;
                    break;
                case "PRODUCTION_TRAFFIC_SHIFT":
                    if (progress.productionTrafficPercent < 100) {
                        const shifted = progress.productionTrafficPercent;
                        progress.productionTrafficPercent = steps.find((p) => p > shifted) ?? 100;
                        if (this.bakeStep(service, progress)) return;
                        break;
                    }
                    progress.stage = "BAKE_TIME";
                    if (this.wait(service, progress, progress.configuration.bakeTimeInMinutes ?? 0)) return;
                    break;
                case "BAKE_TIME":
                    progress.stage = "CLEAN_UP";
                    primary.updatedAt = now;
                    stopBlue([...service.activeTasks].filter((t) => t.deploymentId !== primary.id));
                    return;
                default:
                    return;
            }
            primary.updatedAt = now;
        }
    }

    /** The wait after a traffic step: "not applied after reaching 100 percent traffic" (LinearConfiguration). */
    private bakeStep(service: ServiceState, progress: StrategyProgress): boolean {
        return progress.productionTrafficPercent < 100 && this.wait(service, progress, stepBakeMinutes(progress));
    }

    /** Starts a wait of `minutes` (none when 0); returns whether the deployment now waits. */
    private wait(service: ServiceState, progress: StrategyProgress, minutes: number): boolean {
        if (minutes <= 0) return false;
        progress.waitUntil = this.core.clock.now() + minutes * 60_000;
        this.core.schedule(progress.waitUntil, () => this.wake(service));
        return true;
    }
}
