#!/usr/bin/env node
// Prints the suite's closing line in the plain form CI reads: "tests: N passed, N failed, N skipped".
import fs from "node:fs";

const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  process.stdout.write("tests: 0 passed, 1 failed\n");
  process.exit(0);
}
const r = JSON.parse(fs.readFileSync(file, "utf8"));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// A file that failed to load counts as a failure even though it ran no test.
const failedSuites = (r.testResults ?? []).filter((s) => s.status === "failed" && (s.assertionResults ?? []).length === 0).length;
process.stdout.write(`tests: ${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed, ${skipped} skipped\n`);
