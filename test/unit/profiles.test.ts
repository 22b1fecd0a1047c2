import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadChain, resolvePolicy } from "../../src/policy/resolve.js";

describe("agent profile", () => {
  const policy = resolvePolicy(loadChain("agent"), "/srv/projects/a");
  const byPath = new Map(policy.rules.map((r) => [r.path, r]));

  it("grants the workdir read+write+exec and asks for a private TMPDIR and HOME", () => {
    assert.equal(byPath.get("/srv/projects/a")?.access, "rwx");
    assert.equal(policy.privateTmp, true);
    assert.equal(policy.compat, "hard");
    assert.equal(policy.network, "none");
    assert.deepEqual(policy.rlimits, { core: 0 });
  });

  it("grants system directories read+exec only", () => {
    assert.equal(byPath.get("/usr")?.access, "rx");
  });

  it("never grants a parent of the workdir, the home directory, /tmp, /proc, /etc or /dev as a whole", () => {
    for (const path of [
      "/",
      "/srv",
      "/srv/projects",
      "/root",
      "/home",
      "/tmp",
      "/proc",
      "/etc",
      "/dev",
      "/dev/pts",
      "/dev/shm",
    ]) {
      assert.equal(byPath.has(path), false, path);
    }
    for (const rule of policy.rules) {
      if (rule.access.includes("w")) {
        assert.ok(
          rule.path === "/srv/projects/a" || rule.path.startsWith("/dev/"),
          `${rule.path} must not be writable`,
        );
      }
    }
  });

  it("none grants nothing, not even the workdir", () => {
    const none = resolvePolicy(loadChain("none"), "/srv/projects/a");
    assert.deepEqual(none.rules, []);
    assert.equal(none.privateTmp, false);
  });
});
