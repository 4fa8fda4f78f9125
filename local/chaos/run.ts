// npm run chaos -- [--runs N] [--seed S] [--ecs-profile NAME] [--delivery direct|queue] [--json OUT] [--failures DIR]
//                 | --replay RUN_SEED [--ecs-profile NAME] [--delivery direct|queue]
// Generates N random clusters and scenarios from the seed, plays each with faults injected (chaos/play.ts), checks
// DESIGN.md's invariants after each, and prints the counts (all must be zero). A failing run is printed with its
// seed and details, and written as a scenario file (npm run scenario replays it without faults) plus its chaos
// plan (npm run chaos -- --replay <seed> replays it all). Each case draws its delivery (about a third queue);
// --delivery forces one for every case. Exit code 1 when any count is above zero.

import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecsProfileFlag, parseFlags, runCli, UsageError } from "../cliFlags";
import { DELIVERY_NAMES, type DeliveryName } from "../scenario/rebalancers";
import { generateCase, runSeed, type ChaosCase } from "./generator";
import { playChaosCase, type ChaosRunResult } from "./play";
import { addHarnessFailure, addRun, chaosPlanOf, emptyReport, failed, summaryLine, type ChaosReport } from "./report";

const USAGE = "usage: npm run chaos -- [--runs N] [--seed S] [--ecs-profile service-page|placement-page|adversarial] [--delivery direct|queue] [--json OUT] [--failures DIR] | --replay RUN_SEED [--ecs-profile NAME] [--delivery direct|queue]";
/** A run that takes longer than this in real time is a hang (the slowest take a few seconds). */
const RUN_REAL_TIME_LIMIT_MS = 180_000;

function withRealTimeLimit<T>(promise: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout;
    const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the run did not finish within ${ms / 1000} s of real time`)), ms);
    });
    return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The delivery is named: a batch may have forced it, and the seed alone draws its own. */
function replayCommand(c: ChaosCase): string {
    return `npm run chaos -- --replay ${c.seed} --ecs-profile ${c.ecsProfile} --delivery ${c.delivery}`;
}

/** `--delivery direct|queue`: forces every case's delivery (default: each case draws its own). */
function deliveryFlag(value: string | number | boolean | undefined): DeliveryName | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || !(DELIVERY_NAMES as readonly string[]).includes(value)) {
        throw new UsageError(`--delivery must be one of ${DELIVERY_NAMES.join(", ")}, got ${JSON.stringify(value)}`);
    }
    return value as DeliveryName;
}

function writeReplayFiles(dir: string, c: ChaosCase): { scenario: string; plan: string } {
    mkdirSync(dir, { recursive: true });
    const scenario = join(dir, `chaos-${c.seed}.scenario.json`);
    const plan = join(dir, `chaos-${c.seed}.chaos.json`);
    writeFileSync(scenario, JSON.stringify(c.scenarioFile, null, 2) + "\n");
    writeFileSync(plan, JSON.stringify(chaosPlanOf(c), null, 2) + "\n");
    return { scenario, plan };
}

function printFailure(c: ChaosCase, result: ChaosRunResult | undefined, error: string | undefined, dir: string): void {
    const files = writeReplayFiles(dir, c);
    console.log(`\nFAILED run seed ${c.seed} (${c.strategy}, delivery ${c.delivery}, ECS profile ${c.ecsProfile})`);
    if (error) console.log(`  harness: ${error}`);
    for (const [k, lines] of Object.entries(result?.details ?? {})) {
        console.log(`  ${k}: ${lines!.length}`);
        for (const line of lines!.slice(0, 8)) console.log(`    - ${line}`);
    }
    for (const line of result?.races ?? []) console.log(`  race (not counted): ${line}`);
    for (const d of result?.disruptions ?? []) console.log(`  disruption: ${d}`);
    console.log(`  faults: ${JSON.stringify(c.faults)}; kills: ${JSON.stringify(c.kills)}`);
    console.log(`  scenario file: ${files.scenario}\n  chaos plan:    ${files.plan}`);
    console.log(`  replay: ${replayCommand(c)}`);
    console.log(`  without faults: npm run scenario -- ${files.scenario} --strategy ${c.strategy} --seed ${c.seed} --ecs-profile ${c.ecsProfile}`);
}

/** A run whose only breaches were concurrent-writer races: shown (they are not hidden), with how to replay it. */
function printRaces(c: ChaosCase, result: ChaosRunResult): void {
    console.log(`\nRACE run seed ${c.seed} (${c.strategy}, delivery ${c.delivery}): ${result.concurrentWriteRaces} concurrent-writer race(s), not counted as failures (local/chaos/races.ts)`);
    for (const line of result.races.slice(0, 8)) console.log(`    - ${line}`);
    console.log(`  replay: ${replayCommand(c)}`);
}

async function playOne(c: ChaosCase, report: ChaosReport, dir: string): Promise<ChaosRunResult | undefined> {
    try {
        const result = await withRealTimeLimit(playChaosCase(c), RUN_REAL_TIME_LIMIT_MS);
        addRun(report, result);
        if (failed(result)) printFailure(c, result, undefined, dir);
        else if (result.concurrentWriteRaces > 0) printRaces(c, result);
        return result;
    } catch (e) {
        addHarnessFailure(report, c.seed, c.delivery);
        printFailure(c, undefined, e instanceof Error ? e.stack ?? e.message : String(e), dir);
        return undefined;
    }
}

async function main(argv: string[]): Promise<number> {
    const { positional, flags } = parseFlags(argv, { runs: "integer", seed: "integer", json: "string", failures: "string", replay: "integer", "ecs-profile": "string", delivery: "string" });
    const ecsProfile = ecsProfileFlag(flags["ecs-profile"]);
    const delivery = deliveryFlag(flags.delivery);
    if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
    const dir = (flags.failures as string | undefined) ?? join(tmpdir(), "ecs-rebalancer-chaos");
    const started = Date.now();
    if (flags.replay !== undefined) {
        const c = generateCase(flags.replay as number, ecsProfile, delivery);
        const report = emptyReport(c.seed, ecsProfile);
        const result = await playOne(c, report, dir);
        report.wallSeconds = (Date.now() - started) / 1000;
        if (result) console.log(JSON.stringify(result, null, 2));
        console.log(summaryLine(report));
        return report.failedSeeds.length > 0 ? 1 : 0;
    }
    const runs = (flags.runs as number | undefined) ?? 100;
    const seed = (flags.seed as number | undefined) ?? 1;
    if (runs < 1) throw new UsageError("--runs must be at least 1");
    const report = emptyReport(seed, ecsProfile);
    for (let i = 0; i < runs; i++) {
        await playOne(generateCase(runSeed(seed, i), ecsProfile, delivery), report, dir);
        if ((i + 1) % 50 === 0 || i + 1 === runs) {
            report.wallSeconds = (Date.now() - started) / 1000;
            console.log(`[${i + 1}/${runs}] ${report.failedSeeds.length} failed, ${report.wallSeconds.toFixed(0)} s`);
        }
    }
    report.wallSeconds = (Date.now() - started) / 1000;
    console.log(`\n${summaryLine(report)}`);
    console.log(JSON.stringify(report, null, 2));
    if (flags.json) writeFileSync(flags.json as string, JSON.stringify(report, null, 2) + "\n");
    return report.failedSeeds.length > 0 ? 1 : 0;
}

runCli(() => main(process.argv.slice(2)), USAGE);
