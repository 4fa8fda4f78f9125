// The round split and the per-round bound (local/scenario/rounds.ts): where rounds start, when a service's round
// counts, the sum, what makes a run multi-round — and the argument's core claim, that the textbook bound falls by at
// most one per task stopped, checked on random placements against lowerBound.ts itself.
import fc from "fast-check";
import { serviceLowerBound, type BoundInstance, type BoundService } from "../../local/scenario/lowerBound";
import { isMultiRound, perRoundBound, roundReport, serviceRoundBound, splitRounds, type RoundReport, type ServiceRound } from "../../local/scenario/rounds";
import type { ScenarioStep } from "../../local/scenario/scenarioFile";

const launch = (id: string): ScenarioStep => ({ launch: [{ id, az: "us-east-1a", cpu: 2048, memory: 3891, attributes: {} }] });

describe("splitRounds", () => {
    it("each step that changes the cluster opens a round; the advances after it belong to it", () => {
        const steps: ScenarioStep[] = [{ terminate: ["i-a1"] }, { advance: 120 }, launch("i-a3"), { advance: 600 }, { terminate: ["i-b1"] }];
        expect(splitRounds(steps)).toEqual([{ steps: [] }, { steps: [0, 1] }, { steps: [2, 3] }, { steps: [4] }]);
    });

    it("steps with no wait between them are rounds of their own (the runner settles the world before each)", () => {
        expect(splitRounds([{ drain: ["i-a1"] }, { terminate: ["i-a1"] }, launch("i-a3")]).map((r) => r.steps)).toEqual([[], [0], [1], [2]]);
    });

    it("advances before the first change belong to the start", () => {
        expect(splitRounds([{ advance: 60 }])).toEqual([{ steps: [0] }]);
        expect(splitRounds([])).toEqual([{ steps: [] }]);
    });
});

const state = (bound: number, running = 12, bins = ["i-a", "i-b"]) => ({ bound, running, bins });
const touched = (extra: Partial<ServiceRound> = {}): ServiceRound => ({ service: "api", atFirstMove: state(5), atEnd: state(1), otherChanges: 0, overRoom: [], ...extra });

describe("serviceRoundBound", () => {
    it("counts what the rebalancer's moves took off the bound: start − end, never below 0", () => {
        expect(serviceRoundBound(touched())).toEqual({ bound: 4 });
        expect(serviceRoundBound(touched({ atEnd: state(7) }))).toEqual({ bound: 0 });
    });

    it("counts nothing, and says why, when the argument's conditions do not hold", () => {
        expect(serviceRoundBound(touched({ otherChanges: 2 }))).toMatchObject({ bound: 0, unmeasured: expect.stringMatching(/2 start\(s\)\/stop\(s\) not the rebalancer's/) });
        expect(serviceRoundBound(touched({ atEnd: state(0, 11) }))).toMatchObject({ bound: 0, unmeasured: expect.stringMatching(/12 running at its first move, 11 at the end/) });
        expect(serviceRoundBound(touched({ atEnd: state(0, 12, ["i-a", "i-c"]) }))).toMatchObject({ bound: 0, unmeasured: expect.stringMatching(/instances .* changed/) });
        expect(serviceRoundBound(touched({ overRoom: ["i-b"] }))).toMatchObject({ bound: 0, unmeasured: expect.stringMatching(/i-b held more of it than they have room for/) });
    });
});

describe("the sum and multi-round", () => {
    const round = (bound: number): RoundReport => ({ steps: ["x"], bound, left: 0, stopped: bound, unmeasured: [] });

    it("a round's bound is the sum over its services; unmeasured ones are listed", () => {
        const r = roundReport(["launch i-a3"], [touched(), touched({ service: "worker", atFirstMove: state(3), atEnd: state(0) }), touched({ service: "cache", otherChanges: 1 })], 2, 9);
        expect(r).toMatchObject({ steps: ["launch i-a3"], bound: 7, left: 2, stopped: 9 });
        expect(r.unmeasured).toEqual([expect.stringMatching(/^cache: /)]);
    });

    it("the per-round bound adds the rounds; a run is multi-round when two or more rounds needed moves", () => {
        const rounds = [round(0), round(5), round(0), round(10)];
        expect(perRoundBound(rounds)).toBe(15);
        expect(isMultiRound(rounds)).toBe(true);
        expect(isMultiRound([round(0), round(7), round(0)])).toBe(false);
    });
});

describe("the argument: LB(S) − LB(E) ≤ tasks stopped between S and E", () => {
    // Random placements of one service on 2–6 roomy instances in up to 3 AZs, then a random sequence of moves (a stop
    // on an instance holding a task, its replacement anywhere): the bound must not fall by more than the stops.
    const levels: BoundService["levels"][] = [["instance"], ["az"], ["az", "instance"]];
    it("holds for every spread the runner bounds", () => {
        fc.assert(fc.property(
            fc.array(fc.record({ az: fc.integer({ min: 0, max: 2 }), count: fc.nat(6) }), { minLength: 2, maxLength: 6 }),
            fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 }),
            fc.integer({ min: 0, max: 2 }),
            (spec, moves, level) => {
                const instances: BoundInstance[] = spec.map((s, i) => ({ id: `i-${i}`, az: `az-${s.az}`, usable: true, room: 50 }));
                const start: Record<string, number> = Object.fromEntries(spec.map((s, i) => [`i-${i}`, s.count]));
                const counts = { ...start };
                let stops = 0;
                for (const [from, to] of moves) {
                    const holding = instances.filter((i) => counts[i.id] > 0);
                    if (holding.length === 0) break;
                    counts[holding[from % holding.length].id]--;
                    counts[instances[to % instances.length].id]++;
                    stops++;
                }
                const lb = (c: Record<string, number>) => serviceLowerBound({ name: "s", counts: c, levels: levels[level] }, instances);
                return lb(start) - lb(counts) <= stops;
            },
        ));
    });
});
