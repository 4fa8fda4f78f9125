// Operator CLI: `npm run plan -- --cluster NAME_OR_ARN [--region R] [--json]`. The handler's observe and plan,
// read-only, with the default credential chain (or the emulator through AWS_ENDPOINT_URL_ECS). Never writes.
import type { AwsClients } from "./awsClients";
import { createAwsClients } from "./awsClients";
import type { ApiCalls } from "./apiCalls";
import { clusterNameOf, parseEcsArn } from "./arns";
import { summarizeError } from "./errors";
import { plan as planCluster } from "./plan";
import { formatPlanReport } from "./planReport";
import type { PlanFunction } from "./planRounds";
import { observeAndPlan } from "./planRounds";
import { parseSettings, SettingsError } from "./settings";
import { createTaskDefinitionCache } from "./taskDefinitions";

export const USAGE = "usage: npm run plan -- --cluster NAME_OR_ARN [--region REGION] [--json]";

export interface CliArgs {
    cluster: string;
    region?: string;
    json: boolean;
}

export type ParsedArgs = { ok: true; args: CliArgs } | { ok: false; help: boolean; error?: string };

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
    const values: Record<string, string> = {};
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--help" || arg === "-h") return { ok: false, help: true };
        if (arg === "--json") {
            json = true;
            continue;
        }
        const m = /^--(cluster|region)(?:=(.*))?$/.exec(arg);
        if (!m) return { ok: false, help: false, error: `unknown argument ${JSON.stringify(arg)}` };
        const value = m[2] ?? argv[++i];
        if (value === undefined || value === "" || value.startsWith("--")) return { ok: false, help: false, error: `--${m[1]} needs a value` };
        if (values[m[1]] !== undefined) return { ok: false, help: false, error: `--${m[1]} given twice` };
        values[m[1]] = value;
    }
    if (!values.cluster) return { ok: false, help: false, error: "--cluster is required" };
    if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(values.region)) return { ok: false, help: false, error: `--region ${JSON.stringify(values.region)} is not a region name` };
    return { ok: true, args: { cluster: values.cluster, json, ...(values.region ? { region: values.region } : {}) } };
}

export interface CliIo {
    out(text: string): void;
    err(text: string): void;
    env: Record<string, string | undefined>;
}

/** For tests: clients and planner to use instead of the default chain's and the real one. */
export interface CliDeps {
    clients?: AwsClients;
    plan?: PlanFunction;
    now?: () => number;
}

/** The cluster's ARN: given, found among REBALANCER_CLUSTERS by name, or asked of ECS (DescribeClusters). */
async function resolveClusterArn(cluster: string, env: CliIo["env"], clients: AwsClients): Promise<string> {
    if (cluster.startsWith("arn:")) {
        if (!parseEcsArn(cluster)?.resource.startsWith("cluster/")) throw new Error(`${cluster} is not an ECS cluster ARN`);
        return cluster;
    }
    const configured = (env.REBALANCER_CLUSTERS ?? "").split(",").map((s) => s.trim()).filter((s) => clusterNameOf(s) === cluster);
    if (configured.length === 1) return configured[0];
    const { DescribeClustersCommand } = require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs");
    const res = await clients.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
    const found = res.clusters?.find((c) => c.clusterName === cluster && c.status !== "INACTIVE");
    if (!found?.clusterArn) throw new Error(`cluster ${cluster} not found${res.failures?.[0]?.reason ? ` (${res.failures[0].reason})` : ""}`);
    return found.clusterArn;
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 failed, 2 usage or settings error). */
export async function runPlanCli(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
    const parsed = parseCliArgs(argv);
    if (!parsed.ok) {
        if (parsed.help) {
            io.out(USAGE + "\n");
            return 0;
        }
        io.err(`${parsed.error}\n${USAGE}\n`);
        return 2;
    }
    const { args } = parsed;
    const region = args.region ?? parseEcsArn(args.cluster)?.region;
    try {
        const clients = deps.clients ?? createAwsClients(region ? { region } : {});
        const clusterArn = await resolveClusterArn(args.cluster, io.env, clients);
        // REBALANCER_* settings when present (the same schema as the Lambda), defaults otherwise; this cluster only.
        const settings = parseSettings({ ...pickSettingsEnv(io.env), REBALANCER_CLUSTERS: clusterArn });
        const calls: ApiCalls = {};
        const planned = await observeAndPlan(
            // The operator sees every service's tasks per instance, not only those of services that move.
            { clients, cache: createTaskDefinitionCache(), plan: deps.plan ?? ((snap, s, o) => planCluster(snap, s, { ...o, instanceDetail: true })) },
            clusterArn,
            settings,
            (deps.now ?? Date.now)(),
            calls,
        );
        io.out(args.json ? JSON.stringify(planned.plan, null, 2) + "\n" : formatPlanReport(planned.snapshot, planned.plan));
        if (!args.json) io.out(`API calls: ${Object.entries(calls).map(([op, n]) => `${op} ${n}`).join(", ")}\n`);
        return 0;
    } catch (err) {
        if (err instanceof SettingsError) {
            io.err(`${err.message}\n`);
            return 2;
        }
        const e = summarizeError(err);
        io.err(`plan failed: ${e.name}: ${e.message}\n`);
        return 1;
    }
}

function pickSettingsEnv(env: CliIo["env"]): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(env)) if (k.startsWith("REBALANCER_")) out[k] = v;
    return out;
}

if (require.main === module) {
    runPlanCli(process.argv.slice(2), {
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
        env: process.env,
    }).then((code) => {
        process.exitCode = code;
    });
}
