// ECS ARN parsing: arn:<partition>:ecs:<region>:<account>:<resource>.

export interface EcsArn {
    partition: string;
    region: string;
    account: string;
    resource: string;
}

const ECS_ARN = /^arn:([a-z-]{1,20}):ecs:([a-z0-9-]{1,30}):(\d{12}):(.{1,1600})$/;

export function parseEcsArn(value: unknown): EcsArn | undefined {
    if (typeof value !== "string") return undefined;
    const m = ECS_ARN.exec(value);
    return m ? { partition: m[1], region: m[2], account: m[3], resource: m[4] } : undefined;
}

/** The name in `…:cluster/<name>`, or the input itself when it is already a name. */
export function clusterNameOf(clusterArnOrName: string): string {
    const i = clusterArnOrName.indexOf(":cluster/");
    return i >= 0 ? clusterArnOrName.slice(i + ":cluster/".length) : clusterArnOrName;
}
