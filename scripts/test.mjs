#!/usr/bin/env node
// Runs every test file with Node's test runner (through tsx for TypeScript).
// Listing the files here keeps the set explicit on Node 20, whose runner
// does not expand globs itself.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const suites = process.argv.slice(2).length ? process.argv.slice(2) : ["unit", "e2e"];
const files = suites.flatMap((suite) =>
  readdirSync(join("test", suite))
    .filter((f) => f.endsWith(".test.ts"))
    .sort()
    .map((f) => join("test", suite, f)),
);
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
