// Every scenario file of the project follows the format (the runner and the benchmark play all of them), and the
// three shared examples are kept as they are.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { scenarioFiles } from "../../bench/scenarioMatrix";
import { readScenarioFile } from "../../local/scenario/scenarioFile";

const DIR = join(__dirname, "../../scenarios");
const SHARED = join(__dirname, "../../../shared/scenarios");
const files = scenarioFiles(DIR);

it("has at least twelve scenarios", () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
});

it.each(files.map((f) => [basename(f), f]))("%s parses, and its name is its file name", (name, file) => {
    const scenario = readScenarioFile(file);
    expect(`${scenario.name}.json`).toBe(name);
    expect(scenario.services.length).toBeGreaterThan(0);
});

const examples = ["seed-scale-down-up.json", "grow-three-to-six.json", "static-port-floor.json"];
(existsSync(SHARED) ? it.each(examples) : it.skip.each(examples))("%s is the shared example, unchanged", (name) => {
    expect(readFileSync(join(DIR, name), "utf8")).toBe(readFileSync(join(SHARED, name), "utf8"));
});

it("lists every scenario in scenarios/README.md", () => {
    const readme = readFileSync(join(DIR, "README.md"), "utf8");
    for (const f of files) expect({ file: basename(f), listed: readme.includes(`\`${basename(f)}\``) }).toEqual({ file: basename(f), listed: true });
});
