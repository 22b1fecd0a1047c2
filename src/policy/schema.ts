import { z } from "zod";
import { GAP_NAMES, RLIMIT_NAMES } from "../launcher/spec.js";

/** One schema for cordon's policy files. It accepts the OpenShell/NemoClaw
 * policy format unchanged (`version`, `filesystem_policy`, `landlock`,
 * `process`, `network_policies`, `network_middlewares`) and adds cordon's own
 * keys. The TypeScript types and the published JSON Schema both come from
 * here. Every object is strict: an unknown key is an error. */

const path = z.string().min(1, "a path must not be empty");

const access = z
  .string()
  .regex(/^[rwxc]+$/, "access is letters from r, w, x, c")
  .describe(
    "r: read files, list directories; w: modify (write, create, remove, rename/link, truncate, ioctl); x: execute; " +
      "c: connect to unix sockets at or beneath the path (Landlock ABI 9)",
  );

export const ruleSchema = z.strictObject({
  path: path.describe("absolute, ~/..., ${VAR}/..., or relative to the policy file's directory"),
  access,
  optional: z.boolean().optional().describe("skip the rule when the path does not exist"),
});

export const filesystemSchema = z.strictObject({
  include_workdir: z.boolean().optional().describe("grant the workdir read+write+exec"),
  read_only: z.array(path).optional().describe("paths granted read+exec"),
  read_write: z.array(path).optional().describe("paths granted read+write+exec"),
  rules: z.array(ruleSchema).optional().describe("cordon: fine-grained rules"),
  private_tmp: z.boolean().optional().describe("cordon: a fresh TMPDIR and HOME per run, removed afterwards"),
});

export const landlockSchema = z.strictObject({
  compatibility: z
    .enum(["hard_requirement", "best_effort"])
    .optional()
    .describe("hard_requirement (cordon's default): refuse to run when anything asked for cannot be enforced"),
  min_abi: z.number().int().min(1).max(10).optional().describe("cordon: refuse to run below this Landlock ABI"),
  accept_gaps: z.array(z.enum(GAP_NAMES)).optional().describe("cordon: protections hard mode may run without"),
});

const rlimits = z.strictObject(
  Object.fromEntries(RLIMIT_NAMES.map((name) => [name, z.number().int().min(0).optional()])) as Record<
    (typeof RLIMIT_NAMES)[number],
    z.ZodOptional<z.ZodNumber>
  >,
);

const identity = z.union([z.string().min(1), z.number().int().min(0)]);

export const processSchema = z.strictObject({
  run_as_user: identity.optional(),
  run_as_group: identity.optional(),
  rlimits: rlimits.optional().describe("cordon: resource limits (cpu seconds, bytes for as/fsize)"),
  new_session: z.boolean().optional().describe("cordon: run in a new session, without a controlling terminal"),
});

export const networkSchema = z.strictObject({
  mode: z
    .enum(["none", "host", "proxy"])
    .optional()
    .describe("none (default; proxy when there are egress rules), proxy (allowlist), host (unrestricted)"),
  allow_unix_sockets: z.boolean().optional(),
  allow: z
    .array(z.string().min(1))
    .optional()
    .describe(
      "proxy mode: destinations, e.g. example.org, *.example.org:443, 10.0.0.0/8, [::1]:8080 (docs/network.md)",
    ),
  direct_tcp_ports: z
    .array(z.number().int().min(1).max(65535))
    .optional()
    .describe("TCP ports reachable directly, bypassing the proxy: on ANY address (Landlock filters ports)"),
});

const endpoint = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  path: z.string().optional(),
  protocol: z.string().optional(),
  tls: z.string().optional(),
  enforcement: z.string().optional(),
  access: z.string().optional(),
  rules: z.array(z.unknown()).optional(),
  deny_rules: z.array(z.unknown()).optional(),
  allowed_ips: z.array(z.string()).optional(),
});

export const networkPolicySchema = z.strictObject({
  name: z.string().optional(),
  endpoints: z.array(endpoint).optional(),
  binaries: z.array(z.strictObject({ path })).optional(),
});

export const envSchema = z.strictObject({
  inherit: z
    .enum(["minimal", "all"])
    .optional()
    .describe(
      "minimal (default): PATH, HOME, USER, LANG/LC_*, TERM, TZ, TMPDIR, SHELL; all: everything not secret-shaped",
    ),
  scrub: z
    .array(z.string().regex(/^[A-Za-z0-9_*]+$/, "a name pattern: letters, digits, _ and *"))
    .optional()
    .describe("more secret-shaped name patterns to withhold (NAME, PREFIX*, *PART*)"),
  pass: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, "a variable name, optionally ending in *"))
    .optional()
    .describe("variables passed from the caller (NAME or PREFIX*); nothing else is"),
  set: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a variable name"), z.string()).optional(),
});

export const policySchema = z
  .strictObject({
    version: z.literal(1).describe("schema version: 1"),
    extends: z.string().min(1).optional().describe("a built-in profile (agent, none) or a policy file"),
    filesystem_policy: filesystemSchema.optional(),
    landlock: landlockSchema.optional(),
    process: processSchema.optional(),
    network: networkSchema.optional(),
    network_policies: z.record(z.string(), networkPolicySchema).optional(),
    network_middlewares: z.record(z.string(), z.unknown()).optional(),
    env: envSchema.optional(),
  })
  .describe("cordon policy (accepts OpenShell/NemoClaw policy files)");

export type PolicyDocument = z.infer<typeof policySchema>;
export type RuleDocument = z.infer<typeof ruleSchema>;

/** The JSON Schema for editors (`cordon policy schema`). */
export function policyJsonSchema(): object {
  return {
    ...z.toJSONSchema(policySchema, { target: "draft-2020-12" }),
    title: "cordon policy",
  };
}
