// ECS request throttling: one token bucket per API category, per account and Region, refilled continuously at the
// sustained rate up to the burst size (APIReference "Request throttling for the Amazon ECS API", table in
// ../shared/reference/ecs-semantics-and-anchors.md B.8). Throttled calls fail with ThrottlingException "Rate exceeded".
// The page says ECS "throttles all API requests"; its table has no row for TagResource / UntagResource,
// Create/DeleteCluster or Register/DeregisterTaskDefinition, and Application Auto Scaling publishes no rate for
// DescribeScalableTargets: those buckets are the emulator's choice (`documented: false`), so that no emulated API
// is free of throttling (tests/emulator/faults.test.ts checks every operation has a bucket).

export interface ThrottleCategory {
    name: string;
    burst: number;
    /** Tokens added per second. */
    sustained: number;
    operations: string[];
    /** False: not in the page's table, burst and rate are the emulator's choice. */
    documented?: false;
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
    { name: "Capacity provider read", burst: 50, sustained: 20, operations: ["DescribeCapacityProviders"] },
    // Emulator's choice: no row for cluster writes; the rates of "Service modify".
    { name: "Cluster modify", burst: 50, sustained: 5, operations: ["CreateCluster", "DeleteCluster"],
        documented: false },
    // Emulator's choice: no row for task definition writes; 20 burst, 1 per second as users report
    // (github.com/aws-actions/amazon-ecs-deploy-task-definition issue 502), not as AWS documents.
    { name: "Task definition modify", burst: 20, sustained: 1,
        operations: ["RegisterTaskDefinition", "DeregisterTaskDefinition"], documented: false },
    // Emulator's choice: the page's table has no tag-modify row; the same rates as "Tag read".
    { name: "Tag modify", burst: 50, sustained: 20, operations: ["TagResource", "UntagResource"], documented: false },
    // Emulator's choice: Application Auto Scaling documents no API rate; a read bucket like ECS's cluster read.
    { name: "Application Auto Scaling read", burst: 50, sustained: 20, operations: ["DescribeScalableTargets"],
        documented: false },
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

/** The buckets of one emulated account and Region (every emulated operation has one). */
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
