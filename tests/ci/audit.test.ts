// The CI audit's verdict (.ci/audit.js): high and critical findings fail unless explained; an unavailable endpoint
// is reported, not hidden.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { decide } = require("../../.ci/audit.js") as { decide: (audit: unknown, exceptions: Record<string, string>) => { ok: boolean; unavailable: boolean; lines: string[] } };

const finding = (severity: string) => ({ severity, via: [{ title: "prototype pollution" }] });

describe(".ci/audit.js", () => {
    it("fails on an unexplained high or critical finding", () => {
        const v = decide({ vulnerabilities: { lodash: finding("high"), minimist: finding("critical"), ms: finding("low") } }, {});
        expect(v.ok).toBe(false);
        expect(v.lines.filter((l) => l.includes("not explained"))).toHaveLength(2);
    });

    it("passes when each high or critical finding is explained, and lists the explanation", () => {
        const v = decide({ vulnerabilities: { lodash: finding("high"), ms: finding("moderate") } }, { lodash: "only used at deploy time to render docs" });
        expect(v.ok).toBe(true);
        expect(v.lines[0]).toContain("explained: only used at deploy time");
    });

    it("says so when the registry offers no audit endpoint", () => {
        const v = decide({ statusCode: 405, message: "405 Method Not Allowed" }, {});
        expect(v).toMatchObject({ ok: true, unavailable: true });
        expect(v.lines[0]).toMatch(/unavailable \(HTTP 405\)/);
    });
});
