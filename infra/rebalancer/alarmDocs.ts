// The README's alarm table, rendered from the alarm definitions with the default settings (a test keeps README.md
// equal to it).
import { DEFAULT_SCHEDULE } from "../../rebalancer/eventPatterns";
import { defaultSettings } from "../../rebalancer/settings";
import { ALARM_GUIDE, alarmDefinitions, statePeriodSeconds, UNBALANCED_ALARM_PASSES, type AlarmDefinition } from "./alarmDefinitions";

export const ALARM_TABLE_BEGIN = "<!-- alarm-table:begin (generated from infra/rebalancer/alarmDefinitions.ts; tests/infra/projectFiles.test.ts checks it) -->";
export const ALARM_TABLE_END = "<!-- alarm-table:end -->";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function metricOf(d: AlarmDefinition<string>): string {
    const dims = Object.entries(d.dimensions).map(([k, v]) => `${k}=${v}`).join(", ");
    return `\`${d.namespace}\` \`${d.metricName}\` (${dims})`;
}

function firesWhen(d: AlarmDefinition<string>): string {
    if (d.kind === "left-unbalanced") {
        return `${d.statistic} ≥ ${d.threshold} in each of unbalancedAlarmPasses (default ${UNBALANCED_ALARM_PASSES.default}) periods in a row`;
    }
    return `${d.statistic} ≥ ${d.threshold} in a period`;
}

function periodOf(d: AlarmDefinition<string>): string {
    if (d.kind === "surge-overdue" || d.kind === "left-unbalanced") {
        return `the sweep's interval (${statePeriodSeconds(DEFAULT_SCHEDULE)} s at ${DEFAULT_SCHEDULE}; 900 s for cron or off)`;
    }
    return `${d.period} s`;
}

export function renderAlarmTable(): string {
    const defaults = defaultSettings([]);
    const defs = alarmDefinitions({
        functionName: "<function>",
        deadLetterQueueName: "<dead-letter queue>",
        clusters: [{ key: "<cluster>", name: "<cluster>" }],
        surgeTimeoutSeconds: defaults.surgeTimeoutSeconds,
        unbalancedPasses: UNBALANCED_ALARM_PASSES.default,
        statePeriodSeconds: statePeriodSeconds(DEFAULT_SCHEDULE),
        queue: { name: "<event queue>", deadLetterQueueName: "<event dead-letter queue>" },
    });
    const rows = defs.map((d) => {
        const guide = ALARM_GUIDE[d.kind];
        return `| \`rebalancer-${d.suffix}\` (${guide.title}) | ${cell(metricOf(d))} | ${cell(firesWhen(d))} | ${cell(periodOf(d))} | ${d.treatMissingData} | ${cell(guide.meaning)} | ${cell(guide.action)} |`;
    });
    return [
        "| alarm | metric | fires when | period | missing data | what it means | what to do |",
        "|---|---|---|---|---|---|---|",
        ...rows,
    ].join("\n");
}
