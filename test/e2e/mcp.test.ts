// The MCP server driven end to end by the official MCP client.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

  it("lists bash and the file tools, with their input schemas", async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ["bash", "read_file", "write_file", "list_directory"],
    );
    assert.deepEqual(tools[0]?.inputSchema.required, ["command"]);
    assert.match(tools[0]?.description ?? "", /Landlock sandbox/);
    assert.match(tools[0]?.description ?? "", /the network is off/);
    assert.deepEqual(tools[2]?.inputSchema.required, ["path", "content"]);
    assert.equal(tools[1]?.annotations?.readOnlyHint, true);
  });

  const call = async (name: string, args: Record<string, string>) =>
    (await client.callTool({ name, arguments: args })) as TextResult;

  it("file tools work in the project directory", async () => {
    const w = await call("write_file", { path: "docs/new/note.md", content: "# hi\nthere\n" });
    assert.deepEqual([w.isError, w.content[0]?.text], [false, "wrote 11 bytes to docs/new/note.md"]);
    assert.equal(readFileSync(join(proj, "docs", "new", "note.md"), "utf8"), "# hi\nthere\n");
    const r = await call("read_file", { path: join(proj, "docs", "new", "note.md") });
    assert.deepEqual([r.isError, r.content[0]?.text], [false, "# hi\nthere\n"]);
    const l = await call("list_directory", { path: "docs/new" });
    assert.equal(l.isError, false);
    assert.match(l.content[0]?.text ?? "", / note\.md$/m);
    assert.match((await call("list_directory", {})).content[0]?.text ?? "", / docs$/m);
  });

  it("file tools are held to the policy like bash: the sibling can be neither read, listed nor written", async () => {
    const r = await call("read_file", { path: `${sibling}/secret.txt` });
    assert.equal(r.isError, true);
    assert.doesNotMatch(r.content[0]?.text ?? "", /sibling secret/);
    assert.match(r.content[0]?.text ?? "", /Permission denied/);
    assert.match(r.content[0]?.text ?? "", /denied by the sandbox policy/);
    const l = await call("list_directory", { path: sibling });
    assert.equal(l.isError, true);
    assert.doesNotMatch(l.content[0]?.text ?? "", /secret\.txt/);
    const w = await call("write_file", { path: `${sibling}/planted.txt`, content: "x" });
    assert.equal(w.isError, true);
    assert.match(w.content[0]?.text ?? "", /Permission denied/);
    assert.equal(existsSync(join(sibling, "planted.txt")), false);
    assert.equal(readFileSync(join(sibling, "secret.txt"), "utf8"), "sibling secret\n");
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
