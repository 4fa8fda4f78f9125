// The service tag keys the rebalancer knows, in one place: the two markers it writes (the only keys its role may
// add or remove), and the keys it only reads (the opt-out default, the opt-in and the per-service settings).

export const TAG_PREFIX = "ecs-rebalancer:";
/** Written before a surge raises desiredCount: the owner's count, so any later pass can put it back. */
export const SURGE_TAG = `${TAG_PREFIX}surge`;
/** The flap guard's record of the last move (plan/markers.ts). */
export const LAST_MOVE_TAG = `${TAG_PREFIX}last-move`;
/** Every key the rebalancer writes; the IAM policy allows tagging with exactly these (infra/rebalancer/rolePolicy.ts). */
export const MARKER_TAG_KEYS: readonly string[] = [SURGE_TAG, LAST_MOVE_TAG];

/** Read only: a service tagged `<skipTag>=true` is never touched (the skipTag setting's default key). */
export const DEFAULT_SKIP_TAG = `${TAG_PREFIX}skip`;
/** Read only: with serviceSelection=tagged, only services tagged `ecs-rebalancer:enabled=true` are rebalanced. */
export const ENABLED_TAG = `${TAG_PREFIX}enabled`;

/** Read only: the tag that overrides a setting for one service (`ecs-rebalancer:skewThreshold`, …). */
export function serviceSettingTag(settingKey: string): string {
    return `${TAG_PREFIX}${settingKey}`;
}
