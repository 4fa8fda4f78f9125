// Schedule expressions, checked as EventBridge checks them.
import { describeInvalidSchedule } from "../../infra/scheduleExpression";

describe("describeInvalidSchedule", () => {
    it.each([
        "off",
        "rate(1 minute)",
        "rate(15 minutes)",
        "rate(1 hour)",
        "rate(12 hours)",
        "rate(1 day)",
        "rate(7 days)",
        "cron(0 10 * * ? *)",
        "cron(15 12 * * ? *)",
        "cron(0 18 ? * MON-FRI *)",
        "cron(0 8 1 * ? *)",
        "cron(0/15 * * * ? *)",
        "cron(0/10 * ? * MON-FRI *)",
        "cron(0/5 8-17 ? * MON-FRI *)",
        "cron(0 9 ? * 2#1 *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 15W * ? *)",
        "cron(0 0 ? * 6L *)",
        "cron(0,30 * ? JAN,JUL SUN 2025-2030)",
    ])("accepts %s", (expression) => {
        expect(describeInvalidSchedule(expression)).toBeUndefined();
    });

    it.each([
        ["rate(1 minutes)", /singular/],
        ["rate(1 hours)", /singular/],
        ["rate(2 minute)", /plural/],
        ["rate(2 day)", /plural/],
        ["rate(0 minutes)", /positive/],
        ["rate(-1 minutes)", /expected off/],
        ["rate(5 seconds)", /expected off/],
        ["rate(5minutes)", /expected off/],
        ["Rate(5 minutes)", /expected off/],
        ["rate( 5 minutes)", /expected off/],
        ["cron(0 10 * * ?)", /six fields/],
        ["cron(0  10 * * ? *)", /six fields/],
        ["cron(0 10 * * * *)", /exactly one of day-of-month and day-of-week/],
        ["cron(0 10 ? * ? *)", /exactly one/],
        ["cron(0 10 1 * MON *)", /exactly one/],
        ["cron(60 10 * * ? *)", /minutes/],
        ["cron(0 24 * * ? *)", /hours/],
        ["cron(0 10 32 * ? *)", /day-of-month/],
        ["cron(0 10 * 13 ? *)", /month/],
        ["cron(0 10 ? * 8 *)", /day-of-week/],
        ["cron(0 10 ? * FUN *)", /day-of-week/],
        ["cron(0 10 * * ? 1969)", /year/],
        ["cron(? 10 * * ? *)", /only allowed in day-of-month or day-of-week/],
        ["cron(0/0 10 * * ? *)", /minutes/],
        ["cron(0 9 ? * 2#1,3#2 *)", /single expression/],
        ["*/5 * * * *", /expected off/],
        ["", /expected off/],
        ["OFF", /expected off/],
    ])("refuses %s", (expression, why) => {
        expect(describeInvalidSchedule(expression)).toMatch(why);
    });

    it("refuses a value that is not text", () => {
        expect(describeInvalidSchedule(15)).toMatch(/expected off/);
    });
});
