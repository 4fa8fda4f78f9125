// Per-service selection and settings, read from the service's own tags (a filter, like serviceFilter.ts: it
// decides what a service may get, never how it moves). A team opts its service in with `ecs-rebalancer:enabled=true`
// (when serviceSelection is `tagged`) and overrides the settings that say `perService` in rebalancer/settings.ts with
// `ecs-rebalancer:<setting>=<value>`, checked by the same rules as the stack's. A value that fails them skips that
// service, with the tag, its value and what is allowed in the reason; the pass goes on.

import type { Service } from "../model";
import { describeInvalid, perServiceFields, settingFromText, type Settings } from "../settings";
import { ENABLED_TAG, serviceSettingTag } from "../tagKeys";
import type { Skip } from "./serviceFilter";
import type { ServiceOverrides } from "./types";

export interface ServiceSettings {
    /** The pass's settings with the service's overrides applied. */
    settings: Settings;
    overrides: ServiceOverrides;
    /**
     * The service's writes are only recorded although the pass is live (its tag says dryRun=true). A tag never
     * makes a service live in a dry-run pass: the stack's dryRun is the operators' switch for every write.
     */
    dryRunOnly: boolean;
}

/** With serviceSelection `tagged`, a service not tagged `ecs-rebalancer:enabled=true` is out of scope. */
export function selectionRefusal(service: Service, settings: Pick<Settings, "serviceSelection">): Skip | undefined {
    if (settings.serviceSelection !== "tagged") return undefined;
    const value = service.tags[ENABLED_TAG];
    if (value === "true") return undefined;
    if (value === undefined || value === "false") {
        return { reason: "not-selected", detail: `serviceSelection is tagged and the service is not tagged ${ENABLED_TAG}=true` };
    }
    return { reason: "invalid-service-tag", detail: `tag ${ENABLED_TAG}=${JSON.stringify(value)} is invalid: expected true or false` };
}

/** The service's effective settings, or why its tags cannot be used (every bad tag named at once). */
export function serviceSettings(service: Service, settings: Settings): ServiceSettings | { skip: Skip } {
    const overrides: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const field of perServiceFields()) {
        const tag = serviceSettingTag(field.key);
        const text = service.tags[tag];
        if (text === undefined) continue;
        const value = settingFromText(field, text);
        const problem = describeInvalid(field, value);
        if (problem) problems.push(`tag ${tag}=${JSON.stringify(text.slice(0, 64))} is invalid: ${problem}`);
        else overrides[field.key] = value;
    }
    if (problems.length > 0) return { skip: { reason: "invalid-service-tag", detail: problems.join("; ") } };
    const own = overrides as ServiceOverrides;
    const dryRun = settings.dryRun || own.dryRun === true;
    return { settings: { ...settings, ...own, dryRun }, overrides: own, dryRunOnly: dryRun && !settings.dryRun };
}
