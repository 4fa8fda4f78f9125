// Stack configs that must be refused, each with the key the error has to name and a fragment of what is allowed.
// Used twice: by the pure reader's tests and by the program's "nothing is declared" tests.

export interface InvalidConfigCase {
    title: string;
    config: Record<string, string>;
    /** The key the error names (`ecs-rebalancer:<key>`). */
    key: string;
    /** A fragment of the message that says what is allowed. */
    allowed: RegExp;
}

const ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/batch";

export const INVALID_CONFIG_CASES: readonly InvalidConfigCase[] = [
    { title: "createDemo is not a boolean", config: { createDemo: "yes" }, key: "createDemo", allowed: /true or false/ },
    { title: "dryRun is not a boolean", config: { dryRun: "1" }, key: "dryRun", allowed: /true or false/ },
    { title: "targetClusters is a bare string", config: { targetClusters: "prod" }, key: "targetClusters", allowed: /list of cluster names or ARNs/ },
    { title: "targetClusters is an object", config: { targetClusters: '{"prod":true}' }, key: "targetClusters", allowed: /list of cluster names or ARNs/ },
    { title: "targetClusters holds a number", config: { targetClusters: "[1]" }, key: "targetClusters", allowed: /list of cluster names or ARNs/ },
    { title: "targetClusters holds a bad name", config: { targetClusters: '["prod cluster"]' }, key: "targetClusters", allowed: /neither a cluster name .* nor an ECS cluster ARN/ },
    { title: "targetClusters holds a non-ECS ARN", config: { targetClusters: '["arn:aws:ec2:us-east-1:123456789012:instance/i-1"]' }, key: "targetClusters", allowed: /neither a cluster name/ },
    { title: "targetClusters lists a cluster twice", config: { targetClusters: JSON.stringify([ARN, ARN]) }, key: "targetClusters", allowed: /listed twice/ },
    { title: "no cluster at all", config: { createDemo: "false" }, key: "targetClusters", allowed: /no cluster to rebalance; list at least one/ },
    { title: "no cluster at all (explicit empty list)", config: { createDemo: "false", targetClusters: "[]" }, key: "targetClusters", allowed: /at least one/ },
    { title: "strategy is unknown", config: { strategy: "fast" }, key: "strategy", allowed: /minimal, redeploy/ },
    { title: "serviceSelection is unknown", config: { serviceSelection: "opted-in" }, key: "serviceSelection", allowed: /expected one of all, tagged/ },
    { title: "schedule rate with a plural unit for 1", config: { schedule: "rate(1 minutes)" }, key: "schedule", allowed: /singular unit for 1, rate\(1 minute\)/ },
    { title: "schedule rate with a singular unit above 1", config: { schedule: "rate(5 minute)" }, key: "schedule", allowed: /plural unit above 1/ },
    { title: "schedule rate of zero", config: { schedule: "rate(0 minutes)" }, key: "schedule", allowed: /positive whole number/ },
    { title: "schedule rate in seconds", config: { schedule: "rate(30 seconds)" }, key: "schedule", allowed: /off, rate\(/ },
    { title: "schedule in words", config: { schedule: "every 15 minutes" }, key: "schedule", allowed: /off, rate\(/ },
    { title: "schedule cron with five fields", config: { schedule: "cron(0 12 * * ?)" }, key: "schedule", allowed: /six fields/ },
    { title: "schedule cron with both day fields", config: { schedule: "cron(0 12 * * * *)" }, key: "schedule", allowed: /exactly one of day-of-month and day-of-week/ },
    { title: "schedule cron minute out of range", config: { schedule: "cron(60 12 * * ? *)" }, key: "schedule", allowed: /minutes field \(0-59\)/ },
    { title: "delivery is unknown", config: { delivery: "sqs" }, key: "delivery", allowed: /expected direct or queue/ },
    { title: "delivery is in capitals", config: { delivery: "QUEUE" }, key: "delivery", allowed: /expected direct or queue/ },
    { title: "queueMaxConcurrency is below the event source mapping's minimum", config: { queueMaxConcurrency: "1" }, key: "queueMaxConcurrency", allowed: /integer from 2 to 1000/ },
    { title: "skewThreshold is not a number", config: { skewThreshold: "abc" }, key: "skewThreshold", allowed: /integer from 1 to 5000/ },
    { title: "skewThreshold is a fraction", config: { skewThreshold: "1.5" }, key: "skewThreshold", allowed: /integer from 1 to 5000/ },
    { title: "skewThreshold is zero", config: { skewThreshold: "0" }, key: "skewThreshold", allowed: /integer from 1 to 5000/ },
    { title: "maxMovesPerPass is zero", config: { maxMovesPerPass: "0" }, key: "maxMovesPerPass", allowed: /integer from 1 to 1000/ },
    { title: "maxMovesPerService is too large", config: { maxMovesPerService: "1001" }, key: "maxMovesPerService", allowed: /integer from 1 to 1000/ },
    { title: "skipTag uses the reserved aws: prefix", config: { skipTag: "aws:skip" }, key: "skipTag", allowed: /reserved prefix aws:/ },
    { title: "skipTag is empty", config: { skipTag: "" }, key: "skipTag", allowed: /tag key/ },
    { title: "skipTag is a per-service setting tag", config: { skipTag: "ecs-rebalancer:dryRun" }, key: "skipTag", allowed: /other than the opt-in and per-service setting tags/ },
    { title: "skipTag is a key the rebalancer writes", config: { skipTag: "ecs-rebalancer:last-move" }, key: "skipTag", allowed: /other than the rebalancer's own markers/ },
    { title: "minTaskAgeSeconds is negative", config: { minTaskAgeSeconds: "-1" }, key: "minTaskAgeSeconds", allowed: /integer from 0 to 86400/ },
    { title: "azRebalancingGraceSeconds is below a minute", config: { azRebalancingGraceSeconds: "10" }, key: "azRebalancingGraceSeconds", allowed: /integer from 60 to 86400/ },
    { title: "surgeTimeoutSeconds is below a minute", config: { surgeTimeoutSeconds: "30" }, key: "surgeTimeoutSeconds", allowed: /integer from 60 to 86400/ },
    { title: "maxWritesPerSecond is above 40", config: { maxWritesPerSecond: "41" }, key: "maxWritesPerSecond", allowed: /integer from 1 to 40/ },
    { title: "tracing is not a boolean", config: { tracing: "on" }, key: "tracing", allowed: /true or false/ },
    { title: "movesWithoutImprovement is zero", config: { movesWithoutImprovement: "0" }, key: "movesWithoutImprovement", allowed: /integer from 1 to 20/ },
    { title: "logRetentionDays is not a CloudWatch period", config: { logRetentionDays: "31" }, key: "logRetentionDays", allowed: /retention periods 0, 1, 3/ },
    { title: "lambdaMemoryMb is below Lambda's minimum", config: { lambdaMemoryMb: "64" }, key: "lambdaMemoryMb", allowed: /integer from 128 to 10240/ },
    { title: "lambdaTimeoutSeconds is above Lambda's maximum", config: { lambdaTimeoutSeconds: "901" }, key: "lambdaTimeoutSeconds", allowed: /integer from 10 to 900/ },
    { title: "alarmEmail is not an address", config: { alarmEmail: "oncall" }, key: "alarmEmail", allowed: /an email address such as oncall@example.com/ },
    { title: "alarmEmail holds two addresses", config: { alarmEmail: "a@example.com b@example.com" }, key: "alarmEmail", allowed: /an email address/ },
    { title: "alarmTopicArn is a topic name", config: { alarmTopicArn: "oncall" }, key: "alarmTopicArn", allowed: /a standard SNS topic ARN/ },
    { title: "alarmTopicArn is a FIFO topic", config: { alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:oncall.fifo" }, key: "alarmTopicArn", allowed: /a standard SNS topic ARN/ },
    { title: "alarmTopicArn is not an SNS ARN", config: { alarmTopicArn: "arn:aws:sqs:us-east-1:123456789012:oncall" }, key: "alarmTopicArn", allowed: /a standard SNS topic ARN/ },
    { title: "unbalancedAlarmPasses is zero", config: { unbalancedAlarmPasses: "0" }, key: "unbalancedAlarmPasses", allowed: /integer from 1 to 100/ },
    {
        title: "unbalancedAlarmPasses spans more than CloudWatch evaluates",
        config: { unbalancedAlarmPasses: "97" },
        key: "unbalancedAlarmPasses",
        allowed: /periods of 900 s \(the sweep's interval\) CloudWatch evaluates at most 1 day\(s\): at most 96 passes \(ecs-rebalancer:schedule is rate\(15 minutes\)\)/,
    },
    { title: "demoInstanceType is not an instance type", config: { demoInstanceType: "large" }, key: "demoInstanceType", allowed: /EC2 instance type such as t3.small/ },
    { title: "demoMinInstances is negative", config: { demoMinInstances: "-1" }, key: "demoMinInstances", allowed: /integer from 0 to 100/ },
    { title: "demoDesiredInstances above demoMaxInstances", config: { demoDesiredInstances: "5" }, key: "demoDesiredInstances", allowed: /demoMinInstances \(1\) ≤ demoDesiredInstances \(5\) ≤ demoMaxInstances \(4\)/ },
    { title: "demoMaxInstances is zero", config: { demoMaxInstances: "0" }, key: "demoMaxInstances", allowed: /integer from 1 to 100/ },
    { title: "demoAzCount is one (the ALB needs two)", config: { demoAzCount: "1" }, key: "demoAzCount", allowed: /integer from 2 to 6/ },
    { title: "demoServiceDesiredCount is not a number", config: { demoServiceDesiredCount: "two" }, key: "demoServiceDesiredCount", allowed: /integer from 0 to 100/ },
    { title: "demoServiceImage has a space", config: { demoServiceImage: "nginx latest" }, key: "demoServiceImage", allowed: /container image reference/ },
    { title: "an unknown key (a typo)", config: { skewThreshhold: "2" }, key: "skewThreshhold", allowed: /unknown key; the keys are createDemo, targetClusters/ },
];

/** The value the error must quote for a case. */
export function rawValueOf(c: InvalidConfigCase): string {
    return c.config[c.key] ?? (c.key === "targetClusters" ? "[]" : "");
}
