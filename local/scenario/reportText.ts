// Reports for people: a before/after table of tasks per instance and per AZ for each service, and a summary.

import { isMultiRound } from "./rounds";
import type { ScenarioReport, TimelineEntry } from "./runner";

function pad(text: string, width: number): string {
    return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function table(rows: string[][]): string {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
    return rows.map((r) => r.map((cell, c) => pad(cell, widths[c])).join("  ").trimEnd()).join("\n");
}

/** max − min of tasks over the eligible instances (or their AZs): how uneven a service is. */
export function skewOf(counts: Record<string, number>, instances: ScenarioReport["instances"], byAz: boolean): number {
    const bins = new Map<string, number>();
    for (const [id, info] of Object.entries(instances)) {
        if (!info.eligible) continue;
        const key = byAz ? info.az : id;
        bins.set(key, (bins.get(key) ?? 0) + (counts[id] ?? 0));
    }
    if (bins.size === 0) return 0;
    const values = [...bins.values()];
    return Math.max(...values) - Math.min(...values);
}

export function beforeAfterTables(report: ScenarioReport): string {
    const ids = Object.keys(report.instances).sort();
    const azs = [...new Set(ids.map((id) => report.instances[id].az))].sort();
    const out: string[] = [];
    for (const service of Object.keys(report.before).sort()) {
        const before = report.before[service] ?? {};
        const after = report.after[service] ?? {};
        const rows = [["", ...ids.map((id) => (report.instances[id].eligible ? id : `${id} (gone)`)), "|", ...azs, "| skew inst/AZ"]];
        const line = (label: string, counts: Record<string, number>) => {
            const perAz = azs.map((az) => String(ids.filter((id) => report.instances[id].az === az).reduce((s, id) => s + (counts[id] ?? 0), 0)));
            return [label, ...ids.map((id) => String(counts[id] ?? 0)), "|", ...perAz, `| ${skewOf(counts, report.instances, false)}/${skewOf(counts, report.instances, true)}`];
        };
        rows.push(line("before", before), line("after", after));
        out.push(`${service}\n${table(rows)}`);
    }
    return out.join("\n\n");
}

export function summaryLine(report: ScenarioReport): string {
    const ratio = report.minimalMoves > 0 ? (report.tasksStopped / report.minimalMoves).toFixed(2) : report.tasksStopped === 0 ? "1.00" : "∞";
    return [
        `${report.strategy}: ${report.tasksStopped} task(s) stopped, ${report.tasksStarted} started; lower bound ${report.minimalMoves} (ratio ${ratio})`,
        ...(isMultiRound(report.rounds) ? [`multi-round: per-round bound ${report.perRoundBound} over ${report.rounds.filter((r) => r.bound > 0).length} rounds (ratio ${(report.tasksStopped / report.perRoundBound).toFixed(2)})`] : []),
        `floor violations ${report.floorViolations}, ceiling violations ${report.ceilingViolations}`,
        `${report.invocations} invocation(s), ${Object.values(report.apiCalls).reduce((a, b) => a + b, 0)} ECS API call(s)`,
        `quiet ${report.emulatedSeconds} s (emulated) after the last step${report.converged ? "" : " — did NOT converge within the time limit"}`,
        ...(report.expectations ? [report.expectations.met ? "ECS alone left the placement the file expects" : `ECS alone did NOT leave the placement the file expects: ${report.expectations.mismatches.join(", ")}`] : []),
    ].join("; ");
}

export function timelineLine(entry: TimelineEntry, start: number): string {
    const t = Math.round((entry.time - start) / 1000);
    const stamp = `+${String(Math.floor(t / 60)).padStart(2, "0")}:${String(t % 60).padStart(2, "0")}`;
    const marker = { step: "▶", event: "  ·", invocation: "  λ", decision: "    →", move: "    ↻", quiet: "■" }[entry.kind];
    return `${stamp} ${marker} ${entry.text}`;
}
