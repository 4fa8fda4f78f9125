// The owner's recorded desiredCount follows what ECS can see: setting the value ECS already shows (a surge's)
// changes nothing, so no controller could tell it from no change at all.

import { applyOwnerStep } from "../../local/chaos/play";
import { ScenarioWorld } from "../../local/scenario/world";
import { scenarioOf, TWO_BY_TWO } from "./support/world";

test("an owner step to the surged value leaves the owner's value; another value replaces it", async () => {
    const world = new ScenarioWorld(scenarioOf(TWO_BY_TWO), { seed: 1 });
    world.populate();
    world.control.setDesiredCount("chaos", "web", 5, "rebalancer surge");
    applyOwnerStep(world, { setDesired: { web: 5 } });
    expect(world.ownerDesired.get("web")).toBe(4);
    applyOwnerStep(world, { setDesired: { web: 6 } });
    expect(world.ownerDesired.get("web")).toBe(6);
    await world.close();
});
