// The profiles the emulator suite runs under (jest.config.js) are the emulator's, and each is what it claims.
import { ECS_PROFILE_NAMES, ecsProfile } from "../../local/emulator";
import { PROFILE } from "./helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const jestConfig = require("../../jest.config.js") as { projects: { displayName: string; globals?: { ECS_PROFILE?: string } }[] };

test("the emulator suite runs once under every profile the emulator has", () => {
    const ran = jestConfig.projects.map((p) => p.globals?.ECS_PROFILE).filter((p): p is string => p !== undefined);
    expect(ran).toEqual([...ECS_PROFILE_NAMES]);
    expect(ECS_PROFILE_NAMES).toContain(PROFILE);
});

test("each profile names its reading; an unknown name is refused with the known ones", () => {
    for (const name of ECS_PROFILE_NAMES) expect(ecsProfile(name).description.length).toBeGreaterThan(40);
    expect(() => ecsProfile("strict")).toThrow('unknown ECS profile "strict": expected one of service-page, placement-page, adversarial');
});
