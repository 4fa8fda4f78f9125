// The README's config reference table, rendered from CONFIG_KEYS (a test keeps README.md equal to it).
import { CONFIG_KEYS, ConfigKey, CONFIG_NAMESPACE } from "./config";

export const CONFIG_TABLE_BEGIN = "<!-- config-table:begin (generated from infra/config.ts; tests/infra/projectFiles.test.ts checks it) -->";
export const CONFIG_TABLE_END = "<!-- config-table:end -->";

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\n/g, " ");
}

function typeOf(spec: ConfigKey): string {
    return spec.type === "array" ? "list of strings" : spec.type;
}

function defaultOf(spec: ConfigKey): string {
    return `\`${typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default)}\``;
}

export function renderConfigTable(): string {
    const rows = CONFIG_KEYS.map((k) => `| \`${k.key}\` | ${typeOf(k)} | ${defaultOf(k)} | ${cell(k.allowed)} | ${cell(k.description)} |`);
    return [
        `All keys live in the \`${CONFIG_NAMESPACE}\` namespace (\`pulumi config set ${CONFIG_NAMESPACE}:<key> <value>\`).`,
        "",
        "| key | type | default | allowed | meaning |",
        "|---|---|---|---|---|",
        ...rows,
    ].join("\n");
}
