import type { Probe } from "../cli/check.js";
import { ABI_FEATURES } from "../launcher/abi.js";
import { ACCESS_LETTERS } from "../launcher/access.js";
import type { ResolvedPolicy, ResolvedRule } from "./resolve.js";

function isUnder(path: string, ancestor: string): boolean {
  return ancestor === "/" ? path !== "/" : path.startsWith(`${ancestor}/`);
}

/** The rights a path ends up with: its own and every granted ancestor's,
 * since a Landlock rule covers its whole subtree. */
function effectiveAccess(rule: ResolvedRule, rules: ResolvedRule[]): string {
  const letters = new Set(rule.access);
  for (const other of rules) if (isUnder(rule.path, other.path)) for (const c of other.access) letters.add(c);
  return ACCESS_LETTERS.filter((c) => letters.has(c)).join("");
}

/** What unix sockets the command can reach, on this kernel. */
function unixSockets(policy: ResolvedPolicy, abi: number): string {
  const granted = policy.rules.filter((r) => r.access.includes("c")).map((r) => r.path);
  if (abi >= 9) {
    return granted.length
      ? `held by Landlock: connect only to ${granted.join(", ")} (and to sockets the command creates)`
      : "held by Landlock: connect only to sockets the command creates (grant others with access c)";
  }
  if (policy.allowUnixSockets || granted.length) {
    return "allowed: below ABI 9 every pathname socket the command can name is reachable (docker.sock, ssh-agent)";
  }
  return "refused by seccomp (socketpair works); from ABI 9 Landlock holds them per path instead";
}

export interface ExplainInput {
  policy: ResolvedPolicy;
  source: string;
  workdir: string;
  probe: Probe & { seccomp_rules?: string[] };
}

/** `cordon policy explain`: the effective grants as a tree of paths, what the
 * kernel here will and will not enforce, and what is not enforced at all. */
export function explainPolicy({ policy, source, workdir, probe }: ExplainInput): string {
  const out: string[] = [];
  out.push(`policy:    ${source}`);
  out.push(`chain:     ${policy.chain.join(" -> ")}`);
  out.push(`workdir:   ${workdir}`);
  out.push(
    `mode:      ${policy.compat === "hard" ? "hard_requirement (refuse to run with any gap)" : "best_effort (run with gaps, warn)"}`,
  );
  out.push("");
  out.push("grants (deny by default; a rule covers its whole subtree):");
  const rules = policy.rules;
  const width = Math.min(60, Math.max(20, ...rules.map((r) => r.path.length + 2 * depth(r, rules))));
  for (const rule of rules) {
    const indent = "  ".repeat(depth(rule, rules) + 1);
    const effective = effectiveAccess(rule, rules);
    const notes = [rule.optional ? "optional" : "", effective !== rule.access ? `effective ${effective}` : ""]
      .filter(Boolean)
      .join(", ");
    out.push(
      `${`${indent}${rule.path}`.padEnd(width + 2)} ${rule.access.padEnd(3)}  ${rule.origins.join("; ")}${notes ? ` (${notes})` : ""}`,
    );
  }
  if (policy.privateTmp) {
    out.push(
      `${"  <private dir per run>".padEnd(width + 2)} rwx  private_tmp: becomes TMPDIR and HOME, removed afterwards`,
    );
  }
  if (rules.length === 0 && !policy.privateTmp) out.push("  (nothing)");
  const expansions = rules.flatMap((r) => r.expansions);
  if (expansions.length) {
    out.push("");
    out.push("path expansions:");
    for (const e of expansions) out.push(`  ${e}`);
  }

  out.push("");
  if (probe.abi < 1) {
    out.push(`kernel: Landlock unavailable (${probe.landlock_errno ?? "ABI 0"}): ${probe.landlock_hint ?? ""}`);
    out.push(
      policy.compat === "hard"
        ? "  a run refuses (exit 125)"
        : "  a run goes ahead with NOTHING enforced (best_effort)",
    );
  } else {
    out.push(`kernel: Landlock ABI ${probe.abi}`);
    for (const f of ABI_FEATURES) {
      const fallback = probe.abi < f.abi && f.fallback ? ` (instead: ${f.fallback})` : "";
      out.push(
        `  ${probe.abi >= f.abi ? "enforced    " : "NOT enforced"}  ABI ${String(f.abi).padEnd(2)} ${f.what}${fallback}`,
      );
    }
    const gaps = [3, 5, 6].filter((abi) => probe.abi < abi);
    if (gaps.length) {
      out.push(
        policy.compat === "hard"
          ? "  this kernel lacks protections the run asks for: hard mode refuses unless accepted (landlock.accept_gaps)"
          : "  this kernel lacks protections the run asks for: best_effort runs without them, warning",
      );
    }
  }
  out.push("");
  out.push("seccomp filter (always on):");
  for (const rule of probe.seccomp_rules ?? []) out.push(`  ${rule}`);
  out.push("");
  out.push(
    `network:   ${
      policy.network === "host"
        ? "host (UNRESTRICTED)"
        : policy.network === "proxy"
          ? "proxy: TCP only to cordon's egress proxy on 127.0.0.1 (Landlock), UDP and raw refused (seccomp)"
          : "none: TCP denied by Landlock, every inet socket refused by seccomp"
    }`,
  );
  for (const rule of policy.egress.rules) {
    out.push(
      `  allow ${rule.allow.join(", ")}${rule.binaries ? ` for ${rule.binaries.join(", ")}` : ""}  (${rule.name})`,
    );
  }
  if (policy.directTcpPorts.length) {
    out.push(
      `  direct TCP to ports ${policy.directTcpPorts.join(", ")} on ANY address (Landlock filters ports, not addresses)`,
    );
  }
  out.push(`unix sockets: ${unixSockets(policy, probe.abi)}`);
  const proc = [
    policy.user !== undefined ? `run as ${policy.user}${policy.group !== undefined ? `:${policy.group}` : ""}` : "",
    Object.keys(policy.rlimits).length
      ? `limits ${Object.entries(policy.rlimits)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}`
      : "",
    policy.newSession ? "new session" : "",
  ].filter(Boolean);
  out.push(`process:   ${proc.length ? proc.join(", ") : "the caller's user"}; all capabilities dropped; no_new_privs`);
  const env = policy.env;
  out.push(
    `env:       ${env.inherit === "all" ? "the caller's, minus secret-shaped names" : "minimal (PATH, HOME, USER, LANG/LC_*, TERM, TZ, TMPDIR, SHELL)"}` +
      (env.pass.length ? `; passes ${env.pass.join(", ")}` : "") +
      (Object.keys(env.set).length ? `; sets ${Object.keys(env.set).join(", ")}` : "") +
      (env.scrub.length ? `; also withholds ${env.scrub.join(", ")}` : ""),
  );
  if (policy.minAbi !== undefined) out.push(`min ABI:   ${policy.minAbi}`);
  if (policy.acceptGaps.length) out.push(`accepted gaps: ${policy.acceptGaps.join(", ")}`);
  if (policy.notEnforced.length) {
    out.push("");
    out.push(`NOT ENFORCED (${policy.compat === "hard" ? "a run refuses" : "a run warns and goes ahead without it"}):`);
    for (const n of policy.notEnforced) out.push(`  ${n.key} (${n.source}): ${n.reason}`);
  }
  return `${out.join("\n")}\n`;
}

function depth(rule: ResolvedRule, rules: ResolvedRule[]): number {
  return rules.filter((other) => isUnder(rule.path, other.path)).length;
}
