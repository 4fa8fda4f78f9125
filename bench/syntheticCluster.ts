// Synthetic clusters at ECS's scale for the planner and observe benchmarks, deterministic for a seed. Realistic
// rather than uniform: several AZs (instances interleaved across them), three instance sizes, four task sizes,
// service sizes from a long-tailed distribution (a few large services, many small ones, at most 5,000 tasks
// each), a quarter of the spread services left unbalanced (their tasks on the older 60% of the instances, as after
// a scale-out), and the classes the rebalancer must skip: a DAEMON service, binpack and random services, services
// opted out by tag and services mid-deployment. Every task fits its instance's CPU and memory.

export interface SyntheticSize {
    name: string;
    instances: number;
    /** Services, the DAEMON service included. */
    services: number;
    /** Tasks, the DAEMON service's (one per instance) included. */
    tasks: number;
}

export type ServiceClass = "spread-az-instance" | "spread-instance" | "spread-az" | "binpack" | "random" | "daemon" | "opted-out" | "mid-deployment";

export interface SyntheticInstance {
    id: string;
    az: string;
    cpu: number;
    memory: number;
}

export interface SyntheticService {
    name: string;
    kind: ServiceClass;
    desired: number;
    cpu: number;
    memory: number;
    minimumHealthyPercent: number;
    maximumPercent: number;
    unbalanced: boolean;
    autoScaled: boolean;
    /** Tasks per instance, by instance position. */
    placement: Map<number, number>;
}

export interface SyntheticCluster {
    size: SyntheticSize;
    azs: string[];
    instances: SyntheticInstance[];
    services: SyntheticService[];
    /** Tasks placed (equals size.tasks). */
    tasks: number;
}

export const MAX_TASKS_PER_SERVICE = 5000;

/** The benchmark's sizes, up to ECS's quotas (5,000 instances, 5,000 services, 5,000 tasks per service). */
export const PLANNER_SIZES: readonly SyntheticSize[] = [
    { name: "S", instances: 100, services: 10, tasks: 1_000 },
    { name: "M", instances: 500, services: 500, tasks: 10_000 },
    { name: "L", instances: 5_000, services: 5_000, tasks: 100_000 },
    { name: "L-few-services", instances: 5_000, services: 21, tasks: 100_000 },
];

const INSTANCE_SHAPES = [
    { cpu: 4096, memory: 16384 },
    { cpu: 8192, memory: 32768 },
    { cpu: 16384, memory: 65536 },
];
const TASK_SHAPES = [
    { cpu: 64, memory: 128 },
    { cpu: 128, memory: 256 },
    { cpu: 256, memory: 512 },
    { cpu: 512, memory: 1024 },
];

/** mulberry32: small, fast, good enough to make a benchmark reproducible. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Splits `total` into `n` counts from a long-tailed distribution, each 1…max, summing to `total` exactly. */
export function longTailedCounts(total: number, n: number, max: number, random: () => number): number[] {
    if (n <= 0) return [];
    if (total < n || total > n * max) throw new Error(`cannot split ${total} tasks into ${n} services of 1 to ${max}`);
    const weights = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, 0.8));
    for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [weights[i], weights[j]] = [weights[j], weights[i]];
    }
    const sum = weights.reduce((a, b) => a + b, 0);
    const counts = weights.map((w) => Math.min(max, Math.max(1, Math.floor((total * w) / sum))));
    let diff = total - counts.reduce((a, b) => a + b, 0);
    // Hand out (or take back) the rounding difference one task at a time, round-robin, within 1…max.
    for (let i = 0; diff !== 0; i = (i + 1) % n) {
        if (diff > 0 && counts[i] < max) { counts[i]++; diff--; }
        else if (diff < 0 && counts[i] > 1) { counts[i]--; diff++; }
    }
    return counts;
}

function classFor(i: number, random: () => number): ServiceClass {
    const r = random();
    if (r < 0.08) return "binpack";
    if (r < 0.10) return "random";
    if (r < 0.15) return "opted-out";
    if (r < 0.20) return "mid-deployment";
    if (r < 0.55) return "spread-az-instance";
    if (r < 0.85) return "spread-instance";
    return i % 2 === 0 ? "spread-az" : "spread-az-instance";
}

export function syntheticCluster(size: SyntheticSize, seed = 1): SyntheticCluster {
    const random = seededRandom(seed);
    const azCount = size.instances >= 1000 ? 6 : 3;
    const azs = Array.from({ length: azCount }, (_, i) => `us-east-1${"abcdef"[i]}`);
    const instances: SyntheticInstance[] = Array.from({ length: size.instances }, (_, i) => {
        const shape = INSTANCE_SHAPES[Math.floor(random() * INSTANCE_SHAPES.length)];
        return { id: `i-${String(i).padStart(5, "0")}`, az: azs[i % azCount], ...shape };
    });
    const freeCpu = instances.map((i) => i.cpu);
    const freeMemory = instances.map((i) => i.memory);

    const services: SyntheticService[] = [];
    let replicaTasks = size.tasks;
    let replicaServices = size.services;
    if (size.services >= 10 && size.tasks - size.instances >= size.services - 1) {
        const shape = TASK_SHAPES[0];
        const placement = new Map<number, number>();
        instances.forEach((_, p) => {
            placement.set(p, 1);
            freeCpu[p] -= shape.cpu;
            freeMemory[p] -= shape.memory;
        });
        services.push({ name: "daemon-agent", kind: "daemon", desired: size.instances, ...shape, minimumHealthyPercent: 0, maximumPercent: 100, unbalanced: false, autoScaled: false, placement });
        replicaTasks -= size.instances;
        replicaServices -= 1;
    }
    const counts = longTailedCounts(replicaTasks, replicaServices, MAX_TASKS_PER_SERVICE, random);
    const old = Math.max(1, Math.floor(size.instances * 0.6));
    counts.forEach((desired, i) => {
        const kind = classFor(i, random);
        const shape = TASK_SHAPES[Math.floor(random() * TASK_SHAPES.length)];
        const spread = kind.startsWith("spread");
        const unbalanced = spread && random() < 0.25;
        const candidates = unbalanced ? old : size.instances;
        const placement = new Map<number, number>();
        let cursor = Math.floor(random() * candidates);
        for (let k = 0; k < desired; k++) {
            // Round-robin over the candidates (interleaved across AZs), skipping instances without room.
            let tries = 0;
            while (freeCpu[cursor % size.instances] < shape.cpu || freeMemory[cursor % size.instances] < shape.memory) {
                cursor = (cursor + 1) % candidates;
                if (++tries > candidates) throw new Error(`synthetic cluster ${size.name}: no room for a task of service ${i}`);
            }
            const p = cursor % size.instances;
            placement.set(p, (placement.get(p) ?? 0) + 1);
            freeCpu[p] -= shape.cpu;
            freeMemory[p] -= shape.memory;
            cursor = (cursor + 1) % candidates;
        }
        services.push({
            name: `svc-${String(i).padStart(4, "0")}`,
            kind,
            desired,
            ...shape,
            minimumHealthyPercent: [100, 100, 50, 0][Math.floor(random() * 4)],
            maximumPercent: [200, 200, 150, 100][Math.floor(random() * 4)],
            unbalanced,
            autoScaled: random() < 0.1,
            placement,
        });
    });
    const tasks = services.reduce((n, s) => n + [...s.placement.values()].reduce((a, b) => a + b, 0), 0);
    return { size, azs, instances, services, tasks };
}
