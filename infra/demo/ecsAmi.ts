// Which ECS-optimized Amazon Linux 2023 AMI an instance type needs. AWS publishes the current image id in SSM.
export const ECS_AL2023_X86_64_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";
export const ECS_AL2023_ARM64_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id";

/**
 * Graviton families carry a `g` after the generation digit (t4g, m7g, c7gn, r6gd, g5g, is4gen); x86 families do
 * not (t3, m7i-flex, g4dn, c5n). Picking the wrong AMI would leave every instance unable to boot.
 */
export function isGravitonInstanceType(instanceType: string): boolean {
    const family = instanceType.split(".")[0];
    const m = /^[a-z]+\d+([a-z-]*)$/.exec(family);
    return m !== null && m[1].split("-")[0].includes("g");
}

export function ecsAmiParameterFor(instanceType: string): string {
    return isGravitonInstanceType(instanceType) ? ECS_AL2023_ARM64_AMI_PARAMETER : ECS_AL2023_X86_64_AMI_PARAMETER;
}
