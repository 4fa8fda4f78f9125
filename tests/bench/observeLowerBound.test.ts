import { observeCallsLowerBound } from "../../bench/observeLowerBound";

it("pages lists by 100 (one call even when empty), batches describes by 10 services and 100 instances or tasks", () => {
    const lb = observeCallsLowerBound({ instances: 5_000, services: 5_000, tasks: 100_000, scalableTargets: 520 });
    expect(lb.byOperation).toEqual({
        ListContainerInstances: 50,
        DescribeContainerInstances: 50,
        ListTasks: 1_000,
        DescribeTasks: 1_000,
        ListServices: 50,
        DescribeServices: 500,
        DescribeScalableTargets: 11,
    });
    expect(lb.total).toBe(2_661);
});

it("rounds partial pages and batches up", () => {
    const lb = observeCallsLowerBound({ instances: 101, services: 11, tasks: 201, scalableTargets: 50 });
    expect(lb.byOperation).toMatchObject({ ListContainerInstances: 2, DescribeContainerInstances: 2, ListTasks: 3, DescribeTasks: 3, ListServices: 1, DescribeServices: 2, DescribeScalableTargets: 1 });
});

it("an empty cluster still takes one call per list and none per describe", () => {
    const lb = observeCallsLowerBound({ instances: 0, services: 0, tasks: 0, scalableTargets: 0 });
    expect(lb.byOperation).toEqual({
        ListContainerInstances: 1, DescribeContainerInstances: 0, ListTasks: 1, DescribeTasks: 0, ListServices: 1, DescribeServices: 0, DescribeScalableTargets: 1,
    });
    expect(lb.total).toBe(4);
});
