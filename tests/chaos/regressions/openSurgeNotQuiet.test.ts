// Found by the chaos runner (npm run chaos -- --replay 331958295): a surge whose tasks ECS could not place was still
// waiting (892 s of its 900 s timeout) when a pass that wrote nothing ended the run as "quiet"; the check then found
// the surged desiredCount and the marker left behind. A pass with a surge open is not quiet: the surge ends with a
// write (the restore), and the run goes on until it does. Found with direct delivery (before cases drew one).

import { generateCase } from "../../../local/chaos/generator";
import { playChaosCase } from "../../../local/chaos/play";

test("the run goes on past a pass that only waits on an open surge, until the surge is restored", async () => {
    const r = await playChaosCase(generateCase(331958295, "service-page", "direct"));
    expect({ desired: r.counts.desiredLeftChanged, markers: r.counts.markersLeft, notConverged: r.counts.notConverged })
        .toEqual({ desired: 0, markers: 0, notConverged: 0 });
}, 60_000);
