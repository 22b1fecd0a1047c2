#!/usr/bin/env node
// `npm run bench:setup`: installs what the benchmark's contenders need, and
// nothing into the package itself.
//   - Debian packages: bubblewrap (the bwrap contender), socat and ripgrep
//     (sandbox-runtime refuses to start without them on Linux), time
//     (/usr/bin/time, a cross-check of the peak memory), git (the git status
//     workload). Installed with apt-get when running as root on Debian/Ubuntu;
//     otherwise the missing ones are listed and the bench skips what needs them.
//   - @anthropic-ai/sandbox-runtime (the `srt` CLI and its library), pinned,
//     in bench/.peers with its own package.json: never a dependency of cordon.
// The bench reports any contender that is still missing as "skipped (not
// installed)".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH, commandPath } from "./lib/common.mjs";

export const PEERS = join(BENCH, ".peers");
/** Pinned so that reruns compare against the same peer. */
const SANDBOX_RUNTIME = "@anthropic-ai/sandbox-runtime@0.0.83";

const wanted = [
  { command: "bwrap", pkg: "bubblewrap" },
  { command: "socat", pkg: "socat" },
  { command: "rg", pkg: "ripgrep" },
  { command: "git", pkg: "git" },
  { path: "/usr/bin/time", pkg: "time" },
];
const missing = wanted.filter((w) => (w.path ? !existsSync(w.path) : !commandPath(w.command))).map((w) => w.pkg);

if (missing.length > 0) {
  const canApt = process.getuid?.() === 0 && commandPath("apt-get");
  if (canApt) {
    console.log(`bench:setup: apt-get install ${missing.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    let r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
      stdio: "inherit",
      env,
    });
    if (r.status !== 0) {
      spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
      r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
        stdio: "inherit",
        env,
      });
    }
    if (r.status !== 0) console.error("bench:setup: apt-get failed; the bench will skip what needs these packages");
  } else {
    console.log(
      `bench:setup: not installed: ${missing.join(", ")} (install them as root, e.g. apt-get install ` +
        `${missing.join(" ")}); the bench skips what needs them`,
    );
  }
}

mkdirSync(PEERS, { recursive: true });
writeFileSync(
  join(PEERS, "package.json"),
  `${JSON.stringify({ name: "cordon-bench-peers", private: true, description: "bench-only peers, see bench/setup.mjs" }, null, 2)}\n`,
);
console.log(`bench:setup: npm install ${SANDBOX_RUNTIME} in bench/.peers`);
const npm = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--save-exact", SANDBOX_RUNTIME], {
  cwd: PEERS,
  stdio: "inherit",
});
if (npm.status !== 0) {
  console.error("bench:setup: npm install failed; the bench will report sandbox-runtime as skipped");
  process.exit(1);
}
console.log("bench:setup: done");
