// Seeded randomness. Each concern draws from its own stream so that, say, turning on fault injection does not
// change where tasks are placed for the same seed.

export class Rng {
    private state: number;

    constructor(seed: number) {
        this.state = seed >>> 0;
    }

    /** A stream derived from `seed` and a label (e.g. "placement", "faults"). */
    static stream(seed: number, label: string): Rng {
        let h = (seed ^ 0x9e3779b9) >>> 0;
        for (let i = 0; i < label.length; i++) {
            h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
        }
        return new Rng(h);
    }

    /** Uniform in [0, 1) (mulberry32). */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** Uniform integer in [0, n). */
    int(n: number): number {
        return Math.floor(this.next() * n);
    }

    pick<T>(items: readonly T[]): T {
        if (items.length === 0) throw new Error("Rng.pick on an empty list");
        return items[this.int(items.length)]!;
    }

    chance(probability: number): boolean {
        return probability > 0 && this.next() < probability;
    }

    hex(length: number): string {
        let s = "";
        while (s.length < length) s += this.int(0x10000).toString(16).padStart(4, "0");
        return s.slice(0, length);
    }

    uuid(): string {
        const h = this.hex(32);
        const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    }

    /** A decimal string of `length` digits, not starting with 0 (ECS deployment ids are 19 digits). */
    digits(length: number): string {
        let s = String(1 + this.int(9));
        while (s.length < length) s += String(this.int(10));
        return s;
    }
}
