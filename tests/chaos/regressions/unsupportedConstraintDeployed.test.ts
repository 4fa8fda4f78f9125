// The deployed closure's UnsupportedQueryError had no message (Pulumi serializes `class … extends Error` as a
// function that calls `Error.call(this, message)`): a service skipped for a memberOf expression the planner cannot
// evaluate was logged with an empty detail, so the skip had no reason a person could read.

import { openWorld, scheduledEvent } from "../support/world";

test("a service with a memberOf expression the planner cannot evaluate is skipped with its reason and detail", async () => {
    const t = await openWorld({
        name: "unsupported-member-of",
        cluster: "chaos",
        instances: [{ id: "i-a", az: "us-east-1a" }, { id: "i-b", az: "us-east-1b" }],
        services: [{ name: "web", desiredCount: 2, minimumHealthyPercent: 50, placementConstraints: [{ type: "memberOf", expression: "task:group == service:web" }], placement: { "i-a": 2 } }],
    });
    try {
        t.world.populate();
        t.world.clock.advance(600_000);
        const handler = await t.rebalancer.newContainer!();
        const before = t.rebalancer.logs.length;
        await handler(scheduledEvent(), { functionName: "f", awsRequestId: "r", getRemainingTimeInMillis: () => 300_000 });
        const pass = t.rebalancer.logs.slice(before).map((l) => l.record as { message?: string; services?: { service: string; reason?: string; detail?: string }[] }).find((r) => r.message === "rebalancer pass");
        expect(pass?.services).toEqual([expect.objectContaining({ service: "web", reason: "unsupported-constraint", detail: expect.stringMatching(/task:group/) })]);
    } finally {
        await t.close();
    }
});
