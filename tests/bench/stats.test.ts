import { geometricMean, growthPer10x, median } from "../../bench/stats";

it("median: the middle value, or the mean of the two middle ones", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
});

it("geometric mean: nth root of the product; 0 when any value is 0", () => {
    expect(geometricMean([1, 1, 1])).toBe(1);
    expect(geometricMean([1, 4])).toBeCloseTo(2, 12);
    expect(geometricMean([2, 8, 4])).toBeCloseTo(4, 12);
    expect(geometricMean([3, 0])).toBe(0);
    expect(() => geometricMean([])).toThrow();
    expect(() => geometricMean([1, Infinity])).toThrow();
});

it("growth per 10×: 10 for linear, 100 for quadratic, 1 for constant, whatever the size step", () => {
    expect(growthPer10x(1_000, 5, 10_000, 50)).toBeCloseTo(10, 10);
    expect(growthPer10x(100, 1, 1_000, 100)).toBeCloseTo(100, 10);
    expect(growthPer10x(10, 7, 1_000, 7)).toBeCloseTo(1, 10);
    // 4× the size and 4× the cost is still linear.
    expect(growthPer10x(25, 2, 100, 8)).toBeCloseTo(10, 10);
    expect(() => growthPer10x(10, 1, 10, 2)).toThrow();
    expect(() => growthPer10x(10, 0, 100, 2)).toThrow();
});
