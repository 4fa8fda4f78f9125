// The stack config reader: defaults, strict parsing, and a clear error for every bad value.
import { CONFIG_KEYS, ConfigError, readStackConfig } from "../../infra/config";
import { DEFAULT_SCHEDULE } from "../../rebalancer/eventPatterns";
import { defaultSettings, SETTING_FIELDS } from "../../rebalancer/settings";
import { INVALID_CONFIG_CASES, rawValueOf } from "./support/invalidConfigCases";

function errorOf(fn: () => unknown): ConfigError {
    try {
        fn();
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error("expected a ConfigError, nothing was thrown");
}

describe("readStackConfig", () => {
    it("gives every key its default when the stack sets nothing", () => {
        const config = readStackConfig({});
        const { clusters: _clusters, ...settingDefaults } = defaultSettings([]);
        expect(config).toEqual({
            createDemo: true,
            targetClusters: [],
            settings: settingDefaults,
            schedule: DEFAULT_SCHEDULE,
            delivery: "direct",
            queueMaxConcurrency: 5,
            logRetentionDays: 30,
            lambdaMemoryMb: 1024,
            lambdaTimeoutSeconds: 300,
            alarms: { email: "", topicArn: "", unbalancedPasses: 4 },
            demo: {
                instanceType: "t3.small",
                minInstances: 1,
                desiredInstances: 2,
                maxInstances: 4,
                azCount: 2,
                serviceDesiredCount: 2,
                serviceImage: "public.ecr.aws/docker/library/nginx:stable-alpine",
            },
        });
    });

    it("reads every key from the text Pulumi passes (structured values as JSON)", () => {
        const config = readStackConfig({
            createDemo: "false",
            targetClusters: '["prod", "arn:aws:ecs:eu-west-1:123456789012:cluster/batch"]',
            strategy: "redeploy",
            serviceSelection: "tagged",
            dryRun: "true",
            schedule: "cron(0/30 8-18 ? * MON-FRI *)",
            delivery: "queue",
            queueMaxConcurrency: "20",
            skewThreshold: "2",
            maxMovesPerPass: "50",
            maxMovesPerService: "5",
            skipTag: "team:no-rebalance",
            minTaskAgeSeconds: "120",
            surgeTimeoutSeconds: "600",
            azRebalancingGraceSeconds: "3600",
            maxWritesPerSecond: "5",
            movesWithoutImprovement: "1",
            tracing: "true",
            logRetentionDays: "90",
            lambdaMemoryMb: "2048",
            lambdaTimeoutSeconds: "600",
            alarmEmail: "oncall@example.com",
            alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:platform-alarms",
            unbalancedAlarmPasses: "8",
            demoInstanceType: "t4g.small",
            demoMinInstances: "2",
            demoDesiredInstances: "3",
            demoMaxInstances: "6",
            demoAzCount: "3",
            demoServiceDesiredCount: "6",
            demoServiceImage: "public.ecr.aws/nginx/nginx:1.27",
        });
        expect(config).toEqual({
            createDemo: false,
            targetClusters: ["prod", "arn:aws:ecs:eu-west-1:123456789012:cluster/batch"],
            settings: {
                strategy: "redeploy",
                serviceSelection: "tagged",
                dryRun: true,
                skewThreshold: 2,
                maxMovesPerPass: 50,
                maxMovesPerService: 5,
                skipTag: "team:no-rebalance",
                minTaskAgeSeconds: 120,
                surgeTimeoutSeconds: 600,
                azRebalancingGraceSeconds: 3600,
                maxWritesPerSecond: 5,
                movesWithoutImprovement: 1,
                tracing: true,
            },
            schedule: "cron(0/30 8-18 ? * MON-FRI *)",
            delivery: "queue",
            queueMaxConcurrency: 20,
            logRetentionDays: 90,
            lambdaMemoryMb: 2048,
            lambdaTimeoutSeconds: 600,
            alarms: { email: "oncall@example.com", topicArn: "arn:aws:sns:eu-west-1:123456789012:platform-alarms", unbalancedPasses: 8 },
            demo: {
                instanceType: "t4g.small",
                minInstances: 2,
                desiredInstances: 3,
                maxInstances: 6,
                azCount: 3,
                serviceDesiredCount: 6,
                serviceImage: "public.ecr.aws/nginx/nginx:1.27",
            },
        });
    });

    it("accepts schedule off and an empty extra-cluster list when the demo is built", () => {
        const config = readStackConfig({ schedule: "off", targetClusters: "[]" });
        expect(config.schedule).toBe("off");
        expect(config.targetClusters).toEqual([]);
    });

    it("carries every rebalancer setting except the cluster list, so the infra writes them all", () => {
        const keys = Object.keys(readStackConfig({}).settings).sort();
        expect(keys).toEqual(SETTING_FIELDS.map((f) => f.key).filter((k) => k !== "clusters").sort());
        for (const key of keys) expect(CONFIG_KEYS.map((k) => k.key)).toContain(key);
    });

    describe.each(INVALID_CONFIG_CASES)("refuses: $title", (c) => {
        it("with an error naming the key, the value and what is allowed", () => {
            const error = errorOf(() => readStackConfig(c.config));
            expect(error.message).toContain(`ecs-rebalancer:${c.key}`);
            expect(error.message).toContain(JSON.stringify(rawValueOf(c)));
            expect(error.message).toMatch(c.allowed);
            expect(error.problems.map((p) => p.key)).toContain(c.key);
        });
    });

    it("reports every bad key at once, not only the first", () => {
        const error = errorOf(() => readStackConfig({ strategy: "fast", dryRun: "yes", schedule: "rate(1 hours)" }));
        expect(error.problems.map((p) => p.key).sort()).toEqual(["dryRun", "schedule", "strategy"]);
        expect(error.message.split("\n")).toHaveLength(4);
    });

    it("does not silently default a value it cannot read", () => {
        // A boolean written as a word or an integer with a unit must fail, not fall back to the default.
        expect(() => readStackConfig({ dryRun: "True" })).toThrow(/ecs-rebalancer:dryRun/);
        expect(() => readStackConfig({ maxMovesPerPass: "20 tasks" })).toThrow(/ecs-rebalancer:maxMovesPerPass/);
        expect(() => readStackConfig({ targetClusters: '"prod"' })).toThrow(/ecs-rebalancer:targetClusters/);
    });
});
