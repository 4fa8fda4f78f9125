// Observe, then plan; when the plan names facts it has not seen (task definitions whose host ports matter,
// scale-in protection of its stop victims), read just those and plan again. The last plan takes any protection
// still unread as "protected", so a task is never stopped on a guess. Every read checks the deadline first
// (readDeadline.ts): a pass out of time ends here, before any write.
import type { Deadline } from "./act";
import type { AwsClients } from "./awsClients";
import type { ApiCalls } from "./apiCalls";
import type { ClusterSnapshot } from "./model";
import type { Plan } from "./plan/types";
import type { Settings } from "./settings";
import { observe } from "./observe";
import type { TaskCache } from "./taskCache";
import type { TaskDefinitionCache } from "./taskDefinitions";
import { readTaskDefinitions } from "./taskDefinitions";
import { readTaskProtection } from "./taskProtection";

export type PlanFunction = (snapshot: ClusterSnapshot, settings: Settings, options?: { unreadProtectionIsProtected?: boolean }) => Plan;

/** Read rounds after the first plan: each can change the victims, which can need new reads. */
export const MAX_READ_ROUNDS = 3;

export interface PlannedCluster {
    /** The snapshot the final plan was made from; its failures include the later reads'. */
    snapshot: ClusterSnapshot;
    plan: Plan;
    /** Plans computed. */
    planRounds: number;
}

export interface ReadDeps {
    clients: AwsClients;
    cache: TaskDefinitionCache;
    /** The container's task cache (handler.ts); a one-off read (planCli) goes without. */
    taskCache?: TaskCache;
    plan: PlanFunction;
}

export async function observeAndPlan(deps: ReadDeps, clusterArn: string, settings: Settings, now: number, calls: ApiCalls, deadline?: Deadline): Promise<PlannedCluster> {
    let snapshot = await observe(deps.clients, clusterArn, deps.cache, now, calls, { ...(deps.taskCache ? { taskCache: deps.taskCache } : {}), ...(deadline ? { deadline } : {}) });
    const failures = [...snapshot.failures];
    let plan = deps.plan(snapshot, settings);
    let planRounds = 1;
    // Never ask twice for what could not be read: the answer will not change within a pass.
    const askedDefinitions = new Set<string>();
    const askedProtection = new Set<string>();
    for (let round = 0; round < MAX_READ_ROUNDS; round++) {
        const definitions = plan.unreadTaskDefinitions.filter((a) => !askedDefinitions.has(a) && !(a in snapshot.taskDefinitions));
        const protection = plan.unreadProtection.filter((a) => !askedProtection.has(a));
        if (definitions.length === 0 && protection.length === 0) break;
        if (definitions.length > 0) {
            definitions.forEach((a) => askedDefinitions.add(a));
            const read = await readTaskDefinitions(deps.clients, definitions, deps.cache, calls, deadline);
            failures.push(...read.failures);
            snapshot = { ...snapshot, taskDefinitions: { ...snapshot.taskDefinitions, ...read.facts } };
        }
        if (protection.length > 0) {
            protection.forEach((a) => askedProtection.add(a));
            const read = await readTaskProtection(deps.clients, clusterArn, protection, calls, deadline);
            failures.push(...read.failures);
            snapshot = {
                ...snapshot,
                tasks: snapshot.tasks.map((t) => {
                    const p = read.protection[t.arn];
                    return p ? { ...t, protectionEnabled: p.enabled, ...(p.expiresAt !== undefined ? { protectionExpiresAt: p.expiresAt } : {}) } : t;
                }),
            };
        }
        plan = deps.plan(snapshot, settings);
        planRounds++;
    }
    if (plan.unreadProtection.length > 0) {
        plan = deps.plan(snapshot, settings, { unreadProtectionIsProtected: true });
        planRounds++;
    }
    return { snapshot: { ...snapshot, failures }, plan, planRounds };
}
