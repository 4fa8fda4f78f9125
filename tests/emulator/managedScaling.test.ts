// Auto Scaling group capacity providers with managed scaling (developer guide "Amazon ECS cluster auto scaling",
// "Amazon ECS managed scaling behavior", "Managed termination protection", "Safely stop Amazon ECS workloads running
// on EC2 instances"): PROVISIONING tasks, the CapacityProviderReservation formula, the alarms' timing, step sizes,
// warm-up, termination protection and managed draining.

import { DescribeCapacityProvidersCommand, DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import type { CapacityProviderInput, EcsEmulator, EcsEvent } from "../../local/emulator";
import { capacityProviderReservation } from "../../local/emulator/capacityProviderReservation";
import { offlineEmulator, startHarness, taskDefinition } from "./helpers";

const MINUTE = 60_000;

function provider(overrides: Partial<CapacityProviderInput> = {}, group: Partial<CapacityProviderInput["autoScalingGroup"]> = {}): CapacityProviderInput {
    return {
        name: "cp",
        cluster: "c",
        // Two 512-CPU tasks fill an instance.
        autoScalingGroup: { minSize: 1, maxSize: 4, desiredCapacity: 2, cpu: 1024, memory: 4096, availabilityZones: ["us-east-1a", "us-east-1b"], ...group },
        managedScaling: { status: "ENABLED", targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 2, instanceWarmupPeriod: 180 },
        managedTerminationProtection: "DISABLED",
        managedDraining: "ENABLED",
        ...overrides,
    };
}

function setUp(emulator: EcsEmulator, input: CapacityProviderInput, desiredCount: number): void {
    emulator.control.createCluster("c");
    emulator.control.createCapacityProvider(input);
    taskDefinition(emulator, "web", { cpu: 512, memory: 256 });
    emulator.control.createService({
        cluster: "c",
        serviceName: "web",
        taskDefinition: "web",
        desiredCount,
        capacityProviderStrategy: [{ capacityProvider: "cp", weight: 1 }],
        availabilityZoneRebalancing: "DISABLED",
    });
}

const group = (emulator: EcsEmulator) => emulator.control.capacityProvider("cp").autoScalingGroup;
const live = (emulator: EcsEmulator) => group(emulator).instances.filter((i) => i.state !== "Terminated").map((i) => i.ec2InstanceId);

describe("CapacityProviderReservation (cluster-auto-scaling: needed / running × 100)", () => {
    const settings = { status: "ENABLED" as const, targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupPeriod: 300 };
    const instance = { cpu: 1024, memory: 4096 };

    it("an empty instance (daemon tasks aside) makes it fall below 100% and asks for one instance fewer", () => {
        expect(capacityProviderReservation({ running: 2, empty: 1, provisioning: [], instance, settings })).toEqual({ needed: 1, reservation: 50, desired: 1 });
        expect(capacityProviderReservation({ running: 3, empty: 0, provisioning: [], instance, settings }).reservation).toBe(100);
    });

    it("PROVISIONING tasks are binpacked on empty instances of the group's type; with none running it is 200%", () => {
        const tasks = Array.from({ length: 5 }, () => ({ cpu: 512, memory: 256 }));
        expect(capacityProviderReservation({ running: 2, empty: 0, provisioning: tasks, instance, settings })).toEqual({ needed: 5, reservation: 250, desired: 5 });
        expect(capacityProviderReservation({ running: 0, empty: 0, provisioning: tasks, instance, settings }).reservation).toBe(200);
        // A task no instance of the group can hold is left out of the calculation.
        expect(capacityProviderReservation({ running: 1, empty: 0, provisioning: [{ cpu: 4096, memory: 1 }], instance, settings }).needed).toBe(1);
    });

    it("the step is at least minimumScalingStepSize and at most maximumScalingStepSize; targetCapacity keeps spare instances", () => {
        const one = [{ cpu: 512, memory: 256 }];
        const many = Array.from({ length: 20 }, () => ({ cpu: 1024, memory: 256 }));
        expect(capacityProviderReservation({ running: 2, empty: 0, provisioning: one, instance, settings: { ...settings, minimumScalingStepSize: 3 } }).needed).toBe(5);
        expect(capacityProviderReservation({ running: 2, empty: 0, provisioning: many, instance, settings: { ...settings, maximumScalingStepSize: 4 } }).needed).toBe(6);
        expect(capacityProviderReservation({ running: 4, empty: 0, provisioning: [], instance, settings: { ...settings, targetCapacity: 80 } }).desired).toBe(5);
    });
});

describe("tasks a managed-scaling provider has no room for", () => {
    it("are PROVISIONING with no container instance (ListTasks, DescribeTasks, events), and place once the group has grown", async () => {
        const h = await startHarness();
        try {
            setUp(h.emulator, provider(), 4);
            h.clock.advance(MINUTE);
            const events: EcsEvent[] = [];
            h.emulator.onEvent((e) => events.push(e));
            h.emulator.control.setDesiredCount("c", "web", 7);
            h.clock.advance(5_000);
            const arns = (await h.ecs.send(new ListTasksCommand({ cluster: "c", serviceName: "web", desiredStatus: "RUNNING" }))).taskArns ?? [];
            expect(arns).toHaveLength(7);
            const tasks = (await h.ecs.send(new DescribeTasksCommand({ cluster: "c", tasks: arns }))).tasks ?? [];
            const provisioning = tasks.filter((t) => t.lastStatus === "PROVISIONING");
            expect(provisioning).toHaveLength(3);
            for (const t of provisioning) {
                expect(t.desiredStatus).toBe("RUNNING");
                expect(t.containerInstanceArn).toBeUndefined();
                expect(t.capacityProviderName).toBe("cp");
            }
            const created = events.filter((e) => e["detail-type"] === "ECS Task State Change" && (e.detail as { lastStatus?: string }).lastStatus === "PROVISIONING");
            expect(created).toHaveLength(3);
            expect(h.emulator.control.capacityProvider("cp").capacityProviderReservation).toBe(200); // (2 + 2) / 2

            // The high alarm raises the desired capacity by 2 (3 tasks need 2 instances; step 1-2) after a minute,
            // the instances register a minute later, and the tasks are placed there.
            h.clock.advance(MINUTE - 10_000);
            expect(group(h.emulator).desiredCapacity).toBe(2);
            h.clock.advance(10_000);
            expect(group(h.emulator).desiredCapacity).toBe(4);
            h.clock.advance(MINUTE + 10_000);
            const registered = events.filter((e) => e["detail-type"] === "ECS Container Instance State Change" && (e.detail as { version?: number }).version === 1);
            expect(registered.map((e) => (e.detail as { ec2InstanceId: string }).ec2InstanceId)).toEqual(["cp-asg-3", "cp-asg-4"]);
            const placed = h.emulator.control.snapshot("c").tasks;
            expect(placed.every((t) => t.ec2InstanceId !== undefined)).toBe(true);
            expect(placed.filter((t) => t.ec2InstanceId === "cp-asg-3" || t.ec2InstanceId === "cp-asg-4")).toHaveLength(3);
            // Launched balanced over the group's AZs.
            expect(group(h.emulator).instances.map((i) => i.availabilityZone)).toEqual(["us-east-1a", "us-east-1b", "us-east-1a", "us-east-1b"]);
            expect(group(h.emulator).maxSizeReached).toBe(4);
        } finally {
            await h.close();
        }
    });

    it("stay PROVISIONING when the group is at its maxSize, and the world still goes idle", () => {
        const { emulator, clock } = offlineEmulator();
        setUp(emulator, provider({}, { maxSize: 3 }), 4);
        emulator.control.setDesiredCount("c", "web", 9);
        expect(clock.runUntilIdle()).toBe(true);
        expect(group(emulator).desiredCapacity).toBe(3);
        expect(emulator.control.snapshot("c").tasks.filter((t) => t.lastStatus === "PROVISIONING")).toHaveLength(3);
        // Scaling the service back in stops the PROVISIONING tasks first: they serve nobody.
        emulator.control.setDesiredCount("c", "web", 6);
        clock.advance(2_000);
        const tasks = emulator.control.snapshot("c").tasks;
        expect(tasks).toHaveLength(6);
        expect(tasks.every((t) => t.lastStatus === "RUNNING")).toBe(true);
        clock.dispose();
    });

    it("wait for the instance warm-up before a second scale-out", () => {
        const { emulator, clock } = offlineEmulator();
        setUp(emulator, provider({ managedScaling: { status: "ENABLED", maximumScalingStepSize: 1, instanceWarmupPeriod: 300 } }, { maxSize: 4 }), 4);
        clock.advance(MINUTE);
        emulator.control.setDesiredCount("c", "web", 8); // two more instances needed, one at a time
        clock.advance(MINUTE + 2_000); // 2:02: the first step, launched at 2:01
        expect(group(emulator).desiredCapacity).toBe(3);
        clock.advance(4 * MINUTE + 50_000); // 6:52: registered and filled, but within its 300 s warm-up
        expect(emulator.control.snapshot("c").tasks.filter((t) => t.lastStatus === "PROVISIONING")).toHaveLength(2);
        expect(group(emulator).desiredCapacity).toBe(3);
        clock.advance(15_000); // 7:07: the warm-up is over
        expect(group(emulator).desiredCapacity).toBe(4);
        clock.dispose();
    });
});

describe("scale-in", () => {
    it("terminates an instance without non-daemon tasks 15 minutes after it emptied, not before", () => {
        const { emulator, clock } = offlineEmulator();
        setUp(emulator, provider({ managedTerminationProtection: "ENABLED" }, { desiredCapacity: 3, maxSize: 3 }), 2);
        clock.advance(2 * MINUTE);
        const empty = emulator.control.snapshot("c").instances.find((i) => i.runningTasksCount === 0)!.ec2InstanceId;
        clock.advance(12 * MINUTE);
        expect(live(emulator)).toContain(empty);
        clock.advance(2 * MINUTE);
        expect(live(emulator)).not.toContain(empty);
        expect(group(emulator).desiredCapacity).toBe(2);
        expect(emulator.control.snapshot("c").tasks.filter((t) => t.lastStatus === "RUNNING")).toHaveLength(2);
        clock.dispose();
    });

    it("with managed termination protection, the operator's scale-in terminates only instances without tasks", () => {
        for (const seed of [1, 2, 3]) {
            const { emulator, clock } = offlineEmulator({ seed });
            setUp(emulator, provider({ managedTerminationProtection: "ENABLED" }, { desiredCapacity: 3, maxSize: 3 }), 2);
            clock.advance(2 * MINUTE);
            const busy = new Set(emulator.control.snapshot("c").tasks.map((t) => t.ec2InstanceId));
            emulator.control.updateAutoScalingGroup("cp", { desiredCapacity: 1 });
            clock.advance(5 * MINUTE);
            // One instance is empty: it goes; the two running tasks protect theirs (neither is even drained).
            const inService = group(emulator).instances.filter((i) => i.state === "InService").map((i) => i.ec2InstanceId);
            expect(inService.sort()).toEqual([...busy].sort());
            expect(emulator.control.snapshot("c").instances.filter((i) => (i as { status?: string }).status === "DRAINING")).toHaveLength(0);
            clock.dispose();
        }
    });

    it("with managed draining, the instance is DRAINING and its tasks replaced before it is terminated", () => {
        const { emulator, clock } = offlineEmulator();
        setUp(emulator, provider(), 2);
        clock.advance(2 * MINUTE);
        const statuses: string[] = [];
        emulator.onEvent((e) => {
            const d = e.detail as { status?: string; ec2InstanceId?: string };
            if (e["detail-type"] === "ECS Container Instance State Change" && d.status !== "ACTIVE") statuses.push(`${d.ec2InstanceId} ${d.status}`);
        });
        const stopped: string[] = [];
        emulator.onTaskChange((c) => { if (c.to === "STOPPED") stopped.push(c.ec2InstanceId!); });
        emulator.control.updateAutoScalingGroup("cp", { desiredCapacity: 1 });
        const [gone] = group(emulator).instances.filter((i) => i.state === "Terminating").map((i) => i.ec2InstanceId);
        expect(gone).toBeDefined();
        clock.advance(5 * MINUTE);
        expect(statuses[0]).toBe(`${gone} DRAINING`);
        expect(statuses[statuses.length - 1]).toBe(`${gone} INACTIVE`);
        const snapshot = emulator.control.snapshot("c");
        expect(snapshot.tasks.filter((t) => t.lastStatus === "RUNNING" && t.ec2InstanceId !== gone)).toHaveLength(2);
        expect(stopped).toEqual([gone]);
        clock.dispose();
    });

    it("without managed draining the instance is terminated at once and its task stops with TerminationNotice", () => {
        const { emulator, clock } = offlineEmulator();
        setUp(emulator, provider({ managedDraining: "DISABLED" }), 2);
        clock.advance(2 * MINUTE);
        const before = emulator.control.snapshot("c").tasks;
        const statuses: string[] = [];
        emulator.onEvent((e) => {
            const d = e.detail as { status?: string };
            if (e["detail-type"] === "ECS Container Instance State Change" && d.status !== "ACTIVE") statuses.push(String(d.status));
        });
        emulator.control.updateAutoScalingGroup("cp", { desiredCapacity: 1 });
        const gone = group(emulator).instances.find((i) => i.state === "Terminated")!.ec2InstanceId;
        expect(statuses).toEqual(["INACTIVE"]);
        const lost = before.find((t) => t.ec2InstanceId === gone)!;
        expect(emulator.control.taskView(lost.taskArn, "c")).toMatchObject({ lastStatus: "STOPPED", stopCode: "TerminationNotice" });
        clock.advance(2 * MINUTE);
        expect(emulator.control.snapshot("c").tasks.filter((t) => t.lastStatus === "RUNNING")).toHaveLength(2);
        clock.dispose();
    });
});

describe("capacity providers as the API and the control API show them", () => {
    it("DescribeCapacityProviders gives the provider's settings and ECS's defaults; unknown names are MISSING", async () => {
        const h = await startHarness();
        try {
            h.emulator.control.createCluster("c");
            h.emulator.control.createCapacityProvider({ name: "cp", cluster: "c", autoScalingGroup: { minSize: 0, maxSize: 2, desiredCapacity: 0, availabilityZones: ["us-east-1a"] }, managedScaling: { status: "ENABLED" } });
            const out = await h.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ["cp", "nope"] }));
            expect(out.capacityProviders?.[0]?.autoScalingGroupProvider).toEqual({
                autoScalingGroupArn: expect.stringMatching(/^arn:aws:autoscaling:us-east-1:\d{12}:autoScalingGroup:.+:autoScalingGroupName\/cp-asg$/),
                managedScaling: { status: "ENABLED", targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupPeriod: 300 },
                managedTerminationProtection: "DISABLED",
                managedDraining: "ENABLED",
            });
            expect(out.failures).toEqual([{ arn: expect.stringMatching(/:capacity-provider\/nope$/), reason: "MISSING" }]);
        } finally {
            await h.close();
        }
    });

    it.each([
        [{ managedScaling: { status: "ENABLED" as const, targetCapacity: 0 } }, {}, /managedScaling\.targetCapacity must be an integer from 1 to 100/],
        [{}, { desiredCapacity: 5 }, /autoScalingGroup\.desiredCapacity \(5\) must be between minSize \(1\) and maxSize \(4\)/],
        [{ managedScaling: undefined, managedTerminationProtection: "ENABLED" as const }, {}, /managedTerminationProtection ENABLED requires managedScaling\.status ENABLED/],
        [{}, { availabilityZones: [] }, /autoScalingGroup\.availabilityZones must be a non-empty list/],
        [{ name: "ecs-main" }, {}, /name must be .* not start with aws, ecs or fargate/],
    ])("bad input is refused naming the field (%#)", (overrides, groupOverrides, message) => {
        const { emulator, clock } = offlineEmulator();
        emulator.control.createCluster("c");
        expect(() => emulator.control.createCapacityProvider(provider(overrides, groupOverrides))).toThrow(message);
        clock.dispose();
    });

    it("updateAutoScalingGroup checks the group's sizes", () => {
        const { emulator, clock } = offlineEmulator();
        emulator.control.createCluster("c");
        emulator.control.createCapacityProvider(provider());
        expect(() => emulator.control.updateAutoScalingGroup("cp", { desiredCapacity: 0 })).toThrow(/desiredCapacity \(0\) must be between minSize \(1\)/);
        expect(() => emulator.control.updateAutoScalingGroup("other", { desiredCapacity: 1 })).toThrow(/capacity provider other does not exist/);
        clock.dispose();
    });
});
