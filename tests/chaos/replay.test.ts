// A run replays: the same seed makes the same calls, in the same order, at the same emulated times. Over loopback
// sockets the observe's concurrent reads reached the emulator in an order that depended on real time, so a failing
// seed from a batch (e.g. 1309415470, 1727426696) did not fail again on --replay; the in-process transport hands
// requests over in the order the function makes them.

import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { generateCase } from "../../local/chaos/generator";
import { playChaosCase } from "../../local/chaos/play";
import { installInProcessTransport, targets } from "../../local/chaos/sdkTransport";
import { EcsEmulator, VirtualClock } from "../../local/emulator";

/** Throttling, 5xx, a killed pass and a mid-pass owner change, with the observe's three chains side by side. */
const SEED = 502361220;

async function trace(seed: number): Promise<string[]> {
    const lines: string[] = [];
    await playChaosCase(generateCase(seed, "service-page", "direct"), {
        plant: ({ calls }) => {
            for (const c of calls.reached) lines.push(`${c.index} ${c.time} ${c.container} ${c.operation} ${JSON.stringify(c.input)} ${c.status} ${c.errorType ?? ""}`);
        },
    });
    return lines;
}

test("the same seed makes the same calls in the same order at the same emulated times", async () => {
    const first = await trace(SEED);
    const second = await trace(SEED);
    expect(first.length).toBeGreaterThan(100);
    expect(second).toEqual(first);
}, 60_000);

test("a request to the emulator's endpoint is served in-process, one to any other endpoint is left to the real handler", async () => {
    const endpoint = new URL("http://127.0.0.1:4566");
    expect(targets({ protocol: "http:", hostname: "127.0.0.1", port: 4566 }, endpoint)).toBe(true);
    expect(targets({ protocol: "http:", hostname: "127.0.0.1", port: 4567 }, endpoint)).toBe(false);
    expect(targets({ protocol: "https:", hostname: "ecs.us-east-1.amazonaws.com" }, endpoint)).toBe(false);

    const clock = new VirtualClock();
    const emulator = new EcsEmulator({ clock });
    emulator.control.createCluster("c");
    const listening = await emulator.listen();
    const served: string[] = [];
    const restore = installInProcessTransport({ endpoint: listening, serve: (r) => (served.push(String(r.headers["x-amz-target"])), emulator.serveRequest(r)) });
    const client = new ECSClient({ endpoint: listening, region: "us-east-1", credentials: { accessKeyId: "AKIDT", secretAccessKey: "s" }, maxAttempts: 1 });
    try {
        const res = await client.send(new ListClustersCommand({}));
        expect(res.clusterArns).toEqual([expect.stringContaining(":cluster/c")]);
        expect(served).toEqual(["AmazonEC2ContainerServiceV20141113.ListClusters"]);
    } finally {
        restore();
        client.destroy();
        await emulator.close();
        clock.dispose();
    }
    // Put back: the same client over the socket again.
    const again = new EcsEmulator({ clock: new VirtualClock() });
    again.control.createCluster("d");
    const other = await again.listen();
    const plain = new ECSClient({ endpoint: other, region: "us-east-1", credentials: { accessKeyId: "AKIDT", secretAccessKey: "s" }, maxAttempts: 1 });
    try {
        expect((await plain.send(new ListClustersCommand({}))).clusterArns).toEqual([expect.stringContaining(":cluster/d")]);
        expect(served).toHaveLength(1);
    } finally {
        plain.destroy();
        await again.close();
    }
});
