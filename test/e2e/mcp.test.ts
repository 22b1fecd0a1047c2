// The MCP server driven end to end by the official MCP client.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CLI } from "../helpers/sandbox.js";

type TextResult = { content: { type: string; text: string }[]; isError?: boolean };

describe("cordon mcp", () => {
  const root = mkdtempSync("/tmp/cordon-test-mcp-");
  const proj = join(root, "proj");
  const sibling = join(root, "sibling");
  let client: Client;

  before(async () => {
    mkdirSync(proj);
    mkdirSync(sibling);
    writeFileSync(join(sibling, "secret.txt"), "sibling secret\n");
    client = new Client({ name: "cordon-test", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, "mcp", "--workdir", proj],
        env: { PATH: "/usr/bin:/bin", MCP_TEST_API_TOKEN: "tok-do-not-leak" },
        stderr: "pipe",
      }),
    );
  });
  after(async () => {
    await client.close();
    rmSync(root, { recursive: true, force: true });
  });

  const bash = async (command: string, timeout_ms?: number) =>
    (await client.callTool({
      name: "bash",
      arguments: { command, ...(timeout_ms ? { timeout_ms } : {}) },
    })) as TextResult;

  it("lists one tool, bash, with its input schema", async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ["bash"],
    );
    assert.deepEqual(tools[0]?.inputSchema.required, ["command"]);
    assert.match(tools[0]?.description ?? "", /Landlock sandbox/);
  });

  it("runs an allowed command in the workdir", async () => {
    const r = await bash("echo hello > greeting.txt && cat greeting.txt && env");
    assert.equal(r.isError, false);
    const text = r.content[0]?.text ?? "";
    assert.match(text, /^exit code 0/);
    assert.match(text, /hello/);
    assert.match(text, /sandbox: enforced/);
    assert.doesNotMatch(text, /do-not-leak/, "the server's secrets stay out of the child");
    assert.equal(readFileSync(join(proj, "greeting.txt"), "utf8"), "hello\n");
  });

  it("runs a denied command and explains the denial", async () => {
    const r = await bash(`cat ${sibling}/secret.txt`);
    assert.equal(r.isError, true);
    const text = r.content[0]?.text ?? "";
    assert.match(text, /^exit code 1/);
    assert.doesNotMatch(text, /sibling secret/);
    assert.match(text, /denied by the sandbox policy \(not a transient error; retrying will not help\)/);
    assert.match(text, new RegExp(`filesystem ${sibling}/secret.txt`));
  });

  it("kills a command at its timeout", async () => {
    const r = await bash("sleep 60", 300);
    assert.equal(r.isError, true);
    assert.match(r.content[0]?.text ?? "", /^timed out and was killed/);
  });

  it("rejects a call without a command", async () => {
    const r = (await client.callTool({ name: "bash", arguments: {} })) as TextResult;
    assert.equal(r.isError, true);
    assert.match(r.content[0]?.text ?? "", /command/);
  });
});
