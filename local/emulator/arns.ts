// ECS ARNs (the long format ECS uses for every new resource since 2021) and the name-or-ARN identifiers the API accepts.

export class Arns {
    constructor(
        readonly region: string,
        readonly accountId: string,
    ) {}

    private prefix(): string {
        return `arn:aws:ecs:${this.region}:${this.accountId}`;
    }

    cluster(name: string): string {
        return `${this.prefix()}:cluster/${name}`;
    }
    service(cluster: string, name: string): string {
        return `${this.prefix()}:service/${cluster}/${name}`;
    }
    task(cluster: string, id: string): string {
        return `${this.prefix()}:task/${cluster}/${id}`;
    }
    containerInstance(cluster: string, id: string): string {
        return `${this.prefix()}:container-instance/${cluster}/${id}`;
    }
    container(cluster: string, taskId: string, id: string): string {
        return `${this.prefix()}:container/${cluster}/${taskId}/${id}`;
    }
    taskDefinition(family: string, revision: number): string {
        return `${this.prefix()}:task-definition/${family}:${revision}`;
    }
    capacityProvider(name: string): string {
        return `${this.prefix()}:capacity-provider/${name}`;
    }
}

export interface ParsedArn {
    service: string;
    region: string;
    accountId: string;
    /** Resource type (`cluster`, `service`, `task`, ...). */
    type: string;
    /** The parts after the type, split on `/`. */
    path: string[];
}

export function parseArn(value: string): ParsedArn | undefined {
    if (!value.startsWith("arn:")) return undefined;
    const parts = value.split(":");
    if (parts.length < 6) return undefined;
    const resource = parts.slice(5).join(":");
    const [type, ...path] = resource.split("/");
    return { service: parts[2]!, region: parts[3]!, accountId: parts[4]!, type: type!, path };
}

/** The short name from a cluster name or cluster ARN. */
export function clusterName(identifier: string): string {
    const arn = parseArn(identifier);
    return arn && arn.type === "cluster" ? arn.path.join("/") : identifier;
}

/** The service name from a name or a service ARN (long `service/<cluster>/<name>` or old `service/<name>` format). */
export function serviceName(identifier: string): string {
    const arn = parseArn(identifier);
    return arn && arn.type === "service" ? arn.path[arn.path.length - 1]! : identifier;
}

/** The trailing id of a task or container-instance ARN, or the value itself when it is already an id. */
export function resourceId(identifier: string): string {
    const arn = parseArn(identifier);
    return arn ? arn.path[arn.path.length - 1]! : identifier;
}

/** The cluster named in a long-format task or container-instance ARN, if any. */
export function clusterOfResourceArn(identifier: string): string | undefined {
    const arn = parseArn(identifier);
    return arn && arn.path.length >= 2 ? arn.path[0] : undefined;
}
