// The rebalancer's alarms as plain data (pure: no Pulumi), so each can be read and tested on its own: what it
// watches, when it fires, and what it means for the people it notifies. rebalancerAlarms.ts declares them.
// Dimension values are generic: strings here and in the tests, Pulumi Outputs in the component.

import { CLUSTER_DIMENSION, METRICS_NAMESPACE, SERVICE_DIMENSION, SERVICE_NAME, type MetricName } from "../../rebalancer/metricCatalog";
import { rateSeconds } from "../scheduleExpression";

/** Alarms on events (a failure, a deadline): five minutes, and back to OK once a period passes without one. */
export const EVENT_ALARM_PERIOD_SECONDS = 300;
/** The state alarms' period when the schedule has no fixed interval (cron, or off): the default sweep's. */
export const DEFAULT_STATE_PERIOD_SECONDS = 900;
/** CloudWatch: a period under an hour may be evaluated over one day at most, a longer one over seven days. */
const MAX_EVALUATION_SECONDS = { shortPeriods: 86_400, longPeriods: 604_800 };
export const UNBALANCED_ALARM_PASSES = { min: 1, max: 100, default: 4 } as const;

/**
 * The period of the alarms on a state the passes report (surges overdue, services left unbalanced): the sweep's
 * interval, so that every period holds at least one pass and the state is seen in each (at most one day, CloudWatch's
 * longest period here). Between passes nothing is emitted, and a period without a pass is treated as not breaching.
 */
export function statePeriodSeconds(schedule: string): number {
    const interval = rateSeconds(schedule);
    return interval === undefined ? DEFAULT_STATE_PERIOD_SECONDS : Math.min(interval, 86_400);
}

/** Why `passes` periods of `periodSeconds` are more than a CloudWatch alarm may evaluate, or undefined. */
export function describeInvalidAlarmWindow(passes: number, periodSeconds: number): string | undefined {
    const limit = periodSeconds < 3600 ? MAX_EVALUATION_SECONDS.shortPeriods : MAX_EVALUATION_SECONDS.longPeriods;
    const most = Math.floor(limit / periodSeconds);
    if (passes * periodSeconds <= limit) return undefined;
    return `with periods of ${periodSeconds} s (the sweep's interval) CloudWatch evaluates at most ${limit / 86_400} day(s): ` +
        `at most ${most} passes`;
}

export type AlarmKind =
    | "function-errors" | "dead-letters" | "queue-dead-letters" | "queue-age" | "pass-errors" | "deadline" | "surge-overdue" | "left-unbalanced";

/**
 * Delivery `queue`: an event waiting longer than this has waited more than a sweep interval would (and longer than
 * direct delivery keeps an event, MAX_EVENT_AGE_SECONDS): the queue falls behind the fleet, or a cluster's message
 * group is held by a record redelivered after a pass that lacked time.
 */
export const QUEUE_AGE_ALARM_SECONDS = 900;

export interface AlarmDefinition<V> {
    kind: AlarmKind;
    /** The alarm's logical name, after the component's name: `<name>-<suffix>`. */
    suffix: string;
    /** The cluster it watches (per-cluster alarms). */
    clusterKey?: string;
    description: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, V>;
    statistic: "Sum" | "Maximum" | "Minimum";
    period: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    threshold: number;
    comparisonOperator: "GreaterThanOrEqualToThreshold";
    treatMissingData: "notBreaching";
}

export interface AlarmInputs<V> {
    functionName: V;
    deadLetterQueueName: V;
    /** Each target cluster: a key for resource names, and its name (the metrics' cluster dimension). */
    clusters: ReadonlyArray<{ key: string; name: V }>;
    surgeTimeoutSeconds: number;
    unbalancedPasses: number;
    statePeriodSeconds: number;
    /** Delivery `queue`: the event queue and its dead-letter queue. */
    queue?: { name: V; deadLetterQueueName: V };
}

/** What each alarm means and what to do, for the alarm's description and the README. */
export const ALARM_GUIDE: Record<AlarmKind, { title: string; meaning: string; action: string }> = {
    "function-errors": {
        title: "function errors",
        meaning:
            "an invocation failed: a setting the handler refuses (it names the variable), a timeout, or a crash; " +
            "EventBridge's event is retried once, then dropped to the dead-letter queue",
        action: "read the function's log group (errorType, errorMessage); fix the stack config and `pulumi up`, or raise lambdaTimeoutSeconds",
    },
    "dead-letters": {
        title: "dead-letter queue",
        meaning:
            "events were dropped: failed twice, or older than 15 minutes while reserved concurrency 1 was busy; " +
            "the next sweep covers their clusters",
        action: "read the messages' ErrorCode and ErrorMessage attributes, fix the cause (see function errors), then purge the queue",
    },
    "queue-dead-letters": {
        title: "queued events set aside (delivery queue)",
        meaning:
            "queued events were set aside after 5 receives: the function failed on them (a setting it refuses, a timeout, " +
            "a crash) or their cluster's pass kept running out of time; the next sweep message covers their clusters",
        action:
            "read the function's errors and the deadline alarms; fix the cause, then redrive the messages to the event " +
            "queue (SQS console) or purge them",
    },
    "queue-age": {
        title: "queued events waiting (delivery queue)",
        meaning:
            `the oldest queued event waited ${QUEUE_AGE_ALARM_SECONDS / 60} minutes or more: passes do not keep up with the fleet's ` +
            "events, or a cluster's events wait behind one redelivered after its pass ran out of time",
        action:
            "compare the dashboard's pass durations with the number of clusters; raise the event source mapping's maximum " +
            "concurrency (queueMaxConcurrency) or lambdaTimeoutSeconds, or split the clusters across stacks",
    },
    "pass-errors": {
        title: "pass or write errors",
        meaning:
            "in this cluster a service's writes failed or were refused, or a pass could not read or plan the cluster; " +
            "the function itself did not fail, so Lambda's Errors stays 0",
        action:
            "find the pass records with a `failure` (whole pass) or `act.failure` (one service) in the log group; " +
            "AccessDenied means the role or a target cluster changed",
    },
    deadline: {
        title: "cluster not reached in time",
        meaning: "an invocation ran out of time for this cluster: its pass did not start, or stopped before its writes were made",
        action: "compare PassDurationMs with the timeout on the dashboard; raise lambdaTimeoutSeconds or split the clusters across stacks",
    },
    "surge-overdue": {
        title: "surge open past its timeout",
        meaning:
            "a service's desiredCount is still raised (surge marker on) longer than surgeTimeoutSeconds: its restore " +
            "waits for starting tasks, or was not made",
        action:
            "find the service with outcome waiting or restore in the log; check why its tasks do not start (capacity, " +
            "placement); if needed set desiredCount back to the marker's owner= value and remove the ecs-rebalancer:surge tag",
    },
    "left-unbalanced": {
        title: "services left unbalanced",
        meaning:
            "for N periods in a row every pass left a service in scope unbalanced (held back by the flap guard, no " +
            "headroom or the pass cap, writes not made, or more surplus than a pass moves); skipped and dry-run " +
            "services do not count",
        action:
            "read the dashboard's decisions table for the reason; add capacity, raise maxMovesPerPass, or tolerate " +
            "the skew with the service's ecs-rebalancer:skewThreshold tag",
    },
};

type Evaluation = Pick<AlarmDefinition<unknown>, "statistic" | "period" | "evaluationPeriods" | "datapointsToAlarm">;

/** Any occurrence in five minutes; OK again after five minutes without one. */
const ON_EVENT: Evaluation = { statistic: "Sum", period: EVENT_ALARM_PERIOD_SECONDS, evaluationPeriods: 1, datapointsToAlarm: 1 };
const AT_LEAST_ONE = { threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching" } as const;

function describe(kind: AlarmKind, where = ""): string {
    return `ecs-rebalancer${where}: ${ALARM_GUIDE[kind].meaning}. What to do: ${ALARM_GUIDE[kind].action}.`;
}

export function alarmDefinitions<V>(inputs: AlarmInputs<V>): AlarmDefinition<V | string>[] {
    const alarms: AlarmDefinition<V | string>[] = [
        {
            kind: "function-errors", suffix: "errors", description: describe("function-errors"),
            namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: inputs.functionName }, ...ON_EVENT, ...AT_LEAST_ONE,
        },
        {
            kind: "dead-letters", suffix: "dlq-depth", description: describe("dead-letters"),
            namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: inputs.deadLetterQueueName },
            ...ON_EVENT, statistic: "Maximum", ...AT_LEAST_ONE,
        },
    ];
    if (inputs.queue) {
        alarms.push(
            {
                kind: "queue-dead-letters", suffix: "queue-dlq-depth", description: describe("queue-dead-letters"),
                namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: inputs.queue.deadLetterQueueName },
                ...ON_EVENT, statistic: "Maximum", ...AT_LEAST_ONE,
            },
            {
                kind: "queue-age", suffix: "queue-age", description: describe("queue-age"),
                namespace: "AWS/SQS", metricName: "ApproximateAgeOfOldestMessage", dimensions: { QueueName: inputs.queue.name },
                ...ON_EVENT, statistic: "Maximum", ...AT_LEAST_ONE, threshold: QUEUE_AGE_ALARM_SECONDS,
            },
        );
    }
    for (const c of inputs.clusters) {
        // The dimensions every per-cluster metric carries (metricCatalog.ts: Powertools' service, then the cluster).
        const metric = (name: MetricName) => ({
            namespace: METRICS_NAMESPACE, metricName: name,
            dimensions: { [SERVICE_DIMENSION]: SERVICE_NAME, [CLUSTER_DIMENSION]: c.name } as Record<string, V | string>,
        });
        // A state the passes report: one sweep interval per period, so that each holds a pass.
        const perSweep = (statistic: Evaluation["statistic"], periods: number): Evaluation => ({
            statistic, period: inputs.statePeriodSeconds, evaluationPeriods: periods, datapointsToAlarm: periods,
        });
        const of = (kind: AlarmKind, suffix: string) => ({
            kind, suffix: `${suffix}-${c.key}`, clusterKey: c.key, description: describe(kind, ` (cluster ${c.key})`),
        });
        const surge = of("surge-overdue", "surge-overdue");
        const unbalanced = of("left-unbalanced", "left-unbalanced");
        alarms.push(
            { ...of("pass-errors", "errors"), ...metric("Errors"), ...ON_EVENT, ...AT_LEAST_ONE },
            { ...of("deadline", "deadline"), ...metric("PassesStoppedByDeadline"), ...ON_EVENT, ...AT_LEAST_ONE },
            {
                ...surge, description: surge.description.replace("surgeTimeoutSeconds", `surgeTimeoutSeconds (${inputs.surgeTimeoutSeconds} s)`),
                ...metric("SurgesOverdue"), ...perSweep("Maximum", 1), ...AT_LEAST_ONE,
            },
            {
                // Minimum: every pass of the period left one; N periods of N: that many sweeps in a row.
                ...unbalanced, description: unbalanced.description.replace("for N periods", `for ${inputs.unbalancedPasses} periods`),
                ...metric("ServicesLeftUnbalanced"), ...perSweep("Minimum", inputs.unbalancedPasses), ...AT_LEAST_ONE,
            },
        );
    }
    return alarms;
}
