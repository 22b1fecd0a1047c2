import { spawn } from "node:child_process";
import { closeSync, constants as fsConstants, openSync, writeSync } from "node:fs";
import { constants } from "node:os";
import { launcherPath } from "../launcher/binary.js";
import { type EnvReport, parseReport } from "../launcher/report.js";
import { GAP_NAMES, type LaunchSpec, launcherArgs } from "../launcher/spec.js";
import { EgressProxy, proxyEnv } from "../network/index.js";
import { type ResolvedPolicy, resolvePolicy } from "../policy/resolve.js";
import { buildEnv } from "../sandbox/env.js";
import { resolveIdentity } from "../sandbox/identity.js";
import { checkWorkdir, planRun } from "../sandbox/plan.js";
import { createScratch } from "../sandbox/scratch.js";
import { parseOptions, UsageError } from "./args.js";
import { POLICY_FLAGS, selectPolicy } from "./policy-flags.js";
import { shellQuote, shellQuoteWithVar } from "./shell.js";

export const RUN_HELP = `usage: cordon run [OPTION]... -- COMMAND [ARG]...

Runs COMMAND under a deny-by-default Landlock sandbox. Exit status: COMMAND's;
125 when cordon cannot sandbox (nothing ran); 126 cannot execute (also when
the policy denies execute); 127 not found; 128+N when killed by signal N.

  --policy FILE        a policy file (YAML or JSON; docs/policy.md). Without
                         --policy or --profile, cordon.yaml or
                         .cordon/policy.yaml in the workdir is used if present
                         (and said on stderr), else the agent profile. Flags
                         add to the policy.
  --profile NAME       a built-in policy: agent (default) or none
                         agent: system directories read+exec, the workdir
                         read+write+exec, a private TMPDIR and HOME removed
                         after the run; not the real home, not siblings
  --workdir DIR        the project directory and the command's cwd
                         (default: the current directory)
  --ro PATH            grant read+exec beneath PATH
  --rw PATH            grant read+write+exec beneath PATH
  --allow PATH:ACCESS  grant ACCESS (letters from r, w, x, c) beneath PATH
                         r: read files, list directories
                         w: write, create, remove, rename/link, truncate, ioctl
                         x: execute
                         c: connect to the unix sockets at or beneath PATH
                            (docker.sock, an ssh-agent); needs Landlock ABI 9
                            (Linux 7.1), below it the gap resolve-unix
  --net none|proxy|host
                       none (default): no network. TCP bind/connect denied by
                         Landlock (ABI 4+) and every inet socket (TCP, UDP,
                         raw) refused by the seccomp filter.
                       proxy: only through cordon's egress proxy (HTTP,
                         CONNECT, SOCKS5 on 127.0.0.1), which allows the
                         --allow-host destinations; the command gets
                         HTTP(S)_PROXY/ALL_PROXY. Implied by --allow-host.
                       host: no network restriction at all.
  --allow-host HOST[:PORT]
                       proxy mode: allow a destination: example.org,
                         *.example.org, example.org:443, 10.0.0.0/8,
                         [::1]:8080. Private, loopback and link-local
                         addresses need an address entry. Repeatable.
  --allow-port PORT    allow direct TCP connections to PORT, on ANY address
                         (Landlock filters ports, not addresses). Repeatable.
  --net-log FILE       write every proxy decision as a JSON line to FILE
  --compat hard|best   hard (default): refuse to run (exit 125) when anything
                         asked for cannot be enforced. best: run with what can
                         be, warn on stderr, and say so in the report.
  --accept-gap NAME    run in hard mode although NAME cannot be enforced
                         (${GAP_NAMES.join(", ")})
  --report FILE        write the enforcement report (JSON) to FILE; - for stderr
  --dry-run            print a shell command line that runs the launcher with
                         the same effect, and exit
  --user USER          run as USER (name or uid); needs a root caller. Rule
                         paths and the workdir are opened before the switch:
                         a rule under a directory USER cannot traverse still
                         holds, and the workdir is reachable as the cwd, but
                         absolute lookups through that directory still fail
                         by ordinary permissions.
  --group GROUP        with --user: run as GROUP (default: USER's primary
                         group). Supplementary groups are always dropped.
  --allow-unix-sockets let the command create unix sockets below Landlock ABI 9,
                         where this reaches any pathname socket it can name
                         (docker.sock, ssh-agent, D-Bus): only with care. From
                         ABI 9 unix sockets are always allowed and Landlock
                         holds connect() to the sockets granted c.
  --new-session        run the command in a new session: no controlling
                         terminal (no job control; keystroke injection into
                         the caller's terminal is then impossible too)
  --rlimit NAME=VALUE  resource limit for the command: cpu (seconds), as and
                         fsize (bytes), nofile, nproc, core. Repeatable.
  --max-abi N          act as if the kernel had at most Landlock ABI N (tests)

The seccomp filter is always on: socket families other than unix, inet,
inet6 and netlink; unix sockets (below ABI 9, unless allowed); inet sockets with --net
none; TIOCSTI/TIOCLINUX; io_uring; user namespaces; mount, keyring, bpf,
perf and userfaultfd calls are refused. See docs/security.md.
`;

export const RUN_FLAGS = {
  ...POLICY_FLAGS,
  "--report": { value: true },
  "--net-log": { value: true },
  "--dry-run": { value: false },
  "--max-abi": { value: true },
  "--help": { value: false },
} as const;

const SCRATCH = "\u0000scratch\u0000";
const REPORT_FD = 3;

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

/** Refuses (hard) or warns about (best) what the policy asks for and cordon
 * cannot enforce yet: never silently ignored. */
function reportNotEnforced(policy: ResolvedPolicy): void {
  if (policy.notEnforced.length === 0) return;
  const lines = policy.notEnforced.map((n) => `  ${n.key} (${n.source}): ${n.reason}`).join("\n");
  if (policy.compat === "hard") {
    throw new Error(
      `the policy asks for what cordon does not enforce yet (hard_requirement; use best_effort to run ` +
        `without it):\n${lines}`,
    );
  }
  process.stderr.write(`cordon: warning: not enforced (best_effort):\n${lines}\n`);
}

export async function runCommand(argv: string[]): Promise<number> {
  const { options, rest } = parseOptions(argv, RUN_FLAGS, { stopAtPositional: true });
  if (options.has("--help")) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  if (rest.length === 0) throw new UsageError("no command given (cordon run [OPTION]... -- COMMAND)");
  const maxAbiText = options.get("--max-abi")?.[0];
  if (maxAbiText !== undefined && !/^\d+$/.test(maxAbiText)) {
    throw new UsageError(`--max-abi: '${maxAbiText}' is not a number`);
  }
  const maxAbi = maxAbiText === undefined ? undefined : Number(maxAbiText);
  const selected = selectPolicy(options);
  const workdir = checkWorkdir(selected.workdir);
  const policy = resolvePolicy(selected.layers, workdir);
  if (selected.discovered) process.stderr.write(`cordon: using the policy ${selected.source}\n`);
  reportNotEnforced(policy);
  const reportTo = options.get("--report")?.[0];
  // Opened now, before the command runs, and never through a symlink: the
  // command can write the workdir and could plant one for the next run.
  const reportFile = reportTo === undefined || reportTo === "-" ? undefined : openOutput("--report", reportTo, false);
  const launcher = launcherPath();

  if (options.has("--dry-run")) {
    if (policy.network === "proxy") {
      throw new UsageError("--dry-run: proxy mode needs cordon's proxy running in this process; run without --dry-run");
    }
    const spec = {
      ...planRun(policy, workdir, { root: SCRATCH, tmp: `${SCRATCH}/tmp`, home: `${SCRATCH}/home` }),
      maxAbi,
      command: rest,
    };
    process.stdout.write(`${dryRunLine(launcher, spec, policy.privateTmp)}\n`);
    return 0;
  }

  const owner = policy.user === undefined ? undefined : resolveIdentity(policy.user, policy.group);
  if (owner && process.getuid?.() !== 0 && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
    throw new UsageError(`--user: running as another user needs a root caller (this is uid ${process.getuid?.()})`);
  }
  const netLogPath = options.get("--net-log")?.[0];
  const netLog = netLogPath === undefined ? undefined : openOutput("--net-log", netLogPath, true);
  const proxy =
    policy.network === "proxy"
      ? await EgressProxy.start({
          policy: policy.egress,
          onDecision: (d) => {
            if (netLog !== undefined) writeSync(netLog, `${JSON.stringify(d)}\n`);
            if (!d.allowed) process.stderr.write(`cordon: network: refused ${d.host}:${d.port}: ${d.reason}\n`);
          },
        })
      : undefined;
  const scratch = policy.privateTmp ? createScratch(owner) : undefined;
  try {
    const spec: LaunchSpec = {
      ...planRun(policy, workdir, scratch, proxy?.port),
      maxAbi,
      command: rest,
      reportFd: reportTo === undefined ? undefined : REPORT_FD,
    };
    const { env, removed } = buildEnv(policy.env, process.env, {
      home: scratch?.home ?? workdir,
      tmpdir: scratch?.tmp,
      user: policy.user,
    });
    const childEnv = proxy ? { ...env, ...proxyEnv(proxy.port) } : env;
    return await launch(launcher, spec, reportTo, reportFile, childEnv, { inherit: policy.env.inherit, removed });
  } finally {
    scratch?.remove();
    await proxy?.close();
    if (reportFile !== undefined) closeSync(reportFile);
    if (netLog !== undefined) closeSync(netLog);
  }
}

/** Opens a file cordon writes for the caller, refusing a symlink. */
function openOutput(flag: string, path: string, append: boolean): number {
  // libuv opens with O_CLOEXEC already.
  const { O_WRONLY, O_CREAT, O_NOFOLLOW, O_APPEND, O_TRUNC } = fsConstants;
  try {
    return openSync(path, O_WRONLY | O_CREAT | O_NOFOLLOW | (append ? O_APPEND : O_TRUNC), 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ELOOP"
        ? `${flag}: ${path} is a symbolic link; cordon does not write through one (the sandboxed command may have planted it)`
        : `${flag}: cannot open ${path}: ${code ?? String(error)}`,
    );
  }
}

/** Adds what the Node side did to the environment (names only) to the
 * launcher's report. */
function withEnv(text: string, env: EnvReport): string {
  try {
    return `${JSON.stringify({ ...parseReport(text), env })}\n`;
  } catch {
    return text;
  }
}

function launch(
  launcher: string,
  spec: LaunchSpec,
  reportTo: string | undefined,
  reportFile: number | undefined,
  env: NodeJS.ProcessEnv,
  envReport: EnvReport,
): Promise<number> {
  const stdio: ("inherit" | "pipe")[] = ["inherit", "inherit", "inherit"];
  if (reportTo !== undefined) stdio.push("pipe");
  const child = spawn(launcher, launcherArgs(spec), { stdio, env });

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
      const text = withEnv(Buffer.concat(report).toString("utf8"), envReport);
      if (reportTo === "-") process.stderr.write(text);
      else if (reportFile !== undefined) writeSync(reportFile, text);
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
