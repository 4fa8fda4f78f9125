// npm run demo [-- --strategy minimal|redeploy|seed|none] [--ecs-profile NAME] [--scenario FILE] [--json OUT] [--seed N]
//
// The reference architecture's walk-through, locally: two instances in two AZs, one service of two tasks; the
// Auto Scaling group shrinks to one instance and grows back. The rebalancer is exactly the one `pulumi up`
// deploys — the closure Pulumi serializes for the CallbackFunction, loaded as Lambda loads it, with the settings
// the program writes into its environment and the rules it creates — against a local ECS that the AWS SDK
// talks to. Prints the timeline and tasks per instance and AZ before and after; exits non-zero unless the
// cluster ends balanced with every floor and ceiling kept.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ecsProfileFlag, parseFlags, runCli, UsageError } from "./cliFlags";
import { STRATEGY_NAMES, type StrategyName } from "./scenario/rebalancers";
import { beforeAfterTables, summaryLine, timelineLine } from "./scenario/reportText";
import { runScenario, type ScenarioReport } from "./scenario/runner";
import { readScenarioFile, scenarioInputError } from "./scenario/scenarioFile";
import { dashboardFigures, decisionRows, emfDatapoints, serviceDatapoints, serviceNames, type WidgetFigures } from "./dashboardFigures";
import { decisionsText, figuresText } from "./dashboardText";
import type { RunResult } from "./scenario/runner";

/** Decisions printed (the --json report holds every row the dashboard's table would). */
const DECISIONS_SHOWN = 8;

export interface DashboardReport {
    figures: WidgetFigures[];
    decisions: Array<Record<string, unknown>>;
}

/** The deployed dashboard's widgets evaluated on this run: the function's EMF output and the local Lambda's records. */
export function dashboardReport(result: RunResult): DashboardReport | undefined {
    if (!result.dashboard) return undefined;
    const records = result.logs.map((l) => l.record);
    const points = [
        ...emfDatapoints(records),
        ...serviceDatapoints({ ...serviceNames(result.dashboard), invocations: result.invocations, deadLetters: result.deadLetters }),
    ];
    return { figures: dashboardFigures(result.dashboard, points), decisions: decisionRows(records) };
}

const USAGE = "usage: npm run demo [-- --strategy minimal|redeploy|seed|none] [--ecs-profile service-page|placement-page|adversarial] [--scenario FILE] [--json OUT] [--seed N]";
export const DEMO_SCENARIO = join(__dirname, "..", "scenarios", "seed-scale-down-up.json");

/** The demo's verdict: balanced (nothing left to move), every floor and ceiling kept, and quiet. */
export function verdict(report: ScenarioReport): { ok: boolean; why: string[] } {
    const why: string[] = [];
    if (!report.converged) why.push("the rebalancer did not go quiet within the time limit");
    if (report.remainingMoves > 0) why.push(`${report.remainingMoves} task(s) still need to move: not balanced`);
    if (report.floorViolations > 0) why.push(`${report.floorViolations} healthy-floor violation(s)`);
    if (report.ceilingViolations > 0) why.push(`${report.ceilingViolations} ceiling violation(s)`);
    return { ok: why.length === 0, why };
}

async function main(argv: string[]): Promise<number> {
    const { positional, flags } = parseFlags(argv, { strategy: "string", scenario: "string", json: "string", seed: "integer", "ecs-profile": "string" });
    if (positional.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positional[0])}`);
    const strategy = (flags.strategy ?? "minimal") as StrategyName;
    if (!STRATEGY_NAMES.includes(strategy)) throw new UsageError(`--strategy must be one of ${STRATEGY_NAMES.join(", ")}, got ${JSON.stringify(flags.strategy)}`);
    const ecsProfile = ecsProfileFlag(flags["ecs-profile"]);
    const scenario = readScenarioFile((flags.scenario as string | undefined) ?? DEMO_SCENARIO);

    console.log(`ecs-rebalancer demo — ${scenario.name} (${strategy}; ECS behaviour profile ${ecsProfile})`);
    if (scenario.description) console.log(scenario.description);
    console.log("The rebalancer below is the Lambda closure `pulumi up` deploys, run against a local ECS control plane.\n");
    let start: number | undefined;
    const result = await runScenario(scenario, {
        strategy,
        seed: flags.seed as number | undefined,
        ecsProfile,
        onTimeline: (entry) => {
            start ??= entry.time;
            console.log(timelineLine(entry, start));
        },
    });
    const { report } = result;
    console.log(`\nTasks per instance and per AZ (running), before = ECS alone, after = with the rebalancer:\n`);
    console.log(beforeAfterTables(report));
    console.log(`\n${summaryLine(report)}`);
    const dashboard = dashboardReport(result);
    if (dashboard) {
        console.log("\nThe stack's CloudWatch dashboard for this run (its widgets evaluated on what the function printed, whole run):");
        console.log(figuresText(dashboard.figures));
        const shown = Math.min(DECISIONS_SHOWN, dashboard.decisions.length);
        console.log(`  Recent pass decisions, per service (${shown} newest of the table's ${dashboard.decisions.length}):`);
        console.log(decisionsText(dashboard.decisions, DECISIONS_SHOWN));
    }
    if (flags.json) writeFileSync(flags.json as string, JSON.stringify({ ...report, ...(dashboard ? { dashboard } : {}) }, null, 2) + "\n");
    const { ok, why } = verdict(report);
    console.log(ok ? "\nOK: balanced, every floor and ceiling kept." : `\nNOT OK: ${why.join("; ")}.`);
    return ok ? 0 : 1;
}

if (require.main === module) {
    runCli(() => main(process.argv.slice(2)), USAGE, scenarioInputError);
}
