// Markdown tables: a header row, a separator with alignment, and cells padded so the raw text reads as a table.

export type Align = "left" | "right";

export interface Column {
    header: string;
    align?: Align;
}

function escapeCell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
    for (const [i, row] of rows.entries()) {
        if (row.length !== columns.length) throw new Error(`row ${i} has ${row.length} cells, the table has ${columns.length} columns`);
    }
    const cells = [columns.map((c) => escapeCell(c.header)), ...rows.map((r) => r.map(escapeCell))];
    const widths = columns.map((_, c) => Math.max(3, ...cells.map((r) => [...r[c]].length)));
    const pad = (text: string, c: number) => {
        const fill = " ".repeat(widths[c] - [...text].length);
        return columns[c].align === "right" ? fill + text : text + fill;
    };
    const line = (r: readonly string[]) => `| ${r.map((t, c) => pad(t, c)).join(" | ")} |`;
    const separator = `| ${columns.map((col, c) => (col.align === "right" ? "-".repeat(widths[c] - 1) + ":" : "-".repeat(widths[c]))).join(" | ")} |`;
    return [line(cells[0]), separator, ...cells.slice(1).map(line)].join("\n");
}
