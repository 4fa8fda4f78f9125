import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { EcsEmulator, VirtualClock } from "../../local/emulator";
import { ConcurrentInvocations, type Container } from "../../local/fleet/concurrentInvocations";
import { MAX_ATTEMPTS, RETRY_MODE } from "../../rebalancer/awsClients";

const LATENCY_MS = 10;

async function world() {
    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ clock, seed: 1, timing: { apiLatencyMs: 0 }, faults: { throttling: true } });
    const endpoint = await emulator.listen();
    const engine = new ConcurrentInvocations(clock, LATENCY_MS);
    engine.install({ endpoint, serve: (r) => emulator.serveRequest(r) }, 7);
    const client = (id: string) =>
        new ECSClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: `AKID${id}`, secretAccessKey: "x" }, retryMode: RETRY_MODE, maxAttempts: MAX_ATTEMPTS });
    return {
        clock, engine, client,
        close: async () => {
            engine.uninstall();
            await emulator.close();
            clock.dispose();
        },
    };
}

/** `n` ListClusters calls one after the other; resolves with the emulated time it ended. */
async function calls(client: ECSClient, n: number, clock: VirtualClock, after?: (i: number) => void): Promise<number> {
    for (let i = 0; i < n; i++) {
        await client.send(new ListClustersCommand({}));
        after?.(i);
    }
    return clock.now();
}

describe("invocations at once on one emulated clock", () => {
    test("two invocations overlap in time: each call takes the latency, and neither waits for the other", async () => {
        const w = await world();
        try {
            const start = w.clock.now();
            const a: Container = { id: "a", dead: false };
            const b: Container = { id: "b", dead: false };
            const ends = Promise.all([w.engine.run(a, () => calls(w.client("a"), 5, w.clock)), w.engine.run(b, () => calls(w.client("b"), 5, w.clock))]);
            await w.engine.runUntil(start + 60_000);
            const [endA, endB] = await ends;
            // Five calls of 10 ms each, side by side: both end at 50 ms, not one after the other.
            expect(endA - start).toBe(5 * LATENCY_MS);
            expect(endB - start).toBe(5 * LATENCY_MS);
            const served = w.engine.calls.map((c) => [c.at - start, c.container]);
            expect(served.slice(0, 2)).toEqual([[LATENCY_MS, "a"], [LATENCY_MS, "b"]]);
        } finally {
            await w.close();
        }
    });

    test("they share the account's throttling bucket: together they take as long as the bucket allows for all their calls", async () => {
        const w = await world();
        try {
            const start = w.clock.now();
            // "Cluster read": burst 50, 20 per second. 2 × 60 calls: at least (120 - 50) / 20 = 3.5 s.
            const ends = Promise.all(["a", "b"].map((id) => w.engine.run({ id, dead: false }, () => calls(w.client(id), 60, w.clock))));
            await w.engine.runUntil(start + 600_000);
            const last = Math.max(...(await ends));
            expect(last - start).toBeGreaterThanOrEqual(3_500);
            expect(w.engine.calls.filter((c) => !c.throttled)).toHaveLength(120);
            expect(w.engine.calls.some((c) => c.throttled)).toBe(true);
        } finally {
            await w.close();
        }
    });

    test("a killed container makes no call after its death, and the others go on", async () => {
        const w = await world();
        try {
            const start = w.clock.now();
            const doomed: Container = { id: "doomed", dead: false };
            void w.engine.run(doomed, () => calls(w.client("d"), 10, w.clock, (i) => {
                if (i === 2) doomed.dead = true;
            }));
            const other = w.engine.run({ id: "other", dead: false }, () => calls(w.client("o"), 10, w.clock));
            await w.engine.runUntil(start + 60_000);
            await other;
            expect(w.engine.calls.filter((c) => c.container === "doomed")).toHaveLength(3);
            expect(w.engine.calls.filter((c) => c.container === "other")).toHaveLength(10);
        } finally {
            await w.close();
        }
    });
});
