// How events reach the rebalancer function: `direct` (EventBridge invokes it; reserved concurrency 1 serialises every
// pass and one sweep walks every cluster) or `queue` (an SQS FIFO queue with a message group per cluster, so passes of
// one cluster never race and different clusters pass concurrently). Checked by the config reader (which names the
// key) and by the TaskRebalancer component.

export const DELIVERY_MODES = ["direct", "queue"] as const;
export type Delivery = (typeof DELIVERY_MODES)[number];
export const DEFAULT_DELIVERY: Delivery = "direct";

export function describeInvalidDelivery(value: unknown): string | undefined {
    return typeof value === "string" && (DELIVERY_MODES as readonly string[]).includes(value) ? undefined : `expected ${DELIVERY_MODES.join(" or ")}`;
}
