// npm run bench [-- --json OUT] [--markdown OUT] [--quick] [--parts scenarios,profiles,planner,observe,artifact,fleet] [--seed N] [--ecs-profile NAME]
// The benchmark: (1) every scenario × strategy under one ECS behaviour profile (--ecs-profile, default service-page),
// (1b) minimal under every profile, (2) planner cost at ECS's limits, (3) observe cost in API calls and throttled
// time, (4) the Lambda artifact's size and cold start, (5) a fleet of clusters under each delivery. Prints markdown;
// --json writes every figure.
// --quick runs a fast subset (small scenarios, smaller clusters, fewer repeats).

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { DEFAULT_TIMING, ECS_PROFILE_NAMES } from "../local/emulator";
import { ecsProfileFlag, parseFlags, runCli, UsageError } from "../local/cliFlags";
import { artifactLines, measureArtifact } from "./artifactCost";
import { measureObserveCost, observeModelLine, observeTable, observeTargetLine, warmObserveTargetLine, type ObserveCost } from "./observeCost";
import { measurePlannerCost, plannerTable, plannerTargetLine } from "./plannerCost";
import { runScenarioMatrix, scenarioFiles, type ScenarioRow } from "./scenarioMatrix";
import { profileSummaryTable, profileTable, scenarioTable, scenarioTargetsLine, summarize, summaryTable } from "./scenarioTable";
import { PLANNER_SIZES } from "./syntheticCluster";
import { fleetTable, fleetTargetLine } from "./fleetCost";
import { FLEET_12_CLUSTERS, FLEET_SMALL } from "../local/fleet/fleetShape";
import { simulateFleet, type DeliveryName, type FleetResult } from "../local/fleet/fleetSimulation";
import { DEFINITIONS_LEARNED_PER_PASS } from "../rebalancer/taskCache";

const USAGE = "usage: npm run bench [-- --json OUT] [--markdown OUT] [--quick] [--parts scenarios,profiles,planner,observe,artifact,fleet] [--seed N] [--ecs-profile service-page|placement-page|adversarial]";
const PARTS = ["scenarios", "profiles", "planner", "observe", "artifact", "fleet"] as const;
/** The fleet part: one scheduled sweep (two sweep periods of emulated time) with some agent reconnects per instance. */
const FLEET_RUN = { sweeps: 1, agentReconnectsPerHour: 0.02 } as const;
type Part = (typeof PARTS)[number];

/** Scenarios left out of --quick: the two that take most of part 1's time. */
const QUICK_SKIPS = ["many-services-250", "large-service-500"];
/** Repeats: plan() runs per size (after a cold one), observe() reads per size, cold-start processes. */
const REPEATS = { full: { plan: 11, observe: 3, coldStart: 9 }, quick: { plan: 3, observe: 1, coldStart: 3 } };
/** --quick reads the clusters up to this many tasks on the emulator. */
const QUICK_OBSERVE_MAX_TASKS = 10_000;
/**
 * Sizes read under throttling in real time (a read of the largest takes ~100 s): the few-services variant has the
 * same instance and task chain as L, so it is left out.
 */
const THROTTLED_READ_SIZES = ["S", "M", "L"];

/** Bound at load: the fleet simulation mutes the process's output while the function runs, progress stays. */
const writeProgress = process.stderr.write.bind(process.stderr);

function progress(text: string): void {
    writeProgress(`${text}\n`);
}

async function main(argv: string[]): Promise<number> {
    const { positional, flags } = parseFlags(argv, { json: "string", markdown: "string", quick: "boolean", parts: "string", seed: "integer", "ecs-profile": "string" });
    const ecsProfile = ecsProfileFlag(flags["ecs-profile"]);
    if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
    const parts = flags.parts === undefined ? [...PARTS] : String(flags.parts).split(",").map((p) => p.trim());
    for (const p of parts) if (!PARTS.includes(p as Part)) throw new UsageError(`--parts takes ${PARTS.join(", ")}; got ${p}`);
    const quick = flags.quick === true;
    const seed = (flags.seed as number | undefined) ?? 1;
    const started = performance.now();
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
    const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`;
    const generatedAt = new Date().toISOString();
    const out: Record<string, unknown> = { generatedAt, command, quick, seed, ecsProfile, machine };
    const sections: string[] = [];
    const all = scenarioFiles(join(__dirname, "..", "scenarios"));
    const files = quick ? all.filter((f) => !QUICK_SKIPS.some((s) => f.endsWith(`${s}.json`))) : all;
    let minimalRows: ScenarioRow[] = [];

    if (parts.includes("scenarios")) {
        progress(`part 1: ${files.length} scenario(s) × 4 strategies, ECS profile ${ecsProfile}`);
        const rows: ScenarioRow[] = await runScenarioMatrix({
            files,
            seed,
            ecsProfile,
            onRow: (r) => progress(`  ${r.scenario} ${r.strategy}: ${r.tasksStopped} stopped / ${r.lowerBound}, ${(r.wallMs / 1000).toFixed(1)} s`),
        });
        minimalRows = rows.filter((r) => r.strategy === "minimal");
        const summaries = summarize(rows);
        out.scenarios = { ecsProfile, rows, summaries };
        sections.push([
            `### 1. Scenarios × strategies (seed ${seed}, ECS behaviour profile ${ecsProfile})`,
            scenarioTargetsLine(),
            "Ratio = tasks stopped ÷ lower bound; `— (0 needed)` when the lower bound is 0 and nothing was stopped, `∞ (n stopped, 0 needed)` when it is 0 and tasks were stopped (left out of the geometric mean). Per-round bound, for a multi-round run (moves needed in two or more rounds; a round is a step that changes the cluster, scenarios/README.md): the sum of each round's bound on what the rebalancer had to move in it, which an online rebalancer cannot avoid and the final-state bound leaves out; minimal's ratio target is judged on it there. The geometric means stay on the final-state bound. Skew = max − min of a service's tasks over the instances that can hold it (within each AZ when it spreads on AZ first) and over AZs, worst service, computed from the report's `after` and `instances`.",
            scenarioTable(rows),
            "Per strategy (geometric mean over the scenarios with a positive lower bound):",
            summaryTable(summaries),
        ].join("\n\n"));
    }

    if (parts.includes("profiles")) {
        const others = ECS_PROFILE_NAMES.filter((p) => p !== ecsProfile || minimalRows.length === 0);
        progress(`part 1b: minimal on ${files.length} scenario(s) under the ECS profiles ${others.join(", ")}`);
        const rows = [...minimalRows];
        for (const profile of others) {
            rows.push(...await runScenarioMatrix({
                files,
                seed,
                ecsProfile: profile,
                strategies: ["minimal"],
                onRow: (r) => progress(`  ${r.scenario} minimal (${profile}): ${r.tasksStopped} stopped / ${r.lowerBound}, ${(r.wallMs / 1000).toFixed(1)} s`),
            }));
        }
        out.profiles = { rows, summaries: ECS_PROFILE_NAMES.map((p) => ({ ecsProfile: p, ...summarize(rows.filter((r) => r.ecsProfile === p))[0] })) };
        sections.push([
            `### 1b. minimal under every ECS behaviour profile (seed ${seed})`,
            "Where AWS's documentation leaves ECS's choice open, the emulator plays one reading per profile (local/emulator/profiles/): service-page (scale-in narrows to the instance with the most tasks), placement-page (a random task inside the AZ; AZ rebalancing that also stops first and tries the next AZ), adversarial (every open choice made the worst way for a rebalancer, AZ rebalancing 10–40 min late). The rebalancer's promises must hold under each.",
            profileSummaryTable(rows),
            profileTable(rows),
        ].join("\n\n"));
    }

    const repeats = quick ? REPEATS.quick : REPEATS.full;
    if (parts.includes("planner")) {
        progress(`part 2: planner cost, ${PLANNER_SIZES.length} sizes × ${repeats.plan} runs (a child process per size)`);
        const costs = measurePlannerCost({
            repeats: repeats.plan,
            seed,
            onSize: (c) => progress(`  ${c.size}: ${c.tasks} tasks, median ${c.medianMs.toFixed(1)} ms`),
        });
        out.planner = costs;
        sections.push([
            "### 2. Planner cost at ECS's limits",
            "Synthetic snapshots (bench/syntheticCluster.ts): 3 AZs (6 from 1,000 instances), three instance sizes, four task sizes, long-tailed service sizes (≤ 5,000 tasks), a quarter of the spread services unbalanced, and a DAEMON, binpack/random, opted-out and mid-deployment services. plan() with the default settings (skewThreshold 1, 20 moves per pass), every task definition known. Median of the timed runs after one cold run, each size in a child process of its own. Memory: resident set (RSS) of that process with the modules loaded, with the snapshot built (after a full GC), and its peak by the end; “plan's peak over snapshot” is the peak minus the RSS with the snapshot (“≤” when the peak came from building the snapshot).",
            plannerTable(costs),
            plannerTargetLine(costs),
        ].join("\n\n"));
    }

    if (parts.includes("observe")) {
        const sizes = quick ? PLANNER_SIZES.filter((s) => s.tasks <= QUICK_OBSERVE_MAX_TASKS) : PLANNER_SIZES;
        progress(`part 3: observe cost, ${sizes.length} sizes × ${repeats.observe} read(s) on the emulator`);
        const costs: ObserveCost[] = [];
        for (const size of sizes) {
            const c = await measureObserveCost(size, { runs: repeats.observe, seed, throttled: THROTTLED_READ_SIZES.includes(size.name) });
            progress(`  ${c.size}: ${c.callsTotal} calls (bound ${c.lowerBoundTotal}), warm ${c.warm.callsTotal} (${c.warm.ratio.toFixed(3)}), ${c.realMs.toFixed(0)} ms per read${c.throttledRun ? `; throttled read ${c.throttledRun.seconds.toFixed(1)} s, ${c.throttledRun.outcome}` : ""}`);
            costs.push(c);
        }
        out.observe = costs;
        sections.push([
            "### 3. Observe cost per pass",
            `The same synthetic clusters on the local emulator, read by the rebalancer's observe() through the real AWS SDK (the function's retry settings). Calls are the requests the emulator received (observe()'s own count in brackets); the lower bound is pages of 100 for the lists, batches of 10 DescribeServices and of 100 DescribeContainerInstances / DescribeTasks, and DescribeScalableTargets pages of 50 (bench/observeLowerBound.ts). A steady pass on a warm container: observe() with the container's task cache (rebalancer/taskCache.ts) once it knows every task definition in use and has read the cluster once; passes to steady = ⌈definitions ÷ the ${DEFINITIONS_LEARNED_PER_PASS} a pass learns⌉ + 1.`,
            observeTable(costs),
            observeModelLine(10),
            observeTargetLine(costs),
            warmObserveTargetLine(costs),
        ].join("\n\n"));
    }

    if (parts.includes("artifact")) {
        progress(`part 4: the Lambda artifact, ${repeats.coldStart} cold starts`);
        const artifact = await measureArtifact({ samples: repeats.coldStart });
        out.artifact = artifact;
        sections.push(["### 4. The Lambda artifact", ...artifactLines(artifact)].join("\n\n"));
    }

    if (parts.includes("fleet")) {
        const shape = quick ? FLEET_SMALL : FLEET_12_CLUSTERS;
        const results: FleetResult[] = [];
        for (const delivery of ["direct", "queue"] as DeliveryName[]) {
            progress(`part 5: fleet "${shape.name}", delivery ${delivery}, ${FLEET_RUN.sweeps} sweep(s)`);
            const r = await simulateFleet(shape, {
                delivery,
                seed,
                ...FLEET_RUN,
                onProgress: (p) => {
                    if (p.emulatedMinutes % 5 === 0) progress(`  ${p.emulatedMinutes} emulated min: ${p.calls} calls, ${p.invocations} invocations, ${p.backlog} waiting (${p.realSeconds.toFixed(0)} s)`);
                },
            });
            progress(`  ${delivery}: ${r.invocations} invocations, ${r.calls} calls, ${r.realSeconds.toFixed(0)} s`);
            results.push(r);
        }
        out.fleet = results;
        sections.push([
            `### 5. A fleet: ${shape.name}, one account (seed ${seed})`,
            `local/fleet/: every cluster on one emulator, so they share ECS's throttling buckets (the documented rates, per account and Region); the program deployed for all of them under mocks, its closure run in Lambda containers that overlap in time (each API call ${DEFAULT_TIMING.apiLatencyMs} ms, the SDK's own retries and back-off on the emulated clock). ${FLEET_RUN.sweeps} scheduled sweep (the default rate), agent reconnects at ${FLEET_RUN.agentReconnectsPerHour} per instance per hour, and the events the rebalancer's own moves cause. A sweep reaches a cluster when a pass of it starts before the next sweep; its time runs to the end of the last such pass; its lower bound is those passes' calls, less each bucket's burst, over the bucket's rate. Event latency: from delivery to the start of the first pass of its cluster after it. After the last sweep period the reconnects stop and what is queued or running may finish (at most 30 emulated minutes); an event no pass covered by then is lost. Planning takes no emulated time here (part 2 measures it).`,
            fleetTable(results),
            fleetTargetLine(results),
        ].join("\n\n"));
    }

    const wallSeconds = (performance.now() - started) / 1000;
    out.wallSeconds = wallSeconds;
    const footer = `${command}: ${wallSeconds.toFixed(0)} s wall on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${generatedAt.slice(0, 10)}`;
    console.log(sections.join("\n\n"));
    console.log(`\n${footer}`);
    if (flags.markdown) {
        // docs/results.md is this file: every table of the run, with the command and machine that gave it.
        const header = ["# Results", "", `Written by \`${command}\` (${footer.slice(command.length + 2)}). Counts are exact and deterministic for a seed; timings are medians, to be compared as ratios within one run.`];
        mkdirSync(dirname(String(flags.markdown)), { recursive: true });
        writeFileSync(String(flags.markdown), [...header, "", sections.join("\n\n").replace(/^### /gm, "## "), ""].join("\n"));
        progress(`markdown written to ${flags.markdown}`);
    }
    if (flags.json) {
        writeFileSync(String(flags.json), JSON.stringify(out, null, 2) + "\n");
        progress(`figures written to ${flags.json}`);
    }
    return 0;
}

runCli(() => main(process.argv.slice(2)), USAGE);
