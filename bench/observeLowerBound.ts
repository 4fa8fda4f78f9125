// The fewest ECS (and Application Auto Scaling) calls one read of a cluster can take, by the API's limits
// (../shared/reference B.8): list pages of 100 (a list always takes one call, even when empty), describes in
// batches of 10 services or 100 instances / tasks, and DescribeScalableTargets pages of 50 over the account's ECS
// scalable targets (at least one call).

export interface ObserveSize {
    instances: number;
    services: number;
    /** Tasks with desired status RUNNING (what ListTasks returns by default). */
    tasks: number;
    /** ECS scalable targets registered with Application Auto Scaling in the account and Region. */
    scalableTargets: number;
}

export const LIST_PAGE = 100;
export const DESCRIBE_SERVICES_BATCH = 10;
export const DESCRIBE_BATCH = 100;
export const SCALABLE_TARGETS_PAGE = 50;

function pages(items: number, pageSize: number): number {
    return Math.max(1, Math.ceil(items / pageSize));
}

function batches(items: number, batchSize: number): number {
    return Math.ceil(items / batchSize);
}

export function observeCallsLowerBound(size: ObserveSize): { byOperation: Record<string, number>; total: number } {
    const byOperation: Record<string, number> = {
        ListContainerInstances: pages(size.instances, LIST_PAGE),
        DescribeContainerInstances: batches(size.instances, DESCRIBE_BATCH),
        ListTasks: pages(size.tasks, LIST_PAGE),
        DescribeTasks: batches(size.tasks, DESCRIBE_BATCH),
        ListServices: pages(size.services, LIST_PAGE),
        DescribeServices: batches(size.services, DESCRIBE_SERVICES_BATCH),
        DescribeScalableTargets: pages(size.scalableTargets, SCALABLE_TARGETS_PAGE),
    };
    return { byOperation, total: Object.values(byOperation).reduce((a, b) => a + b, 0) };
}
