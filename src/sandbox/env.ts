import { userInfo } from "node:os";

/** The sandboxed command's environment. A server that sandboxes its agent's
 * shell holds API keys and tokens in its own environment; by default none of
 * it reaches the child. */

/** What a policy says about the environment (its `env` section). */
export interface EnvPolicy {
  /** minimal (default): only the basics below, plus `pass` and `set`.
   * all: the caller's environment minus secret-shaped names. */
  inherit: "minimal" | "all";
  /** Caller variables to pass: NAME or PREFIX*. An exact NAME passes even if
   * it looks like a secret (the policy asked for it by name); a PREFIX*
   * match is still scrubbed. */
  pass: string[];
  /** Variables to set. */
  set: Record<string, string>;
  /** More secret-shaped patterns (NAME, PREFIX*, *SUFFIX, *PART*). */
  scrub: string[];
}

/** Names that look like secrets, removed even with inherit: all. Matched
 * case-insensitively; `*` is any run of characters. */
export const SECRET_PATTERNS: readonly string[] = [
  "*KEY*",
  "*TOKEN*",
  "*SECRET*",
  "*PASSWORD*",
  "*PASSWD*",
  "*PASSPHRASE*",
  "*CREDENTIAL*",
  "*_AUTH",
  "*_AUTH_*",
  "*PRIVATE*",
  "*SESSION*",
  "*COOKIE*",
  "*_PAT",
  "*DSN*",
  "DATABASE_URL",
  "*_DATABASE_URL",
  "AWS_*",
  "AZURE_*",
  "ARM_*",
  "GOOGLE_*",
  "GCP_*",
  "GCLOUD_*",
  "CLOUDSDK_*",
  "DIGITALOCEAN_*",
  "HEROKU_*",
  "VAULT_*",
  "OPENAI_*",
  "ANTHROPIC_*",
  "HF_*",
  "HUGGING*",
  "SSH_AUTH_SOCK",
  "GPG_AGENT_INFO",
  "KUBECONFIG",
  "DOCKER_HOST",
  "DOCKER_CONFIG",
  "NPM_CONFIG__AUTH*",
  "NODE_AUTH_TOKEN",
];

/** The variables a command reasonably expects, taken from the caller when
 * it has them. PATH is not: the caller's may lead through directories the
 * sandbox cannot read, so the child gets a standard one unless the policy
 * passes PATH. */
const BASICS = ["LANG", "LANGUAGE", "LC_*", "TERM", "COLORTERM", "TZ", "SHELL"];

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const compiled = new Map<string, RegExp>();

/** Patterns compile once per process: this runs for every variable of every
 * command, and compiling showed in the SDK's profile. */
function toRegExp(pattern: string): RegExp {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  const re = compile(pattern);
  compiled.set(pattern, re);
  return re;
}

function compile(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "i");
}

function matches(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => toRegExp(p).test(name));
}

export interface EnvContext {
  /** HOME for the child: the private home, else the workdir. */
  home: string;
  /** TMPDIR for the child, when the run has a private one. */
  tmpdir?: string;
  /** The user the command runs as, for USER and LOGNAME. */
  user?: string;
}

export interface BuiltEnv {
  env: Record<string, string>;
  /** Secret-shaped caller variables the command did not get (names only). */
  removed: string[];
}

/** Builds the child's environment from the caller's under a policy. Per-call
 * additions are the caller's business and go on top afterwards, unscrubbed. */
export function buildEnv(
  policy: EnvPolicy,
  caller: Readonly<Record<string, string | undefined>>,
  ctx: EnvContext,
): BuiltEnv {
  const secret = [...SECRET_PATTERNS, ...policy.scrub];
  const env: Record<string, string> = {};
  const removed: string[] = [];
  const exact = new Set(policy.pass.filter((p) => !p.includes("*")));
  const globs = policy.pass.filter((p) => p.includes("*"));

  for (const [name, value] of Object.entries(caller)) {
    if (value === undefined) continue;
    if (exact.has(name)) {
      env[name] = value;
      continue;
    }
    const isSecret = matches(name, secret);
    // Every secret-shaped name held back is reported, whatever the mode:
    // the caller learns what the command did not get.
    if (isSecret) removed.push(name);
    else if (policy.inherit === "all" || matches(name, BASICS) || matches(name, globs)) env[name] = value;
  }
  env.PATH ??= DEFAULT_PATH;
  env.HOME = ctx.home;
  if (ctx.tmpdir) env.TMPDIR = ctx.tmpdir;
  const user = ctx.user ?? caller.USER ?? caller.LOGNAME ?? currentUser();
  if (user !== undefined) {
    env.USER = user;
    env.LOGNAME = user;
  }
  Object.assign(env, policy.set);
  return { env, removed: removed.sort() };
}
