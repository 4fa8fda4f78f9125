// The operator CLI's table: per service, tasks per AZ and instance now → target, the moves, or why it is skipped.
// Pure: text from a snapshot and its plan.
import type { ClusterSnapshot } from "./model";
import type { Plan, ServiceDecision } from "./plan/types";

const INSTANCE_LEVEL = "instance";

function binLabel(level: string, key: string, snapshot: ClusterSnapshot): string {
    if (level !== INSTANCE_LEVEL) return key === "" ? "(none)" : key;
    const instance = snapshot.instances.find((i) => i.arn === key);
    if (!instance) return key;
    return `${instance.ec2InstanceId || key.slice(key.lastIndexOf("/") + 1)}${instance.az ? ` (${instance.az})` : ""}`;
}

function levelLine(decision: ServiceDecision, level: string, snapshot: ClusterSnapshot): string {
    const { counts, targets } = decision.byLevel[level] ?? { counts: {}, targets: {} };
    const keys = [...new Set([...Object.keys(counts), ...Object.keys(targets)])].sort((a, b) =>
        binLabel(level, a, snapshot) < binLabel(level, b, snapshot) ? -1 : 1,
    );
    const bins = keys.map((k) => {
        const now = counts[k] ?? 0;
        const target = targets[k];
        return `${binLabel(level, k, snapshot)} ${now}${target !== undefined && target !== now ? `→${target}` : ""}`;
    });
    const kept = decision.fixedLevels?.includes(level)
        ? level === "az" ? " (left to ECS's AZ rebalancing)" : " (ECS's split by base and weight, kept)"
        : level === "az" && decision.azLevelTakenBack ? ` (AZ level taken back from ECS's AZ rebalancing: ${decision.azLevelTakenBack})` : "";
    return `    ${level.padEnd(10)} ${bins.join(", ")}${kept}`;
}

function serviceBlock(d: ServiceDecision, snapshot: ClusterSnapshot): string[] {
    const head =
        d.outcome === "skipped"
            ? `${d.service}: skipped (${d.reason ?? "no reason given"}): ${d.detail}`
            : `${d.service}: ${d.outcome}, moves ${d.moves}, skew ${d.skewBefore}→${d.skewAfter}, lower bound ${d.lowerBound}${d.detail ? `: ${d.detail}` : ""}`;
    const own = [
        ...Object.entries(d.overrides ?? {}).map(([k, v]) => `${k}=${v}`),
        ...(d.dryRunOnly ? ["its writes only reported (tag dryRun=true)"] : []),
    ];
    const lines = own.length > 0 ? [head, `    tags: ${own.join(", ")}`] : [head];
    for (const level of d.levels) if (d.byLevel[level]) lines.push(levelLine(d, level, snapshot));
    return lines;
}

export function formatPlanReport(snapshot: ClusterSnapshot, plan: Plan): string {
    const m = plan.metrics;
    const lines = [
        `cluster ${plan.clusterArn}`,
        `observed ${new Date(snapshot.observedAt).toISOString()}: ${snapshot.instances.length} instances, ${snapshot.services.length} services, ${snapshot.tasks.length} tasks; strategy ${plan.strategy}`,
        "",
    ];
    for (const d of plan.decisions) lines.push(...serviceBlock(d, snapshot), "");
    lines.push(
        `services ${m.services}: ${m.servicesBalanced} balanced, ${m.servicesUnbalanced} unbalanced, ${m.servicesSkipped} skipped`,
        `tasks to move this pass ${m.tasksToMove} (lower bound ${m.lowerBound}); worst skew ${m.worstSkewBefore}→${m.worstSkewAfter}`,
        `writes a pass would make: ${plan.actions.length} action(s)${plan.actions.length ? ` (${[...new Set(plan.actions.map((a) => a.kind))].join(", ")})` : ""}`,
    );
    if (snapshot.failures.length > 0) {
        lines.push(`not seen (${snapshot.failures.length}): ${snapshot.failures.slice(0, 5).map((f) => `${f.arn ?? ""} ${f.reason}`.trim()).join("; ")}`);
    }
    return lines.join("\n") + "\n";
}
