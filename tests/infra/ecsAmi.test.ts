// Which ECS-optimized AL2023 AMI parameter an instance type needs.
import { ECS_AL2023_ARM64_AMI_PARAMETER, ECS_AL2023_X86_64_AMI_PARAMETER, ecsAmiParameterFor, isGravitonInstanceType } from "../../infra/demo/ecsAmi";

describe("ecsAmiParameterFor", () => {
    it("uses the x86_64 AL2023 parameter by default", () => {
        expect(ECS_AL2023_X86_64_AMI_PARAMETER).toBe("/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id");
        expect(ecsAmiParameterFor("t3.small")).toBe(ECS_AL2023_X86_64_AMI_PARAMETER);
    });

    it.each(["t4g.small", "m7g.large", "c7gn.xlarge", "r6gd.2xlarge", "g5g.xlarge", "is4gen.large", "m8g.medium", "x2gd.large"])("%s is Graviton (arm64 AMI)", (type) => {
        expect(isGravitonInstanceType(type)).toBe(true);
        expect(ecsAmiParameterFor(type)).toBe(ECS_AL2023_ARM64_AMI_PARAMETER);
    });

    it.each(["t3.small", "t3a.medium", "m7i-flex.large", "g4dn.xlarge", "c5n.2xlarge", "m5.large", "inf2.xlarge", "p5.48xlarge"])("%s is x86_64", (type) => {
        expect(isGravitonInstanceType(type)).toBe(false);
        expect(ecsAmiParameterFor(type)).toBe(ECS_AL2023_X86_64_AMI_PARAMETER);
    });
});
