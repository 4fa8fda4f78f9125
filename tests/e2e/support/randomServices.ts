// Random services for the scenario's instances: sizes, strategies, floors, ceilings and static ports drawn from a
// seeded generator, their tasks piled mostly on the instances that survived the scale-in.

import { SPREAD_AZ, SPREAD_INSTANCE, type ServiceSpec } from "./scenario";

/** mulberry32-style generator: the same seed gives the same services. */
export function seededRandom(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
        s = (s + 0x6d2b79f5) >>> 0;
        let t = Math.imul(s ^ (s >>> 15), 1 | s);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
}

const OLD = ["i-a1", "i-b1"];
const ALL = ["i-a1", "i-b1", "i-c1", "i-a2", "i-b2"];

export function randomServices(seed: number, count: number): ServiceSpec[] {
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const services: ServiceSpec[] = [];
    for (let n = 0; n < count; n++) {
        const desiredCount = 1 + Math.floor(random() * 12);
        const staticHostPort = random() < 0.15;
        const placement: Record<string, number> = {};
        let placed = 0;
        for (let attempt = 0; attempt < 200 && placed < desiredCount; attempt++) {
            const id = random() < 0.7 ? pick(OLD) : pick(ALL);
            if (staticHostPort && placement[id]) continue;
            placement[id] = (placement[id] ?? 0) + 1;
            placed++;
        }
        if (placed < desiredCount) continue;
        const minimumHealthyPercent = pick([0, 50, 67, 100]);
        services.push({
            name: `random-${n}`,
            expect: "rebalance",
            why: "random",
            desiredCount,
            placement,
            strategy: pick([[SPREAD_AZ, SPREAD_INSTANCE], [SPREAD_INSTANCE], [SPREAD_AZ], undefined]),
            minimumHealthyPercent,
            maximumPercent: pick([100, 125, 150, 200]),
            staticHostPort,
        });
    }
    return services;
}
