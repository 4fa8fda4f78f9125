// What a task reserves on a container instance: CPU and memory units, static host ports, and host ports for
// dynamic mappings (bridge mode, hostPort 0) taken from the agent's default range 49153–65535. Reservations
// are held from placement until the task is STOPPED.

import type { InstanceState, NetworkBinding, PortMappingSpec, TaskDefinitionState } from "./model";

/** Ports the ECS agent reserves on every Linux instance (SSH, Docker, the agent's introspection ports). */
export const DEFAULT_RESERVED_PORTS: readonly number[] = [22, 2375, 2376, 51678, 51679];
export const DYNAMIC_PORT_FIRST = 49153;
export const DYNAMIC_PORT_LAST = 65535;

export type ResourceShortage = "RESOURCE:CPU" | "RESOURCE:MEMORY" | "RESOURCE:PORTS" | "RESOURCE:PORTS_UDP";

/** The first resource the instance lacks for one more task of `td`, or undefined when it fits. */
export function resourceShortage(instance: InstanceState, td: TaskDefinitionState): ResourceShortage | undefined {
    if (instance.registered.cpu - instance.used.cpu < td.reservation.cpu) return "RESOURCE:CPU";
    if (instance.registered.memory - instance.used.memory < td.reservation.memory) return "RESOURCE:MEMORY";
    for (const m of td.portMappings) {
        if (m.hostPort === 0) continue;
        if (m.protocol === "tcp" && tcpPortTaken(instance, m.hostPort)) return "RESOURCE:PORTS";
        if (m.protocol === "udp" && (instance.registered.portsUdp.includes(m.hostPort) || instance.udpPorts.has(m.hostPort))) {
            return "RESOURCE:PORTS_UDP";
        }
    }
    return undefined;
}

function tcpPortTaken(instance: InstanceState, port: number): boolean {
    return instance.registered.ports.includes(port) || instance.tcpPorts.has(port) || instance.dynamicPorts.has(port);
}

export interface PortAssignment {
    /** Bindings per container name. */
    bindings: Map<string, NetworkBinding[]>;
    tcp: number[];
    udp: number[];
    dynamic: number[];
}

/** Chooses host ports for a task about to be placed on `instance` (the caller checked that it fits). */
export function assignPorts(instance: InstanceState, td: TaskDefinitionState): PortAssignment {
    const result: PortAssignment = { bindings: new Map(), tcp: [], udp: [], dynamic: [] };
    let nextDynamic = DYNAMIC_PORT_FIRST;
    const taken = (p: number) => tcpPortTaken(instance, p) || result.dynamic.includes(p) || result.tcp.includes(p);
    for (const m of td.portMappings) {
        let hostPort = m.hostPort;
        if (hostPort === 0) {
            while (nextDynamic <= DYNAMIC_PORT_LAST && taken(nextDynamic)) nextDynamic++;
            hostPort = nextDynamic++;
            result.dynamic.push(hostPort);
        } else if (m.protocol === "udp") {
            result.udp.push(hostPort);
        } else {
            result.tcp.push(hostPort);
        }
        const list = result.bindings.get(m.containerName) ?? [];
        list.push({ bindIP: "0.0.0.0", containerPort: m.containerPort, hostPort, protocol: m.protocol });
        result.bindings.set(m.containerName, list);
    }
    return result;
}

export function reserve(instance: InstanceState, td: TaskDefinitionState, ports: PortAssignment): void {
    instance.used.cpu += td.reservation.cpu;
    instance.used.memory += td.reservation.memory;
    for (const p of ports.tcp) instance.tcpPorts.add(p);
    for (const p of ports.udp) instance.udpPorts.add(p);
    for (const p of ports.dynamic) instance.dynamicPorts.add(p);
}

export function release(instance: InstanceState, reservation: { cpu: number; memory: number }, tcp: number[], udp: number[], dynamic: number[]): void {
    instance.used.cpu -= reservation.cpu;
    instance.used.memory -= reservation.memory;
    for (const p of tcp) instance.tcpPorts.delete(p);
    for (const p of udp) instance.udpPorts.delete(p);
    for (const p of dynamic) instance.dynamicPorts.delete(p);
}

/**
 * Port mappings of a task definition as the agent applies them: bridge maps hostPort (0 or absent = dynamic),
 * host binds the container port itself, awsvpc and none use no instance port at all.
 */
export function normalizePortMappings(networkMode: string, containerName: string, mappings: unknown[]): PortMappingSpec[] {
    if (networkMode !== "bridge" && networkMode !== "host") return [];
    const specs: PortMappingSpec[] = [];
    for (const raw of mappings) {
        const m = raw as { containerPort?: number; hostPort?: number; protocol?: string };
        const containerPort = Number(m.containerPort ?? 0);
        const hostPort = networkMode === "bridge" ? Number(m.hostPort ?? 0) : containerPort;
        specs.push({ containerName, containerPort, hostPort, protocol: m.protocol === "udp" ? "udp" : "tcp" });
    }
    return specs;
}
