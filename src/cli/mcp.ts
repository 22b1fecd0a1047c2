import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createMcpServer } from "../mcp/server.js";
import { Sandbox } from "../sandbox/sandbox.js";
import { parseOptions, UsageError } from "./args.js";

export const MCP_HELP = `usage: cordon mcp [--workdir DIR] [--policy FILE | --profile NAME]

Serves the Model Context Protocol over stdio with the tools bash, read_file,
write_file and list_directory, each of which runs as a command in the
sandbox (default policy: the agent profile; the workdir defaults to the
current directory). A policy file in the workdir is NOT
picked up: the sandboxed commands can write there. Pass --policy instead.
`;

export async function mcpCommand(argv: string[]): Promise<number> {
  const { options, rest } = parseOptions(
    argv,
    {
      "--workdir": { value: true },
      "--policy": { value: true },
      "--profile": { value: true },
      "--help": { value: false },
    },
    { stopAtPositional: false },
  );
  if (options.has("--help")) {
    process.stdout.write(MCP_HELP);
    return 0;
  }
  if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
  const file = options.get("--policy")?.[0];
  const profile = options.get("--profile")?.[0];
  if (file !== undefined && profile !== undefined) throw new UsageError("--policy and --profile: give one");
  const sandbox = new Sandbox({
    workdir: options.get("--workdir")?.[0] ?? process.cwd(),
    policy: file ?? profile ?? "agent",
  });
  const server = createMcpServer(sandbox);
  await server.connect(new StdioServerTransport());
  // Serve until the client closes stdin.
  await new Promise<void>((done) => {
    process.stdin.on("close", done);
    process.stdin.on("end", done);
  });
  await server.close();
  return 0;
}
