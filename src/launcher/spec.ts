import type { Access } from "./access.js";

/** One Landlock rule: access beneath a path (a directory and everything
 * under it, or a single file). */
export interface PathRule {
  path: string;
  access: Access;
  /** A missing path is skipped instead of failing the run. */
  optional?: boolean;
}

export type NetMode = "none" | "host";
export type Compat = "hard" | "best";

/** Protections a run can be missing on an older kernel; see docs/launcher.md. */
export const GAP_NAMES = [
  "landlock",
  "truncate",
  "net-tcp",
  "ioctl-dev",
  "scope-abstract-unix",
  "scope-signal",
  "resolve-unix",
  "rule",
  "seccomp",
] as const;
export type GapName = (typeof GAP_NAMES)[number];

/** Everything the launcher needs for one run. */
export interface LaunchSpec {
  rules: PathRule[];
  net: NetMode;
  compat: Compat;
  acceptGaps?: GapName[];
  /** The command's working directory. */
  cwd?: string;
  /** Variables set in the command's environment, on top of the inherited one. */
  setenv?: Record<string, string>;
  /** fd the launcher writes the enforcement report to. */
  reportFd?: number;
  /** fds >= 3 passed to the command; every other one is closed. */
  keepFds?: number[];
  /** Treat the kernel as if it had at most this Landlock ABI (tests). */
  maxAbi?: number;
  /** Refuse to run below this Landlock ABI, whatever the compat mode. */
  minAbi?: number;
  /** Run as this user (name or uid) and group; root callers only. */
  user?: string;
  group?: string;
  /** With net "none": TCP connect allowed to these ports (any address). */
  allowTcpConnect?: number[];
  /** Let socket(AF_UNIX) through the seccomp filter. */
  allowUnixSockets?: boolean;
  newSession?: boolean;
  /** Refuse setsid() inside so every process stays in the session. */
  lockSession?: boolean;
  processGroup?: boolean;
  dieWithParent?: boolean;
  rlimits?: Partial<Record<RlimitName, number>>;
  command: string[];
}

export const RLIMIT_NAMES = ["cpu", "as", "nofile", "nproc", "fsize", "core"] as const;
export type RlimitName = (typeof RLIMIT_NAMES)[number];

/** Compiles a spec into the launcher's argv (without the launcher path). The
 * grammar is documented in docs/launcher.md. */
export function launcherArgs(spec: LaunchSpec): string[] {
  if (spec.command.length === 0) throw new Error("no command given");
  const args: string[] = [];
  for (const rule of spec.rules) {
    args.push(rule.optional ? "--allow-if-exists" : "--allow", rule.access, rule.path);
  }
  args.push("--net", spec.net, "--compat", spec.compat);
  for (const gap of spec.acceptGaps ?? []) args.push("--accept-gap", gap);
  if (spec.cwd !== undefined) args.push("--chdir", spec.cwd);
  for (const [name, value] of Object.entries(spec.setenv ?? {})) {
    args.push("--setenv", `${name}=${value}`);
  }
  if (spec.reportFd !== undefined) args.push("--report-fd", String(spec.reportFd));
  for (const fd of spec.keepFds ?? []) args.push("--keep-fd", String(fd));
  if (spec.maxAbi !== undefined) args.push("--max-abi", String(spec.maxAbi));
  if (spec.minAbi !== undefined) args.push("--min-abi", String(spec.minAbi));
  if (spec.user !== undefined) args.push("--user", spec.user);
  if (spec.group !== undefined) args.push("--group", spec.group);
  for (const port of spec.allowTcpConnect ?? []) args.push("--allow-tcp-connect", String(port));
  if (spec.allowUnixSockets) args.push("--allow-unix-sockets");
  if (spec.newSession) args.push("--new-session");
  if (spec.lockSession) args.push("--lock-session");
  if (spec.processGroup) args.push("--process-group");
  if (spec.dieWithParent) args.push("--die-with-parent");
  for (const [name, value] of Object.entries(spec.rlimits ?? {})) args.push("--rlimit", `${name}=${value}`);
  args.push("--", ...spec.command);
  return args;
}
