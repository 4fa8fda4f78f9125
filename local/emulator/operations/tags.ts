// TagResource, UntagResource, ListTagsForResource for clusters, services, tasks, container instances and
// task definitions.

import { parseArn } from "../arns";
import type { EmulatorCore } from "../core";
import { clusterNotFound, invalidParameter, resourceNotFound } from "../errors";
import type { Tags } from "../model";
import { tagList } from "../serialize";
import { optionalList, readTags, requiredString, type Operation } from "./common";
import { findTaskDefinition } from "./taskDefinitions";

function tagsOf(core: EmulatorCore, resourceArn: string): Tags {
    const arn = parseArn(resourceArn);
    if (!arn || arn.service !== "ecs") throw invalidParameter("The ARN provided is invalid.");
    if (arn.type === "task-definition") {
        const td = findTaskDefinition(core, resourceArn);
        if (!td) throw resourceNotFound("The specified resource wasn't found.");
        return td.tags;
    }
    const cluster = core.clustersByName.get(arn.path[0] ?? "");
    if (!cluster || cluster.status !== "ACTIVE") throw clusterNotFound();
    const key = arn.path[1];
    let tags: Tags | undefined;
    if (arn.type === "cluster" && arn.path.length === 1) tags = cluster.tags;
    else if (arn.type === "service" && key) tags = cluster.servicesByName.get(key)?.tags;
    else if (arn.type === "task" && key) tags = cluster.tasksById.get(key)?.tags;
    else if (arn.type === "container-instance" && key) tags = cluster.instancesById.get(key)?.tags;
    else throw invalidParameter("The ARN provided is invalid.");
    if (!tags) throw resourceNotFound("The specified resource wasn't found.");
    return tags;
}

export const tagResource: Operation = (core, input) => {
    const tags = tagsOf(core, requiredString(input, "resourceArn"));
    const added = readTags(input);
    if (added.size === 0) throw invalidParameter("Tags cannot be empty.");
    const merged = new Map([...tags, ...added]);
    if (merged.size > 50) throw invalidParameter("A resource can have at most 50 tags.");
    for (const [k, v] of added) tags.set(k, v);
    return {};
};

export const untagResource: Operation = (core, input) => {
    const tags = tagsOf(core, requiredString(input, "resourceArn"));
    const keys = optionalList<string>(input, "tagKeys") ?? [];
    if (keys.length === 0) throw invalidParameter("TagKeys cannot be empty.");
    for (const k of keys) tags.delete(String(k));
    return {};
};

export const listTagsForResource: Operation = (core, input) => ({ tags: tagList(tagsOf(core, requiredString(input, "resourceArn"))) });
