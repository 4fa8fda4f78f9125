// Security items of issue 6 not covered elsewhere: the emulator serves on loopback only, and what the deployed
// closure prints (the real Powertools logger and SDK errors) never holds the credentials or a secret from its
// environment, on every path: passes that succeed, fail on throttling, 5xx and access denied, and bad settings.

import { createConnection } from "node:net";
import { networkInterfaces } from "node:os";
import { installSdkClock } from "../../local/chaos/sdkClock";
import { EcsEmulator, VirtualClock } from "../../local/emulator";
import { openWorld, scheduledEvent } from "./support/world";

function connects(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = createConnection({ host, port });
        socket.setTimeout(1000);
        socket.once("connect", () => (socket.destroy(), resolve(true)));
        socket.once("error", () => resolve(false));
        socket.once("timeout", () => (socket.destroy(), resolve(false)));
    });
}

describe("the emulator binds loopback only", () => {
    test("its endpoint is 127.0.0.1, and no other address of this host answers on its port", async () => {
        const clock = new VirtualClock();
        const emulator = new EcsEmulator({ clock });
        try {
            const endpoint = await emulator.listen();
            const port = Number(new URL(endpoint).port);
            expect(new URL(endpoint).hostname).toBe("127.0.0.1");
            expect(await connects("127.0.0.1", port)).toBe(true);
            const external = Object.values(networkInterfaces()).flat().filter((a) => a && a.family === "IPv4" && !a.internal).map((a) => a!.address);
            for (const address of external) expect({ address, answers: await connects(address, port) }).toEqual({ address, answers: false });
            expect(await connects("::1", port)).toBe(false);
        } finally {
            await emulator.close();
        }
    });
});

describe("the deployed closure never prints a credential or an environment secret", () => {
    const SECRETS = {
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET0001",
        AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLETOKEN0000000000000000002",
        DATABASE_PASSWORD: "correct-horse-battery-staple-0003",
    };

    test("on success, throttling, 5xx, access denied and invalid settings", async () => {
        const t = await openWorld();
        t.world.populate();
        const printed: string[] = [];
        try {
            const context = { functionName: "ecs-rebalancer", awsRequestId: "r", getRemainingTimeInMillis: () => 300_000 };
            const run = async (env: Record<string, string>) => {
                const handler = await t.rebalancer.newContainer!({ env: { ...SECRETS, ...env } });
                const before = t.rebalancer.logs.length;
                // The SDK's back-off passes on the emulated clock, where the throttling buckets refill.
                const restore = installSdkClock({ now: () => t.world.clock.now(), advance: (ms) => t.world.clock.advance(ms) }, 1);
                try {
                    await handler(scheduledEvent(), context);
                } catch (e) {
                    // What the Lambda runtime prints for an invocation error: its type, message and stack.
                    const err = e as { name?: unknown; message?: unknown; stack?: unknown };
                    printed.push(JSON.stringify({ errorType: err.name, errorMessage: err.message, stack: err.stack, own: { ...err } }));
                } finally {
                    restore();
                }
                printed.push(...t.rebalancer.logs.slice(before).map((l) => (typeof l.record === "string" ? l.record : JSON.stringify(l.record))));
            };
            await run({});
            t.world.emulator.setFaults({ serverErrorRate: 1 });
            await run({});
            t.world.emulator.setFaults({ throttling: true });
            for (const op of ["ListServices", "ListTasks", "StopTask", "UpdateService"]) t.world.emulator.spendThrottleTokens(op, 1000);
            await run({});
            t.world.emulator.setFaults({});
            const remove = t.world.emulator.useApiMiddleware((call, next) => (call.operation === "ListTasks" ? EcsEmulator.errorResponse("AccessDeniedException", "User is not authorized to perform: ecs:ListTasks") : next()));
            await run({});
            remove();
            await run({ REBALANCER_MAX_MOVES_PER_PASS: "many" });
            const text = printed.join("\n");
            expect(text).toMatch(/ServerException|ThrottlingException/);
            expect(text).toMatch(/AccessDeniedException/);
            expect(text).toMatch(/REBALANCER_MAX_MOVES_PER_PASS/);
            for (const secret of [...Object.values(SECRETS), t.rebalancer.accessKeyId!]) expect({ secret, printed: text.includes(secret) }).toEqual({ secret, printed: false });
        } finally {
            await t.close();
        }
    });
});
