import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getProfile } from "../../src/policy/profiles.js";

describe("agent profile", () => {
  const agent = getProfile("agent");
  const scratch = { root: "/tmp/cordon-x", tmp: "/tmp/cordon-x/tmp", home: "/tmp/cordon-x/home" };
  const rules = agent.rules({ workdir: "/srv/projects/a", scratch });
  const byPath = new Map(rules.map((r) => [r.path, r]));

  it("grants the workdir and the private scratch read+write+exec", () => {
    assert.equal(byPath.get("/srv/projects/a")?.access, "rwx");
    assert.equal(byPath.get("/tmp/cordon-x")?.access, "rwx");
    assert.deepEqual(agent.env({ workdir: "/srv/projects/a", scratch }), {
      TMPDIR: "/tmp/cordon-x/tmp",
      HOME: "/tmp/cordon-x/home",
    });
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
    for (const rule of rules) {
      if (rule.access.includes("w")) {
        assert.ok(
          ["/srv/projects/a", "/tmp/cordon-x"].includes(rule.path) || rule.path.startsWith("/dev/"),
          `${rule.path} must not be writable`,
        );
      }
    }
  });

  it("unknown profiles are named in the error", () => {
    assert.throws(() => getProfile("nope"), /unknown profile 'nope' \(known: agent, none\)/);
  });
});
