// ECS request throttling: one token bucket per API category, per account and Region, refilled continuously at the
// sustained rate up to the burst size (APIReference "request-throttling", table in
// ../shared/reference/ecs-semantics-and-anchors.md B.8). Throttled calls fail with ThrottlingException "Rate exceeded".

export interface ThrottleCategory {
    name: string;
    burst: number;
    /** Tokens added per second. */
    sustained: number;
    operations: string[];
}

export const THROTTLE_CATEGORIES: readonly ThrottleCategory[] = [
    { name: "Cluster read", burst: 50, sustained: 20, operations: ["DescribeClusters", "ListClusters"] },
    {
        name: "Cluster resource read",
        burst: 100,
        sustained: 20,
        operations: ["DescribeContainerInstances", "DescribeTasks", "ListAttributes", "ListContainerInstances", "ListTasks"],
    },
    {
        name: "Cluster resource modify",
        burst: 100,
        sustained: 40,
        operations: [
            "StopTask",
            "RunTask",
            "StartTask",
            "UpdateContainerInstancesState",
            "PutAttributes",
            "DeleteAttributes",
            "DeregisterContainerInstance",
            "ExecuteCommand",
            "UpdateContainerAgent",
        ],
    },
    { name: "Service read", burst: 100, sustained: 20, operations: ["DescribeServices", "ListServices"] },
    { name: "Service modify", burst: 50, sustained: 5, operations: ["CreateService", "DeleteService", "UpdateService"] },
    { name: "Task protection", burst: 200, sustained: 80, operations: ["GetTaskProtection", "UpdateTaskProtection"] },
    { name: "Task definition read", burst: 50, sustained: 20, operations: ["DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies"] },
    { name: "Tag read", burst: 50, sustained: 20, operations: ["ListTagsForResource"] },
    {
        name: "Agent modify",
        burst: 200,
        sustained: 120,
        operations: ["RegisterContainerInstance", "SubmitTaskStateChange", "SubmitContainerStateChange", "SubmitAttachmentStateChanges"],
    },
];

class TokenBucket {
    private tokens: number;
    private last: number;

    constructor(
        private readonly category: ThrottleCategory,
        now: number,
    ) {
        this.tokens = category.burst;
        this.last = now;
    }

    private refill(now: number): void {
        const elapsed = Math.max(0, now - this.last) / 1000;
        this.tokens = Math.min(this.category.burst, this.tokens + elapsed * this.category.sustained);
        this.last = now;
    }

    take(now: number): boolean {
        this.refill(now);
        if (this.tokens < 1) return false;
        this.tokens -= 1;
        return true;
    }

    /** Other callers in the account spend up to `count` tokens; returns how many they got. */
    spend(count: number, now: number): number {
        this.refill(now);
        const spent = Math.max(0, Math.min(Math.floor(this.tokens), count));
        this.tokens -= spent;
        return spent;
    }
}

/** The buckets of one emulated account and Region. Operations outside the table are not throttled. */
export class Throttler {
    private readonly buckets = new Map<string, TokenBucket>();
    private readonly categoryOf = new Map<string, ThrottleCategory>();

    constructor(categories: readonly ThrottleCategory[] = THROTTLE_CATEGORIES) {
        for (const c of categories) for (const op of c.operations) this.categoryOf.set(op, c);
    }

    /** False when the call must be throttled. */
    admit(operation: string, now: number): boolean {
        const bucket = this.bucketOf(operation, now);
        return bucket ? bucket.take(now) : true;
    }

    /**
     * Tokens of the operation's category spent by other callers in the account and Region (the buckets are
     * shared by every caller); returns how many were available to spend (0 for an unthrottled operation).
     */
    spend(operation: string, count: number, now: number): number {
        return this.bucketOf(operation, now)?.spend(count, now) ?? 0;
    }

    private bucketOf(operation: string, now: number): TokenBucket | undefined {
        const category = this.categoryOf.get(operation);
        if (!category) return undefined;
        let bucket = this.buckets.get(category.name);
        if (!bucket) {
            bucket = new TokenBucket(category, now);
            this.buckets.set(category.name, bucket);
        }
        return bucket;
    }
}
