// Shared by the escape suite (test/escape/*.test.ts): who attacks, the
// scratch tree each attack runs against, how an attack is run through
// `cordon run` with the default agent profile, and how its result lines are
// read. Each attack prints one `NAME=RESULT` line per attempt, RESULT being
// `ok`, `ok:VALUE` or the errno's symbolic name (EACCES, EPERM, ...), so an
// assertion names the exact way the attack failed.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CLI,
  type Identity,
  landlockAbi,
  makeTree,
  NOBODY,
  type Result,
  ROOT,
  ROOT_USER,
  type RunOptions,
  type Tree,
} from "../helpers/sandbox.js";

/** Absolute: a PATH lookup may hit a pyenv shim under /root, which the
 * sandbox cannot read. */
export const PY = "/usr/bin/python3";
export const BASE_ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C" };

/** Who runs `cordon run` (`as`), with which extra flags, and who the command
 * then runs as (`target`). */
export interface Actor {
  name: string;
  as: Identity;
  flags: string[];
  target: Identity;
}

export const ACTOR_ROOT: Actor = { name: "root", as: ROOT_USER, flags: [], target: ROOT_USER };
export const ACTOR_ROOT_AS_NOBODY: Actor = {
  name: "root with --user nobody",
  as: ROOT_USER,
  flags: ["--user", "nobody"],
  target: NOBODY,
};
export const ACTOR_NOBODY: Actor = { name: "nobody", as: NOBODY, flags: [], target: NOBODY };
export const ACTORS: Actor[] = [ACTOR_ROOT, ACTOR_ROOT_AS_NOBODY, ACTOR_NOBODY];

/** The tree of test/helpers' makeTree (a workdir owned by the command's
 * user, a sibling project with a 0666 secret, a read-only directory), plus:
 * `own`, a file in the workdir the command may read (the legitimate case);
 * `tmp`, a sticky world-writable directory that is the caller's TMPDIR, so
 * the CLI's private scratch directories land here and not in /tmp (another
 * test file counts /tmp/cordon-* entries). Everything outside the workdir is
 * open to the command's user by ordinary permissions: a denial can only
 * come from the sandbox. */
export interface Arena extends Tree {
  own: string;
  tmp: string;
}

export function makeArena(actor: Actor): Arena {
  const t = makeTree(actor.target);
  const tmp = join(t.root, "tmp");
  mkdirSync(tmp);
  chmodSync(tmp, 0o1777);
  const own = join(t.proj, "own.txt");
  writeFileSync(own, "own data\n");
  chownSync(own, actor.target.uid, actor.target.gid);
  return { ...t, own, tmp };
}

/** Makes PATH (a file or directory the test created) belong to the
 * command's user. */
export function giveTo(actor: Actor, ...paths: string[]): void {
  for (const path of paths) chownSync(path, actor.target.uid, actor.target.gid);
}

export interface AttackOptions {
  /** `cordon run` flags added after the actor's. */
  flags?: string[];
  /** Variables added to the caller's environment. */
  env?: NodeJS.ProcessEnv;
  input?: string;
  extraStdio?: RunOptions["extraStdio"];
}

/** `cordon run --workdir PROJ [actor flags] [flags] -- CMD...` as the actor,
 * with the default (agent) profile. Asynchronous, so that the scenarios of
 * a file can run concurrently (each is one CLI call of ~100 ms, mostly
 * Node's startup) and a test can serve a listener meanwhile. */
export function sandboxed(actor: Actor, arena: Arena, cmd: string[], opts: AttackOptions = {}): Promise<Result> {
  return start(actor, arena, cmd, opts).done;
}

export function runArgs(actor: Actor, arena: Arena, cmd: string[], opts: AttackOptions = {}): string[] {
  return ["run", "--workdir", arena.proj, ...actor.flags, ...(opts.flags ?? []), "--", ...cmd];
}

export function callerEnv(arena: Arena, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...BASE_ENV, TMPDIR: arena.tmp, ...extra };
}

export interface Running {
  /** The CLI's pid. */
  pid: number;
  /** Resolves when the CLI exits and its pipes close. */
  done: Promise<Result>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `cordon run` as `sandboxed` does and returns at once. */
export function start(actor: Actor, arena: Arena, cmd: string[], opts: AttackOptions = {}): Running {
  return spawnAsync(process.execPath, [CLI, ...runArgs(actor, arena, cmd, opts)], {
    as: actor.as,
    env: callerEnv(arena, opts.env),
    input: opts.input,
    extraStdio: opts.extraStdio,
  });
}

/** spawn() with the options of the helpers' spawnCmd, not blocking. The
 * child is killed after 30 s, like spawnCmd's timeout. */
export function spawnAsync(file: string, args: string[], opts: RunOptions): Running {
  const child = spawn(file, args, {
    uid: opts.as.uid,
    gid: opts.as.gid,
    cwd: opts.cwd,
    env: opts.env ?? BASE_ENV,
    stdio: ["pipe", "pipe", "pipe", ...(opts.extraStdio ?? [])],
  });
  child.stdin?.end(opts.input ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  child.stderr?.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const done = new Promise<Result>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
  if (child.pid === undefined) throw new Error(`spawn of ${file} failed`);
  return { pid: child.pid, done, kill: (signal = "SIGKILL") => child.kill(signal) };
}

/** An attack's `NAME=RESULT` lines as a map (lines from a pty end in \r\n). */
export function results(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split(/\r?\n/)) {
    const m = line.match(/^([A-Za-z0-9_.:/,+-]+)=(.*)$/);
    if (m?.[1] !== undefined) out[m[1]] = m[2] ?? "";
  }
  return out;
}

/** Prepended to every python attack: `t(NAME, fn, *args)` runs one attempt
 * and prints NAME=ok (NAME=ok:VALUE when fn returns a string, so a leak
 * shows in the output) or NAME=ERRNO, and returns fn's result (None on
 * failure); `show(NAME, value)` prints NAME=ok:VALUE; `read(path)` is the
 * file's text on one line. */
const PY_PRELUDE = `import errno, os, socket, sys
def t(name, fn, *a):
    try:
        r = fn(*a)
    except socket.gaierror as e:
        print(f"{name}=gai:{e.errno}", flush=True)
        return None
    except OSError as e:
        print(f"{name}={errno.errorcode.get(e.errno, e.errno)}", flush=True)
        return None
    print(f"{name}=ok:{r}" if isinstance(r, str) else f"{name}=ok", flush=True)
    return r
def show(name, value):
    print(f"{name}=ok:{value}", flush=True)
def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf8", "replace").strip().replace("\\n", " ")
`;

/** A value as a python (and JSON) string literal. */
export const q = (s: string) => JSON.stringify(s);

/** A python attack as a command line. */
export function py(code: string): string[] {
  return [PY, "-c", PY_PRELUDE + code];
}

/** A bash attack as a command line. */
export function sh(script: string): string[] {
  return ["bash", "-c", script];
}

const built = new Map<string, string>();
let attackDir: string | undefined;

/** Compiles test/escape/attacks/NAME.c (once per process) into a private,
 * world-readable directory; the sandbox must be granted it with
 * `--ro ATTACK_DIR()` to run it. */
export function attack(name: string): string {
  const cached = built.get(name);
  if (cached) return cached;
  const dir = attackDirectory();
  const out = join(dir, name);
  const src = join(ROOT, "test", "escape", "attacks", `${name}.c`);
  const r = spawnSync("cc", ["-O2", "-Wall", "-Wextra", "-o", out, src], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(`cannot build the attack ${src} (the suite needs a C compiler: gcc, libc6-dev): ${r.stderr}`);
  }
  built.set(name, out);
  return out;
}

export function attackDirectory(): string {
  if (attackDir) return attackDir;
  // "cordon-test-" like the trees: other files count /tmp/cordon-* entries.
  const dir = mkdtempSync("/tmp/cordon-test-attacks-");
  chmodSync(dir, 0o755);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  attackDir = dir;
  return dir;
}

/** The flags that let a sandboxed command run the compiled attacks. */
export function attackFlags(): string[] {
  return ["--ro", attackDirectory()];
}

/** True while a process exists (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    // The state is the field after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^Z/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true or `ms` elapse. */
export async function waitFor(check: () => boolean, ms = 5000, step = 25): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(step);
  }
  return check();
}

/** A random token, so that a secret found in output can only have come
 * from where the test put it. */
export function token(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 12)}`;
}

/** The Landlock ABI cordon uses on this kernel. */
export const kernelAbi = landlockAbi;

/** One word for a POSIX shell. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Fails (never skips) when a program a scenario needs is missing. */
export function requireTool(tool: string, pkg: string): void {
  const r = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`this scenario needs '${tool}', which is not installed here: install the '${pkg}' package`);
  }
}
