import type { ReceivedCall } from "../../local/fleet/concurrentInvocations";
import { eventLatencies, overlappingPasses, passesOf, readRateLowerBoundSeconds, sweepFigures } from "../../local/fleet/fleetMetrics";

const ARN = (c: string) => `arn:aws:ecs:us-east-1:123456789012:cluster/${c}`;
const call = (at: number, container: string, operation: string, cluster?: string, firstPage = true): ReceivedCall => ({
    at, container, operation, ...(cluster ? { cluster: ARN(cluster) } : {}), firstPage, throttled: false,
});

describe("fleet metrics", () => {
    test("passes: a first ListContainerInstances page starts one; calls without a cluster join the container's current pass", () => {
        const calls = [
            call(0, "c1", "ListContainerInstances", "a"),
            call(5, "c2", "ListContainerInstances", "b"),
            call(10, "c1", "DescribeScalableTargets"),
            call(20, "c1", "ListTasks", "a", false),
            call(30, "c1", "StopTask", "a"),
            call(40, "c1", "ListContainerInstances", "a"),
            call(50, "c1", "DescribeTasks", "a"),
        ];
        const passes = passesOf(calls);
        expect(passes.map((p) => [p.container, p.cluster, p.start, p.end, p.callsTotal, p.warm, p.wrote])).toEqual([
            ["c1", "a", 0, 30, 4, false, true],
            ["c2", "b", 5, 5, 1, false, false],
            ["c1", "a", 40, 50, 2, true, false],
        ]);
    });

    test("passes of several clusters at once in one container are told apart by cluster", () => {
        const passes = passesOf([
            call(0, "c1", "ListContainerInstances", "a"),
            call(1, "c1", "ListContainerInstances", "b"),
            call(2, "c1", "DescribeTasks", "a"),
            call(3, "c1", "DescribeTasks", "b"),
            call(9, "c1", "StopTask", "a"),
        ]);
        expect(passes.map((p) => [p.cluster, p.start, p.end, p.callsTotal, p.wrote])).toEqual([
            ["a", 0, 9, 3, true],
            ["b", 1, 3, 2, false],
        ]);
    });

    test("read-rate lower bound: the slowest bucket's calls beyond its burst over its refill rate", () => {
        // Cluster resource read: burst 100, 20 per second.
        expect(readRateLowerBoundSeconds({ ListTasks: 60, DescribeTasks: 40 })).toBe(0);
        expect(readRateLowerBoundSeconds({ ListTasks: 500, DescribeTasks: 600 })).toBe(50);
        // Service read: burst 100, 20 per second; the slower bucket counts.
        expect(readRateLowerBoundSeconds({ ListTasks: 300, DescribeServices: 700 })).toBe(30);
    });

    test("sweeps: reached when a pass starts within the sweep; time to the end of the last first pass; starved named", () => {
        const calls = [
            call(1_000, "c1", "ListContainerInstances", "a"),
            call(3_000, "c1", "DescribeTasks", "a"),
            call(4_000, "c1", "ListContainerInstances", "b"),
            call(9_000, "c1", "DescribeTasks", "b"),
            call(101_000, "c1", "ListContainerInstances", "a"),
        ];
        const sweeps = sweepFigures(passesOf(calls), ["a", "b"], [0, 100_000], 200_000);
        expect(sweeps[0]).toMatchObject({ clustersReached: 2, clustersStarved: [], seconds: 9 });
        expect(sweeps[1]).toMatchObject({ clustersReached: 1, clustersStarved: ["b"] });
        expect(sweeps[1].seconds).toBeUndefined();
    });

    test("event latency: to the first pass of its cluster that starts at or after it; none by the end is not covered", () => {
        const passes = passesOf([call(10_000, "c1", "ListContainerInstances", "a"), call(30_000, "c1", "ListContainerInstances", "a")]);
        const figures = eventLatencies(
            [
                { at: 10_000, cluster: ARN("a") },
                { at: 12_000, cluster: ARN("a") },
                { at: 31_000, cluster: ARN("a") },
                { at: 0, cluster: ARN("b") },
            ],
            passes,
        );
        expect(figures).toMatchObject({ events: 4, covered: 2, notCovered: 2, p50Seconds: 0, maxSeconds: 18 });
    });

    test("overlapping passes: counted per cluster, passes of different clusters may overlap", () => {
        const passes = passesOf([
            call(0, "c1", "ListContainerInstances", "a"),
            call(5, "c2", "ListContainerInstances", "b"),
            call(8, "c2", "DescribeTasks", "b"),
            call(10, "c1", "DescribeTasks", "a"),
            call(9, "c3", "ListContainerInstances", "a"),
            call(12, "c3", "DescribeTasks", "a"),
        ].sort((x, y) => x.at - y.at));
        expect(overlappingPasses(passes)).toBe(1);
        expect(overlappingPasses(passes.filter((p) => p.container !== "c3"))).toBe(0);
    });
});
