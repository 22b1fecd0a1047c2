import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { launcherPath } from "../launcher/binary.js";
import { explainPolicy } from "../policy/explain.js";
import { loadChain, resolvePolicy } from "../policy/resolve.js";
import { policyJsonSchema } from "../policy/schema.js";
import { checkWorkdir } from "../sandbox/plan.js";
import { parseOptions, UsageError } from "./args.js";
import type { Probe } from "./check.js";
import { POLICY_FLAGS, selectPolicy } from "./policy-flags.js";

export const POLICY_HELP = `usage: cordon policy validate FILE
       cordon policy explain [FILE] [--workdir DIR] [run flags...]
       cordon policy schema
       cordon policy init [FILE]

  validate  check a policy file (and what it extends); exit 0 when valid,
            125 with every problem named (file, key path, value) otherwise
  explain   the effective policy a run would get: the grants as a tree of
            paths with their rights and where each came from, path
            expansions, what this kernel's Landlock ABI will and will not
            enforce, the seccomp filter, and anything not enforced at all.
            Without FILE: the policy cordon run would pick (--policy,
            --profile, a policy file in the workdir, or the agent profile).
  schema    print the JSON Schema of policy files (for editors)
  init      write a commented starter policy (default ./cordon.yaml; never
            overwrites)
`;

const STARTER = `# cordon policy: docs/policy.md is the reference.
# Check it with: cordon policy validate cordon.yaml
# See what it grants with: cordon policy explain cordon.yaml
version: 1

# Start from the agent profile: system directories read+exec, this
# directory read+write+exec, a private TMPDIR and HOME per run.
extends: agent

filesystem_policy:
  # read+exec
  read_only: []
  # read+write+exec
  read_write: []
  # any combination of r (read), w (write), x (execute); optional skips a
  # path that does not exist
  rules: []
  #  - path: ~/.cache/pip
  #    access: rw
  #    optional: true

landlock:
  # hard_requirement refuses to run when the kernel cannot enforce
  # everything; best_effort runs with what it can and says what it could not.
  compatibility: hard_requirement

network:
  # none: no network at all. host: unrestricted.
  mode: none

# env:
#   pass: [PATH, LANG, TERM]   # only these reach the command
#   set: { CI: "1" }
`;

async function probe(args: string[]): Promise<Probe & { seccomp_rules?: string[] }> {
  const { stdout } = await promisify(execFile)(launcherPath(), ["--probe", ...args]);
  return JSON.parse(stdout);
}

export async function policyCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "help") {
    process.stdout.write(POLICY_HELP);
    return sub === undefined ? 125 : 0;
  }
  switch (sub) {
    case "validate": {
      const { rest: files } = parseOptions(rest, {}, { stopAtPositional: false, positionals: true });
      if (files.length !== 1) throw new UsageError("validate: give one FILE");
      const file = files[0] as string;
      const layers = loadChain(resolve(file));
      const policy = resolvePolicy(layers, process.cwd());
      process.stdout.write(`${file}: valid (${policy.chain.join(" -> ")})\n`);
      for (const n of policy.notEnforced) {
        process.stdout.write(`  not enforced yet: ${n.key}: ${n.reason}\n`);
      }
      return 0;
    }
    case "explain": {
      const { options, rest: files } = parseOptions(rest, POLICY_FLAGS, { stopAtPositional: false, positionals: true });
      if (files.length > 1) throw new UsageError("explain: give at most one FILE");
      if (files[0] !== undefined) {
        if (options.has("--policy")) throw new UsageError("explain: give FILE or --policy, not both");
        options.set("--policy", [files[0]]);
      }
      const selected = selectPolicy(options);
      const workdir = checkWorkdir(selected.workdir);
      const policy = resolvePolicy(selected.layers, workdir);
      // The probe describes the seccomp filter these flags would install:
      // TCP-only when some port is reachable (the proxy's is picked per run,
      // so any number stands for it), unix sockets when allowed or granted.
      const tcpPorts = [...policy.directTcpPorts, ...(policy.network === "proxy" ? [1] : [])];
      const connect = policy.rules.find((r) => r.access.includes("c"));
      const probeArgs = [
        ...(policy.network === "host" ? ["--net", "host"] : []),
        ...(policy.network !== "host" && tcpPorts.length ? ["--allow-tcp-connect", String(tcpPorts[0])] : []),
        ...(policy.allowUnixSockets ? ["--allow-unix-sockets"] : []),
        ...(connect ? ["--allow", "c", connect.path] : []),
      ];
      process.stdout.write(explainPolicy({ policy, source: selected.source, workdir, probe: await probe(probeArgs) }));
      return 0;
    }
    case "schema": {
      if (rest.length) throw new UsageError(`schema: unexpected argument '${rest[0]}'`);
      process.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
      return 0;
    }
    case "init": {
      if (rest.length > 1) throw new UsageError("init: give at most one FILE");
      const file = resolve(rest[0] ?? "cordon.yaml");
      if (existsSync(file)) throw new UsageError(`init: ${file} exists; not overwriting it`);
      writeFileSync(file, STARTER, { flag: "wx" });
      process.stdout.write(`wrote ${file}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown subcommand '${sub}' (validate, explain, schema, init)`);
  }
}
