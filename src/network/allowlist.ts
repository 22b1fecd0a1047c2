/** Allowlist entries, IP addresses and host names: parsing, matching, and the
 * special-purpose address ranges a host name never authorizes.
 * docs/network.md describes the syntax. */
import { isIPv4, isIPv6 } from "node:net";
import { domainToASCII } from "node:url";

/** An IP address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are always
 * turned into their IPv4 form (see canonicalIp), so one address has one
 * representation. */
export interface Ip {
  family: 4 | 6;
  value: bigint;
}

/** A network: an address and a prefix length. */
export interface IpNet extends Ip {
  prefix: number;
}

export interface HostEntry {
  kind: "host";
  /** The entry as written. */
  entry: string;
  /** Lowercase, without a trailing dot; for a wildcard, the part after `*.`. */
  host: string;
  wildcard: boolean;
  port: number | null;
}

export interface IpEntry {
  kind: "ip";
  entry: string;
  net: IpNet;
  port: number | null;
}

export type AllowEntry = HostEntry | IpEntry;

const BITS = { 4: 32, 6: 128 } as const;
const MAPPED_PREFIX = 0xffffn << 32n; // ::ffff:0:0/96

function parseV4(text: string): bigint | null {
  if (!isIPv4(text)) return null; // rejects leading zeros, so no octal ambiguity
  let value = 0n;
  for (const part of text.split(".")) value = (value << 8n) | BigInt(Number(part));
  return value;
}

function parseV6(text: string): bigint | null {
  // A zone index (fe80::1%eth0) names an interface of this host: never an entry or a destination.
  if (text.includes("%") || !isIPv6(text)) return null;
  let head = text;
  const tail: string[] = [];
  const lastColon = head.lastIndexOf(":");
  const last = head.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseV4(last);
    if (v4 === null) return null;
    tail.push((v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
    head = head.slice(0, lastColon + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  let groups: string[];
  const halves = head.split("::");
  if (halves.length === 2) {
    const left = halves[0] ? halves[0].split(":") : [];
    const right = halves[1] ? halves[1].split(":") : [];
    const missing = 8 - left.length - right.length - tail.length;
    if (missing < 1) return null;
    groups = [...left, ...Array<string>(missing).fill("0"), ...right, ...tail];
  } else if (halves.length === 1) {
    groups = [...(head ? head.split(":") : []), ...tail];
  } else {
    return null;
  }
  if (groups.length !== 8) return null;
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}

/** The IPv4 form of an IPv4-mapped IPv6 address; any other address unchanged. */
export function canonicalIp(ip: Ip): Ip {
  if (ip.family === 6 && ip.value >> 32n === MAPPED_PREFIX >> 32n) return { family: 4, value: ip.value & 0xffffffffn };
  return ip;
}

/** Parses an IP literal (no brackets, no zone index) into its canonical form;
 * null when it is not one. */
export function parseIp(text: string): Ip | null {
  const v4 = parseV4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseV6(text);
  if (v6 !== null) return canonicalIp({ family: 6, value: v6 });
  return null;
}

/** Dotted quad, or RFC 5952 text (lowercase, longest run of zeros compressed). */
export function formatIp(ip: Ip): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => ((v >> s) & 0xffn).toString()).join(".");
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** Whether net contains ip (same family after canonicalization). */
export function netContains(net: IpNet, ip: Ip): boolean {
  if (net.family !== ip.family) return false;
  const shift = BigInt(BITS[net.family] - net.prefix);
  return net.value >> shift === ip.value >> shift;
}

function parseNet(text: string, family: 4 | 6): IpNet | string {
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const ip = family === 4 ? parseV4(addressText) : parseV6(addressText);
  if (ip === null) {
    return family === 4 ? `"${addressText}" is not an IPv4 address` : `"${addressText}" is not an IPv6 address`;
  }
  let prefix: number = BITS[family];
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > BITS[family]) {
      return `"/${prefixText}" is not a prefix length: write /0 to /${BITS[family]}`;
    }
    prefix = Number(prefixText);
  }
  const shift = BigInt(BITS[family] - prefix);
  const base = (ip >> shift) << shift;
  if (base !== ip) {
    const fixed = formatIp({ family, value: base });
    return `"${text}" has bits set after the prefix: write ${fixed}/${prefix}`;
  }
  if (family === 6 && prefix >= 96 && ip >> 32n === MAPPED_PREFIX >> 32n) {
    // ::ffff:10.0.0.0/104 is the IPv4 network 10.0.0.0/8.
    return { family: 4, value: ip & 0xffffffffn, prefix: prefix - 96 };
  }
  return { family, value: ip, prefix };
}

function parsePort(text: string): number | string {
  if (!/^[1-9][0-9]{0,4}$/.test(text) || Number(text) > 65535) return `"${text}" is not a port: write 1 to 65535`;
  return Number(text);
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** A last label that is a number: getaddrinfo and URL parsers read such names
 * (2130706433, 0x7f.1, 127.1) as IPv4 addresses. */
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|[0-9]+)$/;

/** Checks a lowercase ASCII host name without trailing dot; returns a problem or null. */
function hostNameProblem(name: string): string | null {
  if (name.length === 0) return "empty host name";
  if (name.length > 253) return "a host name is at most 253 characters";
  const labels = name.split(".");
  for (const label of labels) {
    if (!LABEL.test(label)) {
      return label === ""
        ? `"${name}" has an empty label`
        : `"${label}" is not a host name label (letters, digits, "-" and "_", at most 63, not starting or ending with "-")`;
    }
  }
  const last = labels[labels.length - 1] ?? "";
  if (NUMERIC_LABEL.test(last)) return `"${name}" is not a host name, and not an IP address in dotted-quad form`;
  return null;
}

function parseHostPattern(text: string): { host: string; wildcard: boolean } | string {
  let name = text.toLowerCase();
  if (name.endsWith(".") && name.length > 1) name = name.slice(0, -1);
  let wildcard = false;
  if (name === "*") return `"*" is not an entry: list the hosts, or use network mode host`;
  if (name.startsWith("*.")) {
    wildcard = true;
    name = name.slice(2);
  }
  if (name.includes("*")) return `"${text}": a wildcard is a whole leftmost label, as in *.example.org`;
  if (/[^\x20-\x7e]/.test(name)) {
    const ascii = domainToASCII(name);
    return ascii
      ? `"${text}": write internationalized names in their ASCII form: ${wildcard ? "*." : ""}${ascii}`
      : `"${text}" is not a host name`;
  }
  const problem = hostNameProblem(name);
  if (problem) return problem;
  return { host: name, wildcard };
}

/** Parses one allow entry; a string is the problem with it. */
export function parseAllowEntry(entry: string): AllowEntry | string {
  if (typeof entry !== "string" || entry.length === 0) return "empty entry";
  if (/\s/.test(entry)) return `"${entry}" contains whitespace`;
  if (entry.includes("://")) return `"${entry}": no scheme; write HOST[:PORT], e.g. example.org:443`;
  if (/[@?#\\]/.test(entry)) return `"${entry}": write HOST[:PORT] only (no user, path, query)`;

  // IPv6 with brackets: [ADDR], [ADDR]:PORT, [ADDR/LEN], [ADDR/LEN]:PORT
  if (entry.startsWith("[")) {
    const m = /^\[([^\]]*)\](?::([^:]*))?$/.exec(entry);
    if (!m) {
      const misplaced = /^\[([^\]]*)\]\/([0-9]+)(?::([0-9]+))?$/.exec(entry);
      if (misplaced) {
        const [, a, len, p] = misplaced;
        return `"${entry}": the prefix length goes inside the brackets: [${a}/${len}]${p ? `:${p}` : ""}`;
      }
      return `"${entry}" is not [IPv6] or [IPv6]:PORT`;
    }
    const inner = m[1] ?? "";
    const net = parseNet(inner, 6);
    if (typeof net === "string") return net;
    let port: number | null = null;
    if (m[2] !== undefined) {
      const p = parsePort(m[2]);
      if (typeof p === "string") return p;
      port = p;
    }
    return { kind: "ip", entry, net, port };
  }

  // Two or more colons and no brackets: a bare IPv6 address or network, no port.
  if ((entry.match(/:/g) ?? []).length >= 2) {
    const net = parseNet(entry, 6);
    if (typeof net === "string") {
      return `${net}; an IPv6 entry with a port is written [ADDR]:PORT or [ADDR/LEN]:PORT`;
    }
    return { kind: "ip", entry, net, port: null };
  }

  let hostText = entry;
  let port: number | null = null;
  const colon = entry.lastIndexOf(":");
  if (colon >= 0) {
    hostText = entry.slice(0, colon);
    const p = parsePort(entry.slice(colon + 1));
    if (typeof p === "string") return p;
    port = p;
  }
  if (hostText.length === 0) return `"${entry}" has no host`;
  if (hostText.includes("/") || /^[0-9.]+$/.test(hostText)) {
    if (hostText.includes("/") && !/^[0-9./]+$/.test(hostText)) return `"${entry}": write HOST[:PORT] only (no path)`;
    const net = parseNet(hostText, 4);
    if (typeof net === "string") return net;
    return { kind: "ip", entry, net, port };
  }
  const pattern = parseHostPattern(hostText);
  if (typeof pattern === "string") return pattern;
  return { kind: "host", entry, host: pattern.host, wildcard: pattern.wildcard, port };
}

/** Validates one allow entry; returns an error message naming the problem, or null. */
export function checkAllowEntry(entry: string): string | null {
  const parsed = parseAllowEntry(entry);
  return typeof parsed === "string" ? parsed : null;
}

/** Normalizes a destination host as a client sent it (CONNECT authority, URL
 * host, SOCKS5 domain): an IP literal (brackets allowed for IPv6) becomes its
 * canonical text, a name becomes lowercase ASCII without a trailing dot.
 * Null when it is neither a valid name nor an IP literal. */
export function normalizeHost(raw: string): string | null {
  if (raw.startsWith("[") && raw.endsWith("]")) {
    const v6 = parseV6(raw.slice(1, -1));
    return v6 === null ? null : formatIp(canonicalIp({ family: 6, value: v6 }));
  }
  const ip = parseIp(raw);
  if (ip) return formatIp(ip);
  let name = raw;
  if (/[^\x21-\x7e]/.test(name)) {
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c <= 0x20 || c === 0x7f) return null; // control characters and spaces
    }
    name = domainToASCII(name);
    if (!name) return null;
  }
  name = name.toLowerCase();
  if (name.endsWith(".") && name.length > 1) name = name.slice(0, -1);
  return hostNameProblem(name) === null ? name : null;
}

/** Whether a host entry matches a normalized host name. */
export function hostEntryMatches(entry: HostEntry, host: string): boolean {
  if (!entry.wildcard) return host === entry.host;
  return host.length > entry.host.length + 1 && host.endsWith(`.${entry.host}`);
}

/** host:port as an allow entry: IPv6 in brackets. */
export function formatDestination(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

type Special = [net: IpNet, label: string];

function special(cidr: string, label: string): Special {
  const family = cidr.includes(":") ? 6 : 4;
  const net = parseNet(cidr, family);
  if (typeof net === "string") throw new Error(`bad built-in range ${cidr}: ${net}`);
  return [net, label];
}

/** Addresses that are not on the public internet. The first matching entry
 * names the class, so specific entries come first. */
const SPECIAL_V4: Special[] = [
  special("169.254.169.254/32", "the cloud metadata endpoint (link-local)"),
  special("169.254.170.2/32", "a container metadata endpoint (link-local)"),
  special("100.100.100.200/32", "a cloud metadata endpoint (shared address space)"),
  special("0.0.0.0/8", "unspecified ('this network')"),
  special("10.0.0.0/8", "private"),
  special("100.64.0.0/10", "shared address space (CGNAT)"),
  special("127.0.0.0/8", "loopback"),
  special("169.254.0.0/16", "link-local"),
  special("172.16.0.0/12", "private"),
  special("192.0.0.0/24", "IETF protocol assignments"),
  special("192.0.2.0/24", "documentation (TEST-NET-1)"),
  special("192.88.99.0/24", "6to4 relay anycast"),
  special("192.168.0.0/16", "private"),
  special("198.18.0.0/15", "benchmarking"),
  special("198.51.100.0/24", "documentation (TEST-NET-2)"),
  special("203.0.113.0/24", "documentation (TEST-NET-3)"),
  special("224.0.0.0/4", "multicast"),
  special("240.0.0.0/4", "reserved (and broadcast)"),
];

const SPECIAL_V6: Special[] = [
  special("::/128", "unspecified"),
  special("::1/128", "loopback"),
  special("64:ff9b:1::/48", "local-use NAT64"),
  special("100::/64", "discard-only"),
  special("2001:db8::/32", "documentation"),
  special("2001::/23", "IETF protocol assignments (Teredo, ORCHID...)"),
  special("3fff::/20", "documentation"),
  special("5f00::/16", "segment routing (SRv6)"),
  special("fd00:ec2::254/128", "the cloud metadata endpoint (unique-local)"),
  special("fc00::/7", "unique-local"),
  special("fe80::/10", "link-local"),
  special("fec0::/10", "site-local"),
  special("ff00::/8", "multicast"),
];

/** Judged after the embedded forms: it contains NAT64's 64:ff9b::/96. */
const RESERVED_V6 = special("::/8", "reserved (IPv4-compatible and other ::/8 forms)");
const NAT64 = special("64:ff9b::/96", "NAT64")[0];
const SIX_TO_FOUR = special("2002::/16", "6to4")[0];

/** The class of a non-public address ("loopback", "private", "link-local"...),
 * or null for a public one. IPv4 embedded in IPv6 (IPv4-mapped, NAT64
 * 64:ff9b::/96, 6to4 2002::/16) is judged by the IPv4 address it carries. */
export function addressClass(input: Ip): string | null {
  const ip = canonicalIp(input);
  const table = ip.family === 4 ? SPECIAL_V4 : SPECIAL_V6;
  for (const [net, label] of table) if (netContains(net, ip)) return label;
  if (ip.family === 6) {
    let embedded: bigint | null = null;
    let via = "";
    if (netContains(NAT64, ip)) {
      embedded = ip.value & 0xffffffffn;
      via = "NAT64";
    } else if (netContains(SIX_TO_FOUR, ip)) {
      embedded = (ip.value >> 80n) & 0xffffffffn;
      via = "6to4";
    }
    if (embedded !== null) {
      const v4 = { family: 4 as const, value: embedded };
      const inner = addressClass(v4);
      return inner ? `${via} form of ${formatIp(v4)}, ${inner}` : null;
    }
    if (netContains(RESERVED_V6[0], ip)) return RESERVED_V6[1];
  }
  return null;
}
