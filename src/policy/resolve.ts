import { existsSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { normalizeAccess } from "../launcher/access.js";
import type { Compat, GapName, RlimitName } from "../launcher/spec.js";
import type { EnvPolicy } from "../sandbox/env.js";
import { keyPath, loadPolicyFile, PolicyError, validatePolicy } from "./load.js";
import { expandPath, kernelPath, type PathContext, PathExpansionError } from "./paths.js";
import { isProfile, PROFILES } from "./profiles.js";
import type { PolicyDocument } from "./schema.js";

/** One policy in an `extends` chain, with what its paths are relative to. */
export interface Layer {
  /** "profile agent", a file's absolute path, or "flags". */
  name: string;
  doc: PolicyDocument;
  ctx: PathContext;
  /** A file with no `extends`: OpenShell's defaults apply to it. */
  root: boolean;
}

/** A rule after expansion and merging: one per path the kernel will see. */
export interface ResolvedRule {
  path: string;
  access: string;
  optional: boolean;
  /** Where each contribution came from: "FILE: key.path" or "profile agent". */
  origins: string[];
  /** How the written paths became this one (~, ${VAR}, relative, symlinks). */
  expansions: string[];
}

export type NetworkMode = "none" | "host" | "proxy";

export interface NotEnforced {
  key: string;
  source: string;
  reason: string;
}

/** The effective policy: what `cordon run` compiles into launcher argv and
 * what `cordon policy explain` shows. */
export interface ResolvedPolicy {
  chain: string[];
  rules: ResolvedRule[];
  privateTmp: boolean;
  compat: Compat;
  minAbi?: number;
  acceptGaps: GapName[];
  user?: string;
  group?: string;
  rlimits: Partial<Record<RlimitName, number>>;
  newSession: boolean;
  network: NetworkMode;
  allowUnixSockets: boolean;
  allowHosts: string[];
  env: EnvPolicy;
  notEnforced: NotEnforced[];
}

function callerContext(baseDir: string): PathContext {
  return { baseDir, home: process.env.HOME || homedir(), env: process.env };
}

/** Loads a profile or a file and everything it extends, base first. */
export function loadChain(source: string, seen: string[] = []): Layer[] {
  if (isProfile(source)) {
    const profile = PROFILES.get(source);
    if (!profile) throw new Error(`unknown profile '${source}'`);
    return [{ name: `profile ${source}`, doc: profile.policy, ctx: callerContext("/"), root: false }];
  }
  const file = resolve(source);
  const key = existsSync(file) ? realpathSync(file) : file;
  if (seen.includes(key)) {
    throw new PolicyError(file, `extends itself through ${[...seen, key].join(" -> ")}`);
  }
  return chainFrom(loadPolicyFile(file), file, dirname(file), [...seen, key]);
}

/** A layer for a document (a file's, or an object given to the SDK, whose
 * relative paths and `extends` resolve against baseDir), after the chain it
 * extends. */
export function chainFrom(doc: PolicyDocument, name: string, baseDir: string, seen: string[] = []): Layer[] {
  const layer: Layer = { name, doc, ctx: callerContext(baseDir), root: doc.extends === undefined };
  if (doc.extends === undefined) return [layer];
  const base = isProfile(doc.extends) ? doc.extends : resolve(baseDir, doc.extends);
  if (!isProfile(doc.extends) && !existsSync(base)) {
    throw new PolicyError(
      name,
      `extends: '${doc.extends}' is neither a built-in profile (${[...PROFILES.keys()].join(", ")}) nor an existing file`,
    );
  }
  return [...loadChain(base, seen), layer];
}

/** A layer made from command-line flags; paths are relative to the cwd. */
export function flagsLayer(doc: PolicyDocument): Layer {
  return { name: "flags", doc: validatePolicy(doc, "flags"), ctx: callerContext(process.cwd()), root: false };
}

interface Pending {
  written: string;
  access: string;
  optional: boolean;
  origin: string;
  ctx: PathContext;
  layer: string;
}

function expand(p: Pending): { path: string; steps: string[] } {
  try {
    return expandPath(p.written, p.ctx);
  } catch (error) {
    if (error instanceof PathExpansionError) throw new PolicyError(p.layer, `${p.origin}: ${error.message}`);
    throw error;
  }
}

/** Merges rules that reach the same path: rights only add up in Landlock, so
 * the union is what the kernel will enforce anyway; optional only if every
 * contribution is. */
function mergeRules(pending: Pending[]): ResolvedRule[] {
  const byPath = new Map<string, ResolvedRule>();
  for (const p of pending) {
    const { path: expanded, steps } = expand(p);
    const path = kernelPath(expanded);
    if (path !== expanded) steps.push(`symlinks lead to ${path}`);
    const origin = p.layer === p.origin ? p.origin : `${p.layer}: ${p.origin}`;
    const expansion = steps.length ? [`${p.written}: ${steps.join(", ")}`] : [];
    const seen = byPath.get(path);
    if (seen) {
      seen.access = normalizeAccess(seen.access + p.access, origin);
      seen.optional = seen.optional && p.optional;
      seen.origins.push(origin);
      seen.expansions.push(...expansion);
    } else {
      byPath.set(path, { path, access: p.access, optional: p.optional, origins: [origin], expansions: expansion });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const L7_KEYS = ["path", "protocol", "tls", "enforcement", "access", "rules", "deny_rules", "allowed_ips"] as const;

/** Folds a chain of layers into the effective policy. Lists add up (rules,
 * accepted gaps, hosts, limits, env); a scalar set by a later layer replaces
 * the earlier one. `workdir` is granted read+write+exec when the effective
 * include_workdir is true. */
export function resolvePolicy(layers: Layer[], workdir: string): ResolvedPolicy {
  const pending: Pending[] = [];
  const out: ResolvedPolicy = {
    chain: layers.map((l) => l.name),
    rules: [],
    privateTmp: false,
    compat: "hard",
    acceptGaps: [],
    rlimits: {},
    newSession: false,
    network: "none",
    allowUnixSockets: false,
    allowHosts: [],
    env: { inherit: "minimal", pass: [], set: {}, scrub: [] },
    notEnforced: [],
  };
  let includeWorkdir: { value: boolean; origin: string } = { value: false, origin: "" };

  for (const layer of layers) {
    const { doc, name } = layer;
    const fs = doc.filesystem_policy;
    const add = (written: string, access: string, optional: boolean, origin: string) =>
      pending.push({ written, access, optional, origin, ctx: layer.ctx, layer: name });

    // OpenShell: without a filesystem_policy the workdir is included; with
    // one, include_workdir defaults to false.
    if (layer.root && fs === undefined) includeWorkdir = { value: true, origin: `${name}: (no filesystem_policy)` };
    if (fs?.include_workdir !== undefined) {
      includeWorkdir = { value: fs.include_workdir, origin: `${name}: filesystem_policy.include_workdir` };
    }
    fs?.read_only?.forEach((p, i) => {
      add(p, "rx", false, `filesystem_policy.read_only[${i}]`);
    });
    fs?.read_write?.forEach((p, i) => {
      add(p, "rwx", false, `filesystem_policy.read_write[${i}]`);
    });
    fs?.rules?.forEach((r, i) => {
      add(
        r.path,
        normalizeAccess(r.access, `${name}: filesystem_policy.rules[${i}].access`),
        r.optional ?? false,
        `filesystem_policy.rules[${i}]`,
      );
    });
    if (fs?.private_tmp !== undefined) out.privateTmp = fs.private_tmp;

    const ll = doc.landlock;
    if (ll?.compatibility) out.compat = ll.compatibility === "best_effort" ? "best" : "hard";
    if (ll?.min_abi !== undefined) out.minAbi = ll.min_abi;
    for (const gap of ll?.accept_gaps ?? [])
      if (!out.acceptGaps.includes(gap as GapName)) out.acceptGaps.push(gap as GapName);

    const proc = doc.process;
    if (proc?.run_as_user !== undefined) out.user = String(proc.run_as_user);
    if (proc?.run_as_group !== undefined) out.group = String(proc.run_as_group);
    if (proc?.rlimits) Object.assign(out.rlimits, proc.rlimits);
    if (proc?.new_session !== undefined) out.newSession = proc.new_session;

    const net = doc.network;
    if (net?.mode) out.network = net.mode;
    if (net?.allow_unix_sockets !== undefined) out.allowUnixSockets = net.allow_unix_sockets;
    if (net?.allow) out.allowHosts.push(...net.allow);

    if (doc.env?.inherit) out.env.inherit = doc.env.inherit;
    out.env.pass.push(...(doc.env?.pass ?? []));
    out.env.scrub.push(...(doc.env?.scrub ?? []));
    Object.assign(out.env.set, doc.env?.set ?? {});

    for (const [rule, policy] of Object.entries(doc.network_policies ?? {})) {
      const endpoints = (policy.endpoints ?? []).map((e) => `${e.host}:${e.port}`).join(", ") || "no endpoints";
      const l7 = (policy.endpoints ?? []).some((e) => L7_KEYS.some((k) => e[k] !== undefined));
      out.notEnforced.push({
        key: `network_policies.${rule}`,
        source: name,
        reason:
          `allows ${endpoints}${policy.binaries?.length ? ` for ${policy.binaries.map((b) => b.path).join(", ")}` : ""}` +
          `${l7 ? " with L7 rules" : ""}; cordon has no egress proxy yet, so the network stays closed`,
      });
    }
    for (const middleware of Object.keys(doc.network_middlewares ?? {})) {
      out.notEnforced.push({
        key: `network_middlewares.${middleware}`,
        source: name,
        reason: "network middlewares are not implemented",
      });
    }
  }

  if (out.network === "proxy") {
    out.notEnforced.push({
      key: "network.mode",
      source: layers.findLast((l) => l.doc.network?.mode)?.name ?? "policy",
      reason: "proxy mode is not built yet; the network stays closed (as mode: none)",
    });
  }
  if (out.allowHosts.length > 0) {
    out.notEnforced.push({
      key: "network.allow",
      source: layers.findLast((l) => l.doc.network?.allow)?.name ?? "policy",
      reason: `allows ${out.allowHosts.join(", ")}; needs the egress proxy, not built yet`,
    });
  }
  if (out.group !== undefined && out.user === undefined) {
    const source = layers.findLast((l) => l.doc.process?.run_as_group !== undefined)?.name ?? "policy";
    throw new PolicyError(source, "process.run_as_group: give process.run_as_user too");
  }
  if (includeWorkdir.value) {
    pending.push({
      written: workdir,
      access: "rwx",
      optional: false,
      origin: includeWorkdir.origin,
      ctx: callerContext("/"),
      layer: includeWorkdir.origin,
    });
  }
  out.rules = mergeRules(pending);
  return out;
}

/** The policy file a workdir carries, if any: cordon.yaml, then
 * .cordon/policy.yaml. */
export function discoverPolicy(workdir: string): string | undefined {
  for (const candidate of [join(workdir, "cordon.yaml"), join(workdir, ".cordon", "policy.yaml")]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export { keyPath };
