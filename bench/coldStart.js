// Cold start of the serialized handler, run by artifactCost.ts in a fresh Node process per sample with the
// unpacked archive as its working directory (as Lambda runs /var/task): load __index.js (the factory runs), then
// the first pass (a scheduled sweep) against the local emulator. Plain JavaScript: nothing but Node and the
// archive — the runtime's AWS SDK comes from NODE_PATH, as on Lambda. Prints the two durations as JSON.
"use strict";
const { performance } = require("node:perf_hooks");
const path = require("node:path");

const t0 = performance.now();
const mod = require(path.join(process.cwd(), "__index.js"));
const loaded = performance.now();
const event = {
    version: "0", id: "bench-cold-start", "detail-type": "Scheduled Event", source: "aws.events", account: "123456789012",
    time: new Date().toISOString(), region: process.env.AWS_REGION, resources: ["arn:aws:events:us-east-1:123456789012:rule/bench"], detail: {},
};
const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: "bench-cold-start", getRemainingTimeInMillis: () => 300000 };
// The function's logs go to stdout on Lambda; here they would mix with the figures, so they are dropped.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true;
mod.handler(event, context).then(
    (result) => {
        const done = performance.now();
        process.stdout.write = write;
        write(JSON.stringify({ loadMs: loaded - t0, firstPassMs: done - loaded, result }) + "\n");
    },
    (err) => {
        process.stdout.write = write;
        console.error(err && err.stack ? err.stack : String(err));
        process.exit(1);
    },
);
