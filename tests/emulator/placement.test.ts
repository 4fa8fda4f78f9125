// The placement engine against the documented rules: resource fit, ports, constraints, each strategy, the
// default for services, seeded tie-breaks, capacity providers.

import type { EcsEvent } from "../../local/emulator";
import { addInstances, offlineEmulator, SETTLE_MS, taskDefinition } from "./helpers";

function world(seed = 1) {
    const { emulator, clock } = offlineEmulator({ seed });
    emulator.control.createCluster("c");
    const events: EcsEvent[] = [];
    emulator.onEvent((e) => events.push(e));
    const settle = () => clock.advance(SETTLE_MS);
    const perInstance = (service: string) => emulator.control.tasksPerInstance("c", service);
    const placementFailures = () => events.filter((e) => e.detail.eventName === "SERVICE_TASK_PLACEMENT_FAILURE");
    return { emulator, clock, events, settle, perInstance, placementFailures };
}

function service(emulator: ReturnType<typeof world>["emulator"], name: string, td: string, desiredCount: number, extra: Record<string, unknown> = {}) {
    emulator.control.createService({ cluster: "c", serviceName: name, taskDefinition: td, desiredCount, availabilityZoneRebalancing: "DISABLED", ...extra });
}

test("tasks only go where CPU and memory fit; a short service reports RESOURCE:CPU", () => {
    const w = world();
    addInstances(w.emulator, "c", [{ id: "i-1", az: "us-east-1a", cpu: 512, memory: 8192 }]);
    taskDefinition(w.emulator, "app", { cpu: 256, memory: 256 });
    service(w.emulator, "app", "app", 3);
    w.settle();
    expect(w.perInstance("app")).toEqual({ "i-1": 2 });
    const failure = w.placementFailures();
    expect(failure).toHaveLength(1);
    expect(failure[0]!.detail).toMatchObject({ eventType: "ERROR", reason: "RESOURCE:CPU" });
    const svc = w.emulator.control.service("c", "app");
    expect(svc.runningCount).toBe(2);
    expect((svc.events as { message: string }[]).some((e) => /unable to place a task .* insufficient CPU units available/.test(e.message))).toBe(true);
    // Capacity arrives: the short service is looked at again and completes.
    addInstances(w.emulator, "c", [{ id: "i-2", az: "us-east-1a", cpu: 512, memory: 8192 }]);
    w.settle();
    expect(w.perInstance("app")).toEqual({ "i-1": 2, "i-2": 1 });
});

test("memory is checked too", () => {
    const w = world();
    addInstances(w.emulator, "c", [{ id: "i-1", az: "us-east-1a", cpu: 4096, memory: 1000 }]);
    taskDefinition(w.emulator, "app", { cpu: 10, memory: 400 });
    service(w.emulator, "app", "app", 3);
    w.settle();
    expect(w.perInstance("app")).toEqual({ "i-1": 2 });
    expect(w.placementFailures()[0]!.detail.reason).toBe("RESOURCE:MEMORY");
});

test("a static host port allows one task per instance; dynamic ports come from 49153 up", () => {
    const w = world();
    addInstances(w.emulator, "c", [
        { id: "i-1", az: "us-east-1a" },
        { id: "i-2", az: "us-east-1b" },
    ]);
    taskDefinition(w.emulator, "edge", { hostPort: 80 });
    taskDefinition(w.emulator, "api", { hostPort: 0, containerPort: 8080 });
    service(w.emulator, "edge", "edge", 3);
    service(w.emulator, "api", "api", 4);
    w.settle();
    expect(w.perInstance("edge")).toEqual({ "i-1": 1, "i-2": 1 });
    expect(w.placementFailures().map((e) => e.detail.reason)).toEqual(["RESOURCE:PORTS"]);
    const ports = w.emulator.control
        .snapshot("c")
        .tasks.filter((t) => t.serviceName === "api" && t.ec2InstanceId === "i-1")
        .map((t) => (t.containers as { networkBindings: { hostPort: number }[] }[])[0]!.networkBindings[0]!.hostPort)
        .sort();
    expect(ports).toEqual([49153, 49154]);
});

test("distinctInstance keeps one task of the service per instance", () => {
    const w = world();
    addInstances(w.emulator, "c", [
        { id: "i-1", az: "us-east-1a" },
        { id: "i-2", az: "us-east-1a" },
    ]);
    taskDefinition(w.emulator, "app");
    service(w.emulator, "app", "app", 3, { placementConstraints: [{ type: "distinctInstance" }] });
    w.settle();
    expect(w.perInstance("app")).toEqual({ "i-1": 1, "i-2": 1 });
    expect(w.placementFailures()[0]!.detail.reason).toBe("DistinctInstance placement constraint unsatisfied.");
});

test("memberOf restricts placement with the cluster query language", () => {
    const w = world();
    addInstances(w.emulator, "c", [
        { id: "i-1", az: "us-east-1a", attributes: { stack: "prod" } },
        { id: "i-2", az: "us-east-1b", attributes: { stack: "dev" } },
        { id: "i-3", az: "us-east-1c", attributes: { stack: "prod" } },
    ]);
    taskDefinition(w.emulator, "app");
    service(w.emulator, "prod-only", "app", 4, { placementConstraints: [{ type: "memberOf", expression: "attribute:stack == prod" }] });
    service(w.emulator, "not-c", "app", 4, { placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]" }] });
    w.settle();
    expect(w.perInstance("prod-only")).toEqual({ "i-1": 2, "i-3": 2 });
    expect(w.perInstance("not-c")).toEqual({ "i-1": 2, "i-2": 2 });
});

test("the default for services spreads over AZs, then over the instances of each AZ", () => {
    const w = world();
    addInstances(w.emulator, "c", [
        { id: "a1", az: "us-east-1a" },
        { id: "a2", az: "us-east-1a" },
        { id: "a3", az: "us-east-1a" },
        { id: "b1", az: "us-east-1b" },
        { id: "c1", az: "us-east-1c" },
    ]);
    taskDefinition(w.emulator, "app", { cpu: 10, memory: 10 });
    service(w.emulator, "app", "app", 9);
    w.settle();
    const counts = w.perInstance("app");
    expect(counts).toEqual({ a1: 1, a2: 1, a3: 1, b1: 3, c1: 3 });
    const perAz = w.emulator.control.tasksPerAvailabilityZone("c", "app");
    expect(perAz).toEqual({ "us-east-1a": 3, "us-east-1b": 3, "us-east-1c": 3 });
});

test("spread on instanceId alone ignores AZs", () => {
    const w = world();
    addInstances(w.emulator, "c", [
        { id: "a1", az: "us-east-1a" },
        { id: "a2", az: "us-east-1a" },
        { id: "a3", az: "us-east-1a" },
        { id: "b1", az: "us-east-1b" },
    ]);
    taskDefinition(w.emulator, "app", { cpu: 10, memory: 10 });
    service(w.emulator, "app", "app", 8, { placementStrategy: [{ type: "spread", field: "instanceId" }] });
    w.settle();
    expect(w.perInstance("app")).toEqual({ a1: 2, a2: 2, a3: 2, b1: 2 });
});

test("binpack on memory fills the instance with the least memory left first", () => {
    const w = world();
    addInstances(w.emulator, "c", [
        { id: "big", az: "us-east-1a", memory: 4096 },
        { id: "small", az: "us-east-1b", memory: 1536 },
    ]);
    taskDefinition(w.emulator, "app", { cpu: 10, memory: 512 });
    service(w.emulator, "app", "app", 4, { placementStrategy: [{ type: "binpack", field: "memory" }] });
    w.settle();
    expect(w.perInstance("app")).toEqual({ small: 3, big: 1 });
});

test("spread AZ then binpack memory packs inside each AZ", () => {
    const w = world();
    addInstances(w.emulator, "c", [
        { id: "a-big", az: "us-east-1a", memory: 4096 },
        { id: "a-small", az: "us-east-1a", memory: 2048 },
        { id: "b-1", az: "us-east-1b", memory: 4096 },
    ]);
    taskDefinition(w.emulator, "app", { cpu: 10, memory: 512 });
    service(w.emulator, "app", "app", 4, {
        placementStrategy: [
            { type: "spread", field: "attribute:ecs.availability-zone" },
            { type: "binpack", field: "memory" },
        ],
    });
    w.settle();
    expect(w.perInstance("app")).toEqual({ "a-small": 2, "b-1": 2 });
});

function randomPlacement(seed: number): Record<string, number> {
    const w = world(seed);
    addInstances(
        w.emulator,
        "c",
        Array.from({ length: 6 }, (_, i) => ({ id: `i-${i}`, az: "us-east-1a" })),
    );
    taskDefinition(w.emulator, "app", { cpu: 10, memory: 10 });
    service(w.emulator, "app", "app", 6, { placementStrategy: [{ type: "random" }] });
    w.settle();
    return w.perInstance("app");
}

test("random placement is reproducible for a seed and varies between seeds", () => {
    expect(randomPlacement(7)).toEqual(randomPlacement(7));
    const distinct = new Set([1, 2, 3, 4, 5].map((s) => JSON.stringify(randomPlacement(s))));
    expect(distinct.size).toBeGreaterThan(1);
});

test("ties are broken by the seeded RNG, not by instance order", () => {
    const chosen = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
        const w = world(seed);
        addInstances(w.emulator, "c", [
            { id: "i-1", az: "us-east-1a" },
            { id: "i-2", az: "us-east-1a" },
            { id: "i-3", az: "us-east-1a" },
        ]);
        taskDefinition(w.emulator, "app");
        service(w.emulator, "app", "app", 1);
        w.settle();
        chosen.add(Object.keys(w.perInstance("app"))[0]!);
    }
    expect(chosen.size).toBeGreaterThan(1);
});

test("no ACTIVE, connected instance: nothing is placed", () => {
    const w = world();
    addInstances(w.emulator, "c", [
        { id: "i-1", az: "us-east-1a" },
        { id: "i-2", az: "us-east-1b" },
    ]);
    w.emulator.control.drainInstance("i-1");
    w.emulator.control.setAgentConnected("i-2", false);
    taskDefinition(w.emulator, "app");
    service(w.emulator, "app", "app", 2);
    w.settle();
    expect(w.perInstance("app")).toEqual({});
    expect(w.placementFailures()[0]!.detail.reason).toBe("AGENT");
    w.emulator.control.setAgentConnected("i-2", true);
    w.settle();
    expect(w.perInstance("app")).toEqual({ "i-2": 2 });
});

test("capacity providers: base first, then by weight, only on the provider's instances", () => {
    const w = world();
    w.emulator.control.createCluster("cp", {
        capacityProviders: ["cp-a", "cp-b"],
        defaultCapacityProviderStrategy: [{ capacityProvider: "cp-b", weight: 1 }],
    });
    const inst = (id: string, cp: string | undefined) => w.emulator.control.registerInstance({ cluster: "cp", ec2InstanceId: id, az: "us-east-1a", capacityProviderName: cp });
    inst("a-1", "cp-a");
    inst("a-2", "cp-a");
    inst("b-1", "cp-b");
    inst("plain", undefined);
    taskDefinition(w.emulator, "app", { cpu: 10, memory: 10 });
    const create = (name: string, extra: Record<string, unknown>) =>
        w.emulator.control.createService({ cluster: "cp", serviceName: name, taskDefinition: "app", desiredCount: 5, availabilityZoneRebalancing: "DISABLED", ...extra });
    create("weighted", {
        capacityProviderStrategy: [
            { capacityProvider: "cp-a", base: 1, weight: 1 },
            { capacityProvider: "cp-b", weight: 1 },
        ],
    });
    create("defaulted", {});
    create("ec2", { launchType: "EC2" });
    w.settle();
    const per = (s: string) => w.emulator.control.tasksPerInstance("cp", s);
    const weighted = per("weighted");
    expect((weighted["a-1"] ?? 0) + (weighted["a-2"] ?? 0)).toBe(3);
    expect(weighted["b-1"]).toBe(2);
    expect(per("defaulted")).toEqual({ "b-1": 5 });
    expect(Object.values(per("ec2")).reduce((a, b) => a + b, 0)).toBe(5);
    expect(w.emulator.control.service("cp", "defaulted").capacityProviderStrategy).toEqual([{ capacityProvider: "cp-b", weight: 1, base: 0 }]);
});

test("capacity providers: a provider with no room keeps its share waiting; the others' shares are placed all the same", () => {
    // The independent check's case (issue: a provider with room gets none of its share). ECS gives every task its
    // provider first ("Amazon ECS managed scaling behavior": one capacity provider per task, by the strategy),
    // then places it on that provider's instances only: main's base and share wait for room on main, spot's two
    // tasks go to the spot instances.
    const w = world();
    w.emulator.control.createCluster("cp", { capacityProviders: ["cp-main", "cp-spot"] });
    const inst = (id: string, cp: string, az: string, cpu: number, memory: number) =>
        w.emulator.control.registerInstance({ cluster: "cp", ec2InstanceId: id, az, cpu, memory, capacityProviderName: cp });
    inst("m-1", "cp-main", "us-east-1a", 1024, 1024);
    inst("s-1", "cp-spot", "us-east-1a", 4096, 8192);
    inst("s-2", "cp-spot", "us-east-1b", 4096, 8192);
    taskDefinition(w.emulator, "api", { cpu: 128, memory: 1024 });
    w.emulator.control.createService({
        cluster: "cp", serviceName: "api", taskDefinition: "api", desiredCount: 5, availabilityZoneRebalancing: "DISABLED",
        placementStrategy: [{ type: "spread", field: "instanceId" }],
        deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 200 },
        capacityProviderStrategy: [{ capacityProvider: "cp-main", base: 1, weight: 1 }, { capacityProvider: "cp-spot", weight: 1 }],
    });
    w.settle();
    expect(w.emulator.control.tasksPerInstance("cp", "api")).toEqual({ "m-1": 1, "s-1": 1, "s-2": 1 });
    const failure = w.placementFailures().at(-1)!;
    expect(failure.detail.reason).toBe("RESOURCE:MEMORY");
    // Once main has room, its waiting share is placed there, never on spot.
    inst("m-2", "cp-main", "us-east-1b", 4096, 8192);
    w.settle();
    expect(w.emulator.control.tasksPerInstance("cp", "api")).toEqual({ "m-1": 1, "m-2": 2, "s-1": 1, "s-2": 1 });
});
