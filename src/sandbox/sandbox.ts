import { type ChildProcess, spawn } from "node:child_process";
import { relative, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import { launcherPath } from "../launcher/binary.js";
import { type EnforcementReport, type EnvReport, parseReport } from "../launcher/report.js";
import { type LaunchSpec, launcherArgs } from "../launcher/spec.js";
import { type Decision, EgressProxy, proxyEnv } from "../network/index.js";
import { PolicyError, validatePolicy } from "../policy/load.js";
import { isProfile } from "../policy/profiles.js";
import { chainFrom, type Layer, loadChain, type ResolvedPolicy, resolvePolicy } from "../policy/resolve.js";
import type { PolicyDocument } from "../policy/schema.js";
import { buildEnv } from "./env.js";
import { CommandError, SandboxError } from "./errors.js";
import { resolveIdentity } from "./identity.js";
import { CappedOutput } from "./output.js";
import { checkWorkdir, planRun } from "./plan.js";
import { createScratch, type Scratch } from "./scratch.js";
import { killSession } from "./session.js";
import { findViolations, type Violation } from "./violations.js";

export interface SandboxOptions {
  /** The project directory: writable under the agent profile, the default
   * cwd, and the base of relative paths in a policy object. */
  workdir: string;
  /** A policy object, a policy file path, or a built-in profile name
   * (default "agent"). The SDK never picks up a policy file from the
   * workdir by itself: the sandboxed command can write there. */
  policy?: PolicyDocument | string;
  /** The shell that runs string commands (default "bash"). */
  shell?: string;
  /** Treat the kernel as if it had at most this Landlock ABI (tests). */
  maxAbi?: number;
}

export interface ExecOptions {
  /** Working directory, inside the workdir (relative paths are relative to
   * it). */
  cwd?: string;
  /** Variables added to the command's environment after the scrub: for
   * example a short-lived token meant for this one command. */
  env?: Record<string, string>;
  /** Written to the command's stdin, which is then closed. Without it stdin
   * is /dev/null (spawn: a pipe). */
  input?: string | Buffer;
  /** Milliseconds before the command and everything it started are killed:
   * `killSignal` first, SIGKILL after `forceKillAfterDelay`. */
  timeout?: number;
  killSignal?: NodeJS.Signals;
  /** Milliseconds between the graceful signal and SIGKILL (default 2000). */
  forceKillAfterDelay?: number;
  /** Aborting kills the command like a timeout does. */
  cancelSignal?: AbortSignal;
  /** Bytes kept per stream; beyond it the head and the tail are kept and a
   * marker says how much was dropped (default 10 MiB). */
  maxBuffer?: number;
  /** "utf8" (default) and other text encodings, or "buffer". */
  encoding?: BufferEncoding | "buffer";
  /** Throw a CommandError when the command fails (non-zero exit, signal,
   * timeout, abort). Default false: an agent usually wants the result. */
  reject?: boolean;
}

export interface ExecResult<Out = string> {
  /** The command as run (argv joined for display). */
  command: string;
  argv: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Out;
  stderr: Out;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  truncated: { stdout: boolean; stderr: boolean } | false;
  /** What the launcher enforced for this run, with the environment's
   * scrubbed names under `env`. */
  report: EnforcementReport | null;
  /** Denials read from the command's stderr (a hint, not an audit log). */
  violations: Violation[];
  /** Proxy mode: every egress decision for this run's processes. */
  network: Decision[];
}

/** A running sandboxed command with streams, as from child_process.spawn. */
export interface SandboxProcess {
  pid: number | undefined;
  stdin: Writable | null;
  stdout: Readable;
  stderr: Readable;
  /** The launcher's enforcement report, as soon as the command starts. */
  report: Promise<EnforcementReport | null>;
  /** Settles when the command and everything it left behind are gone. */
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; timedOut: boolean; aborted: boolean }>;
  /** Signals the command and every process it started. */
  kill(signal?: NodeJS.Signals): void;
}

const DEFAULT_MAX_BUFFER = 10 * 1024 * 1024;
const DEFAULT_GRACE_MS = 2000;
const REPORT_FD = 3;

function policyLayers(policy: SandboxOptions["policy"], workdir: string): Layer[] {
  if (policy === undefined) return loadChain("agent");
  if (typeof policy === "string") return isProfile(policy) ? loadChain(policy) : loadChain(resolve(policy));
  return chainFrom(validatePolicy(policy, "policy object"), "policy object", workdir);
}

/** One sandbox per project directory. Every command it runs gets a fresh
 * Landlock domain and seccomp filter from the launcher; nothing is shared
 * between sandboxes but the Node process. */
export class Sandbox {
  readonly workdir: string;
  readonly policy: ResolvedPolicy;
  private readonly shell: string;
  private readonly launcher: string;
  private readonly maxAbi?: number;
  private proxy?: Promise<EgressProxy>;
  /** Who owns the run's private directory: the policy's user, looked up
   * once (getent) rather than on every command. */
  private readonly owner?: { uid: number; gid: number };

  constructor(options: SandboxOptions) {
    if (!options || typeof options.workdir !== "string") throw new TypeError("Sandbox: options.workdir is required");
    this.workdir = checkWorkdir(options.workdir);
    this.policy = resolvePolicy(policyLayers(options.policy, this.workdir), this.workdir);
    const hard = this.policy.compat === "hard";
    if (hard && this.policy.notEnforced.length) {
      throw new PolicyError(
        this.policy.chain.at(-1) ?? "policy",
        `asks for what cordon does not enforce yet (use best_effort to run without it): ${this.policy.notEnforced
          .map((n) => `${n.key}: ${n.reason}`)
          .join("; ")}`,
      );
    }
    this.owner = this.policy.user === undefined ? undefined : resolveIdentity(this.policy.user, this.policy.group);
    this.shell = options.shell ?? "bash";
    this.launcher = launcherPath();
    this.maxAbi = options.maxAbi;
  }

  /** The egress proxy of this sandbox, started on first use (proxy mode). */
  private egress(): Promise<EgressProxy> | undefined {
    if (this.policy.network !== "proxy") return undefined;
    this.proxy ??= EgressProxy.start({ policy: this.policy.egress });
    return this.proxy;
  }

  /** Stops the egress proxy, if one was started. Commands still running
   * lose their network. */
  async close(): Promise<void> {
    const proxy = this.proxy;
    this.proxy = undefined;
    if (proxy) await (await proxy).close();
  }

  /** Same as the constructor; async for symmetry with callers that await. */
  static async create(options: SandboxOptions): Promise<Sandbox> {
    return new Sandbox(options);
  }

  private argv(command: string | readonly string[]): string[] {
    if (typeof command === "string") return [this.shell, "-c", command];
    if (!Array.isArray(command) || command.length === 0 || command.some((a) => typeof a !== "string")) {
      throw new TypeError("command must be a string or a non-empty array of strings");
    }
    return [...command];
  }

  private cwd(cwd: string | undefined): string {
    if (cwd === undefined) return this.workdir;
    const path = resolve(this.workdir, cwd);
    const rel = relative(this.workdir, path);
    if (rel.startsWith("..") || resolve(this.workdir, rel) !== path) {
      throw new TypeError(`cwd: ${cwd} is outside the workdir ${this.workdir}`);
    }
    return path;
  }

  /** Starts a command with streams. String commands run through the shell. */
  async spawn(command: string | readonly string[], options: ExecOptions = {}): Promise<SandboxProcess> {
    const proxy = await this.egress();
    return this.start(this.argv(command), options, "pipe", proxy).process;
  }

  private start(argv: string[], options: ExecOptions, stdin: "pipe" | "ignore", proxy: EgressProxy | undefined) {
    const cwd = this.cwd(options.cwd);
    const scratch: Scratch | undefined = this.policy.privateTmp ? createScratch(this.owner) : undefined;
    let child: ChildProcess;
    let envReport: EnvReport;
    try {
      const { env, removed } = buildEnv(this.policy.env, process.env, {
        home: scratch?.home ?? this.workdir,
        tmpdir: scratch?.tmp,
        user: this.policy.user,
      });
      envReport = { inherit: this.policy.env.inherit, removed };
      const spec: LaunchSpec = {
        ...planRun(this.policy, this.workdir, scratch, proxy?.port),
        cwd,
        // A session of its own that nothing can leave: the whole tree can
        // be found and killed, and no terminal is shared with the caller.
        newSession: true,
        lockSession: true,
        reportFd: REPORT_FD,
        maxAbi: this.maxAbi,
        command: argv,
      };
      child = spawn(this.launcher, launcherArgs(spec), {
        stdio: [stdin, "pipe", "pipe", "pipe"],
        env: { ...env, ...(proxy ? proxyEnv(proxy.port) : {}), ...options.env },
      });
    } catch (error) {
      scratch?.remove();
      throw error;
    }
    const started = process.hrtime.bigint();
    let timedOut = false;
    let aborted = false;
    const timers: NodeJS.Timeout[] = [];
    const pid = child.pid;

    const killAll = (signal: NodeJS.Signals) => {
      if (pid === undefined) return;
      killSession(pid, signal);
    };
    let swept = false;
    const sweep = () => {
      if (swept) return;
      swept = true;
      killAll("SIGKILL");
    };
    const terminate = () => {
      killAll(options.killSignal ?? "SIGTERM");
      const grace = setTimeout(() => killAll("SIGKILL"), options.forceKillAfterDelay ?? DEFAULT_GRACE_MS);
      grace.unref();
      timers.push(grace);
    };
    if (options.timeout !== undefined && options.timeout > 0) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          terminate();
        }, options.timeout),
      );
    }
    const onAbort = () => {
      aborted = true;
      terminate();
    };
    if (options.cancelSignal?.aborted) queueMicrotask(onAbort);
    else options.cancelSignal?.addEventListener("abort", onAbort, { once: true });

    const reportChunks: Buffer[] = [];
    const reportStream = child.stdio[REPORT_FD] as Readable;
    reportStream.on("data", (chunk: Buffer) => reportChunks.push(chunk));
    const report = new Promise<EnforcementReport | null>((done) => {
      reportStream.on("close", () => {
        try {
          done({ ...parseReport(Buffer.concat(reportChunks).toString("utf8")), env: envReport });
        } catch {
          done(null);
        }
      });
    });

    const exited = new Promise<{
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      timedOut: boolean;
      aborted: boolean;
    }>((done, fail) => {
      child.on("error", (error) => {
        for (const timer of timers) clearTimeout(timer);
        scratch?.remove();
        fail(error);
      });
      // The command is gone: whatever it left running in its session goes
      // with it, so nothing outlives the run or holds its pipes open. The
      // process group (the usual case) at once; the rest of the session
      // (processes that moved to a group of their own) after a scan of
      // /proc, off the path to the result.
      child.on("exit", () => {
        if (pid === undefined) return;
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // nothing left in the group
        }
        setImmediate(sweep);
      });
      child.on("close", (exitCode, signal) => {
        for (const timer of timers) clearTimeout(timer);
        options.cancelSignal?.removeEventListener("abort", onAbort);
        // Nothing of the run may be alive while its directory is deleted.
        sweep();
        scratch?.remove({ mayRace: false });
        done({ exitCode, signal, timedOut, aborted });
      });
    });

    if (stdin === "pipe" && options.input !== undefined) child.stdin?.end(options.input);
    const process_: SandboxProcess = {
      pid,
      stdin: child.stdin,
      stdout: child.stdout as Readable,
      stderr: child.stderr as Readable,
      report,
      exited,
      kill: (signal = "SIGTERM") => killAll(signal),
    };
    return { process: process_, started };
  }

  /** Runs a command to completion and returns everything a caller needs to
   * show a model. String commands run through the shell. */
  async exec(
    command: string | readonly string[],
    options?: ExecOptions & { encoding?: BufferEncoding },
  ): Promise<ExecResult<string>>;
  async exec(
    command: string | readonly string[],
    options: ExecOptions & { encoding: "buffer" },
  ): Promise<ExecResult<Buffer>>;
  async exec(command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult<string | Buffer>> {
    const argv = this.argv(command);
    const display = typeof command === "string" ? command : argv.join(" ");
    const proxy = await this.egress();
    const seen = proxy?.decisions.length ?? 0;
    const { process: proc, started } = this.start(
      argv,
      options,
      options.input === undefined ? "ignore" : "pipe",
      proxy,
    );
    const max = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
    const out = new CappedOutput(max);
    const err = new CappedOutput(max);
    proc.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    proc.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    const [ended, report] = await Promise.all([proc.exited, proc.report]);
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    const encoding = options.encoding ?? "utf8";
    const stderrText = err.value().toString("utf8");
    const decode = (b: Buffer) => (encoding === "buffer" ? b : b.toString(encoding));

    if (report?.status === "refused" || (report === null && ended.exitCode === 125 && !ended.timedOut)) {
      throw new SandboxError(
        `cordon refused to run ${display}: ${report?.failure ?? stderrText.trim() ?? "no report"}`,
        { command: display, exitCode: ended.exitCode, stderr: stderrText, report },
      );
    }
    const result: ExecResult<string | Buffer> = {
      command: display,
      argv,
      exitCode: ended.exitCode,
      signal: ended.signal,
      stdout: decode(out.value()),
      stderr: decode(err.value()),
      durationMs,
      timedOut: ended.timedOut,
      aborted: ended.aborted,
      truncated: out.truncated || err.truncated ? { stdout: out.truncated, stderr: err.truncated } : false,
      report,
      violations: findViolations(stderrText),
      // The run's session id is its launcher's pid: every process of the
      // run stays in that session (--lock-session).
      network: (proxy?.decisions.slice(seen) ?? []).filter((d) => d.sid === proc.pid),
    };
    if (options.reject && (ended.exitCode !== 0 || ended.signal || ended.timedOut || ended.aborted)) {
      const why = ended.timedOut
        ? `timed out after ${options.timeout} ms`
        : ended.aborted
          ? "was aborted"
          : ended.signal
            ? `was killed by ${ended.signal}`
            : `exited with ${ended.exitCode}`;
      throw new CommandError(`Command ${why}: ${display}`, result as ExecResult<string>);
    }
    return result;
  }
}
