import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { constants } from "node:os";
import { resolve } from "node:path";
import { normalizeAccess } from "../launcher/access.js";
import { launcherPath } from "../launcher/binary.js";
import {
  GAP_NAMES,
  type LaunchSpec,
  launcherArgs,
  type PathRule,
  RLIMIT_NAMES,
  type RlimitName,
} from "../launcher/spec.js";
import { getProfile, PROFILES } from "../policy/profiles.js";
import { resolveIdentity } from "../sandbox/identity.js";
import { planRun, type RunRequest } from "../sandbox/plan.js";
import { createScratch } from "../sandbox/scratch.js";
import { oneOf, parseOptions, UsageError } from "./args.js";
import { shellQuote, shellQuoteWithVar } from "./shell.js";

export const RUN_HELP = `usage: cordon run [OPTION]... -- COMMAND [ARG]...

Runs COMMAND under a deny-by-default Landlock sandbox. Exit status: COMMAND's;
125 when cordon cannot sandbox (nothing ran); 126 cannot execute (also when
the policy denies execute); 127 not found; 128+N when killed by signal N.

  --profile NAME       built-in rules: agent (default) or none
                         agent: system directories read+exec, the workdir
                         read+write+exec, a private TMPDIR and HOME removed
                         after the run; not the real home, not siblings
  --workdir DIR        the project directory and the command's cwd
                         (default: the current directory)
  --ro PATH            grant read+exec beneath PATH
  --rw PATH            grant read+write+exec beneath PATH
  --allow PATH:ACCESS  grant ACCESS (letters from r, w, x) beneath PATH
                         r: read files, list directories
                         w: write, create, remove, rename/link, truncate, ioctl
                         x: execute
  --net none|host      none (default): TCP bind/connect denied by Landlock
                         (ABI 4+). UDP and raw sockets are NOT restricted yet;
                         the report says so. host: no network restriction.
  --compat hard|best   hard (default): refuse to run (exit 125) when anything
                         asked for cannot be enforced. best: run with what can
                         be, warn on stderr, and say so in the report.
  --accept-gap NAME    run in hard mode although NAME cannot be enforced
                         (${GAP_NAMES.join(", ")})
  --report FILE        write the enforcement report (JSON) to FILE; - for stderr
  --dry-run            print a shell command line that runs the launcher with
                         the same effect, and exit
  --user USER          run as USER (name or uid); needs a root caller. Rule
                         paths are opened before the switch, so a path only
                         root can reach still works as a rule.
  --group GROUP        with --user: run as GROUP (default: USER's primary
                         group). Supplementary groups are always dropped.
  --allow-unix-sockets let the command create unix sockets. Below Landlock
                         ABI 9 this reaches any pathname socket it can name
                         (docker.sock, ssh-agent, D-Bus): only with care.
  --new-session        run the command in a new session: no controlling
                         terminal (no job control; keystroke injection into
                         the caller's terminal is then impossible too)
  --rlimit NAME=VALUE  resource limit for the command: cpu (seconds), as and
                         fsize (bytes), nofile, nproc, core. Repeatable.
  --max-abi N          act as if the kernel had at most Landlock ABI N (tests)

The seccomp filter is always on: socket families other than unix, inet,
inet6 and netlink; unix sockets (unless allowed); inet sockets with --net
none; TIOCSTI/TIOCLINUX; io_uring; user namespaces; mount, keyring, bpf,
perf and userfaultfd calls are refused. See docs/security.md.
`;

const SPECS = {
  "--profile": { value: true },
  "--workdir": { value: true },
  "--ro": { value: true, repeat: true },
  "--rw": { value: true, repeat: true },
  "--allow": { value: true, repeat: true },
  "--net": { value: true },
  "--compat": { value: true },
  "--accept-gap": { value: true, repeat: true },
  "--report": { value: true },
  "--dry-run": { value: false },
  "--max-abi": { value: true },
  "--user": { value: true },
  "--group": { value: true },
  "--allow-unix-sockets": { value: false },
  "--new-session": { value: false },
  "--rlimit": { value: true, repeat: true },
  "--help": { value: false },
} as const;

const SCRATCH = "\u0000scratch\u0000";
const REPORT_FD = 3;

function parseAllow(value: string): PathRule {
  const colon = value.lastIndexOf(":");
  if (colon <= 0) throw new UsageError(`--allow: '${value}' is not PATH:ACCESS`);
  try {
    return { path: resolve(value.slice(0, colon)), access: normalizeAccess(value.slice(colon + 1), "--allow") };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parseRlimit(value: string): [RlimitName, number] {
  const eq = value.indexOf("=");
  const name = value.slice(0, eq);
  const number = value.slice(eq + 1);
  if (eq <= 0) throw new UsageError(`--rlimit: '${value}' is not NAME=VALUE`);
  if (!(RLIMIT_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`--rlimit: unknown limit '${name}' (${RLIMIT_NAMES.join(", ")})`);
  }
  if (!/^\d+$/.test(number)) throw new UsageError(`--rlimit: '${number}' is not a non-negative integer`);
  return [name as RlimitName, Number(number)];
}

function parseRequest(options: Map<string, string[]>): RunRequest {
  const one = (flag: string) => options.get(flag)?.[0];
  const all = (flag: string) => options.get(flag) ?? [];
  const profile = one("--profile") ?? "agent";
  if (!PROFILES.has(profile)) {
    throw new UsageError(`--profile: unknown profile '${profile}' (known: ${[...PROFILES.keys()].join(", ")})`);
  }
  const rules: PathRule[] = [
    ...all("--ro").map((path) => ({ path: resolve(path), access: "rx" })),
    ...all("--rw").map((path) => ({ path: resolve(path), access: "rwx" })),
    ...all("--allow").map(parseAllow),
  ];
  const maxAbi = one("--max-abi");
  if (maxAbi !== undefined && !/^\d+$/.test(maxAbi)) {
    throw new UsageError(`--max-abi: '${maxAbi}' is not a number`);
  }
  const group = one("--group");
  if (group !== undefined && !options.has("--user")) throw new UsageError("--group: give --user too");
  return {
    workdir: resolve(one("--workdir") ?? process.cwd()),
    user: one("--user"),
    group,
    allowUnixSockets: options.has("--allow-unix-sockets"),
    newSession: options.has("--new-session"),
    rlimits: Object.fromEntries(all("--rlimit").map(parseRlimit)),
    profile,
    rules,
    net: oneOf("--net", one("--net") ?? "none", ["none", "host"] as const),
    compat: oneOf("--compat", one("--compat") ?? "hard", ["hard", "best"] as const),
    acceptGaps: all("--accept-gap").map((gap) => oneOf("--accept-gap", gap, GAP_NAMES)),
    maxAbi: maxAbi === undefined ? undefined : Number(maxAbi),
  };
}

/** One line for a POSIX shell. With a private scratch directory the line
 * creates it with mktemp, runs the launcher, removes it and keeps the
 * command's status, as `cordon run` does. */
function dryRunLine(launcher: string, spec: LaunchSpec, scratch: boolean): string {
  const chown =
    spec.user === undefined
      ? ""
      : `chown -R ${shellQuote(spec.group === undefined ? spec.user : `${spec.user}:${spec.group}`)} "$d" && `;
  const words = [launcher, ...launcherArgs(spec)].map((w) => shellQuoteWithVar(w, SCRATCH, "d"));
  if (!scratch) return words.join(" ");
  return (
    `d=$(mktemp -d "\${TMPDIR:-/tmp}/cordon-XXXXXX") && mkdir "$d/tmp" "$d/home" && ${chown}` +
    `{ ${words.join(" ")}; s=$?; rm -rf -- "$d"; (exit $s); }`
  );
}

function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? constants.signals[signal] : undefined;
  return number ? 128 + number : 125;
}

export async function runCommand(argv: string[]): Promise<number> {
  const { options, rest } = parseOptions(argv, SPECS, { stopAtPositional: true });
  if (options.has("--help")) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  if (rest.length === 0) throw new UsageError("no command given (cordon run [OPTION]... -- COMMAND)");
  const request = parseRequest(options);
  const reportTo = options.get("--report")?.[0];
  const launcher = launcherPath();

  if (options.has("--dry-run")) {
    const plan = planRun(request, { root: SCRATCH, tmp: `${SCRATCH}/tmp`, home: `${SCRATCH}/home` });
    const spec = { ...plan.spec, command: rest };
    process.stdout.write(`${dryRunLine(launcher, spec, plan.profile.privateScratch)}\n`);
    return 0;
  }

  const owner = request.user === undefined ? undefined : resolveIdentity(request.user, request.group);
  const scratch = getProfile(request.profile ?? "agent").privateScratch ? createScratch(owner) : undefined;
  try {
    const plan = planRun(request, scratch);
    const spec: LaunchSpec = {
      ...plan.spec,
      command: rest,
      reportFd: reportTo === undefined ? undefined : REPORT_FD,
    };
    return await launch(launcher, spec, reportTo);
  } finally {
    scratch?.remove();
  }
}

function launch(launcher: string, spec: LaunchSpec, reportTo: string | undefined): Promise<number> {
  const stdio: ("inherit" | "pipe")[] = ["inherit", "inherit", "inherit"];
  if (reportTo !== undefined) stdio.push("pipe");
  const child = spawn(launcher, launcherArgs(spec), { stdio });

  // A terminal's ^C and ^\ reach the whole foreground group, the command
  // included: wait for it to exit rather than die first. Signals sent to
  // cordon alone are passed on.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const ignore = () => {};
  process.on("SIGINT", ignore);
  process.on("SIGQUIT", ignore);
  process.on("SIGTERM", forward);
  process.on("SIGHUP", forward);

  const report: Buffer[] = [];
  child.stdio[REPORT_FD]?.on("data", (chunk: Buffer) => report.push(chunk));
  const reportDone = new Promise<void>((done) => {
    const stream = child.stdio[REPORT_FD];
    if (!stream) return done();
    stream.on("close", () => {
      const text = Buffer.concat(report).toString("utf8");
      if (reportTo === "-") process.stderr.write(text);
      else if (reportTo !== undefined) writeFileSync(reportTo, text);
      done();
    });
  });

  return new Promise((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      process.off("SIGINT", ignore);
      process.off("SIGQUIT", ignore);
      process.off("SIGTERM", forward);
      process.off("SIGHUP", forward);
      reportDone.then(() => resolvePromise(exitStatus(code, signal)), reject);
    });
  });
}
