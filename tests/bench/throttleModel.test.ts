import { bucketOf, observeSecondsUnderThrottling, sequentialCallsSeconds } from "../../bench/throttleModel";

const bucket = { burst: 100, sustained: 20 };

it("within the burst, calls take only their latency", () => {
    expect(sequentialCallsSeconds(100, bucket, 10)).toBeCloseTo(1, 9);
    expect(sequentialCallsSeconds(0, bucket, 10)).toBe(0);
});

it("past the burst, calls go at the sustained rate", () => {
    // 100 from the burst at once, then 20 per second: 40 more take 2 s.
    expect(sequentialCallsSeconds(140, bucket, 0)).toBeCloseTo(2, 9);
    // Latency refills the bucket too: 50 ms per call is exactly the sustained rate, so nothing ever waits.
    expect(sequentialCallsSeconds(1_000, bucket, 50)).toBeCloseTo(50, 6);
});

it("knows ECS's buckets by operation, and the emulator's own for Application Auto Scaling", () => {
    expect(bucketOf("DescribeTasks")).toEqual({ burst: 100, sustained: 20 });
    expect(bucketOf("DescribeServices")).toEqual({ burst: 100, sustained: 20 });
    // Application Auto Scaling publishes no rate: the emulator's choice (local/emulator/throttling.ts).
    expect(bucketOf("DescribeScalableTargets")).toEqual({ burst: 50, sustained: 20 });
    expect(bucketOf("NoSuchOperation")).toBeUndefined();
});

it("observe's chains run side by side: the pass takes as long as the slowest", () => {
    const calls = { ListContainerInstances: 50, DescribeContainerInstances: 50, ListTasks: 1_000, DescribeTasks: 1_000, ListServices: 50, DescribeServices: 500, DescribeScalableTargets: 11 };
    const { seconds, chains } = observeSecondsUnderThrottling(calls, 0);
    expect(chains[0]).toBeCloseTo((2_100 - 100) / 20, 6);
    expect(chains[1]).toBeCloseTo((550 - 100) / 20, 6);
    expect(chains[2]).toBe(0);
    expect(seconds).toBeCloseTo(100, 6);
    const unthrottled = observeSecondsUnderThrottling(calls, 10, false);
    expect(unthrottled.seconds).toBeCloseTo(21, 6);
});
