import { createSweepOrder } from "../../rebalancer/sweepOrder";

describe("sweep order", () => {
    test("a cold container sweeps in the configured order", () => {
        expect(createSweepOrder().order(["a", "b", "c"])).toEqual(["a", "b", "c"]);
    });

    test("clusters never passed come first, then the oldest pass first", () => {
        const order = createSweepOrder();
        order.notePassStarted("a", 100);
        order.notePassStarted("c", 50);
        expect(order.order(["a", "b", "c"])).toEqual(["b", "c", "a"]);
        order.notePassStarted("b", 200);
        expect(order.order(["a", "b", "c"])).toEqual(["c", "a", "b"]);
    });

    test("an older start never moves a cluster back (passes noted out of order)", () => {
        const order = createSweepOrder();
        order.notePassStarted("a", 300);
        order.notePassStarted("b", 200);
        order.notePassStarted("a", 100);
        expect(order.order(["a", "b"])).toEqual(["b", "a"]);
    });

    test("clusters no longer targeted are ignored; new ones come first", () => {
        const order = createSweepOrder();
        order.notePassStarted("gone", 1);
        order.notePassStarted("a", 10);
        expect(order.order(["a", "new"])).toEqual(["new", "a"]);
    });
});
