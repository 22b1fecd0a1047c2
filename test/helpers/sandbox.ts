import { execFileSync, type SpawnSyncReturns, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const LAUNCHER = join(ROOT, "native", "build", "cordon-exec");
export const CLI = join(ROOT, "dist", "cli", "main.js");

/** The identities every enforcement test runs as. Tests run as root (CI
 * does); the unprivileged case is the same test spawned as nobody. */
export interface Identity {
  name: string;
  uid: number;
  gid: number;
}
export const ROOT_USER: Identity = { name: "root", uid: 0, gid: 0 };
export const NOBODY: Identity = { name: "nobody", uid: 65534, gid: 65534 };
export const IDENTITIES: Identity[] = [ROOT_USER, NOBODY];

if (process.getuid?.() !== 0) {
  throw new Error("the e2e tests must run as root: they run every case as root and as nobody (CI runs them as root)");
}

export interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function result(r: SpawnSyncReturns<string>): Result {
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export interface RunOptions {
  as: Identity;
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra stdio entries from fd 3 on. */
  extraStdio?: ("pipe" | "ignore" | number)[];
}

/** Runs the launcher directly (no Node in between). */
export function launch(args: string[], opts: RunOptions): Result {
  return spawnCmd(LAUNCHER, args, opts);
}

/** Runs the `cordon` CLI. */
export function cli(args: string[], opts: RunOptions): Result {
  return spawnCmd(process.execPath, [CLI, ...args], opts);
}

export function spawnCmd(file: string, args: string[], opts: RunOptions): Result {
  return result(
    spawnSync(file, args, {
      encoding: "utf8",
      uid: opts.as.uid,
      gid: opts.as.gid,
      input: opts.input ?? "",
      cwd: opts.cwd,
      env: opts.env ?? { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C" },
      stdio: ["pipe", "pipe", "pipe", ...(opts.extraStdio ?? [])],
      timeout: 30_000,
    }),
  );
}

/** A scratch tree for one test: a project (the workdir, owned by the
 * identity), a sibling project with a secret, a read-only directory, and an
 * outside file. Everything is readable and writable for the identity by
 * ordinary permissions, so a denial can only come from Landlock. */
export interface Tree {
  root: string;
  proj: string;
  sibling: string;
  secret: string;
  readonly: string;
  readonlyFile: string;
  cleanup(): void;
}

export function makeTree(who: Identity): Tree {
  const root = mkdtempSync("/tmp/cordon-test-");
  chmodSync(root, 0o755);
  const proj = join(root, "proj");
  const sibling = join(root, "sibling");
  const readonly = join(root, "readonly");
  for (const dir of [proj, sibling, readonly]) {
    mkdirSync(dir);
    chmodSync(dir, 0o777);
  }
  const secret = join(sibling, "secret.txt");
  const readonlyFile = join(readonly, "data.txt");
  writeFileSync(secret, "sibling secret\n", { mode: 0o666 });
  writeFileSync(readonlyFile, "original\n", { mode: 0o666 });
  chmodSync(secret, 0o666);
  chmodSync(readonlyFile, 0o666);
  chownSync(proj, who.uid, who.gid);
  return { root, proj, sibling, secret, readonly, readonlyFile, cleanup: () => rmSync(root, { recursive: true }) };
}

/** Rules a plain shell needs, for launcher-level tests that do not use a
 * profile. */
export const SYSTEM_RULES = [
  "--allow-if-exists",
  "rx",
  "/usr",
  "--allow-if-exists",
  "rx",
  "/bin",
  "--allow-if-exists",
  "rx",
  "/lib",
  "--allow-if-exists",
  "rx",
  "/lib64",
  "--allow",
  "r",
  "/etc/ld.so.cache",
  "--allow",
  "rw",
  "/dev/null",
];

let denyLandlock: string | undefined;

/** Builds (once) the helper that runs a command with Landlock's syscalls
 * failing with a given errno, like a container's seccomp profile. */
export function denyLandlockHelper(): string {
  if (denyLandlock) return denyLandlock;
  const dir = mkdtempSync("/tmp/cordon-helper-");
  chmodSync(dir, 0o755);
  const out = join(dir, "deny-landlock");
  execFileSync("cc", ["-O2", "-Wall", "-o", out, join(ROOT, "test", "helpers", "deny-landlock.c")]);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  denyLandlock = out;
  return out;
}

let syscallProbe: string | undefined;

/** Builds (once) the helper that makes raw system calls and prints one
 * `CALL=ok` / `CALL=errno:N` line per call (test/helpers/syscall-probe.c).
 * Its directory is world-readable so that nobody can run it; grant it to a
 * sandbox with `--ro dirname(helper)`. */
export function syscallProbeHelper(): string {
  if (syscallProbe) return syscallProbe;
  const dir = mkdtempSync("/tmp/cordon-helper-");
  chmodSync(dir, 0o755);
  const out = join(dir, "syscall-probe");
  execFileSync("cc", ["-O2", "-Wall", "-pthread", "-o", out, join(ROOT, "test", "helpers", "syscall-probe.c")]);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  syscallProbe = out;
  return out;
}

let abi: number | undefined;

/** The Landlock ABI the launcher uses on this machine (its --probe), for
 * tests whose expected answers change with it. */
export function landlockAbi(): number {
  abi ??= (JSON.parse(execFileSync(LAUNCHER, ["--probe"], { encoding: "utf8" })) as { abi: number }).abi;
  return abi;
}
