// Server mode: `npm run emulator -- [--port P] [--speed X] [--seed N] [--region R] [--ecs-profile NAME]`.
// Starts empty on 127.0.0.1 with a real-time clock scaled by --speed, prints its endpoint, stops on SIGINT/SIGTERM.

import { ScaledClock } from "./clock";
import { EcsEmulator } from "./emulator";
import { DEFAULT_ECS_PROFILE, ECS_PROFILE_NAMES, isEcsProfileName } from "./profiles/profiles";
import type { EcsProfileName } from "./profiles/profile";

interface ServerArgs {
    port: number;
    speed: number;
    seed: number;
    region: string;
    ecsProfile: EcsProfileName;
}

const USAGE = `usage: emulator [--port P] [--speed X] [--seed N] [--region R] [--ecs-profile ${ECS_PROFILE_NAMES.join("|")}]`;

export function parseServerArgs(argv: readonly string[]): ServerArgs {
    const args: ServerArgs = { port: 0, speed: 1, seed: 1, region: "us-east-1", ecsProfile: DEFAULT_ECS_PROFILE };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i]!;
        const value = argv[i + 1];
        const number = (name: string, min: number): number => {
            const n = Number(value);
            if (value === undefined || !Number.isFinite(n) || n < min) throw new Error(`${name} needs a number ≥ ${min}. ${USAGE}`);
            i++;
            return n;
        };
        if (flag === "--port") args.port = number("--port", 0);
        else if (flag === "--speed") args.speed = number("--speed", Number.MIN_VALUE);
        else if (flag === "--seed") args.seed = number("--seed", 0);
        else if (flag === "--region" && value) {
            args.region = value;
            i++;
        } else if (flag === "--ecs-profile") {
            if (value === undefined || !isEcsProfileName(value)) throw new Error(`--ecs-profile must be one of ${ECS_PROFILE_NAMES.join(", ")}. ${USAGE}`);
            args.ecsProfile = value;
            i++;
        } else if (flag === "--help" || flag === "-h") throw new Error(USAGE);
        else throw new Error(`unknown argument ${flag}. ${USAGE}`);
    }
    if (!Number.isInteger(args.port) || args.port > 65535) throw new Error(`--port must be an integer between 0 and 65535. ${USAGE}`);
    return args;
}

export async function startServer(args: ServerArgs): Promise<EcsEmulator> {
    const clock = new ScaledClock(args.speed);
    const emulator = new EcsEmulator({ clock, seed: args.seed, region: args.region, profile: args.ecsProfile });
    const endpoint = await emulator.listen(args.port);
    console.log(`ECS emulator listening on ${endpoint} (region ${args.region}, clock speed ×${args.speed}, seed ${args.seed}, ECS profile ${args.ecsProfile})`);
    console.log(`  AWS_ENDPOINT_URL_ECS=${endpoint} AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING=${endpoint} (any credentials)`);
    const stop = () => {
        void emulator.close().then(() => {
            clock.dispose();
            console.log("ECS emulator stopped");
            process.exit(0);
        });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    return emulator;
}

if (require.main === module) {
    try {
        void startServer(parseServerArgs(process.argv.slice(2))).catch((e: Error) => {
            console.error(e.message);
            process.exit(1);
        });
    } catch (e) {
        console.error((e as Error).message);
        process.exit(2);
    }
}
