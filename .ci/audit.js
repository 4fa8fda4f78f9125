#!/usr/bin/env node
// npm audit of the production dependencies (what the program and the Lambda archive ship), for CI. A high or
// critical finding fails the run unless .ci/audit-exceptions.json explains why it does not apply. When the
// registry offers no audit endpoint (this project's mirror answers 405), the run says so and does not fail.
"use strict";
const { spawnSync } = require("node:child_process");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

/** The audit's verdict from `npm audit --json` output and the explained exceptions ({ package: why }). */
function decide(audit, exceptions) {
    if (!audit || typeof audit !== "object" || !audit.vulnerabilities) {
        const status = audit && audit.statusCode ? `HTTP ${audit.statusCode}` : "no report";
        return { ok: true, unavailable: true, lines: [`npm audit: the registry's audit endpoint is unavailable (${status}); production dependencies were not audited in this run`] };
    }
    const lines = [];
    let ok = true;
    for (const [name, v] of Object.entries(audit.vulnerabilities)) {
        if (v.severity !== "high" && v.severity !== "critical") continue;
        if (exceptions[name]) lines.push(`npm audit: ${v.severity} in ${name}, explained: ${exceptions[name]}`);
        else {
            ok = false;
            lines.push(`npm audit: ${v.severity} in ${name} (${[].concat(v.via).map((x) => (typeof x === "string" ? x : x.title)).join("; ")}), not explained in .ci/audit-exceptions.json`);
        }
    }
    const total = Object.keys(audit.vulnerabilities).length;
    lines.push(`npm audit: ${total} finding(s) in production dependencies; high/critical ${ok ? "all explained" : "NOT all explained"}`);
    return { ok, unavailable: false, lines };
}

if (require.main === module) {
    const run = spawnSync("npm", ["audit", "--omit=dev", "--json"], { encoding: "utf8" });
    let audit;
    try {
        audit = JSON.parse(run.stdout);
    } catch {
        audit = undefined;
    }
    const exceptions = JSON.parse(readFileSync(join(__dirname, "audit-exceptions.json"), "utf8"));
    const verdict = decide(audit, exceptions);
    for (const line of verdict.lines) console.log(line);
    process.exit(verdict.ok ? 0 : 1);
}

module.exports = { decide };
