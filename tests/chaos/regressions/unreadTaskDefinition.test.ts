// Found by the chaos runner (npm run chaos -- --replay 401550712; also 1472775627, 1612444679): a service with
// dynamic host ports whose only useful move puts a second task on an instance that already has one was judged
// balanced forever. Until its task definition is read, the planner takes every bound port as static (the cautious
// reading), so no instance holding the service has room; the lower bound is then 0, the service counts as
// balanced, and the task definition that would show the ports are dynamic is never asked for. A fresh container
// (after a cold start or a killed pass) has no task definitions cached, so this happens in production too.

import { plan } from "../../../rebalancer/plan";
import { defaultSettings } from "../../../rebalancer/settings";
import { buildSnapshot, CLUSTER_ARN, SPREAD_INSTANCE } from "../../support/snapshotBuilder";

const instances = [{ id: "i-1", az: "a" }, { id: "i-2", az: "a" }, { id: "i-3", az: "a" }];
// 3 / 3 / 1 on instanceId spread: one move (3 → 2, 1 → 2) needs room for a second task on i-3.
const service = { name: "web", placement: { "i-1": 3, "i-2": 3, "i-3": 1 }, hostPort: 49153, minHealthy: 50, strategies: SPREAD_INSTANCE };

test("a service kept from moving only by the cautious port reading asks for its task definition", () => {
    const unread = buildSnapshot({ instances, services: [service] });
    unread.taskDefinitions = {};
    const p = plan(unread, defaultSettings([CLUSTER_ARN]));
    expect(p.unreadTaskDefinitions).toEqual([unread.services[0].taskDefinition]);
});

test("once read (the port is dynamic), the move is planned", () => {
    const read = buildSnapshot({ instances, services: [service] });
    read.taskDefinitions[read.services[0].taskDefinition] = { ...read.taskDefinitions[read.services[0].taskDefinition], staticHostPorts: [] };
    const p = plan(read, defaultSettings([CLUSTER_ARN]));
    expect(p.decisions[0]).toMatchObject({ outcome: "move", lowerBound: 1, moves: 1 });
});

test("a service within the skew threshold does not ask (nothing could move it)", () => {
    const even = buildSnapshot({ instances, services: [{ ...service, placement: { "i-1": 2, "i-2": 2, "i-3": 2 } }] });
    even.taskDefinitions = {};
    expect(plan(even, defaultSettings([CLUSTER_ARN])).unreadTaskDefinitions).toEqual([]);
});
