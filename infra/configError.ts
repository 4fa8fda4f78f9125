import * as pulumi from "@pulumi/pulumi";

export const CONFIG_NAMESPACE = "ecs-rebalancer";

export interface ConfigProblem {
    /** The key without its namespace, e.g. `strategy`. */
    key: string;
    /** What is wrong and what is allowed. */
    problem: string;
    /** The raw text the stack config holds, if any. */
    raw?: string;
}

export function describeProblem(p: ConfigProblem): string {
    const shown = p.raw === undefined ? "" : ` = ${JSON.stringify(p.raw)}`;
    return `${CONFIG_NAMESPACE}:${p.key}${shown} is invalid: ${p.problem}`;
}

/**
 * A stack config value that cannot be deployed. A RunError, so `pulumi up` prints the message without a
 * stack trace; the message names every bad key (`ecs-rebalancer:<key>`), its value, and what is allowed.
 */
export class ConfigError extends pulumi.RunError {
    readonly problems: readonly ConfigProblem[];

    constructor(problems: ConfigProblem[]) {
        const lines = problems.map(describeProblem);
        super(lines.length === 1 ? lines[0] : `invalid stack config:\n  ${lines.join("\n  ")}`);
        this.name = "ConfigError";
        this.problems = problems;
    }
}
