import { disruptionRatio, formatRatio, ratiosForMean } from "../../bench/disruption";

it("is stopped ÷ lower bound when the bound is positive", () => {
    expect(disruptionRatio(6, 6)).toEqual({ kind: "ratio", value: 1 });
    expect(disruptionRatio(27, 9)).toEqual({ kind: "ratio", value: 3 });
    expect(disruptionRatio(0, 4)).toEqual({ kind: "ratio", value: 0 });
});

it("names the zero-bound cases instead of dividing by zero", () => {
    expect(disruptionRatio(0, 0)).toEqual({ kind: "none-needed" });
    expect(disruptionRatio(5, 0)).toEqual({ kind: "none-needed-but-stopped", stopped: 5 });
    expect(formatRatio(disruptionRatio(0, 0))).toBe("— (0 needed)");
    expect(formatRatio(disruptionRatio(5, 0))).toBe("∞ (5 stopped, 0 needed)");
});

it("prints two decimals, three when two would show a miss as 1.00", () => {
    expect(formatRatio(disruptionRatio(7, 2))).toBe("3.50");
    expect(formatRatio(disruptionRatio(9, 9))).toBe("1.00");
    expect(formatRatio(disruptionRatio(250, 249))).toBe("1.004");
    expect(formatRatio(disruptionRatio(27, 94))).toBe("0.29");
});

it("leaves the zero-bound runs out of the mean", () => {
    expect(ratiosForMean([disruptionRatio(2, 1), disruptionRatio(0, 0), disruptionRatio(3, 0), disruptionRatio(0, 2)])).toEqual([2, 0]);
});

it("refuses counts that are not whole and non-negative", () => {
    expect(() => disruptionRatio(-1, 2)).toThrow();
    expect(() => disruptionRatio(1.5, 2)).toThrow();
});
