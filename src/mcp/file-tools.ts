import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ExecResult, Sandbox } from "../sandbox/sandbox.js";
import { failureText, summarize, TOOL_OUTPUT_BYTES } from "./summary.js";

const TIMEOUT_MS = 30_000;

type ToolResult = { content: { type: "text"; text: string }[]; isError: boolean };

/** Runs one fixed program in the sandbox. Each file tool is a sandboxed
 * command like any `bash` call, so it can reach exactly what the policy
 * grants, by the same kernel checks: there is no second path to the files. */
async function inSandbox(
  sandbox: Sandbox,
  argv: string[],
  ok: (result: ExecResult) => string,
  input?: string,
): Promise<ToolResult> {
  try {
    const result = await sandbox.exec(argv, { timeout: TIMEOUT_MS, maxBuffer: TOOL_OUTPUT_BYTES, input });
    if (result.exitCode === 0 && !result.timedOut)
      return { content: [{ type: "text", text: ok(result) }], isError: false };
    return { content: [{ type: "text", text: summarize(result) }], isError: true };
  } catch (error) {
    return { content: [{ type: "text", text: failureText(error, "nothing was done") }], isError: true };
  }
}

const path = z.string().min(1).describe("a file path, absolute or relative to the project directory");

/** read_file, write_file and list_directory: the file operations agents ask
 * for most, each a sandboxed command (cat; mkdir -p and cat > FILE; ls). */
export function registerFileTools(server: McpServer, sandbox: Sandbox): void {
  server.registerTool(
    "read_file",
    {
      title: "Read a file (sandboxed)",
      description:
        "Read a text file as the sandboxed command would: files the policy does not grant are denied. " +
        "A long file keeps its start and end.",
      inputSchema: { path },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ path: file }) =>
      inSandbox(sandbox, ["cat", "--", file], (r) =>
        r.truncated ? `${r.stdout}\n(the file was long: its middle was dropped)` : r.stdout,
      ),
  );
  server.registerTool(
    "write_file",
    {
      title: "Write a file (sandboxed)",
      description:
        "Create or replace a text file with the given content (and its missing parent directories), as the " +
        "sandboxed command would: only where the policy grants writing (the project directory under the " +
        "default policy).",
      inputSchema: { path, content: z.string().describe("the whole new content of the file") },
      annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ path: file, content }) =>
      inSandbox(
        sandbox,
        ["sh", "-c", 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"', "sh", file],
        () => `wrote ${Buffer.byteLength(content)} bytes to ${file}`,
        content,
      ),
  );
  server.registerTool(
    "list_directory",
    {
      title: "List a directory (sandboxed)",
      description: "List a directory (ls -la) as the sandboxed command would; the project directory by default.",
      inputSchema: { path: path.optional() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ path: dir }) => inSandbox(sandbox, ["ls", "-la", "--", dir ?? "."], (r) => r.stdout),
  );
}
