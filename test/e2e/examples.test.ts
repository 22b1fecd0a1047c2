// The examples in examples/ run as documented.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT, ROOT_USER, spawnCmd } from "../helpers/sandbox.js";

describe("examples", () => {
  it("agent-loop.mjs runs its scripted tool calls in the sandbox", () => {
    const workdir = mkdtempSync("/tmp/cordon-test-example-");
    try {
      const r = spawnCmd(process.execPath, [join(ROOT, "examples", "agent-loop.mjs"), workdir], {
        as: ROOT_USER,
        env: { PATH: "/usr/bin:/bin" },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /"stdout": "committed-ready\\n"/);
      assert.match(r.stdout, /"denied": \[\n\s+"\/etc\/shadow",\n\s+"\.\."\n\s+\]/);
      assert.match(r.stdout, /no network/);
      assert.doesNotMatch(r.stdout, /"sandbox": "(partial|none)"/);
    } finally {
      rmSync(workdir, { recursive: true, force: true });
    }
  });
});
