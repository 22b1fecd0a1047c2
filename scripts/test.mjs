#!/usr/bin/env node
// Runs the native test programs, then every test file with Node's test
// runner (through tsx for TypeScript). `node scripts/test.mjs unit` runs one
// suite.
// Listing the files here keeps the set explicit on Node 20, whose runner
// does not expand globs itself.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const suites = process.argv.slice(2).length ? process.argv.slice(2) : ["native", "unit", "e2e", "escape"];

// The launcher's C modules have their own test programs, run first.
if (suites.includes("native")) {
  const native = spawnSync("sh", [join("test", "native", "run-seccomp-test.sh")], { stdio: "inherit" });
  if (native.status !== 0) {
    console.error("native tests failed");
    process.exit(1);
  }
}
const files = suites
  .filter((suite) => suite !== "native")
  .flatMap((suite) =>
    readdirSync(join("test", suite))
      .filter((f) => f.endsWith(".test.ts"))
      .sort()
      .map((f) => join("test", suite, f)),
  );
if (files.length === 0) {
  if (suites.includes("native")) process.exit(0);
  console.error("no test files found");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
