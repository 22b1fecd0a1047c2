#!/usr/bin/env node
// `npm run bench`: cordon against a bare exec and its peers, every scenario
// a baseline and contenders run alternately in the same run. Prints a table,
// writes bench/results/latest.json (+ latest.md) and docs/benchmarks.svg.
//
//   node bench/run.mjs [--quick] [--no-write]
//     --quick      a fifth of the iterations, a rough look; prints only
//     --no-write   print only; leave results/ and docs/ alone
//
// Peers (bwrap, sandbox-runtime) come from `npm run bench:setup`; one that is
// not installed is reported as skipped. docs/benchmarks.md explains each
// scenario and the numbers of a real run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { renderChart } from "./chart.mjs";
import {
  BUILD,
  buildNative,
  CLI,
  checkRun,
  commandPath,
  dryRunLine,
  ensureTree,
  launcherPath,
  launcherPrefix,
  machineInfo,
  makeScratch,
  median,
  paired,
  RESULTS,
  ROOT,
  ratioInterval,
  runHarness,
  SH,
  SRT_CLI,
  summarize,
  TREE,
  TREE_FILES,
  TRUE,
} from "./lib/common.mjs";
import { markdown } from "./report.mjs";

const argv = process.argv.slice(2);
for (const a of argv) {
  if (a === "--help" || a === "-h") {
    // The header comment is the usage: a bench run takes minutes and
    // overwrites the results, so asking for help must not start one.
    const lines = readFileSync(new URL(import.meta.url), "utf8")
      .split("\n")
      .slice(1);
    console.log(
      lines
        .slice(
          0,
          lines.findIndex((l) => !l.startsWith("//")),
        )
        .map((l) => l.replace(/^\/\/ ?/, ""))
        .join("\n"),
    );
    process.exit(0);
  }
  if (a !== "--quick" && a !== "--no-write") {
    console.error(`bench: unknown option ${a} (--quick, --no-write, --help)`);
    process.exit(2);
  }
}
const quick = argv.includes("--quick");
const write = !quick && !argv.includes("--no-write");
const iters = (n) => (quick ? Math.max(5, Math.round(n / 5)) : n);
const log = (message) => process.stderr.write(`bench: ${message}\n`);
const startedAt = Date.now();
const NOT_INSTALLED = "not installed (npm run bench:setup)";

// ---- setup ----

const launcher = await launcherPath();
const machineAtStart = machineInfo(launcher);
const native = buildNative();
const line = dryRunLine(ROOT);
const scratch = makeScratch();
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const prefix = launcherPrefix(line, launcher, scratch);
// The same launcher with Landlock off (best mode, ABI capped to 0): the
// seccomp filter, rlimits and the rest alone, to tell Landlock's share.
const noLandlock = [...prefix.slice(0, -1), "--max-abi", "0", "--compat", "best", "--"];
const RULE_FLAGS = new Set(["--allow", "--allow-if-exists", "--ro", "--rw"]);
const defaultRules = prefix.filter((a) => RULE_FLAGS.has(a)).length;
const tree = ensureTree(log);

const bwrap = commandPath("bwrap");
const bwrapPrefix = bwrap
  ? [
      bwrap,
      ...["--ro-bind", "/", "/", "--bind", ROOT, ROOT, "--tmpfs", "/tmp", "--dev", "/dev", "--proc", "/proc"],
      ...["--unshare-all", "--die-with-parent", "--chdir", ROOT],
    ]
  : null;
const srtInstalled = existsSync(SRT_CLI);
const srtSettings = {
  network: { allowedDomains: [], deniedDomains: [] },
  filesystem: { denyRead: [], allowRead: [], allowWrite: [ROOT], denyWrite: [] },
};
const srtSettingsFile = join(BUILD, "srt-settings.json");
writeFileSync(srtSettingsFile, `${JSON.stringify(srtSettings, null, 2)}\n`);

// A static build of the launcher from the same native/ sources, only to show
// what its dynamic linking costs (scenario launcher-breakdown).
const staticLauncher = join(BUILD, "cordon-exec-static");
const staticBuild = spawnSync(
  process.env.CC || "cc",
  [
    "-std=gnu11",
    "-O2",
    "-static",
    "-o",
    staticLauncher,
    ...readdirSync(join(ROOT, "native"))
      .filter((f) => f.endsWith(".c"))
      .sort()
      .map((f) => join(ROOT, "native", f)),
  ],
  { encoding: "utf8" },
);
const staticLauncherOk = staticBuild.status === 0;
const emptyStatic = join(BUILD, "empty-static");
const emptyBuild = spawnSync(process.env.CC || "cc", ["-O2", "-static", "-x", "c", "-", "-o", emptyStatic], {
  input: "int main(void) { return 0; }\n",
  encoding: "utf8",
});

// ---- scenarios ----

const ms = (ns) => ns / 1e6;

/** Stats of one scenario, every ratio to its baseline (the first contender). */
function finish(scenario) {
  const [base] = scenario.contenders;
  if (base.status !== "ok") throw new Error(`${scenario.id}: the baseline ${base.id} ${base.status}: ${base.reason}`);
  const key = scenario.metric === "maxrss" ? "maxrssKb" : "ns";
  const baseMedian = median(base[key]);
  for (const c of scenario.contenders) {
    if (c.status !== "ok") continue;
    const t = summarize(c.ns);
    Object.assign(c, {
      n: t.n,
      median_ms: ms(t.median),
      p95_ms: ms(t.p95),
      min_ms: ms(t.min),
      mean_ms: ms(t.mean),
    });
    if (c.maxrssKb) {
      const m = summarize(c.maxrssKb);
      Object.assign(c, { maxrss_kb_median: m.median, maxrss_kb_p95: m.p95, maxrss_kb_max: m.max });
    }
    const cMedian = median(c[key]);
    c.ratio = cMedian / baseMedian;
    c.ratio_ci95 = c === base ? [1, 1] : ratioInterval(base[key], c[key]);
    if (scenario.metric === "maxrss") {
      c.delta_kb = cMedian - baseMedian;
    } else {
      c.delta_ms = ms(cMedian - baseMedian);
      const p = paired(base.ns, c.ns);
      c.paired_ratio = p.ratio;
      c.paired_ratio_ci95 = p.ratioCi;
      c.paired_delta_ms = ms(p.delta);
      c.paired_delta_ms_ci95 = p.deltaCi.map(ms);
    }
  }
  // Against another contender than the baseline (Landlock's share).
  for (const c of scenario.contenders) {
    const v = scenario.contenders.find((x) => x.id === c.versus);
    if (c.status !== "ok" || v?.status !== "ok") continue;
    const p = paired(v.ns, c.ns);
    Object.assign(c, {
      versus_paired_ratio: p.ratio,
      versus_paired_ratio_ci95: p.ratioCi,
      versus_paired_delta_ms: ms(p.delta),
    });
  }
  return scenario;
}

function harnessScenario(scenario) {
  const { contenders, iterations, warmup, fork = false } = scenario;
  log(`${scenario.id}: ${iterations} iterations x ${contenders.length} contenders`);
  const t0 = Date.now();
  const ready = [];
  for (const c of contenders) {
    if (c.skip) {
      Object.assign(c, { status: "skipped", reason: c.skip });
      continue;
    }
    const error = checkRun(c.argv);
    if (error) {
      Object.assign(c, { status: "failed", reason: error });
      log(`${scenario.id}: ${c.id} failed its check run: ${error}`);
      continue;
    }
    c.status = "ok";
    ready.push(c);
  }
  const raw = runHarness(native.harness, ready, { iterations, warmup, fork });
  ready.forEach((c, i) => {
    Object.assign(c, { ns: raw[i].ns, maxrssKb: raw[i].maxrssKb, failed_runs: raw[i].failed });
    if (raw[i].failed > 0) log(`${scenario.id}: ${c.id}: ${raw[i].failed} timed runs did not exit 0`);
  });
  scenario.seconds = (Date.now() - t0) / 1000;
  scenario.harness = fork ? "C harness, fork + execv + wait4" : "C harness, posix_spawn + wait4";
  return finish(scenario);
}

function warmScenario(scenario) {
  log(`${scenario.id}: ${scenario.iterations} iterations in a warm Node process`);
  const t0 = Date.now();
  const config = { iterations: scenario.iterations, warmup: scenario.warmup, workdir: ROOT, launcherPrefix: prefix };
  const r = spawnSync(
    process.execPath,
    [join(ROOT, "bench", "lib", "warm.mjs"), JSON.stringify({ ...config, srtSettings })],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "pipe"] },
  );
  if (r.status !== 0) throw new Error(`bench/lib/warm.mjs failed: ${r.stderr}`);
  const results = JSON.parse(r.stdout.trim().split("\n").at(-1));
  scenario.contenders = scenario.contenders.map((c) => {
    const got = results.find((x) => x.id === c.id);
    return { ...c, ...got, label: c.label };
  });
  for (const c of scenario.contenders) if (c.status === "failed") log(`${scenario.id}: ${c.id} failed: ${c.reason}`);
  scenario.seconds = (Date.now() - t0) / 1000;
  scenario.harness = "Node, process.hrtime.bigint around each awaited call";
  return finish(scenario);
}

const withTrue = (p) => (p ? [...p, TRUE] : null);
const findCat = "find . -type f -print0 | xargs -0 cat > /dev/null";
const findCatArgv = [SH, "-c", `cd '${TREE_FILES}' && ${findCat}`];
const git = commandPath("git");
const gitArgv = git ? [git, "-C", TREE, "status", "--porcelain"] : null;
const policyRules = (n) => [
  launcher,
  "--ro",
  "/usr",
  ...tree.dirs.slice(0, n - 1).flatMap((d) => ["--allow", "r", d]),
  "--chdir",
  ROOT,
  "--",
  TRUE,
];

const scenarios = [];

scenarios.push(
  harnessScenario({
    id: "exec-true",
    title: "Per-exec overhead: /usr/bin/true",
    iterations: iters(400),
    warmup: 20,
    contenders: [
      { id: "bare", kind: "baseline", label: "bare exec of /usr/bin/true", argv: [TRUE] },
      {
        id: "launcher",
        kind: "cordon",
        label: `cordon-exec, default policy (${defaultRules} rules; argv, scratch made once)`,
        argv: withTrue(prefix),
      },
      {
        id: "dry-run-line",
        kind: "cordon",
        label: "cordon-exec via the --dry-run line in sh -c (mktemp, mkdir, rm)",
        argv: [SH, "-c", line],
      },
      {
        id: "bwrap",
        kind: "peer",
        label: "bwrap: ro /, rw workdir, --unshare-all",
        argv: withTrue(bwrapPrefix),
        skip: bwrap ? undefined : NOT_INSTALLED,
      },
    ],
  }),
);

scenarios.push(
  harnessScenario({
    id: "exec-true-cli",
    title: "Per-command cost of the CLIs: /usr/bin/true",
    iterations: iters(40),
    warmup: 3,
    contenders: [
      { id: "bare", kind: "baseline", label: "bare exec of /usr/bin/true", argv: [TRUE] },
      {
        id: "node",
        kind: "reference",
        label: "node -e 0 (reference: Node's startup)",
        argv: [process.execPath, "-e", "0"],
      },
      {
        id: "cordon-run",
        kind: "cordon",
        label: "cordon run -- true (CLI, default policy)",
        argv: [process.execPath, CLI, "run", "--", TRUE],
      },
      {
        id: "srt",
        kind: "peer",
        label: "srt -- true (sandbox-runtime CLI)",
        argv: [process.execPath, SRT_CLI, "-s", srtSettingsFile, TRUE],
        skip: srtInstalled ? undefined : NOT_INSTALLED,
      },
    ],
  }),
);

scenarios.push(
  warmScenario({
    id: "exec-true-warm",
    title: "From a warm Node process: /usr/bin/true",
    iterations: iters(200),
    warmup: 20,
    contenders: [
      { id: "spawn", kind: "baseline", label: "child_process.spawn /usr/bin/true" },
      { id: "spawn-launcher", kind: "cordon", label: "child_process.spawn cordon-exec (default policy)" },
      { id: "sdk", kind: "cordon", label: "Sandbox.exec(['/usr/bin/true']) (cordon SDK)" },
      { id: "srt-lib", kind: "peer", label: "sandbox-runtime library: wrapWithSandbox + spawn" },
    ],
  }),
);

scenarios.push(
  harnessScenario({
    id: "file-heavy-find-cat",
    title: "File-heavy: find + cat over 50,000 files",
    iterations: iters(15),
    warmup: 2,
    contenders: [
      { id: "bare", kind: "baseline", label: "bare: find | xargs cat", argv: findCatArgv },
      {
        id: "launcher",
        kind: "cordon",
        label: "cordon-exec, default policy",
        argv: [...prefix, ...findCatArgv],
        versus: "launcher-no-landlock",
      },
      {
        id: "launcher-no-landlock",
        kind: "reference",
        label: "cordon-exec, Landlock off (--max-abi 0): seccomp etc. alone",
        argv: [...noLandlock, ...findCatArgv],
      },
      {
        id: "bwrap",
        kind: "peer",
        label: "bwrap (as above)",
        argv: bwrapPrefix ? [...bwrapPrefix, ...findCatArgv] : null,
        skip: bwrap ? undefined : NOT_INSTALLED,
      },
    ],
  }),
);

scenarios.push(
  harnessScenario({
    id: "file-heavy-git-status",
    title: "File-heavy: git status in a repo of 50,000 files",
    iterations: iters(40),
    warmup: 3,
    contenders: [
      {
        id: "bare",
        kind: "baseline",
        label: "bare: git status --porcelain",
        argv: gitArgv ?? [TRUE],
        skip: gitArgv ? undefined : "git not installed",
      },
      {
        id: "launcher",
        kind: "cordon",
        label: "cordon-exec, default policy",
        argv: gitArgv ? [...prefix, ...gitArgv] : null,
        skip: gitArgv ? undefined : "git not installed",
        versus: "launcher-no-landlock",
      },
      {
        id: "launcher-no-landlock",
        kind: "reference",
        label: "cordon-exec, Landlock off (--max-abi 0): seccomp etc. alone",
        argv: gitArgv ? [...noLandlock, ...gitArgv] : null,
        skip: gitArgv ? undefined : "git not installed",
      },
      {
        id: "bwrap",
        kind: "peer",
        label: "bwrap (as above)",
        argv: bwrapPrefix && gitArgv ? [...bwrapPrefix, ...gitArgv] : null,
        skip: !gitArgv ? "git not installed" : bwrap ? undefined : NOT_INSTALLED,
      },
    ],
  }),
);

scenarios.push(
  harnessScenario({
    id: "policy-size",
    title: "Policy size: cordon-exec with 10, 100, 1000 rules",
    iterations: iters(300),
    warmup: 20,
    contenders: [
      { id: "bare", kind: "baseline", label: "bare exec of /usr/bin/true", argv: [TRUE] },
      ...[10, 100, 1000].map((n) => ({
        id: `rules-${n}`,
        kind: "cordon",
        label: `cordon-exec, ${n} rules (/usr + ${n - 1} tree directories)`,
        argv: policyRules(n),
        rules: n,
      })),
    ],
  }),
);

const exit0 = native.exit0;
scenarios.push(
  harnessScenario({
    id: "memory",
    title: "Peak memory (ru_maxrss from wait4)",
    metric: "maxrss",
    fork: true,
    iterations: iters(40),
    warmup: 3,
    contenders: [
      { id: "bare", kind: "baseline", label: "bare exec of /usr/bin/true", argv: [TRUE] },
      {
        id: "exit0",
        kind: "reference",
        label: "exit0: static, no libc (the measurement's floor)",
        argv: [exit0 ?? TRUE],
        skip: exit0 ? undefined : "exit0 could not be built (x86_64 and aarch64 only)",
      },
      {
        id: "launcher-exit0",
        kind: "cordon",
        label: "cordon-exec, default policy, exec'ing exit0 (the launcher's own peak)",
        argv: [...prefix, exit0 ?? TRUE],
        skip: exit0 ? undefined : "exit0 could not be built",
      },
      { id: "launcher", kind: "cordon", label: "cordon-exec, default policy, exec'ing true", argv: withTrue(prefix) },
      {
        id: "bwrap",
        kind: "peer",
        label: "bwrap exec'ing true (its processes together)",
        argv: withTrue(bwrapPrefix),
        skip: bwrap ? undefined : NOT_INSTALLED,
      },
    ],
  }),
);

scenarios.push(
  harnessScenario({
    id: "launcher-breakdown",
    title: "Diagnostic: where the launcher's time goes",
    iterations: iters(400),
    warmup: 20,
    contenders: [
      { id: "bare", kind: "baseline", label: "bare exec of /usr/bin/true (dynamic glibc)", argv: [TRUE] },
      {
        id: "exit0",
        kind: "reference",
        label: "exit0: static, no libc (spawn + exec + wait alone)",
        argv: [exit0 ?? TRUE],
        skip: exit0 ? undefined : "exit0 could not be built",
      },
      {
        id: "empty-static",
        kind: "reference",
        label: "empty main(), static glibc (libc start-up)",
        argv: [emptyStatic],
        skip: emptyBuild.status === 0 ? undefined : "static glibc not available",
      },
      {
        id: "launcher-version",
        kind: "reference",
        label: "cordon-exec --version (its start-up, no sandbox)",
        argv: [launcher, "--version"],
      },
      {
        id: "launcher-exit0",
        kind: "cordon",
        label: "cordon-exec, default policy, exec'ing exit0",
        argv: [...prefix, exit0 ?? TRUE],
        skip: exit0 ? undefined : "exit0 could not be built",
      },
      { id: "launcher", kind: "cordon", label: "cordon-exec, default policy, exec'ing true", argv: withTrue(prefix) },
      {
        id: "launcher-static",
        kind: "reference",
        label: "the same, launcher linked -static (bench-only build)",
        argv: [staticLauncher, ...prefix.slice(1), TRUE],
        skip: staticLauncherOk ? undefined : "the static build failed",
      },
    ],
  }),
);

// The launcher's syscalls in one run, when strace is there: what its
// start-up spends its time on.
let syscalls = null;
const strace = commandPath("strace");
if (strace) {
  const out = join(BUILD, "strace.txt");
  const r = spawnSync(strace, ["-f", "-c", "-o", out, ...prefix, exit0 ?? TRUE], { stdio: "ignore" });
  if (r.status === 0) {
    const text = readFileSync(out, "utf8");
    const rows = [];
    for (const l of text.split("\n")) {
      const m = l.trim().match(/^[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:(\d+)\s+)?(\w+)$/);
      if (m && m[3] !== "total") rows.push({ syscall: m[3], calls: Number(m[1]), errors: Number(m[2] ?? 0) });
    }
    rows.sort((a, b) => b.calls - a.calls);
    syscalls = { total: rows.reduce((a, b) => a + b.calls, 0), top: rows.slice(0, 8) };
  }
}

// ---- budgets (shared/DESIGN.md) ----

const find = (sid, cid) => scenarios.find((s) => s.id === sid)?.contenders.find((c) => c.id === cid);
const f3 = (x) => x.toFixed(3);
const ci = ([lo, hi]) => `[${f3(lo)}, ${f3(hi)}]`;

/** A verdict from the paired 95% interval of a value that must stay under
 * LIMIT: met when the whole interval is under it, not met when the whole
 * interval is over it, inconclusive when it straddles (the run was too
 * noisy to tell; the point estimate is reported either way). */
function verdict(point, [lo, hi], limit) {
  if (hi < limit) return "met";
  if (lo >= limit) return "not met";
  return point < limit ? "inconclusive (point estimate under)" : "inconclusive (point estimate over)";
}

const budgets = [];
{
  const c = find("exec-true", "launcher");
  const ok = c.status === "ok";
  budgets.push({
    id: "launcher-overhead",
    budget: "the launcher with the default policy adds under 0.5 ms to a bare exec of true",
    measured: ok
      ? `+${f3(c.delta_ms)} ms (${f3(c.ratio)}x); paired: +${f3(c.paired_delta_ms)} ms ${ci(c.paired_delta_ms_ci95)}`
      : c.reason,
    verdict: ok ? verdict(c.paired_delta_ms, c.paired_delta_ms_ci95, 0.5) : "not measured",
    gap: ok && c.delta_ms >= 0.5 ? `+${f3(c.delta_ms - 0.5)} ms over` : null,
  });
}
{
  const c = find("exec-true-warm", "sdk");
  const ok = c.status === "ok";
  budgets.push({
    id: "sdk-exec",
    budget: "Sandbox.exec in a warm process within 1.2x of child_process.spawn",
    measured: ok
      ? `${f3(c.ratio)}x (+${f3(c.delta_ms)} ms); paired: ${f3(c.paired_ratio)}x ${ci(c.paired_ratio_ci95)}`
      : `${c.status} (${c.reason})`,
    verdict: ok ? verdict(c.paired_ratio, c.paired_ratio_ci95, 1.2) : "not measured",
    gap: ok && c.ratio > 1.2 ? `${f3(c.ratio - 1.2)}x over` : null,
  });
}
{
  const workloads = [
    ["find+cat", find("file-heavy-find-cat", "launcher")],
    ["git status", find("file-heavy-git-status", "launcher")],
  ].filter(([, c]) => c?.status === "ok");
  // Landlock's share: the launcher against itself with Landlock off, paired;
  // the whole launcher against bare beside it.
  const share = (c) =>
    c.versus_paired_ratio === undefined
      ? { ratio: c.paired_ratio, ci: c.paired_ratio_ci95 }
      : { ratio: c.versus_paired_ratio, ci: c.versus_paired_ratio_ci95 };
  const verdicts = workloads.map(([, c]) => verdict(share(c).ratio, share(c).ci, 1.03));
  const worst = workloads.reduce((a, [, c]) => Math.max(a, share(c).ratio), 0);
  budgets.push({
    id: "file-heavy",
    budget: "Landlock's cost on file-heavy work (tens of thousands of opens) under 3%",
    measured: workloads
      .map(
        ([name, c]) =>
          `${name}: Landlock ${f3(share(c).ratio)}x ${ci(share(c).ci)} (cordon-exec vs itself with Landlock off, ` +
          `paired); the whole launcher ${f3(c.ratio)}x vs bare (${c.delta_ms >= 0 ? "+" : ""}` +
          `${c.delta_ms.toFixed(1)} ms; paired ${f3(c.paired_ratio)}x ${ci(c.paired_ratio_ci95)})`,
      )
      .join("; "),
    verdict:
      verdicts.length === 0
        ? "not measured"
        : verdicts.includes("not met")
          ? "not met"
          : verdicts.every((v) => v === "met")
            ? "met"
            : (verdicts.find((v) => v.startsWith("inconclusive (point estimate over)")) ??
              "inconclusive (point estimate under)"),
    gap: worst >= 1.03 ? `${((worst - 1.03) * 100).toFixed(1)} points over` : null,
  });
}
{
  const c =
    find("memory", "launcher-exit0")?.status === "ok" ? find("memory", "launcher-exit0") : find("memory", "launcher");
  const ok = c.status === "ok";
  budgets.push({
    id: "launcher-memory",
    budget: "the launcher's peak memory under 2 MB",
    measured: ok
      ? `${(c.maxrss_kb_median / 1024).toFixed(2)} MB median, ${(c.maxrss_kb_max / 1024).toFixed(2)} MB max of ${c.n} runs (ru_maxrss, ${c.id})`
      : c.reason,
    verdict: ok ? (c.maxrss_kb_max < 2048 ? "met" : "not met") : "not measured",
    gap: ok && c.maxrss_kb_max >= 2048 ? `${((c.maxrss_kb_max - 2048) / 1024).toFixed(2)} MB over` : null,
  });
}

// Where each budget sits as a ratio on its row, for the chart.
{
  const set = (sid, cid, ratio) => {
    const c = find(sid, cid);
    if (c?.status === "ok") c.budget_ratio = ratio(c);
  };
  const base = (sid) => scenarios.find((s) => s.id === sid).contenders[0];
  set("exec-true", "launcher", () => (base("exec-true").median_ms + 0.5) / base("exec-true").median_ms);
  set("exec-true-warm", "sdk", () => 1.2);
  // Landlock's 3% on top of the launcher with Landlock off.
  for (const sid of ["file-heavy-find-cat", "file-heavy-git-status"]) {
    const off = find(sid, "launcher-no-landlock");
    set(sid, "launcher", () => (off?.status === "ok" ? off.ratio : 1) * 1.03);
  }
  set("memory", "launcher-exit0", () => 2048 / base("memory").maxrss_kb_median);
}

// ---- output ----

/** The checkout's commit, with "+dirty" when the tree has changes. */
function gitHead() {
  const head = spawnSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  if (head.status !== 0) return null;
  const dirty = spawnSync("git", ["-C", ROOT, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? "+dirty" : ""}`;
}

const machine = { ...machineAtStart, loadavg_end: machineInfo(null).loadavg };
const results = {
  schema: 1,
  command: quick ? "node bench/run.mjs --quick" : "npm run bench",
  date: new Date().toISOString(),
  duration_s: Math.round((Date.now() - startedAt) / 100) / 10,
  machine,
  cordon: {
    commit: gitHead(),
    launcher: relative(ROOT, launcher),
    default_policy_rules: defaultRules,
    dry_run_line: line,
    harness_static: native.harnessStatic,
  },
  launcher_syscalls: syscalls,
  budgets,
  scenarios: scenarios.map((s) => ({
    ...s,
    contenders: s.contenders.map(({ ns, maxrssKb, ...c }) => ({
      ...c,
      argv: Array.isArray(c.argv) ? c.argv.join(" ") : undefined,
      samples_us: ns ? ns.map((x) => Math.round(x / 1000)) : undefined,
      samples_maxrss_kb: maxrssKb,
    })),
  })),
};

const pad = (s, n) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s, n) => (s.length >= n ? s : " ".repeat(n - s.length) + s);
const fmtMs = (x) => (x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`);
const fmtDelta = (x) => `${x >= 0 ? "+" : "-"}${fmtMs(Math.abs(x))}`;
const fmtKb = (x) => `${Math.round(x)} KB`;

function tableLines(s) {
  const mem = s.metric === "maxrss";
  const lines = [];
  const head = mem
    ? ["contender", "maxrss median", "maxrss p95", "ratio", "Δ median", "time median"]
    : ["contender", "median", "p95", "ratio", "Δ median", "paired ratio [95% CI]", "maxrss"];
  const rows = s.contenders.map((c) => {
    if (c.status !== "ok") return [c.label, `${c.status} (${c.reason})`];
    const base = c.kind === "baseline";
    const ratio = base ? "1.00x" : `${c.ratio.toFixed(2)}x`;
    return mem
      ? [
          c.label,
          fmtKb(c.maxrss_kb_median),
          fmtKb(c.maxrss_kb_p95),
          ratio,
          base ? "(baseline)" : `${c.delta_kb >= 0 ? "+" : ""}${fmtKb(c.delta_kb)}`,
          fmtMs(c.median_ms),
        ]
      : [
          c.label,
          fmtMs(c.median_ms),
          fmtMs(c.p95_ms),
          ratio,
          base ? "(baseline)" : fmtDelta(c.delta_ms),
          base
            ? ""
            : `${c.paired_ratio.toFixed(3)}x [${c.paired_ratio_ci95[0].toFixed(3)}-${c.paired_ratio_ci95[1].toFixed(3)}]`,
          c.maxrss_kb_median ? fmtKb(c.maxrss_kb_median) : "",
        ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.filter((r) => r.length > 2).map((r) => r[i].length)));
  lines.push(head.map((h, i) => (i === 0 ? pad(h, widths[i]) : lpad(h, widths[i]))).join("  "));
  for (const r of rows) {
    lines.push(
      r.length === 2
        ? `${pad(r[0], widths[0])}  ${r[1]}`
        : r.map((x, i) => (i === 0 ? pad(x, widths[i]) : lpad(x, widths[i]))).join("  "),
    );
  }
  return lines;
}

const out = [];
out.push(
  `cordon bench, ${results.date}: ${machine.cpu_model}, ${machine.nproc} CPUs, Linux ${machine.kernel}, ` +
    `Landlock ABI ${machine.landlock_abi}, Node ${machine.node}, load ${machine.loadavg.join(" ")}`,
);
for (const s of scenarios) {
  out.push("", `${s.title} [${s.id}]: ${s.iterations} interleaved iterations after ${s.warmup} warm-up; ${s.harness}`);
  for (const l of tableLines(s)) out.push(`  ${l}`);
  for (const c of s.contenders) {
    if (c.versus_paired_ratio === undefined) continue;
    const [lo, hi] = c.versus_paired_ratio_ci95;
    out.push(
      `  Landlock's share: "${c.label}" vs "${s.contenders.find((x) => x.id === c.versus).label}", paired: ` +
        `${c.versus_paired_ratio.toFixed(3)}x [${lo.toFixed(3)}-${hi.toFixed(3)}], ${fmtDelta(c.versus_paired_delta_ms)}`,
    );
  }
}
if (syscalls) {
  out.push(
    "",
    `cordon-exec's syscalls in one run (strace -f -c, default policy): ${syscalls.total} in all; most: ` +
      syscalls.top.map((r) => `${r.syscall} ${r.calls}`).join(", "),
  );
}
out.push("", "Budgets (shared/DESIGN.md)");
for (const b of budgets) {
  const v = b.verdict.toUpperCase() + (b.gap ? ` (${b.gap})` : "");
  out.push(`  ${v}: ${b.budget}`, `      ${b.measured}`);
}
results.duration_s = Math.round((Date.now() - startedAt) / 100) / 10;
out.push("", `${results.duration_s} s in all`);
process.stdout.write(`${out.join("\n")}\n`);

if (write) {
  mkdirSync(RESULTS, { recursive: true });
  // Arrays of numbers (the samples) on one line each.
  const json = JSON.stringify(results, null, 1).replace(
    /\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g,
    (_, inner) => `[${inner.replace(/\s+/g, "")}]`,
  );
  writeFileSync(join(RESULTS, "latest.json"), `${json}\n`);
  writeFileSync(join(RESULTS, "latest.txt"), `${out.join("\n")}\n`);
  writeFileSync(join(RESULTS, "latest.md"), markdown(results));
  writeFileSync(join(ROOT, "docs", "benchmarks.svg"), renderChart(results));
  log("wrote bench/results/latest.{json,txt,md} and docs/benchmarks.svg");
}
