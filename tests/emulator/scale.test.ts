// A large cluster stays fast (indexes, not scans): 2,000 instances, 1,000 services, 20,000 tasks placed by the
// scheduler, every task listed and described through the API, a wave of terminations replaced.

import { offlineEmulator, PROFILE, SETTLE_MS } from "./helpers";

// The adversarial profile collects every tied candidate instead of stopping at the first (profiles/adversarial.ts):
// this run takes it 11–13 s alone on the 2 shared cores (the same before and after the deployment-strategy work),
// and 16–23 s inside the whole suite, so its bound is wider; a scan instead of an index would still take minutes.

test("2,000 instances × 1,000 services × 20 tasks", () => {
    const started = Date.now();
    const { emulator, clock } = offlineEmulator();
    emulator.control.createCluster("big");
    for (let i = 0; i < 2000; i++) {
        emulator.control.registerInstance({ cluster: "big", ec2InstanceId: `i-${i}`, az: `us-east-1${"abc"[i % 3]}`, cpu: 16384, memory: 65536 });
    }
    emulator.control.registerTaskDefinition({ family: "app", containerDefinitions: [{ name: "app", image: "x", cpu: 10, memory: 10 }] });
    for (let s = 0; s < 1000; s++) emulator.control.createService({ cluster: "big", serviceName: `svc-${s}`, taskDefinition: "app", desiredCount: 20 });
    clock.advance(SETTLE_MS);

    const call = (op: string, input: Record<string, unknown>) => emulator.call(`AmazonEC2ContainerServiceV20141113.${op}`, input).body as Record<string, unknown>;
    const arns: string[] = [];
    let nextToken: unknown;
    do {
        const page = call("ListTasks", { cluster: "big", nextToken });
        arns.push(...(page.taskArns as string[]));
        nextToken = page.nextToken;
    } while (nextToken);
    expect(arns).toHaveLength(20_000);
    let running = 0;
    for (let i = 0; i < arns.length; i += 100) {
        for (const t of call("DescribeTasks", { cluster: "big", tasks: arns.slice(i, i + 100) }).tasks as { lastStatus: string }[]) if (t.lastStatus === "RUNNING") running++;
    }
    expect(running).toBe(20_000);
    for (const name of ["svc-0", "svc-500", "svc-999"]) {
        const perAz = Object.values(emulator.control.tasksPerAvailabilityZone("big", name));
        expect(Math.max(...perAz) - Math.min(...perAz)).toBeLessThanOrEqual(1);
        expect(Math.max(...Object.values(emulator.control.tasksPerInstance("big", name)))).toBe(1);
    }

    for (let i = 0; i < 50; i++) emulator.control.terminateInstance(`i-${i}`);
    clock.advance(SETTLE_MS);
    expect(emulator.control.snapshot("big").tasks).toHaveLength(20_000);
    expect(clock.runUntilIdle()).toBe(true);
    expect(Date.now() - started).toBeLessThan(PROFILE === "adversarial" ? 25_000 : 15_000);
});
