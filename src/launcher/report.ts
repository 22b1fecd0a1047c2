import type { Compat, GapName, NetMode } from "./spec.js";

/** What a run enforced, as the launcher wrote it just before exec (or just
 * before refusing). The schema is documented in docs/launcher.md. */
export interface EnforcementReport {
  cordon_exec: string;
  /** "refused": the command did not run; `failure` says why. */
  status: "running" | "refused";
  failure: string | null;
  /** The Landlock ABI used (the kernel's, capped by --max-abi); 0 without Landlock. */
  abi: number;
  /** The kernel's answer: its ABI, or -errno when Landlock is unusable. */
  kernel_abi: number;
  errata: number;
  compat: Compat;
  enforced: "full" | "partial" | "none";
  /** The value the command sees in CORDON_SANDBOX. */
  sandbox: "1" | "partial" | "0";
  landlock: {
    restricted: boolean;
    handled_fs: string[];
    handled_net: string[];
    scopes: string[];
    log_new_exec_on: boolean;
  };
  rule_count: number;
  rules: ReportRule[];
  net: { mode: NetMode; tcp: NetState; udp: NetState; tcp_connect_ports: number[] };
  seccomp: { installed: boolean; rules: string[] };
  /** The proof of enforcement: a directory outside the policy listed again
   * after restrict_self. */
  proof: { path: string | null; result: "denied" | "allowed" | "skipped"; note: string | null };
  gaps: ReportGap[];
  limits: string[];
  process: {
    uid: number;
    gid: number;
    groups: number[];
    user_switched: boolean;
    no_new_privs: boolean;
    caps_dropped: boolean;
    cap_effective: string;
    cap_permitted: string;
    cap_inheritable: string;
    cap_ambient: string;
    cap_bounding: string;
    pid: number;
    pgid: number;
    sid: number;
    die_with_parent: boolean;
    rlimits: Record<string, number>;
  };
  env?: EnvReport;
}

export type NetState = "denied" | "allowed" | "listed ports only" | "not restricted";

/** Added by the Node side: how the command's environment was built. */
export interface EnvReport {
  inherit: "minimal" | "all";
  /** Caller variables withheld because they look like secrets (names only). */
  removed: string[];
}

export interface ReportRule {
  path: string;
  access: string;
  optional: boolean;
  added: boolean;
  type?: "directory" | "file";
  rights?: string[];
  reason?: string;
}

export interface ReportGap {
  name: GapName;
  reason: string;
  accepted: boolean;
}

/** Parses the launcher's report; throws when it is missing or cut short. */
export function parseReport(text: string): EnforcementReport {
  const trimmed = text.trim();
  if (trimmed === "") throw new Error("the launcher wrote no enforcement report");
  const report = JSON.parse(trimmed) as EnforcementReport;
  if (typeof report.cordon_exec !== "string" || typeof report.enforced !== "string") {
    throw new Error("the enforcement report is not in the expected format");
  }
  return report;
}
