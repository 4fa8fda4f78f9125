// UpdateTaskProtection answers 200 with per-task failures (a task gone or no longer running): the writer turns them
// into an error that is ECS's answer (status and request id, like an SDK error), so act stops the service's
// sequence before desiredCount goes back, and the chaos checks count it as a service's answer, not a crash. Against
// the emulator, through the real SDK.
import { ECSClient } from "@aws-sdk/client-ecs";
import { EcsEmulator, VirtualClock } from "../../local/emulator";
import type { AwsClients } from "../../rebalancer/awsClients";
import { liveWriter } from "../../rebalancer/writers";

test("a task ECS could not protect makes the write fail with ECS's answer: an Error named PartialWriteError, status 200", async () => {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ clock });
    const c = emulator.control;
    c.createCluster("prod");
    c.registerInstance({ cluster: "prod", ec2InstanceId: "i-a", az: "us-east-1a" });
    c.registerTaskDefinition({ family: "web", containerDefinitions: [{ name: "web", image: "x", cpu: 128, memory: 128 }] });
    c.createService({ cluster: "prod", serviceName: "web", taskDefinition: "web", desiredCount: 1 });
    clock.advance(60_000);
    const endpoint = await emulator.listen();
    const ecs = new ECSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" } });
    try {
        const running = c.snapshot("prod").tasks[0]!.taskArn;
        const gone = running.replace(/[0-9a-f]{32}$/, "0".repeat(32));
        const writer = liveWriter({ ecs } as unknown as AwsClients, {});
        const write = writer.write({ operation: "UpdateTaskProtection", input: { cluster: "prod", tasks: [running, gone], protectionEnabled: true, expiresInMinutes: 5 } });
        const err = await write.then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(Error);
        expect(err).toMatchObject({ name: "PartialWriteError", $metadata: { httpStatusCode: 200 } });
        expect((err as Error).message).toMatch(/UpdateTaskProtection failed for 1 task\(s\): 0{32} MISSING/);
        // The task that exists was protected: ECS carries out the rest of the batch.
        expect(c.snapshot("prod").tasks[0]).toMatchObject({ protected: true });
    } finally {
        ecs.destroy();
        await emulator.close();
    }
});
