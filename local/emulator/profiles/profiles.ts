// The ECS behaviour profiles by name (`--ecs-profile NAME` in the local tools; EcsEmulatorOptions.profile).

import { adversarialProfile } from "./adversarial";
import { placementPageProfile } from "./placementPage";
import type { EcsProfile, EcsProfileName } from "./profile";
import { servicePageProfile } from "./servicePage";

export const ECS_PROFILES: readonly EcsProfile[] = [servicePageProfile, placementPageProfile, adversarialProfile];
export const ECS_PROFILE_NAMES: readonly EcsProfileName[] = ECS_PROFILES.map((p) => p.name);
export const DEFAULT_ECS_PROFILE: EcsProfileName = "service-page";

export function isEcsProfileName(name: string): name is EcsProfileName {
    return (ECS_PROFILE_NAMES as readonly string[]).includes(name);
}

/** The profile of that name; an unknown name is an error that lists the known ones. */
export function ecsProfile(name: string = DEFAULT_ECS_PROFILE): EcsProfile {
    const profile = ECS_PROFILES.find((p) => p.name === name);
    if (!profile) throw new Error(`unknown ECS profile ${JSON.stringify(name)}: expected one of ${ECS_PROFILE_NAMES.join(", ")}`);
    return profile;
}
