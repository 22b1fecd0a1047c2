#!/usr/bin/env node
// A minimal agent loop with a sandboxed bash tool. The "model" is a scripted
// list of tool calls, so the example runs without an API key; swap
// nextToolCall() for a real model call and keep the rest.
//
//   node examples/agent-loop.mjs [WORKDIR]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sandbox } from "../dist/index.js";

const workdir = process.argv[2] ?? mkdtempSync(join(tmpdir(), "agent-project-"));
const sandbox = new Sandbox({ workdir });

// What a model might ask for while working on a project.
const script = [
  { tool: "bash", command: "git init -q . && echo '# demo' > README.md && git add README.md && echo committed-ready" },
  { tool: "bash", command: "ls -a && cat README.md" },
  { tool: "bash", command: "cat ~/.ssh/id_rsa /etc/shadow; ls .." },
  { tool: "bash", command: "curl -sS https://example.com || echo 'no network'" },
];
let step = 0;
function nextToolCall(_history) {
  return script[step++];
}

const history = [];
for (let call = nextToolCall(history); call; call = nextToolCall(history)) {
  const result = await sandbox.exec(call.command, { timeout: 30_000, maxBuffer: 30_000 });
  const observation = {
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    denied: result.violations.map((v) => v.path ?? v.message),
    sandbox: result.report?.enforced,
  };
  history.push({ call, observation });
  console.log(`$ ${call.command}\n${JSON.stringify(observation, null, 2)}\n`);
}
