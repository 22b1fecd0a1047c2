#!/usr/bin/env node
// `npm run bench:smoke`: a regression guard for CI, a few seconds long. Not a
// tuning target: the bound is generous on purpose.
//
// Checks:
//   1. launcher-runs: cordon-exec with the default agent policy (the argv of
//      `cordon run --dry-run`) runs /usr/bin/true and exits 0.
//   2. launcher-overhead: bare `true` and the launcher running `true`, 300
//      times each, alternately, in the C harness; fails only when the median
//      launcher run is BOTH more than 5x the median bare run AND more than
//      3 ms slower. Measured on a noisy shared 2-core Firecracker VM (see
//      docs/benchmarks.md): 2.7-2.9x and +1.0 ms. Both conditions must hold,
//      so neither a fast machine (a tiny bare time inflates the ratio) nor a
//      uniformly slow one (every time grows, the ratio does not) trips it,
//      while a launcher that sleeps, forks, or goes quadratic in its rules
//      does. Medians of interleaved runs ignore a burst of noise; a failure
//      is re-measured once and counted only if it fails again.
// The last line is "bench smoke: N passed, M failed"; the exit status is 1
// when anything failed.
import { rmSync } from "node:fs";
import {
  buildNative,
  checkRun,
  dryRunLine,
  launcherPath,
  launcherPrefix,
  makeScratch,
  median,
  ROOT,
  runHarness,
  TRUE,
} from "./lib/common.mjs";

const MAX_RATIO = 5;
const MAX_DELTA_MS = 3;
const ITERATIONS = 300;
const WARMUP = 20;

let passed = 0;
let failed = 0;
const pass = (name, detail) => {
  passed++;
  console.log(`ok   ${name}: ${detail}`);
};
const fail = (name, detail) => {
  failed++;
  console.log(`FAIL ${name}: ${detail}`);
};

let scratch;
try {
  const launcher = await launcherPath();
  const { harness } = buildNative();
  scratch = makeScratch();
  const argv = [...launcherPrefix(dryRunLine(ROOT), launcher, scratch), TRUE];

  const error = checkRun(argv);
  if (error) {
    fail("launcher-runs", `cordon-exec with the default policy did not run ${TRUE}: ${error}`);
  } else {
    pass("launcher-runs", `cordon-exec with the default policy ran ${TRUE}`);
    let verdict;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const [bare, sandboxed] = runHarness(
        harness,
        [
          { id: "bare", argv: [TRUE] },
          { id: "launcher", argv },
        ],
        { iterations: ITERATIONS, warmup: WARMUP },
      );
      const b = median(bare.ns) / 1e6;
      const l = median(sandboxed.ns) / 1e6;
      const ratio = l / b;
      const delta = l - b;
      const bad = (ratio > MAX_RATIO && delta > MAX_DELTA_MS) || sandboxed.failed > 0;
      verdict = {
        bad,
        text:
          `median bare ${b.toFixed(3)} ms, launcher ${l.toFixed(3)} ms: ${ratio.toFixed(2)}x, ` +
          `+${delta.toFixed(3)} ms (fails above ${MAX_RATIO}x and +${MAX_DELTA_MS} ms together; ` +
          `${ITERATIONS} interleaved runs each${attempt > 1 ? ", re-measured" : ""})` +
          (sandboxed.failed > 0 ? `; ${sandboxed.failed} launcher runs did not exit 0` : ""),
      };
      if (!bad) break;
    }
    (verdict.bad ? fail : pass)("launcher-overhead", verdict.text);
  }
} catch (error) {
  fail("setup", error.message);
} finally {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}

console.log(`bench smoke: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
