// Runs the rebalancer's handler as the deployed function would run: its settings and endpoints in the
// environment (REBALANCER_*, AWS_ENDPOINT_URL_*), its own access key, invoked with EventBridge's events; the
// handler's clock is the emulator's, so task ages, surge markers and write pacing follow emulated time.

import type { VirtualClock } from "../../../local/emulator";
import type { AwsClients } from "../../../rebalancer/awsClients";
import { createHandler, type InvocationSummary, type LambdaHandler } from "../../../rebalancer/handler";
import type { Clock } from "../../../rebalancer/rateLimiter";
import { SETTING_FIELDS } from "../../../rebalancer/settings";
import type { LogSink } from "../../../rebalancer/telemetry";

/** The rebalancer's dummy credentials: every call it makes carries this key, so causes can be attributed. */
export const REBALANCER_KEY = "AKIDREBALANCER";
export const REGION = "us-east-1";
export const ACCOUNT = "123456789012";
/** The deployed schedule's default rate (rebalancer/eventPatterns.ts DEFAULT_SCHEDULE). */
export const SCHEDULE_INTERVAL_MS = 15 * 60_000;

export interface LogLine {
    level: "info" | "warn" | "error";
    message: string;
    fields: Record<string, any>;
}

/** Sets the function's environment for the rest of the test file; returns a restore. */
export function useRebalancerEnvironment(endpoint: string, settings: Record<string, string>): () => void {
    const saved = { ...process.env };
    for (const f of SETTING_FIELDS) delete process.env[f.env];
    for (const name of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"]) delete process.env[name];
    Object.assign(process.env, {
        AWS_ENDPOINT_URL_ECS: endpoint,
        AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: endpoint,
        AWS_ACCESS_KEY_ID: REBALANCER_KEY,
        AWS_SECRET_ACCESS_KEY: "e2e-secret",
        AWS_REGION: REGION,
        // Nothing outside the emulator: no IMDS lookups if a credential is missing.
        AWS_EC2_METADATA_DISABLED: "true",
        ...settings,
    });
    return () => {
        process.env = saved;
    };
}

/** The handler's time is the emulator's; sleeping (write pacing) lets emulated time pass. */
export function emulatedClock(clock: VirtualClock): Clock {
    return {
        now: () => clock.now(),
        sleep: async (ms) => {
            clock.advance(ms);
        },
    };
}

export interface RebalancerRun {
    handler: LambdaHandler;
    logs: LogLine[];
    invoke(event: unknown): Promise<InvocationSummary>;
}

/** A fresh function container (new clients, empty memory) on the emulated clock. */
export function startRebalancer(clock: VirtualClock, clients?: AwsClients): RebalancerRun {
    const logs: LogLine[] = [];
    const log: LogSink = {
        info: (message, fields) => logs.push({ level: "info", message, fields }),
        warn: (message, fields) => logs.push({ level: "warn", message, fields }),
        error: (message, fields) => logs.push({ level: "error", message, fields }),
    };
    const handler = createHandler({ clock: emulatedClock(clock), log, metrics: { publish: () => undefined, publishFunction: () => undefined }, ...(clients ? { clients } : {}) });
    return { handler, logs, invoke: (event) => handler(event, undefined) };
}

export function scheduledEvent(timeMs: number): Record<string, unknown> {
    return {
        version: "0",
        id: `schedule-${timeMs}`,
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: ACCOUNT,
        time: new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
        region: REGION,
        resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/ecs-rebalancer-schedule`],
        detail: {},
    };
}

export function writesOf(summary: InvocationSummary): number {
    return summary.clusters.reduce((n, c) => n + c.writes, 0);
}

export function clusterArnOf(name: string): string {
    return `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
}
