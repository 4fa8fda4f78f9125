// The container instances' user data, tested alone (the launch template carries it base64-encoded).
import { buildEcsUserData, ecsAgentConfig, encodeUserData } from "../../infra/demo/userData";

describe("buildEcsUserData", () => {
    it("joins the cluster and writes the agent settings without shell expansion", () => {
        expect(buildEcsUserData({ clusterName: "demo-ecs-4f2a1c" })).toBe(
            [
                "#!/bin/bash",
                "set -euo pipefail",
                "cat >> /etc/ecs/ecs.config <<'ECS_CONFIG'",
                "ECS_CLUSTER=demo-ecs-4f2a1c",
                "ECS_ENABLE_CONTAINER_METADATA=true",
                "ECS_CONTAINER_STOP_TIMEOUT=30s",
                "ECS_CONFIG",
                "",
            ].join("\n"),
        );
    });

    it("puts ECS_CLUSTER first and honours the stop timeout", () => {
        const settings = ecsAgentConfig({ clusterName: "prod", containerStopTimeoutSeconds: 120 });
        expect(settings[0]).toEqual(["ECS_CLUSTER", "prod"]);
        expect(settings).toContainEqual(["ECS_CONTAINER_STOP_TIMEOUT", "120s"]);
    });

    it.each(["", "prod; rm -rf /", "$(reboot)", "a".repeat(256), "prod\nECS_CLUSTER=other"])("refuses the cluster name %j", (clusterName) => {
        expect(() => buildEcsUserData({ clusterName })).toThrow(/invalid ECS cluster name/);
    });

    it("refuses a stop timeout ECS would not accept", () => {
        expect(() => buildEcsUserData({ clusterName: "prod", containerStopTimeoutSeconds: 0 })).toThrow(/stop timeout/);
    });
});

describe("encodeUserData", () => {
    it("round-trips through base64, as EC2 decodes it", () => {
        const script = buildEcsUserData({ clusterName: "prod" });
        const encoded = encodeUserData(script);
        expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
        expect(Buffer.from(encoded, "base64").toString("utf8")).toBe(script);
    });
});
