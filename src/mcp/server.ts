import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Sandbox } from "../sandbox/sandbox.js";
import { CORDON_VERSION } from "../version.js";
import { registerFileTools } from "./file-tools.js";
import { failureText, summarize, TOOL_OUTPUT_BYTES } from "./summary.js";

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_TIMEOUT_MS = 600_000;

const NETWORK = { none: "off", proxy: "limited to the policy's allowlist, through cordon's proxy", host: "open" };

/** An MCP server whose tools all run in the sandbox: `bash`, and the file
 * tools (read_file, write_file, list_directory). */
export function createMcpServer(sandbox: Sandbox): McpServer {
  const server = new McpServer({ name: "cordon", version: CORDON_VERSION });
  server.registerTool(
    "bash",
    {
      title: "Sandboxed bash",
      description:
        `Run a bash command in the project directory ${sandbox.workdir}, inside a Landlock sandbox. ` +
        "The project directory is writable; files outside the policy cannot be read or written, " +
        `and the network is ${NETWORK[sandbox.policy.network]}. ` +
        "Returns the exit code, the output (long output keeps its start and end) and what the sandbox denied.",
      inputSchema: {
        command: z.string().min(1).describe("the bash command line to run"),
        timeout_ms: z
          .number()
          .int()
          .min(1)
          .max(MAX_TIMEOUT_MS)
          .optional()
          .describe(`kill the command after this many milliseconds (default ${DEFAULT_TIMEOUT_MS})`),
      },
      annotations: { openWorldHint: sandbox.policy.network === "host" },
    },
    async ({ command, timeout_ms }) => {
      try {
        const result = await sandbox.exec(command, {
          timeout: timeout_ms ?? DEFAULT_TIMEOUT_MS,
          maxBuffer: TOOL_OUTPUT_BYTES,
        });
        const failed = result.exitCode !== 0 || result.timedOut;
        return { content: [{ type: "text", text: summarize(result) }], isError: failed };
      } catch (error) {
        return { content: [{ type: "text", text: failureText(error, "the command did not run") }], isError: true };
      }
    },
  );
  registerFileTools(server, sandbox);
  return server;
}
