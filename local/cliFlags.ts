// Command-line flags for the local commands: `--name value` pairs of known names and types, plus positionals.

import { DEFAULT_ECS_PROFILE, ECS_PROFILE_NAMES, isEcsProfileName, type EcsProfileName } from "./emulator";

export class UsageError extends Error {}

/**
 * Runs a command's main and exits with its code. A usage error prints the message and the usage, exit 2; so does
 * an error `inputError` recognises (bad input named by the command, e.g. an invalid scenario file), with its text;
 * anything else is printed whole, exit 1.
 */
export function runCli(main: () => Promise<number>, usage: string, inputError: (err: unknown) => string | undefined = () => undefined): void {
    main().then(
        (code) => process.exit(code),
        (err: unknown) => {
            const input = err instanceof UsageError ? `${err.message}\n${usage}` : inputError(err);
            console.error(input ?? err);
            process.exit(input !== undefined ? 2 : 1);
        },
    );
}

export type FlagType = "string" | "integer" | "boolean";

/** `--ecs-profile NAME`: the ECS behaviour profile the emulator plays (local/emulator/profiles/); default service-page. */
export function ecsProfileFlag(value: string | number | boolean | undefined): EcsProfileName {
    if (value === undefined) return DEFAULT_ECS_PROFILE;
    if (typeof value !== "string" || !isEcsProfileName(value)) {
        throw new UsageError(`--ecs-profile must be one of ${ECS_PROFILE_NAMES.join(", ")}, got ${JSON.stringify(value)}`);
    }
    return value;
}

export function parseFlags(argv: string[], spec: Record<string, FlagType>): { positional: string[]; flags: Record<string, string | number | boolean> } {
    const positional: string[] = [];
    const flags: Record<string, string | number | boolean> = {};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (!arg.startsWith("--")) {
            positional.push(arg);
            continue;
        }
        const name = arg.slice(2);
        const type = spec[name];
        if (!type) throw new UsageError(`unknown option ${arg}`);
        if (type === "boolean") {
            flags[name] = true;
            continue;
        }
        const value = argv[++i];
        if (value === undefined || value.startsWith("--")) throw new UsageError(`${arg} needs a value`);
        if (type === "integer") {
            if (!/^\d+$/.test(value)) throw new UsageError(`${arg} must be a whole number, got ${JSON.stringify(value)}`);
            flags[name] = Number(value);
        } else {
            flags[name] = value;
        }
    }
    return { positional, flags };
}
