// The warm-process scenario, run by bench/run.mjs in a Node process of its
// own: every contender is called from this already-running process, in
// alternation, and timed with process.hrtime.bigint from the call until the
// child has exited and its output pipes are closed.
//
//   node bench/lib/warm.mjs CONFIG_JSON   → a JSON result on stdout
//
// CONFIG_JSON: { iterations, warmup, workdir, launcherPrefix, srtSettings }
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { DIST_INDEX, SRT_LIB, TRUE } from "./common.mjs";

const config = JSON.parse(process.argv[2]);

/** child_process.spawn with stdout and stderr piped and read, as a buffered
 * exec does; resolves with the exit code once the pipes are closed. */
function spawnWait(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    const chunks = [];
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => chunks.push(c));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`exit ${code ?? signal}: ${Buffer.concat(chunks).toString().trim().slice(0, 300)}`));
    });
  });
}

async function sdkContender() {
  const c = { id: "sdk", label: "Sandbox.exec (cordon SDK)" };
  let mod;
  try {
    mod = await import(pathToFileURL(DIST_INDEX).href);
  } catch (error) {
    return { ...c, status: "skipped", reason: `SDK not built yet (${error.message})` };
  }
  if (typeof mod.Sandbox !== "function") return { ...c, status: "skipped", reason: "SDK not built yet" };
  try {
    const options = { workdir: config.workdir };
    const sandbox =
      typeof mod.Sandbox.create === "function" ? await mod.Sandbox.create(options) : new mod.Sandbox(options);
    const run = async () => {
      const result = await sandbox.exec([TRUE]);
      if (result && typeof result.exitCode === "number" && result.exitCode !== 0) {
        throw new Error(`exit ${result.exitCode}: ${String(result.stderr ?? "").slice(0, 300)}`);
      }
    };
    const close = async () => {
      for (const name of ["close", "dispose"]) if (typeof sandbox[name] === "function") await sandbox[name]();
    };
    return { ...c, status: "ok", run, close };
  } catch (error) {
    return { ...c, status: "failed", reason: `creating the Sandbox failed: ${error.message}` };
  }
}

async function srtLibContender() {
  const c = { id: "srt-lib", label: "sandbox-runtime library (wrap + spawn)" };
  if (!existsSync(SRT_LIB)) return { ...c, status: "skipped", reason: "not installed (npm run bench:setup)" };
  try {
    const { SandboxManager } = await import(pathToFileURL(SRT_LIB).href);
    const deps = SandboxManager.checkDependencies?.();
    if (deps && Array.isArray(deps.errors) && deps.errors.length > 0) {
      return { ...c, status: "skipped", reason: `not installed: ${deps.errors.join("; ")}` };
    }
    await SandboxManager.initialize(config.srtSettings);
    const run = async () => {
      const command = await SandboxManager.wrapWithSandbox(TRUE);
      await spawnWait(command, [], { shell: true });
    };
    return { ...c, status: "ok", run, close: () => SandboxManager.reset() };
  } catch (error) {
    return { ...c, status: "failed", reason: error.message };
  }
}

const [launcher, ...launcherArgs] = config.launcherPrefix;
const contenders = [
  { id: "spawn", label: "child_process.spawn /usr/bin/true", status: "ok", run: () => spawnWait(TRUE, []) },
  {
    id: "spawn-launcher",
    label: "child_process.spawn cordon-exec (default policy)",
    status: "ok",
    run: () => spawnWait(launcher, [...launcherArgs, TRUE]),
  },
  await sdkContender(),
  await srtLibContender(),
];

// One checked call each before timing: a contender that fails is reported
// as failed with its reason, never timed.
for (const c of contenders) {
  if (c.status !== "ok") continue;
  try {
    await c.run();
  } catch (error) {
    c.status = "failed";
    c.reason = error.message;
  }
}

const active = contenders.filter((c) => c.status === "ok");
for (const c of active) c.ns = [];
for (let it = -config.warmup; it < config.iterations; it++) {
  const first = ((it % active.length) + active.length) % active.length;
  for (let j = 0; j < active.length; j++) {
    const c = active[(first + j) % active.length];
    const t0 = process.hrtime.bigint();
    await c.run();
    const t1 = process.hrtime.bigint();
    if (it >= 0) c.ns.push(Number(t1 - t0));
  }
}
for (const c of contenders) await c.close?.();

process.stdout.write(
  `${JSON.stringify(contenders.map(({ id, label, status, reason, ns }) => ({ id, label, status, reason, ns })))}\n`,
);
// sandbox-runtime's proxies may keep handles open after reset().
process.exit(0);
