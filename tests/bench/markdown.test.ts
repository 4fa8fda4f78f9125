import { markdownTable } from "../../bench/markdown";

it("pads cells to their column, aligns right where asked, and marks the alignment in the separator", () => {
    const table = markdownTable([{ header: "name" }, { header: "n", align: "right" }], [["a", "1"], ["long name", "100"]]);
    expect(table.split("\n")).toEqual([
        "| name      |   n |",
        "| --------- | --: |",
        "| a         |   1 |",
        "| long name | 100 |",
    ]);
});

it("escapes pipes so a cell cannot split the row, and measures width in characters", () => {
    const table = markdownTable([{ header: "x" }, { header: "y" }], [["a|b", "— ∞"]]);
    expect(table.split("\n")[2]).toBe("| a\\|b | — ∞ |");
});

it("refuses a row with the wrong number of cells", () => {
    expect(() => markdownTable([{ header: "a" }, { header: "b" }], [["only one"]])).toThrow(/row 0 has 1 cells/);
});
