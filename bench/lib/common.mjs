// Shared by bench/run.mjs, bench/smoke.mjs and bench/setup.mjs: paths, the C
// harness, the launcher's argv, the generated tree, statistics, machine info.
import { spawnSync } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, freemem, loadavg, release, tmpdir, totalmem } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const BENCH = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = join(BENCH, "..");
export const CACHE = join(BENCH, ".cache");
export const BUILD = join(BENCH, ".build");
export const PEERS = join(BENCH, ".peers");
export const RESULTS = join(BENCH, "results");
export const CLI = join(ROOT, "dist", "cli", "main.js");
export const DIST_INDEX = join(ROOT, "dist", "index.js");
export const TRUE = "/usr/bin/true";
export const SH = "/bin/sh";
export const SRT_CLI = join(PEERS, "node_modules", "@anthropic-ai", "sandbox-runtime", "dist", "cli.js");
export const SRT_LIB = join(PEERS, "node_modules", "@anthropic-ai", "sandbox-runtime", "dist", "index.js");

/** The absolute path of an executable found on PATH, or null. */
export function commandPath(name) {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(delimiter)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return null;
}

function compile(out, args) {
  const cc = process.env.CC || "cc";
  const r = spawnSync(cc, [...args, "-o", out], { encoding: "utf8" });
  return r.status === 0 ? null : (r.stderr || r.error?.message || `${cc} failed`).trim();
}

/** Builds the timing harness and exit0 into bench/.build. The harness is
 * linked statically when the libc allows it: its forked children then start
 * with a smaller address space, which lowers the floor of the memory
 * measurement (see harness.c). */
export function buildNative() {
  mkdirSync(BUILD, { recursive: true });
  const harness = join(BUILD, "harness");
  const src = join(BENCH, "native", "harness.c");
  const flags = ["-std=gnu11", "-O2", "-Wall", "-Wextra", src];
  let harnessStatic = true;
  if (compile(harness, [...flags, "-static"]) !== null) {
    harnessStatic = false;
    const error = compile(harness, flags);
    if (error !== null) throw new Error(`building bench/native/harness.c failed:\n${error}`);
  }
  // exit0 lives in the workdir (under bench/), which the default policy
  // grants execute; /tmp is not granted.
  let exit0 = join(BUILD, "exit0");
  if (compile(exit0, ["-O2", "-nostdlib", "-static", join(BENCH, "native", "exit0.c")]) !== null) exit0 = null;
  return { harness, harnessStatic, exit0 };
}

/** The launcher's path, as the built package resolves it. */
export async function launcherPath() {
  if (!existsSync(DIST_INDEX)) throw new Error("dist/ is missing: run `npm run build` first");
  const dist = await import(pathToFileURL(DIST_INDEX).href);
  return dist.launcherPath();
}

/** `cordon run --dry-run -- /usr/bin/true` in WORKDIR: the exact shell line
 * that runs the launcher with the default agent policy. */
export function dryRunLine(workdir) {
  const r = spawnSync(process.execPath, [CLI, "run", "--dry-run", "--", TRUE], { cwd: workdir, encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`cordon run --dry-run failed (status ${r.status}): ${r.stderr.trim()} (run \`npm run build\`?)`);
  }
  return r.stdout.trim();
}

/** A private scratch directory like the one `cordon run` creates (with tmp/
 * and home/), made once and reused by every run of the launcher, so that the
 * launcher's own cost is measured without mktemp, mkdir and rm. */
export function makeScratch() {
  const dir = mkdtempSync(join(tmpdir(), "cordon-bench-"));
  mkdirSync(join(dir, "tmp"));
  mkdirSync(join(dir, "home"));
  return dir;
}

/** The launcher's argv up to and including `--`, from the dry-run line: the
 * line runs under sh with the launcher replaced by a script that prints its
 * arguments, so the shell itself does the quoting and the expansion; the
 * directory its mktemp created is then replaced with SCRATCH. */
export function launcherPrefix(line, launcher, scratch) {
  if (!line.includes(launcher)) throw new Error(`the dry-run line does not name the launcher ${launcher}`);
  mkdirSync(BUILD, { recursive: true });
  const dumper = join(BUILD, "argv-dump");
  writeFileSync(dumper, '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
  const tmp = mkdtempSync(join(tmpdir(), "cordon-bench-dump-"));
  let r;
  try {
    r = spawnSync(SH, ["-c", line.replace(launcher, dumper)], {
      env: { ...process.env, TMPDIR: tmp },
      encoding: "utf8",
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (r.status !== 0) throw new Error(`expanding the dry-run line failed: ${r.stderr}`);
  const args = r.stdout.split("\n").slice(0, -1);
  if (args.at(-1) !== TRUE || args.at(-2) !== "--") {
    throw new Error(`the dry-run line does not end with -- ${TRUE}: ${args.slice(-3).join(" ")}`);
  }
  const mktempDir = new RegExp(`${tmp.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/cordon-[A-Za-z0-9]{6}`, "g");
  const prefix = [launcher, ...args.slice(0, -1).map((a) => a.replace(mktempDir, scratch))];
  if (!prefix.some((a) => a.includes(scratch))) throw new Error("the dry-run line has no private scratch directory");
  return prefix;
}

/** Runs ARGV once; null when it exits 0, else why it failed. */
export function checkRun(argv, { cwd = ROOT, timeoutMs = 60_000 } = {}) {
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    timeout: timeoutMs,
  });
  if (r.error) return r.error.message;
  if (r.status === 0) return null;
  const why = r.stderr.trim().split("\n").slice(-3).join(" | ");
  return `exit ${r.status ?? r.signal}${why ? `: ${why}` : ""}`;
}

/** Runs the contenders alternately in the C harness. Returns, per
 * contender, the wall times (ns) and ru_maxrss (KB) of the timed runs and
 * how many did not exit 0. */
export function runHarness(harness, contenders, { iterations, warmup, fork = false, cwd = ROOT }) {
  for (const c of contenders) {
    if (!c.argv[0].startsWith("/")) throw new Error(`${c.id}: the harness needs an absolute program path`);
    for (const a of c.argv) {
      if (a.includes("\n") || a.includes("\x1f")) throw new Error(`${c.id}: an argument holds a newline or 0x1f`);
    }
  }
  mkdirSync(BUILD, { recursive: true });
  const spec = join(BUILD, `spec-${process.pid}.txt`);
  writeFileSync(spec, `${contenders.map((c) => c.argv.join("\x1f")).join("\n")}\n`);
  let r;
  try {
    r = spawnSync(harness, [...(fork ? ["--fork"] : []), spec, String(iterations), String(warmup)], {
      cwd,
      encoding: "utf8",
      maxBuffer: 256 << 20,
    });
  } finally {
    rmSync(spec, { force: true });
  }
  if (r.status !== 0) throw new Error(`the harness failed (status ${r.status}): ${r.stderr || r.error?.message}`);
  const out = contenders.map(() => ({ ns: [], maxrssKb: [], failed: 0 }));
  for (const line of r.stdout.split("\n")) {
    if (!line) continue;
    const [c, , ns, rss, status] = line.split(" ").map(Number);
    const o = out[c];
    o.ns.push(ns);
    o.maxrssKb.push(rss);
    if (status !== 0) o.failed++;
  }
  return out;
}

// ---- statistics ----

/** Quantile Q of sorted values, linearly interpolated (R's type 7). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

export function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    median: quantile(s, 0.5),
    p95: quantile(s, 0.95),
    min: s[0],
    max: s.at(-1),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** A small seeded PRNG (mulberry32): the bootstrap is reproducible. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function resampledMedian(values, rand) {
  const s = new Array(values.length);
  for (let i = 0; i < values.length; i++) s[i] = values[Math.floor(rand() * values.length)];
  return quantile(
    s.sort((x, y) => x - y),
    0.5,
  );
}

/** 95% bootstrap interval of median(B) / median(A), resampling each side
 * on its own (as if the runs were independent). */
export function ratioInterval(a, b, reps = 1000) {
  const rand = prng(0xc0d0);
  const ratios = [];
  for (let i = 0; i < reps; i++) ratios.push(resampledMedian(b, rand) / resampledMedian(a, rand));
  ratios.sort((x, y) => x - y);
  return [quantile(ratios, 0.025), quantile(ratios, 0.975)];
}

/** Paired statistics of B against A, where A[i] and B[i] ran in the same
 * iteration, one right after the other: the median of the per-iteration
 * ratios and differences, each with a 95% bootstrap interval. Load that
 * drifts over the run hits both sides of a pair alike and cancels out. */
export function paired(a, b, reps = 1000) {
  const n = Math.min(a.length, b.length);
  const ratios = [];
  const deltas = [];
  for (let i = 0; i < n; i++) {
    ratios.push(b[i] / a[i]);
    deltas.push(b[i] - a[i]);
  }
  const interval = (values) => {
    const rand = prng(0xbe7c);
    const medians = [];
    for (let i = 0; i < reps; i++) medians.push(resampledMedian(values, rand));
    medians.sort((x, y) => x - y);
    return [quantile(medians, 0.025), quantile(medians, 0.975)];
  };
  return { ratio: median(ratios), ratioCi: interval(ratios), delta: median(deltas), deltaCi: interval(deltas) };
}

// ---- the generated tree ----

/** Layout of the file-heavy workload's tree: files/dXX/dYY/fZZ.txt. */
export const TREE_SHAPE = { top: 50, sub: 20, files: 50 };
export const TREE = join(CACHE, "tree");
export const TREE_FILES = join(TREE, "files");

function fileContent(i) {
  // 64 to 1,087 bytes, deterministic.
  const line = `file ${i} of the cordon bench tree\n`;
  return line.repeat(2 + ((i * 7919) % 32));
}

/** Creates (once, then reuses) the tree of 50,000 small files, a git repo
 * of it, committed and packed, for `git status`. Returns its directories. */
export function ensureTree(log = () => {}) {
  const marker = `${TREE}.complete`;
  const want = JSON.stringify({ ...TREE_SHAPE, version: 1, git: Boolean(commandPath("git")) });
  const dirs = [];
  for (let a = 0; a < TREE_SHAPE.top; a++) {
    const top = join(TREE_FILES, `d${String(a).padStart(2, "0")}`);
    dirs.push(top);
    for (let b = 0; b < TREE_SHAPE.sub; b++) dirs.push(join(top, `d${String(b).padStart(2, "0")}`));
  }
  if (existsSync(marker) && readFileSync(marker, "utf8") === want) return { dirs, git: JSON.parse(want).git };
  const count = TREE_SHAPE.top * TREE_SHAPE.sub * TREE_SHAPE.files;
  log(`generating ${count} files in ${TREE} (once; reused by later runs)`);
  rmSync(TREE, { recursive: true, force: true });
  rmSync(marker, { force: true });
  let i = 0;
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    if (dir.split("/").at(-2) === "files") continue; // files only in the leaf directories
    for (let f = 0; f < TREE_SHAPE.files; f++)
      writeFileSync(join(dir, `f${String(f).padStart(2, "0")}.txt`), fileContent(i++));
  }
  const git = Boolean(commandPath("git"));
  if (git) {
    log("committing the tree to a git repository (once)");
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: "bench",
      GIT_AUTHOR_EMAIL: "bench@localhost",
      GIT_COMMITTER_NAME: "bench",
      GIT_COMMITTER_EMAIL: "bench@localhost",
    };
    for (const args of [
      ["init", "-q"],
      ["config", "gc.auto", "0"],
      ["add", "-A"],
      ["commit", "-q", "-m", "bench tree"],
      ["gc", "-q"],
      ["status", "--porcelain"],
    ]) {
      const r = spawnSync("git", args, { cwd: TREE, env, encoding: "utf8", maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`git ${args.join(" ")} in ${TREE} failed: ${r.stderr}`);
    }
  }
  writeFileSync(marker, want);
  return { dirs, git };
}

// ---- machine ----

export function machineInfo(launcher) {
  let cpuModel = "unknown";
  try {
    const m = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.+)$/m);
    if (m) cpuModel = m[1].trim();
  } catch {
    // not Linux
  }
  let landlockAbi = null;
  if (launcher) {
    const r = spawnSync(launcher, ["--probe"], { encoding: "utf8" });
    try {
      landlockAbi = JSON.parse(r.stdout).abi;
    } catch {
      // unknown
    }
  }
  return {
    nproc: availableParallelism(),
    cpu_model: cpuModel,
    kernel: release(),
    landlock_abi: landlockAbi,
    mem_total_mb: Math.round(totalmem() / 2 ** 20),
    mem_free_mb: Math.round(freemem() / 2 ** 20),
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    uid: process.getuid?.() ?? null,
  };
}
