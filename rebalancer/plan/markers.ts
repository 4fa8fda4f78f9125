// The two tags the rebalancer keeps on a service, and the fingerprint of what a move was judged against.
// - the surge marker: written before desiredCount is raised, so any later pass can put the owner's value back;
// - the last-move record: the lower bound and skew before the last move, so a move that improved neither is not repeated
//   until the service's situation (desired count, task definition, eligible instances) changes.

import { LAST_MOVE_TAG, SURGE_TAG } from "../tagKeys";
import type { Tag } from "./types";

export { LAST_MOVE_TAG, SURGE_TAG, TAG_PREFIX } from "../tagKeys";

export interface SurgeMarker {
    /** desiredCount before the surge: the owner's value. */
    owner: number;
    /** desiredCount during the surge. */
    desired: number;
    /** When the surge began (epoch seconds). */
    at: number;
    /**
     * Set once the restore began: when the rebalancer protected the tasks that stay (epoch seconds) and for how many
     * minutes, so any later pass can tell its own protection (expiring then) from a protection the owner set;
     * `done` once its UpdateService was made, so a desiredCount back at the surged value after it is the owner's
     * (chaos seed 607609473), not a restore a killed pass never sent.
     */
    restore?: { at: number; minutes: number; done?: boolean };
}

export type MoveKind = "stop" | "surge" | "redeploy";

export interface LastMove {
    kind: MoveKind;
    /** The move was predicted to lower the surplus whatever ECS's tie-breaks (not a skew-only move or a chance). */
    sure: boolean;
    /**
     * The imbalance the moves of this situation are judged against: before the first of them that has not been
     * followed by an improvement (a later move that did not improve on it keeps it, so A → B → A counts twice).
     */
    lowerBound: number;
    /** Worst skew, likewise. */
    skew: number;
    fingerprint: string;
    at: number;
    /**
     * Moves made in this situation since the imbalance last improved on `lowerBound`/`skew`, this one included.
     * Absent in records written before it existed (then the guard holds back as it did: all moves after a sure
     * one, unsure ones after an unsure one).
     */
    tries?: number;
}

function fields(value: string): Map<string, string> | undefined {
    const parts = value.trim().split(/\s+/);
    if (parts[0] !== "v1") return undefined;
    const map = new Map<string, string>();
    for (const part of parts.slice(1)) {
        const eq = part.indexOf("=");
        if (eq <= 0) return undefined;
        map.set(part.slice(0, eq), part.slice(eq + 1));
    }
    return map;
}

function wholeNumber(text: string | undefined): number | undefined {
    return text !== undefined && /^\d{1,12}$/.test(text) ? Number(text) : undefined;
}

export function encodeSurgeMarker(m: SurgeMarker): Tag {
    const restore = m.restore ? ` restore=${m.restore.at} exp=${m.restore.minutes}${m.restore.done ? " done=1" : ""}` : "";
    return { key: SURGE_TAG, value: `v1 owner=${m.owner} desired=${m.desired} at=${m.at}${restore}` };
}

/** undefined when absent; "malformed" when present but unreadable (then it is removed and nothing else is done). */
export function decodeSurgeMarker(value: string | undefined): SurgeMarker | "malformed" | undefined {
    if (value === undefined) return undefined;
    const f = fields(value);
    const owner = wholeNumber(f?.get("owner")), desired = wholeNumber(f?.get("desired")), at = wholeNumber(f?.get("at"));
    if (owner === undefined || desired === undefined || at === undefined || desired <= owner) return "malformed";
    if (!f!.has("restore") && !f!.has("exp") && !f!.has("done")) return { owner, desired, at };
    const restoreAt = wholeNumber(f!.get("restore")), minutes = wholeNumber(f!.get("exp"));
    if (restoreAt === undefined || minutes === undefined || minutes < 1 || minutes > 2880) return "malformed";
    if (f!.has("done") && f!.get("done") !== "1") return "malformed";
    return { owner, desired, at, restore: { at: restoreAt, minutes, ...(f!.has("done") ? { done: true } : {}) } };
}

export function encodeLastMove(m: LastMove): Tag {
    const tries = m.tries === undefined ? "" : ` n=${m.tries}`;
    return { key: LAST_MOVE_TAG, value: `v1 kind=${m.kind} sure=${m.sure ? 1 : 0} lb=${m.lowerBound} skew=${m.skew} fp=${m.fingerprint} at=${m.at}${tries}` };
}

export function decodeLastMove(value: string | undefined): LastMove | undefined {
    if (value === undefined) return undefined;
    const f = fields(value);
    const kind = f?.get("kind"), lowerBound = wholeNumber(f?.get("lb")), skew = wholeNumber(f?.get("skew"));
    const fingerprint = f?.get("fp"), at = wholeNumber(f?.get("at"));
    // Records written before `sure` existed count as sure: the guard then holds back every move, as it did.
    const sure = f?.get("sure") !== "0";
    const tries = f?.has("n") ? wholeNumber(f.get("n")) : undefined;
    if ((kind !== "stop" && kind !== "surge" && kind !== "redeploy") || lowerBound === undefined || skew === undefined || !fingerprint || at === undefined) {
        return undefined;
    }
    if (f?.has("n") && (tries === undefined || tries < 1)) return undefined;
    return { kind, sure, lowerBound, skew, fingerprint, at, ...(tries !== undefined ? { tries } : {}) };
}

/**
 * Whether the service is better off than before its last move: a lower surplus, or the same surplus and a lower
 * skew. One order, the one the strategies make progress in: judging "either is lower" would let a move that
 * raised the surplus (skew lower) and one that raised the skew (surplus lower) follow each other for ever.
 */
export function improvedSince(last: Pick<LastMove, "lowerBound" | "skew">, now: { lowerBound: number; skew: number }): boolean {
    return now.lowerBound < last.lowerBound || (now.lowerBound === last.lowerBound && now.skew < last.skew);
}

/** FNV-1a (32 bit). */
export function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
}

/** The things that, when they change, give a move that did not help a new chance. */
export function situationFingerprint(desiredCount: number, taskDefinition: string, eligibleInstancesHash: string): string {
    return fnv1a(`${desiredCount}|${taskDefinition}|${eligibleInstancesHash}`).toString(16).padStart(8, "0");
}
