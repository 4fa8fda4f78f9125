// Watches one play round by round (rounds.ts says what a round is and why its bound holds): the running tasks of
// each service per instance, kept from the emulator's task changes in the order they happen, so that the state
// just before the rebalancer's first change of a service in a round can be read when that change arrives; the
// starts and stops that are not the rebalancer's after it; and at each round's end, the state it left, on whose
// room both states are bounded.

import type { TaskChange } from "../emulator";
import { serviceLowerBound, type BoundInstance, type BoundService } from "./lowerBound";
import { roundReport, type RoundReport, type ServiceRound, type ServiceState } from "./rounds";
import type { ScenarioWorld } from "./world";

/** A service's state just before the rebalancer's first change of it in the round: bounded at the round's end. */
interface FirstMove {
    counts: Record<string, number>;
    running: number;
    bins: string[];
    otherChanges: number;
}

interface OpenRound {
    steps: string[];
    touched: Map<string, FirstMove>;
    stopped: number;
}

export class RoundTracker {
    readonly rounds: RoundReport[] = [];
    /** Per service: running task (desired and last status RUNNING) → its instance. */
    private readonly running = new Map<string, Map<string, string>>();
    private readonly stopSeen = new Set<string>();
    private current?: OpenRound;
    private readonly unsubscribe: () => void;

    constructor(
        private readonly world: ScenarioWorld,
        private readonly accessKeyId: string | undefined,
        private readonly skipTag: string,
    ) {
        this.unsubscribe = world.emulator.onTaskChange((change) => this.observe(change));
    }

    /** Opens a round (closing the one before); its steps are added with `step` as they are applied. */
    begin(firstStep?: string): void {
        if (this.current) this.end();
        this.current = { steps: firstStep ? [firstStep] : [], touched: new Map(), stopped: 0 };
    }

    step(text: string): void {
        this.current?.steps.push(text);
    }

    /** Closes the open round on the world as it stands (settled). */
    end(): void {
        const round = this.current;
        if (!round) return;
        this.current = undefined;
        const counts = this.counts();
        let left = 0;
        const services: ServiceRound[] = [];
        for (const { service, instances } of this.world.boundInputs(counts, this.skipTag)) {
            const atEnd = stateOf(service, instances);
            left += atEnd.bound;
            const first = round.touched.get(service.name);
            if (first) services.push(serviceRound(service, instances, atEnd, first));
        }
        this.rounds.push(roundReport(round.steps.length > 0 ? round.steps : ["start"], services, left, round.stopped));
    }

    close(): void {
        this.unsubscribe();
    }

    /** The running counts this tracker holds (the same rule as world.runningCounts). */
    counts(): Record<string, Record<string, number>> {
        const out: Record<string, Record<string, number>> = {};
        for (const s of this.world.scenario.services) {
            const byInstance: Record<string, number> = {};
            for (const id of this.running.get(s.name)?.values() ?? []) byInstance[id] = (byInstance[id] ?? 0) + 1;
            out[s.name] = byInstance;
        }
        return out;
    }

    private byRebalancer(change: TaskChange): boolean {
        const root = change.cause.root;
        return this.accessKeyId !== undefined && root.type === "api" && root.accessKeyId === this.accessKeyId;
    }

    private observe(change: TaskChange): void {
        const service = change.service;
        if (!service) return;
        let running = this.running.get(service);
        if (!running) this.running.set(service, (running = new Map()));
        const isRunning = change.to === "RUNNING" && change.desiredStatus === "RUNNING" && change.ec2InstanceId !== undefined;
        const changesRunning = isRunning !== running.has(change.taskArn);
        const round = this.current;
        if (round) {
            const touched = round.touched.get(service);
            if (this.byRebalancer(change)) {
                // The state it acted on: read before this change is counted.
                if (!touched) {
                    const inputs = this.world.boundInputs(this.counts(), this.skipTag, service)[0];
                    if (inputs) {
                        const { running, bins } = stateOf(inputs.service, inputs.instances);
                        round.touched.set(service, { counts: { ...inputs.service.counts }, running, bins, otherChanges: 0 });
                    }
                }
                if (change.desiredStatus === "STOPPED" && !this.stopSeen.has(change.taskArn)) {
                    this.stopSeen.add(change.taskArn);
                    round.stopped++;
                }
            } else if (touched && changesRunning) {
                touched.otherChanges++;
            }
        }
        if (isRunning) running.set(change.taskArn, change.ec2InstanceId!);
        else running.delete(change.taskArn);
    }
}

/** The round for one service: its state at the first move bounded on the room each instance has at the end. */
function serviceRound(service: BoundService, atEndInstances: BoundInstance[], atEnd: ServiceState, first: FirstMove): ServiceRound {
    const overRoom: string[] = [];
    const instances = atEndInstances.map((i) => {
        const cap = (service.counts[i.id] ?? 0) + i.room;
        const held = first.counts[i.id] ?? 0;
        if (i.usable && held > cap) overRoom.push(i.id);
        return { ...i, room: Math.max(0, cap - held) };
    });
    const atFirstMove = { bound: serviceLowerBound({ ...service, counts: first.counts }, instances), running: first.running, bins: first.bins };
    return { service: service.name, atFirstMove, atEnd, otherChanges: first.otherChanges, overRoom };
}

function stateOf(service: BoundService, instances: BoundInstance[]): ServiceState {
    const usable = instances.filter((i) => i.usable);
    return {
        bound: serviceLowerBound(service, instances),
        running: usable.reduce((n, i) => n + (service.counts[i.id] ?? 0), 0),
        bins: usable.map((i) => i.id).sort(),
    };
}
