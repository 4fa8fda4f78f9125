// A scenario's world on the emulator: the cluster, its instances and services as the file describes them, the
// steps applied through the control API (EC2 and the service owner acting, never the rebalancer's API), and the
// readings the report needs.

import { EcsEmulator, VirtualClock, type EcsProfileName, type Timing } from "../emulator";
import type { Scenario, ScenarioChurn, ScenarioInstance, ScenarioService, ScenarioStep } from "./scenarioFile";
import type { BoundInstance, BoundService } from "./lowerBound";

export interface WorldOptions {
    seed: number;
    /** The ECS behaviour profile the emulator plays; default service-page. */
    ecsProfile?: EcsProfileName;
}

/** The emulator timing a scenario asks for (seconds in the file, milliseconds in the emulator). */
export function timingOf(scenario: Scenario): Partial<Timing> {
    const t = scenario.timing;
    const out: Partial<Timing> = {};
    if (t.taskStartSeconds !== undefined) out.taskStartMs = t.taskStartSeconds * 1000;
    if (t.healthCheckSeconds !== undefined) out.healthCheckMs = t.healthCheckSeconds * 1000;
    if (t.stopTimeoutSeconds !== undefined) out.taskStopMs = t.stopTimeoutSeconds * 1000;
    return out;
}

/** The scenario service's task definition; `environment` makes a new revision of it (an owner's release). */
export function taskDefinitionFor(s: Pick<ScenarioService, "name" | "cpu" | "memory" | "hostPort" | "healthCheck">, environment?: { name: string; value: string }[]): Record<string, unknown> {
    return {
        family: s.name,
        networkMode: "bridge",
        requiresCompatibilities: ["EC2"],
        containerDefinitions: [{
            name: "app",
            image: "public.ecr.aws/docker/library/nginx:stable-alpine",
            cpu: s.cpu,
            memory: s.memory,
            essential: true,
            // A web service behind a load balancer: a dynamic host port unless the scenario fixes one.
            portMappings: [{ containerPort: 80, hostPort: s.hostPort ?? 0, protocol: "tcp" }],
            ...(s.healthCheck ? { healthCheck: { command: ["CMD-SHELL", "wget -q -O /dev/null http://localhost/ || exit 1"] } } : {}),
            ...(environment ? { environment } : {}),
        }],
    };
}

/** An Auto Scaling group over a play: `sizeOverTime` as [seconds from the start, members not terminated]. */
export interface GroupRecord {
    maxSizeReached: number;
    finalSize: number;
    instanceHours: number;
    launched: number;
    /** Where the play ended: instance-hours count up to here (plays of one scenario differ in length). */
    untilSeconds: number;
    sizeOverTime: [number, number][];
}

/** CreateService's deploymentConfiguration for a scenario service: its rolling limits and its strategy. */
function deploymentConfigurationFor(s: ScenarioService): Record<string, unknown> {
    const { strategy, ...settings } = s.deployment ?? { strategy: "ROLLING" };
    return { minimumHealthyPercent: s.minimumHealthyPercent, maximumPercent: s.maximumPercent, strategy, ...settings };
}

export class ScenarioWorld {
    readonly clock: VirtualClock;
    /** Emulated time when the world was created (the report counts from it). */
    readonly startedAt: number;
    readonly emulator: EcsEmulator;
    readonly clusterArn: string;
    /** desiredCount as the service owner set it (the floor and ceiling are judged against it). */
    readonly ownerDesired = new Map<string, number>();
    /** Tasks the owner protected from scale-in, and when that protection lapses (epoch ms). */
    readonly ownerProtected = new Map<string, number>();
    private readonly instances = new Map<string, ScenarioInstance>();
    /** Releases made by `deploy` steps, per service (each a new task definition revision). */
    private readonly releases = new Map<string, number>();

    constructor(readonly scenario: Scenario, options: WorldOptions) {
        this.clock = new VirtualClock();
        this.startedAt = this.clock.now();
        this.emulator = new EcsEmulator({ clock: this.clock, seed: options.seed, region: scenario.region, timing: timingOf(scenario), profile: options.ecsProfile });
        const providers = [...new Set(scenario.instances.map((i) => i.capacityProvider).concat(scenario.steps.flatMap((s) => ("launch" in s ? s.launch.map((i) => i.capacityProvider) : []))).filter((p): p is string => !!p))];
        this.clusterArn = this.emulator.control.createCluster(scenario.cluster, { capacityProviders: providers });
    }

    /** The Auto Scaling group capacity providers, whose first instances register at once (before the services). */
    private createCapacityProviders(): void {
        for (const cp of this.scenario.capacityProviders) {
            this.control.createCapacityProvider({
                name: cp.name,
                cluster: this.scenario.cluster,
                autoScalingGroup: cp.autoScalingGroup,
                managedScaling: cp.managedScaling,
                managedTerminationProtection: cp.managedTerminationProtection,
                managedDraining: cp.managedDraining,
            });
        }
    }

    /** Every group's size over time, its largest size and instance-hours up to now (the report's `autoScalingGroups`). */
    groupRecords(): Record<string, GroupRecord> {
        const out: Record<string, GroupRecord> = {};
        const start = this.startedAt;
        for (const cp of this.scenario.capacityProviders) {
            const g = this.control.capacityProvider(cp.name).autoScalingGroup;
            out[cp.name] = {
                maxSizeReached: g.maxSizeReached,
                finalSize: g.instances.filter((i) => i.state !== "Terminated").length,
                instanceHours: Math.round(g.instanceHours * 1000) / 1000,
                launched: g.instances.length,
                untilSeconds: Math.round((this.clock.now() - start) / 1000),
                sizeOverTime: g.sizeHistory.map((h) => [Math.round((h.time - start) / 1000), h.size]),
            };
        }
        return out;
    }

    /** Instances that came from Auto Scaling groups, as scenario instances (for the report and the lower bound). */
    private groupInstances(): ScenarioInstance[] {
        return this.scenario.capacityProviders.flatMap((cp) => this.control.capacityProvider(cp.name).autoScalingGroup.instances.map((i) => ({
            id: i.ec2InstanceId,
            az: i.availabilityZone,
            cpu: cp.autoScalingGroup.cpu,
            memory: cp.autoScalingGroup.memory,
            capacityProvider: cp.name,
            attributes: {},
        })));
    }

    /** Every instance the scenario ever had: its own and its groups'. */
    private everyInstance(): ScenarioInstance[] {
        return [...this.instances.values(), ...this.groupInstances()];
    }

    /** The scenario's starting instances and services (after the rebalancer, if any, listens to events). */
    populate(): void {
        this.createCapacityProviders();
        for (const instance of this.scenario.instances) this.launch(instance);
        for (const service of this.scenario.services) this.createService(service);
    }

    get control() {
        return this.emulator.control;
    }

    private launch(instance: ScenarioInstance): void {
        this.instances.set(instance.id, instance);
        this.control.registerInstance({
            cluster: this.scenario.cluster,
            ec2InstanceId: instance.id,
            az: instance.az,
            cpu: instance.cpu,
            memory: instance.memory,
            attributes: instance.attributes,
            capacityProviderName: instance.capacityProvider,
        });
        if (instance.healthChecksFail) this.control.setHealthChecksFailing(instance.id, true);
    }

    private createService(s: ScenarioService): void {
        const taskDefinition = this.control.registerTaskDefinition(taskDefinitionFor(s));
        const daemon = s.schedulingStrategy === "DAEMON";
        this.control.createService({
            cluster: this.scenario.cluster,
            serviceName: s.name,
            taskDefinition,
            schedulingStrategy: s.schedulingStrategy,
            ...(daemon ? {} : { desiredCount: s.desiredCount }),
            ...(s.capacityProviderStrategy ? { capacityProviderStrategy: s.capacityProviderStrategy } : { launchType: "EC2" }),
            placementStrategy: s.placementStrategy ?? [],
            placementConstraints: s.placementConstraints,
            ...(daemon ? {} : { deploymentConfiguration: deploymentConfigurationFor(s) }),
            // The reference architecture's walk-through predates ECS's AZ rebalancing; a scenario turns it on.
            availabilityZoneRebalancing: s.availabilityZoneRebalancing,
            tags: Object.entries(s.tags).map(([key, value]) => ({ key, value })),
            initialPlacement: s.placement,
        });
        if (!daemon) this.ownerDesired.set(s.name, s.desiredCount);
        if (s.taskProtection > 0) {
            const tasks = this.control.snapshot(this.scenario.cluster).tasks.filter((t) => t.serviceName === s.name);
            for (const t of tasks.slice(0, s.taskProtection)) {
                this.control.setTaskProtection(this.scenario.cluster, t.taskArn, true, 2880);
                this.ownerProtected.set(t.taskArn, this.clock.now() + 2880 * 60_000);
            }
        }
    }

    /** Applies one step as EC2, an operator or the service owner would; returns a line for the timeline. */
    applyStep(step: ScenarioStep): string {
        const cluster = this.scenario.cluster;
        if ("terminate" in step) {
            for (const id of step.terminate) this.control.terminateInstance(id);
            return `terminate ${step.terminate.join(", ")}`;
        }
        if ("launch" in step) {
            for (const instance of step.launch) this.launch(instance);
            return `launch ${step.launch.map((i) => `${i.id} (${i.az})`).join(", ")}`;
        }
        if ("drain" in step) {
            for (const id of step.drain) this.control.drainInstance(id);
            return `drain ${step.drain.join(", ")}`;
        }
        if ("agentDisconnect" in step) {
            for (const id of step.agentDisconnect) this.control.setAgentConnected(id, false);
            return `agent disconnected on ${step.agentDisconnect.join(", ")}`;
        }
        if ("agentConnect" in step) {
            for (const id of step.agentConnect) this.control.setAgentConnected(id, true);
            return `agent reconnected on ${step.agentConnect.join(", ")}`;
        }
        if ("failHealthChecks" in step) {
            for (const id of step.failHealthChecks) this.control.setHealthChecksFailing(id, true);
            return `container health checks fail on ${step.failHealthChecks.join(", ")}`;
        }
        if ("passHealthChecks" in step) {
            for (const id of step.passHealthChecks) this.control.setHealthChecksFailing(id, false);
            return `container health checks pass again on ${step.passHealthChecks.join(", ")}`;
        }
        if ("setDesired" in step) {
            for (const [service, n] of Object.entries(step.setDesired)) {
                this.control.setDesiredCount(cluster, service, n, "owner");
                this.ownerDesired.set(service, n);
            }
            return `desiredCount ${Object.entries(step.setDesired).map(([s, n]) => `${s}=${n}`).join(", ")}`;
        }
        if ("updateAutoScalingGroup" in step) {
            const { capacityProvider, ...change } = step.updateAutoScalingGroup;
            this.control.updateAutoScalingGroup(capacityProvider, change);
            return `Auto Scaling group of ${capacityProvider}: ${Object.entries(change).map(([k, v]) => `${k} ${v}`).join(", ")}`;
        }
        if ("deploy" in step) {
            for (const name of step.deploy) this.deploy(name);
            return `the owner deploys ${step.deploy.join(", ")}`;
        }
        if ("churn" in step) return this.churn(step.churn);
        this.clock.advance(step.advance * 1000);
        return `${step.advance} s pass`;
    }

    /** The owner releases a new revision of the service's task definition (UpdateService starts a deployment). */
    private deploy(name: string): void {
        const service = this.scenario.services.find((s) => s.name === name)!;
        const release = (this.releases.get(name) ?? 0) + 1;
        this.releases.set(name, release);
        const revision = taskDefinitionFor(service, [{ name: "RELEASE", value: String(release) }]);
        const taskDefinition = this.control.registerTaskDefinition(revision);
        this.control.deployService(this.scenario.cluster, name, { taskDefinition }, "owner");
    }

    /** What ECS repeats on its own, on for the window and then off, so that the next step sees a settled world. */
    private churn(churn: ScenarioChurn): string {
        const on = {
            agentReconnectsPerHour: churn.agentReconnectsPerHour,
            agentDisconnectMs: churn.agentDisconnectSeconds * 1000,
            steadyStateReemitMs: churn.steadyStateReemitSeconds * 1000,
        };
        this.emulator.setChurn(on);
        const off = () => this.emulator.setChurn({ agentReconnectsPerHour: 0, steadyStateReemitMs: 0 });
        this.clock.schedule(this.clock.now() + churn.seconds * 1000, off);
        const what: string[] = [];
        if (churn.agentReconnectsPerHour > 0) {
            what.push(`agents reconnect ${churn.agentReconnectsPerHour}/h (down ${churn.agentDisconnectSeconds} s)`);
        }
        const reemit = churn.steadyStateReemitSeconds;
        if (reemit > 0) what.push(`steady state re-emitted every ${reemit} s`);
        return `churn for ${churn.seconds} s: ${what.join(", ")}`;
    }

    /** Running tasks (desired and last status RUNNING) per service per EC2 instance. */
    runningCounts(): Record<string, Record<string, number>> {
        const out: Record<string, Record<string, number>> = {};
        for (const s of this.scenario.services) out[s.name] = this.control.tasksPerInstance(this.scenario.cluster, s.name, true);
        return out;
    }

    /** Tasks ECS has not placed (desiredCount − running), per REPLICA service. */
    unplacedCounts(counts: Record<string, Record<string, number>>): Record<string, number> {
        const out: Record<string, number> = {};
        for (const s of this.scenario.services) {
            if (s.schedulingStrategy === "DAEMON") continue;
            const running = Object.values(counts[s.name] ?? {}).reduce((a, b) => a + b, 0);
            const desired = Number((this.control.service(this.scenario.cluster, s.name) as { desiredCount?: number }).desiredCount ?? 0);
            out[s.name] = Math.max(0, desired - running);
        }
        return out;
    }

    /** Every instance the scenario ever had, and whether it can take tasks at the end. */
    instanceReport(): Record<string, { az: string; eligible: boolean }> {
        const live = new Map(this.control.snapshot(this.scenario.cluster).instances.map((i) => [i.ec2InstanceId, i]));
        const out: Record<string, { az: string; eligible: boolean }> = {};
        for (const spec of this.everyInstance()) {
            const id = spec.id;
            const i = live.get(id) as { status?: string; agentConnected?: boolean } | undefined;
            out[id] = { az: spec.az, eligible: i?.status === "ACTIVE" && i.agentConnected === true };
        }
        return out;
    }

    /** What the runner's lower bound needs: each spread service's counts and each instance's room for its task (`only`: one service). */
    boundInputs(counts: Record<string, Record<string, number>>, skipTag: string, only?: string): { service: BoundService; instances: BoundInstance[] }[] {
        const snapshot = this.control.snapshot(this.scenario.cluster);
        const live = new Map(snapshot.instances.map((i) => [i.ec2InstanceId, i as Record<string, any>]));
        const resource = (i: Record<string, any>, name: string) => (i.remainingResources as any[]).find((r) => r.name === name);
        const out: { service: BoundService; instances: BoundInstance[] }[] = [];
        for (const s of this.scenario.services) {
            if (only !== undefined && s.name !== only) continue;
            const first = s.placementStrategy?.[0];
            if (s.schedulingStrategy === "DAEMON" || (first && first.type !== "spread") || s.tags[skipTag] === "true" || s.desiredCount === 0) continue;
            const strategies = s.placementStrategy && s.placementStrategy.length > 0
                ? s.placementStrategy
                : [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "spread", field: "instanceId" }];
            const levels: BoundService["levels"] = [];
            if (new Set(s.capacityProviderStrategy?.map((c) => c.capacityProvider) ?? []).size > 1) levels.push("provider");
            for (const st of strategies) {
                if (st.type !== "spread") break;
                const level = st.field === "attribute:ecs.availability-zone" ? "az" : st.field === "instanceId" || st.field === "host" ? "instance" : undefined;
                if (!level) break;
                if (!levels.includes(level)) levels.push(level);
                if (level === "instance") break;
            }
            const providers = new Set(s.capacityProviderStrategy?.map((c) => c.capacityProvider) ?? []);
            const serviceCounts = counts[s.name] ?? {};
            const instances: BoundInstance[] = this.everyInstance().map((spec) => {
                const i = live.get(spec.id);
                const count = serviceCounts[spec.id] ?? 0;
                const usable = !!i && i.status === "ACTIVE" && i.agentConnected === true &&
                    (providers.size === 0 || providers.has(spec.capacityProvider ?? "")) &&
                    s.placementConstraints.every((c) => c.type !== "memberOf" || this.control.instanceMatches(spec.id, c.expression!));
                let room = 0;
                if (usable) {
                    room = Math.min(
                        s.cpu > 0 ? Math.floor(resource(i!, "CPU").integerValue / s.cpu) : Number.MAX_SAFE_INTEGER,
                        Math.floor(resource(i!, "MEMORY").integerValue / s.memory),
                    );
                    const portFree = s.hostPort === undefined || !(resource(i!, "PORTS").stringSetValue as string[]).includes(String(s.hostPort));
                    if (s.hostPort !== undefined) room = count === 0 && portFree ? Math.min(room, 1) : 0;
                    if (s.placementConstraints.some((c) => c.type === "distinctInstance")) room = count === 0 ? Math.min(room, 1) : 0;
                }
                return { id: spec.id, az: spec.az, capacityProvider: spec.capacityProvider, usable, room: Math.max(0, room) };
            });
            out.push({ service: { name: s.name, counts: serviceCounts, levels }, instances });
        }
        return out;
    }

    async close(): Promise<void> {
        await this.emulator.close();
        this.clock.dispose();
    }
}
