// Found by an independent check (npm run chaos -- --replay 1991620162, one run of a 1,000-run batch): svc-5 (desired
// 5, cp-main base 1 weight 1, cp-spot weight 1) was stuck at 1 task: the emulator gave up on the whole service at its
// first task that cp-main had no room for, so cp-spot's share was never placed. The planner, reading ECS's
// documented split (a provider per task, then an instance of that provider), kept room on a spot instance for
// svc-5's spot task; with the task never placed, svc-2 was judged balanced without that instance and kept 2 tasks on
// i-3 and none on i-1 for good. The emulator now places every provider's share it can. Found with direct delivery.

import { generateCase } from "../../../local/chaos/generator";
import { playChaosCase } from "../../../local/chaos/play";

test("with the split service's spot share placed, every spread service converges and every count is 0", async () => {
    const r = await playChaosCase(generateCase(1991620162, "service-page", "direct"));
    expect(r.counts).toEqual(Object.fromEntries(Object.keys(r.counts).map((k) => [k, 0])));
}, 60_000);
