// A set of resources kept in creation order, with O(log n) resumption for nextToken pagination and O(1)
// membership changes. Resources get a global, increasing `seq` when created; a page token is the last seq returned.

export interface Sequenced {
    readonly seq: number;
}

export class OrderedIndex<T extends Sequenced> {
    private items: T[] = [];
    private readonly members = new Set<T>();

    get size(): number {
        return this.members.size;
    }

    has(item: T): boolean {
        return this.members.has(item);
    }

    /** Adds an item; items must arrive in increasing seq (they are created in that order). */
    add(item: T): void {
        if (this.members.has(item)) return;
        this.members.add(item);
        const last = this.items[this.items.length - 1];
        if (last === undefined || last.seq < item.seq) this.items.push(item);
        else this.items.splice(this.lowerBound(item.seq), 0, item);
    }

    delete(item: T): void {
        if (!this.members.delete(item)) return;
        // Lazy removal from the ordered array; compact once it is mostly dead weight.
        if (this.items.length > 64 && this.members.size * 2 < this.items.length) {
            this.items = this.items.filter((i) => this.members.has(i));
        }
    }

    /** Members in creation order. */
    values(): IterableIterator<T> {
        return this.members.values();
    }

    /** Up to `limit` members with seq > afterSeq that pass `filter`, and whether more remain. */
    page(afterSeq: number, limit: number, filter?: (item: T) => boolean): { items: T[]; more: boolean } {
        const out: T[] = [];
        for (let i = this.upperBound(afterSeq); i < this.items.length; i++) {
            const item = this.items[i]!;
            if (!this.members.has(item) || (filter && !filter(item))) continue;
            if (out.length === limit) return { items: out, more: true };
            out.push(item);
        }
        return { items: out, more: false };
    }

    private lowerBound(seq: number): number {
        let lo = 0;
        let hi = this.items.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (this.items[mid]!.seq < seq) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private upperBound(seq: number): number {
        let lo = 0;
        let hi = this.items.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (this.items[mid]!.seq <= seq) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
