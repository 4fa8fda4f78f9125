// Task-definition facts the planner asks for (network mode, static host ports), read once per container:
// a task-definition revision never changes, so a cached read stays true for the container's life.
import type { Deadline } from "./act";
import type { AwsClients } from "./awsClients";
import type { ApiCalls } from "./apiCalls";
import { countCall } from "./apiCalls";
import type { ObserveFailure, TaskDefinitionFacts } from "./model";
import { errorText } from "./errors";
import { checkReadDeadline } from "./readDeadline";
import { toTaskDefinitionFacts } from "./snapshotMapping";

export interface TaskDefinitionCache {
    get(arn: string): TaskDefinitionFacts | undefined;
    set(facts: TaskDefinitionFacts): void;
    readonly size: number;
}

/** Bounded so a long-lived container serving many clusters cannot grow without limit; the oldest entry goes first. */
export const TASK_DEFINITION_CACHE_LIMIT = 5000;

export function createTaskDefinitionCache(limit = TASK_DEFINITION_CACHE_LIMIT): TaskDefinitionCache {
    const entries = new Map<string, TaskDefinitionFacts>();
    return {
        get: (arn) => entries.get(arn),
        set(facts) {
            entries.delete(facts.arn);
            entries.set(facts.arn, facts);
            while (entries.size > limit) entries.delete(entries.keys().next().value as string);
        },
        get size() {
            return entries.size;
        },
    };
}

export interface TaskDefinitionRead {
    facts: Record<string, TaskDefinitionFacts>;
    failures: ObserveFailure[];
}

/**
 * Facts for each ARN, from the cache or from one DescribeTaskDefinition each (the API takes one at a time).
 * A definition that cannot be read is reported as a failure; the planner then treats its facts as unknown.
 * With a deadline, each read first checks the time left (ReadDeadlineError).
 */
export async function readTaskDefinitions(clients: AwsClients, arns: readonly string[], cache: TaskDefinitionCache, calls: ApiCalls, deadline?: Deadline): Promise<TaskDefinitionRead> {
    const { DescribeTaskDefinitionCommand } = require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs");
    const out: TaskDefinitionRead = { facts: {}, failures: [] };
    for (const arn of new Set(arns)) {
        const cached = cache.get(arn);
        if (cached) {
            out.facts[arn] = cached;
            continue;
        }
        checkReadDeadline(deadline, "DescribeTaskDefinition");
        try {
            const res = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
            countCall(calls, "DescribeTaskDefinition");
            const facts = res.taskDefinition ? toTaskDefinitionFacts(res.taskDefinition) : undefined;
            if (!facts) {
                out.failures.push({ arn, reason: "TASK_DEFINITION_UNREADABLE", detail: "DescribeTaskDefinition returned no task definition" });
                continue;
            }
            // Keyed by the ARN asked for: the plan looks facts up by the ARN the service or task carries.
            const keyed = facts.arn === arn ? facts : { ...facts, arn };
            cache.set(keyed);
            out.facts[arn] = keyed;
        } catch (err) {
            // A deregistered or deleted revision answers ClientException; anything else is unexpected but local.
            countCall(calls, "DescribeTaskDefinition");
            out.failures.push({ arn, reason: "TASK_DEFINITION_UNREADABLE", detail: `DescribeTaskDefinition: ${errorText(err)}` });
        }
    }
    return out;
}
