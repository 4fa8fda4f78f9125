// EventBridge schedule expressions, checked the way EventBridge checks them, so that a typo in
// `ecs-rebalancer:schedule` fails at preview instead of at PutRule half-way through an update.
// Rules: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html

export const SCHEDULE_OFF = "off";

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface CronField {
    name: string;
    min: number;
    max: number;
    names?: string[];
    kind: "plain" | "dayOfMonth" | "dayOfWeek";
}

const CRON_FIELDS: readonly CronField[] = [
    { name: "minutes", min: 0, max: 59, kind: "plain" },
    { name: "hours", min: 0, max: 23, kind: "plain" },
    { name: "day-of-month", min: 1, max: 31, kind: "dayOfMonth" },
    { name: "month", min: 1, max: 12, names: MONTHS, kind: "plain" },
    { name: "day-of-week", min: 1, max: 7, names: WEEKDAYS, kind: "dayOfWeek" },
    { name: "year", min: 1970, max: 2199, kind: "plain" },
];

export const SCHEDULE_ALLOWED =
    "off, rate(<n> minute|minutes|hour|hours|day|days) with the singular unit exactly when n is 1, " +
    "or cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) with ? in exactly one of the two day fields";

/** Why `expression` is not a schedule EventBridge accepts (or `off`), or undefined when it is. */
export function describeInvalidSchedule(expression: unknown): string | undefined {
    if (typeof expression !== "string") return `expected ${SCHEDULE_ALLOWED}`;
    if (expression === SCHEDULE_OFF) return undefined;
    const rate = RATE.exec(expression);
    if (rate) return describeInvalidRate(Number(rate[1]), rate[2]);
    const cron = CRON.exec(expression);
    if (cron) return describeInvalidCron(cron[1]);
    return `expected ${SCHEDULE_ALLOWED}`;
}

function describeInvalidRate(value: number, unit: string): string | undefined {
    if (!Number.isSafeInteger(value) || value < 1) return "a rate needs a positive whole number";
    const singular = !unit.endsWith("s");
    if (value === 1 && !singular) return `rate(1 ${unit}) is invalid: EventBridge wants the singular unit for 1, rate(1 ${unit.slice(0, -1)})`;
    if (value > 1 && singular) return `rate(${value} ${unit}) is invalid: EventBridge wants the plural unit above 1, rate(${value} ${unit}s)`;
    return undefined;
}

function describeInvalidCron(body: string): string | undefined {
    const fields = body.split(" ");
    if (fields.length !== 6 || fields.some((f) => f.length === 0)) {
        return "a cron expression has six fields separated by single spaces: minutes hours day-of-month month day-of-week year";
    }
    for (let i = 0; i < CRON_FIELDS.length; i++) {
        const problem = describeInvalidCronField(CRON_FIELDS[i], fields[i]);
        if (problem) return problem;
    }
    const dayOfMonthUnset = fields[2] === "?";
    const dayOfWeekUnset = fields[4] === "?";
    if (dayOfMonthUnset === dayOfWeekUnset) {
        return "exactly one of day-of-month and day-of-week must be ? (EventBridge cannot combine them)";
    }
    if (fields[4].includes("#") && fields[4].includes(",")) return "day-of-week with # takes a single expression";
    return undefined;
}

function describeInvalidCronField(field: CronField, text: string): string | undefined {
    if (text === "?") return field.kind === "plain" ? `? is only allowed in day-of-month or day-of-week, not in ${field.name}` : undefined;
    for (const item of text.split(",")) {
        if (!isValidCronItem(field, item)) return `${JSON.stringify(text)} is not a valid ${field.name} field (${field.min}-${field.max})`;
    }
    return undefined;
}

function isValidCronItem(field: CronField, item: string): boolean {
    if (field.kind === "dayOfMonth") {
        if (item === "L" || item === "LW") return true;
        const weekday = /^(\d+)W$/.exec(item);
        if (weekday) return inRange(field, weekday[1]);
    }
    if (field.kind === "dayOfWeek") {
        if (item === "L") return true;
        const last = /^([A-Z]{3}|\d+)L$/.exec(item);
        if (last) return isValue(field, last[1]);
        const nth = /^([A-Z]{3}|\d+)#([1-5])$/.exec(item);
        if (nth) return isValue(field, nth[1]);
    }
    const [base, step, ...rest] = item.split("/");
    if (rest.length > 0) return false;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= field.max - field.min + 1)) return false;
    if (base === "*") return true;
    const range = base.split("-");
    if (range.length === 1) return isValue(field, range[0]);
    if (range.length === 2) return isValue(field, range[0]) && isValue(field, range[1]);
    return false;
}

function isValue(field: CronField, text: string): boolean {
    if (field.names?.includes(text)) return true;
    return inRange(field, text);
}

function inRange(field: CronField, text: string): boolean {
    if (!/^\d+$/.test(text)) return false;
    const n = Number(text);
    return n >= field.min && n <= field.max;
}

const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };

/** The interval of a `rate(...)` schedule in seconds; undefined for `off` and cron schedules (no fixed interval). */
export function rateSeconds(expression: string): number | undefined {
    const rate = RATE.exec(expression);
    return rate ? Number(rate[1]) * UNIT_SECONDS[rate[2]] : undefined;
}
