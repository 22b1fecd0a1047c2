/** The egress decision: may this process connect to host:port, resolved to
 * these addresses? A pure function of the policy and the input, so it is
 * tested on its own (test/unit/network-decide.test.ts). */
import {
  type AllowEntry,
  addressClass,
  formatDestination,
  formatIp,
  hostEntryMatches,
  type Ip,
  type IpEntry,
  netContains,
  normalizeHost,
  parseAllowEntry,
  parseIp,
} from "./allowlist.js";

/** One rule: destinations, optionally restricted to executables. */
export interface EgressRule {
  name: string;
  allow: string[];
  binaries?: string[];
}

export interface EgressPolicy {
  rules: EgressRule[];
}

export interface DecisionInput {
  /** The destination as the client named it: a host name or an IP literal. */
  host: string;
  port: number;
  /** The addresses the host name resolved to. Ignored when host is an IP literal (the literal is the address). */
  addresses: string[];
  /** The connecting executable (/proc/PID/exe), or null when identification failed. */
  exe: string | null;
}

export interface Verdict {
  allowed: boolean;
  /** The rule that allowed the connection; for a refusal, the rule that listed the destination but refused it
   * (binaries, identification, a non-public address), or null when no rule lists it. */
  rule: string | null;
  reason: string;
}

/** A verdict with the advice a refusal shows: the entry to add. */
export interface Evaluation extends Verdict {
  /** What to change to allow it; empty when allowed. */
  hint: string;
}

interface CompiledRule {
  rule: EgressRule;
  entries: AllowEntry[];
  binaries: string[];
}

function compile(policy: EgressPolicy): CompiledRule[] {
  return (policy.rules ?? []).map((rule) => ({
    rule,
    // An invalid entry matches nothing here; EgressProxy.start refuses a policy that has one.
    entries: (rule.allow ?? []).map(parseAllowEntry).filter((e): e is AllowEntry => typeof e !== "string"),
    binaries: rule.binaries ?? [],
  }));
}

function portMatches(entryPort: number | null, port: number): boolean {
  return entryPort === null || entryPort === port;
}

function ipEntryFor(entries: AllowEntry[], ip: Ip, port: number): IpEntry | undefined {
  return entries.find((e): e is IpEntry => e.kind === "ip" && portMatches(e.port, port) && netContains(e.net, ip));
}

function cliHint(dest: string, where = "network.allow in the policy"): string {
  return `allow "${dest}" (cordon run --allow-host ${dest}, or ${where})`;
}

function refused(reason: string, hint: string, rule: string | null = null): Evaluation {
  return { allowed: false, rule, reason, hint };
}

/**
 * Evaluates the policy. `addresses` null means "not resolved yet": the
 * result is then a refusal when no rule can allow host:port whatever it
 * resolves to, and null when resolution should go ahead. The proxy asks that
 * first, so it never resolves a name that no rule lists (no DNS lookups of
 * names the command chooses, which would leak data through DNS).
 */
function evaluateRules(policy: EgressPolicy, input: DecisionInput, resolved: boolean): Evaluation | null {
  const host = typeof input.host === "string" ? normalizeHost(input.host) : null;
  if (host === null) return refused(`invalid destination host ${JSON.stringify(input.host)}`, "");
  const port = input.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return refused(`invalid destination port ${JSON.stringify(port)}`, "");
  }
  const dest = formatDestination(host, port);
  const hostIp = parseIp(host);

  let addresses: Ip[] | null = null;
  if (hostIp) {
    addresses = [hostIp];
  } else if (resolved) {
    addresses = [];
    for (const text of input.addresses ?? []) {
      const ip = typeof text === "string" ? parseIp(text) : null;
      if (!ip) return refused(`the resolver returned ${JSON.stringify(text)} for ${host}, not an IP address`, "");
      if (!addresses.some((a) => a.family === ip.family && a.value === ip.value)) addresses.push(ip);
    }
  }

  let firstFailure: Evaluation | null = null;
  const fail = (e: Evaluation) => {
    firstFailure ??= e;
  };

  for (const { rule, entries, binaries } of compile(policy)) {
    // 1. The destination: a host entry for a name, an IP/CIDR entry for an IP literal.
    let matched: AllowEntry | undefined;
    if (hostIp) matched = ipEntryFor(entries, hostIp, port);
    else matched = entries.find((e) => e.kind === "host" && portMatches(e.port, port) && hostEntryMatches(e, host));
    if (!matched) continue;

    // 2. The executable.
    if (binaries.length > 0) {
      const only = `rule "${rule.name}" allows ${dest} only for ${binaries.join(", ")}`;
      if (input.exe === null || input.exe === undefined) {
        fail(
          refused(
            `${only}, and the connecting process could not be identified (identification failed)`,
            `allow "${dest}" in a rule without binaries, or see "identification" in docs/network.md`,
            rule.name,
          ),
        );
        continue;
      }
      if (!binaries.includes(input.exe)) {
        fail(
          refused(
            `${only}, and the connection came from ${input.exe}`,
            `add "${input.exe}" to the binaries of rule "${rule.name}", or allow "${dest}" in a rule without binaries`,
            rule.name,
          ),
        );
        continue;
      }
    }

    // 3. Every address. A non-public one needs an IP/CIDR entry of this rule.
    if (addresses === null) return null; // not resolved yet: resolution may go ahead
    if (addresses.length === 0) {
      fail(refused(`${host} did not resolve to any address`, "", rule.name));
      continue;
    }
    const explicit: string[] = [];
    let addressFailure: Evaluation | null = null;
    for (const ip of addresses) {
      const ipEntry = ipEntryFor(entries, ip, port);
      if (ipEntry) {
        if (ipEntry !== matched) explicit.push(`${formatIp(ip)} by "${ipEntry.entry}"`);
        continue;
      }
      const cls = addressClass(ip);
      if (cls) {
        const addrDest = formatDestination(formatIp(ip), port);
        addressFailure = refused(
          `${host} resolves to ${formatIp(ip)}, ${cls}: rule "${rule.name}" lists the name, ` +
            `and a host name never authorizes a non-public address`,
          `allow "${addrDest}" in rule "${rule.name}" (cordon run --allow-host ${addrDest}, or that rule's allow list)`,
          rule.name,
        );
        break;
      }
    }
    if (addressFailure) {
      fail(addressFailure);
      continue;
    }
    const also = explicit.length > 0 ? `; ${explicit.join(", ")}` : "";
    return {
      allowed: true,
      rule: rule.name,
      reason: `allowed by rule "${rule.name}": "${matched.entry}"${also}`,
      hint: "",
    };
  }

  if (firstFailure) return firstFailure;
  let reason = `no rule allows ${dest}`;
  if (hostIp) {
    const cls = addressClass(hostIp);
    if (cls) reason += ` (${host} is ${cls}: only an IP or CIDR entry allows it)`;
  }
  return refused(reason, cliHint(dest));
}

/** The verdict before any DNS: for an IP literal, the full verdict; for a name, a refusal when no rule can allow
 * host:port whatever it resolves to, or null when the proxy should resolve the name and then call evaluate(). */
export function precheck(policy: EgressPolicy, host: string, port: number, exe: string | null): Evaluation | null {
  return evaluateRules(policy, { host, port, addresses: [], exe }, false);
}

/** decide() with the hint a refusal shows. */
export function evaluate(policy: EgressPolicy, input: DecisionInput): Evaluation {
  const result = evaluateRules(policy, input, true);
  // With resolved addresses every path returns a result.
  return result ?? refused("internal error: no verdict", "");
}

/**
 * A connection is allowed when some rule matches the destination (a host entry for a name, an IP/CIDR entry for
 * an IP literal, and the port) and the rule has no binaries or lists the connecting executable (exact path), and
 * every resolved address passes: a public address passes; a non-public one (loopback, private, link-local,
 * unique-local, CGNAT, metadata, multicast...) only when an IP/CIDR entry of that same rule covers it. If any
 * address fails, the connection is refused. With binaries and exe null (identification failed) the rule does not
 * match.
 */
export function decide(policy: EgressPolicy, input: DecisionInput): Verdict {
  const { allowed, rule, reason } = evaluate(policy, input);
  return { allowed, rule, reason };
}
