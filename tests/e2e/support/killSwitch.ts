// A function container that dies in the middle of a pass: its ECS client lets `writesAllowed` write calls
// through, then every later call either fails (the process crashed) or never answers (the invocation timed out
// and was abandoned). Built like the container's own clients, from the environment.

import { createAwsClients, type AwsClients } from "../../../rebalancer/awsClients";

export type Death = "fails" | "hangs";

const WRITE_COMMAND = /^(StopTask|UpdateService|UpdateTaskProtection|TagResource|UntagResource|RegisterTaskDefinition|DeregisterTaskDefinition)Command$/;

export interface DyingClients {
    clients: AwsClients;
    /** True once a call was refused: the pass was cut. */
    readonly dead: boolean;
    /** Resolves when the first call is refused. */
    died: Promise<void>;
}

export function dyingClients(writesAllowed: number, death: Death): DyingClients {
    const clients = createAwsClients();
    let writes = 0;
    let dead = false;
    let announce!: () => void;
    const died = new Promise<void>((resolve) => (announce = resolve));
    clients.ecs.middlewareStack.add(
        (next, context) => async (args) => {
            const isWrite = WRITE_COMMAND.test(String(context.commandName));
            if (!dead && isWrite && writes >= writesAllowed) {
                dead = true;
                announce();
            }
            if (dead) {
                if (death === "hangs") return new Promise<never>(() => undefined);
                throw Object.assign(new Error("the function's process died"), { name: "Killed" });
            }
            if (isWrite) writes++;
            return next(args);
        },
        { step: "initialize", name: "e2eKillSwitch" },
    );
    return {
        clients,
        died,
        get dead() {
            return dead;
        },
    };
}
