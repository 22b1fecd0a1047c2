/** A denial the command ran into, as far as its own messages tell. Landlock's
 * audit records need CAP_AUDIT_READ, so cordon reads the command's stderr
 * instead: the common shapes of EACCES and EPERM messages from the shell,
 * coreutils, Node and Python. It is a hint for a model, not an audit log. */
export interface Violation {
  kind: "filesystem" | "network" | "process";
  /** The path the message names, when it names one. */
  path?: string;
  /** The line it was read from. */
  message: string;
}

const PATTERNS: { re: RegExp; kind: Violation["kind"] }[] = [
  { re: /EACCES: permission denied, \w+ '([^']+)'/, kind: "filesystem" },
  { re: /PermissionError: \[Errno 13\] Permission denied: '([^']+)'/, kind: "filesystem" },
  { re: /cannot [a-z ]+? '([^']+)': Permission denied/, kind: "filesystem" },
  { re: /(?:^|: )(\/[^:\n]*|\.{1,2}\/[^:\n]*|[^:\s/][^:\n]*): Permission denied/, kind: "filesystem" },
  {
    re: /(?:socket|connect|bind|getaddrinfo|Network is unreachable|EPERM.*(?:connect|socket)|Operation not permitted.*(?:socket|connect))/i,
    kind: "network",
  },
  { re: /Operation not permitted/, kind: "process" },
];

const MAX = 20;

export function findViolations(stderr: string): Violation[] {
  const out: Violation[] = [];
  for (const line of stderr.split("\n")) {
    if (!/denied|not permitted|EACCES|EPERM/i.test(line)) continue;
    if (line.startsWith("cordon-exec: warning:")) continue;
    for (const { re, kind } of PATTERNS) {
      const m = re.exec(line);
      if (!m) continue;
      const path = kind === "filesystem" ? m[1]?.replace(/^.*?: /, "") : undefined;
      out.push({ kind, ...(path ? { path } : {}), message: line.trim() });
      break;
    }
    if (out.length === MAX) break;
  }
  return out;
}
