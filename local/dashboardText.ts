// The dashboard's figures for a local run, as text (the demo prints it): each widget's lines with the statistic
// over the run, grouped by the dashboard's headings, and the newest rows of its decisions table.
import type { FigureLine, WidgetFigures } from "./dashboardFigures";

function number(value: number | undefined): string {
    if (value === undefined) return "no data";
    return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function lineText(l: FigureLine): string {
    return `${l.label} ${number(l.value)} (${l.stat.toLowerCase()} of ${l.datapoints})`;
}

export function figuresText(figures: readonly WidgetFigures[]): string {
    const out: string[] = [];
    let section: string | undefined;
    for (const w of figures) {
        if (w.section !== section) {
            section = w.section;
            out.push(`  ${section}`);
        }
        const lines = w.lines.length > 0 ? w.lines.map(lineText).join("; ") : "no data";
        const marks = w.marks.map((m) => ` [${m.label} ${m.value}]`).join("");
        out.push(`    ${w.title}: ${lines}${marks}`);
    }
    return out.join("\n");
}

const COLUMNS: Array<[string, string]> = [
    ["@timestamp", "time"], ["cluster", "cluster"], ["trigger", "trigger"], ["decision.service", "service"], ["decision.outcome", "outcome"],
    ["decision.reason", "reason"], ["decision.skewBefore", "skew"], ["decision.skewAfter", "→"], ["decision.moves", "moves"],
    ["decision.act.outcome", "act"],
];

export function decisionsText(rows: ReadonlyArray<Record<string, unknown>>, shown: number): string {
    const cells = [COLUMNS.map(([, h]) => h), ...rows.slice(0, shown).map((r) => COLUMNS.map(([k]) => (r[k] === undefined ? "" : String(r[k]))))];
    const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
    return cells.map((row) => `    ${row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()}`).join("\n");
}
