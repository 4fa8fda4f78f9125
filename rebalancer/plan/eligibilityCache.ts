// Cluster-wide aggregates of which instances can take a task, shared by every service with the same needs, so
// that judging 5,000 services on 5,000 instances does not mean 25 million instance checks with allocations.
// Valid until the plan reserves resources for a predicted placement (the index's generation changes).

import type { ClusterIndex } from "./clusterIndex";
import { fnv1a } from "./markers";
import { extraRoom, passesFilters, type Requirements } from "./requirements";

/** Room counts are kept exactly up to this many tasks per empty instance; beyond, "at least this many". */
export const ROOM_CLIP = 16;

export interface FilterSet {
    passes: Uint8Array;
    /** Order-independent hash of the passing instances' ARNs. */
    hash: string;
}

export type Grouping = (instance: number) => string;

/** Order-independent hash of a set of instance ARNs. */
export function hashInstanceSet(arns: Iterable<string>): string {
    let sum = 0, xor = 0, n = 0;
    for (const arn of arns) {
        const h = fnv1a(arn);
        sum = (sum + h) >>> 0;
        xor = (xor ^ h) >>> 0;
        n++;
    }
    return `${n.toString(16)}.${sum.toString(16)}.${xor.toString(16)}`;
}

export class EligibilityCache {
    private readonly filterSets = new Map<string, FilterSet>();
    private readonly histograms = new Map<string, Map<string, Int32Array>>();
    private readonly zones = new Map<string, Set<string>>();
    private generation: number;

    constructor(private readonly index: ClusterIndex) {
        this.generation = index.generation;
    }

    private fresh(): void {
        if (this.generation !== this.index.generation) {
            this.histograms.clear();
            this.generation = this.index.generation;
        }
    }

    filterSet(req: Requirements): FilterSet {
        let set = this.filterSets.get(req.filterKey);
        if (!set) {
            const passes = new Uint8Array(this.index.instances.length);
            const arns: string[] = [];
            this.index.instances.forEach((instance, i) => {
                if (!passesFilters(instance, req)) return;
                passes[i] = 1;
                arns.push(instance.arn);
            });
            set = { passes, hash: hashInstanceSet(arns) };
            this.filterSets.set(req.filterKey, set);
        }
        return set;
    }

    /** The AZs of the instances passing the filters, room or not (where ECS counts a service's spread). */
    zonesOf(req: Requirements): Set<string> {
        let zones = this.zones.get(req.filterKey);
        if (!zones) {
            const { passes } = this.filterSet(req);
            zones = new Set();
            for (let i = 0; i < passes.length; i++) if (passes[i]) zones.add(this.index.instances[i].az);
            this.zones.set(req.filterKey, zones);
        }
        return zones;
    }

    /** Room an empty instance has for this task, clipped to ROOM_CLIP (0 = cannot take it). */
    emptyRoom(i: number, req: Requirements): number {
        return Math.min(ROOM_CLIP, extraRoom(this.index, i, req, 0));
    }

    /**
     * Per group (e.g. per AZ): how many instances passing the filters have each room value (index 1..ROOM_CLIP)
     * for one more task when they hold none of the service's tasks.
     */
    roomHistograms(req: Requirements, groupingName: string, groupOf: Grouping): Map<string, Int32Array> {
        this.fresh();
        const key = `${req.roomKey}|${groupingName}`;
        let hist = this.histograms.get(key);
        if (!hist) {
            hist = new Map();
            const { passes } = this.filterSet(req);
            for (let i = 0; i < passes.length; i++) {
                if (!passes[i]) continue;
                const room = this.emptyRoom(i, req);
                if (room === 0) continue;
                const group = groupOf(i);
                let h = hist.get(group);
                if (!h) hist.set(group, (h = new Int32Array(ROOM_CLIP + 1)));
                h[room]++;
            }
            this.histograms.set(key, hist);
        }
        return hist;
    }
}
