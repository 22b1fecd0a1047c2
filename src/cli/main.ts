#!/usr/bin/env node
import { CORDON_VERSION } from "../version.js";
import { UsageError } from "./args.js";
import { CHECK_HELP, checkCommand } from "./check.js";
import { MCP_HELP, mcpCommand } from "./mcp.js";
import { POLICY_HELP, policyCommand } from "./policy.js";
import { RUN_HELP, runCommand } from "./run.js";

const HELP = `usage: cordon COMMAND [OPTION]...

A Landlock sandbox for untrusted commands: deny by default, fail closed.

Commands:
  run      run a command in the sandbox   (cordon run --help)
  check    what this kernel can enforce   (cordon check --help)
  policy   validate, explain, schema, init (cordon policy --help)
  mcp      an MCP server with a sandboxed bash tool (cordon mcp --help)

  --help, --version
`;

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  run: { run: runCommand, help: RUN_HELP },
  check: { run: checkCommand, help: CHECK_HELP },
  policy: { run: policyCommand, help: POLICY_HELP },
  mcp: { run: mcpCommand, help: MCP_HELP },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(HELP);
    return name === undefined ? 125 : 0;
  }
  if (name === "--version") {
    process.stdout.write(`cordon ${CORDON_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command '${name}' (${Object.keys(COMMANDS).join(", ")})`);
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
