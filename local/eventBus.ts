// A local EventBridge bus: the rules the program deploys (event patterns and a schedule), each targeting a
// function invoked asynchronously. Events are matched with the deployed patterns themselves; the schedule fires
// "Scheduled Event"s on the clock at the deployed rate.

import { randomUUID } from "node:crypto";
import { SCHEDULED_EVENT, type EventPattern } from "../rebalancer/eventPatterns";
import { matchesPattern } from "./eventPattern";

export type BusRule =
    | { name: string; arn: string; eventPattern: EventPattern }
    | { name: string; arn: string; scheduleExpression: string };

export interface BusTarget {
    /** Once per matching rule; the rule says how its target sends (a queue target: message group, input transformer). */
    enqueue(event: unknown, rule: BusRule): void;
}

export interface BusClock {
    now(): number;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3600_000, hours: 3600_000, day: 86_400_000, days: 86_400_000 };

/** The period of a `rate(...)` expression; the local bus does not run cron schedules. */
export function ratePeriodMs(expression: string): number {
    const m = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression.trim());
    if (!m) throw new Error(`the local bus runs rate(...) schedules only, got ${JSON.stringify(expression)}`);
    return Number(m[1]) * UNIT_MS[m[2]];
}

export interface DeliveredEvent {
    rule: string;
    event: unknown;
    at: number;
}

export class LocalEventBus {
    private readonly schedules: { rule: BusRule & { scheduleExpression: string }; periodMs: number; nextAt: number }[] = [];
    readonly delivered: DeliveredEvent[] = [];
    published = 0;

    constructor(
        private readonly rules: BusRule[],
        private readonly target: BusTarget,
        private readonly clock: BusClock,
        private readonly account = "123456789012",
        private readonly region = "us-east-1",
    ) {
        for (const rule of rules) {
            if ("scheduleExpression" in rule) {
                const periodMs = ratePeriodMs(rule.scheduleExpression);
                this.schedules.push({ rule, periodMs, nextAt: clock.now() + periodMs });
            }
        }
    }

    /** An event from ECS: every rule whose pattern matches invokes the target once. */
    publish(event: unknown): void {
        this.published++;
        for (const rule of this.rules) {
            if ("eventPattern" in rule && matchesPattern(rule.eventPattern, event)) {
                this.delivered.push({ rule: rule.name, event, at: this.clock.now() });
                this.target.enqueue(event, rule);
            }
        }
    }

    /** When the next scheduled event is due (undefined without a schedule). */
    nextScheduleAt(): number | undefined {
        return this.schedules.length === 0 ? undefined : Math.min(...this.schedules.map((s) => s.nextAt));
    }

    /** Fires every schedule that is due by now. */
    fireDueSchedules(): number {
        let fired = 0;
        const now = this.clock.now();
        for (const s of this.schedules) {
            while (s.nextAt <= now) {
                const event = {
                    version: "0",
                    id: randomUUID(),
                    "detail-type": SCHEDULED_EVENT,
                    source: "aws.events",
                    account: this.account,
                    time: new Date(s.nextAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
                    region: this.region,
                    resources: [s.rule.arn],
                    detail: {},
                };
                this.delivered.push({ rule: s.rule.name, event, at: now });
                this.target.enqueue(event, s.rule);
                s.nextAt += s.periodMs;
                fired++;
            }
        }
        return fired;
    }
}
