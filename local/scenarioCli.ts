// npm run scenario -- FILE [--strategy minimal|redeploy|seed|none] [--ecs-profile NAME] [--json OUT] [--seed N]
// Plays a scenario file on the local emulator with the rebalancer wired as deployed and prints what happened;
// --json writes the report of scenarios/FORMAT.md.

import { writeFileSync } from "node:fs";
import { runScenario } from "./scenario/runner";
import { STRATEGY_NAMES, type StrategyName } from "./scenario/rebalancers";
import { beforeAfterTables, summaryLine } from "./scenario/reportText";
import { readScenarioFile, scenarioInputError } from "./scenario/scenarioFile";
import { ecsProfileFlag, parseFlags, runCli, UsageError } from "./cliFlags";

const USAGE = "usage: npm run scenario -- FILE [--strategy minimal|redeploy|seed|none] [--ecs-profile service-page|placement-page|adversarial] [--json OUT] [--seed N]";

async function main(argv: string[]): Promise<number> {
    const { positional, flags } = parseFlags(argv, { strategy: "string", json: "string", seed: "integer", "ecs-profile": "string" });
    if (positional.length !== 1) throw new UsageError(`expected one scenario FILE, got ${positional.length}`);
    const strategy = (flags.strategy ?? "minimal") as StrategyName;
    if (!STRATEGY_NAMES.includes(strategy)) throw new UsageError(`--strategy must be one of ${STRATEGY_NAMES.join(", ")}, got ${JSON.stringify(flags.strategy)}`);
    const ecsProfile = ecsProfileFlag(flags["ecs-profile"]);
    const scenario = readScenarioFile(positional[0]);
    const { report } = await runScenario(scenario, { strategy, seed: flags.seed as number | undefined, ecsProfile });
    console.log(`${scenario.name}${scenario.description ? ` — ${scenario.description}` : ""}`);
    console.log(`ECS behaviour profile: ${ecsProfile}\n`);
    console.log(beforeAfterTables(report));
    console.log(`\n${summaryLine(report)}`);
    if (flags.json) {
        writeFileSync(flags.json as string, JSON.stringify(report, null, 2) + "\n");
        console.log(`report written to ${flags.json}`);
    }
    return 0;
}

runCli(() => main(process.argv.slice(2)), USAGE, scenarioInputError);
