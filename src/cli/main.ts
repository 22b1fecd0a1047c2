#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { CORDON_VERSION } from "../version.js";
import { UsageError } from "./args.js";

const HELP = `usage: cordon COMMAND [OPTION]...

A Landlock sandbox for untrusted commands: deny by default, fail closed.

Commands:
  run      run a command in the sandbox   (cordon run --help)
  check    what this kernel can enforce   (cordon check --help)
  policy   validate, explain, schema, init (cordon policy --help)
  mcp      an MCP server with sandboxed bash and file tools (cordon mcp --help)

  --help, --version
`;

/** Each command loads its own modules when it runs: `cordon run` need not
 * pay for the MCP SDK's, which showed in its start-up time. */
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  run: async () => (await import("./run.js")).runCommand,
  check: async () => (await import("./check.js")).checkCommand,
  policy: async () => (await import("./policy.js")).policyCommand,
  mcp: async () => (await import("./mcp.js")).mcpCommand,
};

/** Node decodes argv as UTF-8 and replaces bytes that are not; an argument
 * changed that way would name another path or reach the command altered.
 * /proc/self/cmdline still has the bytes: refuse rather than run something
 * else than asked. */
function checkArgvBytes(argv: string[]): void {
  let raw: Buffer[];
  try {
    raw = readFileSync("/proc/self/cmdline")
      .subarray(0, -1)
      .toString("latin1")
      .split("\0")
      .map((s) => Buffer.from(s, "latin1"));
  } catch {
    return; // no /proc: nothing to compare with
  }
  const ours = raw.slice(raw.length - argv.length);
  argv.forEach((arg, i) => {
    if (!Buffer.from(arg, "utf8").equals(ours[i] ?? Buffer.alloc(0))) {
      throw new UsageError(
        `argument ${i + 1} (${JSON.stringify(arg)}) is not valid UTF-8: Node cannot pass it on byte for byte, ` +
          "so cordon will not run it; call the launcher (native/build/cordon-exec) directly for such arguments",
      );
    }
  });
}

async function main(argv: string[]): Promise<number> {
  checkArgvBytes(argv);
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(HELP);
    return name === undefined ? 125 : 0;
  }
  if (name === "--version") {
    process.stdout.write(`cordon ${CORDON_VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`unknown command '${name}' (${Object.keys(COMMANDS).join(", ")})`);
  const command = { run: await load() };
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      throw new UsageError(`${name}: ${error.message}\nTry 'cordon ${name} --help'.`);
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`cordon: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 125;
  },
);
