import { resolve } from "node:path";
import { ACCESS_LETTERS, normalizeAccess } from "../launcher/access.js";
import { GAP_NAMES, RLIMIT_NAMES, type RlimitName } from "../launcher/spec.js";
import { isProfile, PROFILES } from "../policy/profiles.js";
import { discoverPolicy, flagsLayer, type Layer, loadChain } from "../policy/resolve.js";
import type { PolicyDocument } from "../policy/schema.js";
import { type OptionSpec, oneOf, UsageError } from "./args.js";

/** Flags that choose or add to a policy; shared by `run` and `policy explain`. */
export const POLICY_FLAGS: Record<string, OptionSpec> = {
  "--policy": { value: true },
  "--profile": { value: true },
  "--workdir": { value: true },
  "--ro": { value: true, repeat: true },
  "--rw": { value: true, repeat: true },
  "--allow": { value: true, repeat: true },
  "--net": { value: true },
  "--compat": { value: true },
  "--accept-gap": { value: true, repeat: true },
  "--user": { value: true },
  "--group": { value: true },
  "--allow-unix-sockets": { value: false },
  "--allow-host": { value: true, repeat: true },
  "--allow-port": { value: true, repeat: true },
  "--new-session": { value: false },
  "--rlimit": { value: true, repeat: true },
};

function parseAllow(value: string): { path: string; access: string } {
  const colon = value.lastIndexOf(":");
  if (colon <= 0) throw new UsageError(`--allow: '${value}' is not PATH:ACCESS`);
  return { path: value.slice(0, colon), access: value.slice(colon + 1) };
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

/** The policy document the flags amount to: added on top of the chosen
 * policy, so flags and policy files share one meaning. */
export function flagsDocument(options: Map<string, string[]>): PolicyDocument {
  const one = (flag: string) => options.get(flag)?.[0];
  const all = (flag: string) => options.get(flag) ?? [];
  const rules = [
    ...all("--ro").map((path) => ({ path, access: "rx" })),
    ...all("--rw").map((path) => ({ path, access: "rwx" })),
    ...all("--allow").map(parseAllow),
  ];
  for (const rule of rules) {
    if (rule.access === "") {
      throw new UsageError(
        `--allow: access is empty in '${rule.path}:'; give letters from ${ACCESS_LETTERS.join(", ")}`,
      );
    }
    try {
      normalizeAccess(rule.access, "--allow");
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const doc: PolicyDocument = { version: 1 };
  if (rules.length) doc.filesystem_policy = { rules };
  const net = one("--net");
  const hosts = all("--allow-host");
  const ports = all("--allow-port").map((p) => {
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535)
      throw new UsageError(`--allow-port: '${p}' is not a port`);
    return Number(p);
  });
  if (net !== undefined || hosts.length || ports.length || options.has("--allow-unix-sockets")) {
    doc.network = {
      ...(net !== undefined ? { mode: oneOf("--net", net, ["none", "host", "proxy"] as const) } : {}),
      ...(hosts.length ? { allow: hosts } : {}),
      ...(ports.length ? { direct_tcp_ports: ports } : {}),
      ...(options.has("--allow-unix-sockets") ? { allow_unix_sockets: true } : {}),
    };
  }
  const compat = one("--compat");
  const gaps = all("--accept-gap").map((gap) => oneOf("--accept-gap", gap, GAP_NAMES));
  if (compat !== undefined || gaps.length) {
    doc.landlock = {
      ...(compat !== undefined
        ? {
            compatibility:
              oneOf("--compat", compat, ["hard", "best"] as const) === "hard" ? "hard_requirement" : "best_effort",
          }
        : {}),
      ...(gaps.length ? { accept_gaps: gaps } : {}),
    };
  }
  const user = one("--user");
  const group = one("--group");
  if (group !== undefined && user === undefined) throw new UsageError("--group: give --user too");
  const rlimits = all("--rlimit").map(parseRlimit);
  if (user !== undefined || rlimits.length || options.has("--new-session")) {
    doc.process = {
      ...(user !== undefined ? { run_as_user: user } : {}),
      ...(group !== undefined ? { run_as_group: group } : {}),
      ...(rlimits.length ? { rlimits: Object.fromEntries(rlimits) } : {}),
      ...(options.has("--new-session") ? { new_session: true } : {}),
    };
  }
  return doc;
}

export interface Selected {
  workdir: string;
  layers: Layer[];
  /** How the base policy was chosen, for `explain` and the run's notice. */
  source: string;
  discovered: boolean;
}

/** An explicit --policy, else --profile, else a policy file in the workdir
 * (cordon.yaml, .cordon/policy.yaml), else the agent profile; then the flags
 * on top. */
export function selectPolicy(options: Map<string, string[]>): Selected {
  const workdir = resolve(options.get("--workdir")?.[0] ?? process.cwd());
  const file = options.get("--policy")?.[0];
  const profile = options.get("--profile")?.[0];
  if (file !== undefined && profile !== undefined) {
    throw new UsageError("--policy and --profile: give one (a policy file says what it extends)");
  }
  if (profile !== undefined && !isProfile(profile)) {
    throw new UsageError(`--profile: unknown profile '${profile}' (known: ${[...PROFILES.keys()].join(", ")})`);
  }
  let base: string;
  let source: string;
  let discovered = false;
  if (file !== undefined) {
    base = resolve(file);
    source = `--policy ${base}`;
  } else if (profile !== undefined) {
    base = profile;
    source = `--profile ${profile}`;
  } else {
    const found = discoverPolicy(workdir);
    discovered = found !== undefined;
    base = found ?? "agent";
    source = found ? `${found} (found in the workdir)` : "the built-in agent profile (no policy file given or found)";
  }
  // A discovered file sits in the workdir, which the sandboxed command can
  // write: it is read only if it is a regular file, never through a link.
  const layers = [...loadChain(base, [], { noFollow: discovered })];
  const flags = flagsDocument(options);
  if (Object.keys(flags).length > 1) layers.push(flagsLayer(flags));
  return { workdir, layers, source, discovered };
}
