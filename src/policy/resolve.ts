import { existsSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { normalizeAccess } from "../launcher/access.js";
import type { Compat, GapName, RlimitName } from "../launcher/spec.js";
import { checkAllowEntry, type EgressPolicy } from "../network/index.js";
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
  /** Proxy mode's allowlist. */
  egress: EgressPolicy;
  /** TCP ports reachable directly, on any address (Landlock filters ports). */
  directTcpPorts: number[];
  env: EnvPolicy;
  notEnforced: NotEnforced[];
}

function callerContext(baseDir: string): PathContext {
  return { baseDir, home: process.env.HOME || homedir(), env: process.env };
}

/** Loads a profile or a file and everything it extends, base first. */
export function loadChain(source: string, seen: string[] = [], options: { noFollow?: boolean } = {}): Layer[] {
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
  return chainFrom(loadPolicyFile(file, options), file, dirname(file), [...seen, key]);
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
  /** Already a path (the workdir): no ~ or ${VAR} expansion. */
  literal?: boolean;
  access: string;
  optional: boolean;
  origin: string;
  ctx: PathContext;
  layer: string;
}

function expand(p: Pending): { path: string; steps: string[] } {
  if (p.literal) return { path: p.written, steps: [] };
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

/** host:port needs brackets around an IPv6 address. */
function formatHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function checkEntry(entry: string, source: string, key: string): void {
  const problem = checkAllowEntry(entry);
  if (problem) throw new PolicyError(source, `${key}: ${problem} (got ${JSON.stringify(entry)})`);
}

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
    egress: { rules: [] },
    directTcpPorts: [],
    env: { inherit: "minimal", pass: [], set: {}, scrub: [] },
    notEnforced: [],
  };
  let includeWorkdir: { value: boolean; origin: string } = { value: false, origin: "" };
  let modeSource: string | undefined;
  const addEgress = (ruleName: string, allow: string[], binaries: string[] | undefined) => {
    const same = out.egress.rules.find(
      (r) => r.name === ruleName && r.binaries === undefined && binaries === undefined,
    );
    if (same) same.allow.push(...allow);
    else out.egress.rules.push({ name: ruleName, allow, ...(binaries ? { binaries } : {}) });
  };

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
    if (net?.mode) {
      out.network = net.mode;
      modeSource = name;
    }
    if (net?.allow_unix_sockets !== undefined) out.allowUnixSockets = net.allow_unix_sockets;
    net?.allow?.forEach((entry, i) => {
      checkEntry(entry, name, `network.allow[${i}]`);
      addEgress(`${name === "flags" ? "--allow-host" : "network.allow"}`, [entry], undefined);
    });
    for (const port of net?.direct_tcp_ports ?? []) {
      if (!out.directTcpPorts.includes(port)) out.directTcpPorts.push(port);
    }

    if (doc.env?.inherit) out.env.inherit = doc.env.inherit;
    out.env.pass.push(...(doc.env?.pass ?? []));
    out.env.scrub.push(...(doc.env?.scrub ?? []));
    Object.assign(out.env.set, doc.env?.set ?? {});

    // OpenShell's network rules: each endpoint's host and port are enforced
    // by the proxy (with allowed_ips as explicit address grants), binaries
    // by identifying the connecting process. L7 inspection is not.
    for (const [rule, policy] of Object.entries(doc.network_policies ?? {})) {
      const allow: string[] = [];
      (policy.endpoints ?? []).forEach((e, i) => {
        const where = `network_policies.${rule}.endpoints[${i}]`;
        allow.push(`${formatHost(e.host)}:${e.port}`);
        checkEntry(allow[allow.length - 1] as string, name, where);
        for (const ip of e.allowed_ips ?? []) {
          const entry = `${formatHost(ip)}:${e.port}`;
          checkEntry(entry, name, `${where}.allowed_ips`);
          allow.push(entry);
        }
        const l7 = L7_KEYS.filter((k) => k !== "allowed_ips" && e[k] !== undefined);
        if (l7.length) {
          out.notEnforced.push({
            key: where,
            source: name,
            reason: `L7 inspection (${l7.join(", ")}) is not enforced: cordon allows or refuses ${e.host}:${e.port} as a whole`,
          });
        }
      });
      addEgress(
        `network_policies.${rule}`,
        allow,
        policy.binaries?.map((b) => b.path),
      );
    }
    for (const middleware of Object.keys(doc.network_middlewares ?? {})) {
      out.notEnforced.push({
        key: `network_middlewares.${middleware}`,
        source: name,
        reason: "network middlewares are not implemented",
      });
    }
  }

  // Egress rules mean proxy mode; a mode that contradicts them is an error,
  // not a silent choice between them.
  if (out.egress.rules.length) {
    if (modeSource === undefined) out.network = "proxy";
    else if (out.network !== "proxy") {
      throw new PolicyError(
        modeSource,
        `network.mode: '${out.network}' contradicts the egress rules (${out.egress.rules.map((r) => r.name).join(", ")}); use mode: proxy`,
      );
    }
  }
  if (out.directTcpPorts.length && out.network === "host") {
    throw new PolicyError(
      modeSource ?? "policy",
      "network.direct_tcp_ports: with mode: host every port is open already",
    );
  }

  if (out.group !== undefined && out.user === undefined) {
    const source = layers.findLast((l) => l.doc.process?.run_as_group !== undefined)?.name ?? "policy";
    throw new PolicyError(source, "process.run_as_group: give process.run_as_user too");
  }
  if (includeWorkdir.value) {
    pending.push({
      written: workdir,
      literal: true,
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
