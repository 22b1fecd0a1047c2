// Pathname unix sockets granted per path with the access letter c
// (Landlock's RESOLVE_UNIX, ABI 9). This machine's kernel decides which half
// runs: below ABI 9 a grant cannot be held to its path, so hard mode refuses
// it (the gap resolve-unix) and an accepted gap opens every socket, as the
// report says; from ABI 9 only the granted socket is reachable. The kernel
// matrix (test/kernels, `npm run test:kernels`) runs both halves on real
// kernels 6.1 to 7.2.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { EnforcementReport } from "../../src/launcher/report.js";
import {
  cli,
  IDENTITIES,
  landlockAbi,
  makeTree,
  ROOT_USER,
  syscallProbeHelper,
  type Tree,
} from "../helpers/sandbox.js";

const PROBE = syscallProbeHelper();
const ABI = landlockAbi();
const EPERM = 1;
const EACCES = 13;

/** A listening pathname socket anyone may connect to (by permissions). */
async function listen(path: string): Promise<net.Server> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(path, resolve));
  chmodSync(path, 0o777);
  return server;
}

for (const who of IDENTITIES) {
  describe(`unix sockets granted per path (access c), as ${who.name}, on Landlock ABI ${ABI}`, () => {
    let t: Tree;
    let granted: string;
    let other: string;
    const servers: net.Server[] = [];
    before(async () => {
      t = makeTree(who);
      const dir = join(t.root, "sockets");
      mkdirSync(dir);
      chmodSync(dir, 0o755);
      granted = join(dir, "agent.sock");
      other = join(dir, "docker.sock");
      servers.push(await listen(granted), await listen(other));
    });
    after(() => {
      for (const s of servers) s.close();
      t.cleanup();
    });

    const connect = (extra: string[], report?: string) =>
      cli(
        [
          "run",
          "--workdir",
          t.proj,
          "--ro",
          dirname(PROBE),
          ...(report ? ["--report", report] : []),
          ...extra,
          "--",
          PROBE,
          `connect-unix:${granted}:hi`,
          `connect-unix:${other}:hi`,
        ],
        { as: who },
      );
    const answer = (stdout: string, path: string) =>
      new RegExp(`^connect-unix:${path}:hi=(.*)$`, "m").exec(stdout)?.[1];

    it("nothing granted: no socket outside is reachable", () => {
      const r = connect([]);
      assert.equal(r.status, 0, r.stderr);
      // Below ABI 9 the seccomp filter refuses socket(AF_UNIX); from ABI 9
      // socket() works and Landlock refuses the connect.
      const want = ABI >= 9 ? `connect-errno:${EACCES}` : `socket-errno:${EPERM}`;
      assert.equal(answer(r.stdout, granted), want);
      assert.equal(answer(r.stdout, other), want);
    });

    it(
      ABI >= 9
        ? "a granted socket is reachable, the other is not"
        : "hard mode refuses a grant it cannot hold to its path",
      () => {
        const r = connect(["--allow", `${granted}:c`]);
        if (ABI >= 9) {
          assert.equal(r.status, 0, r.stderr);
          assert.equal(answer(r.stdout, granted), "ok");
          assert.equal(answer(r.stdout, other), `connect-errno:${EACCES}`);
        } else {
          assert.equal(r.status, 125, r.stderr);
          assert.equal(r.stdout, "", "the command must not run");
          assert.match(r.stderr, /resolve-unix: needs Landlock ABI 9 \(Linux 7\.1\); the running ABI is \d/);
          assert.match(r.stderr, /--accept-gap resolve-unix/);
        }
      },
    );

    it("an accepted gap is reported, and below ABI 9 it opens every socket", () => {
      const report = join(t.proj, "report.json");
      const r = connect(["--allow", `${granted}:c`, "--accept-gap", "resolve-unix"], report);
      assert.equal(r.status, 0, r.stderr);
      const rep = JSON.parse(readFileSync(report, "utf8")) as EnforcementReport;
      const rule = rep.rules.find((x) => x.path === granted);
      assert.equal(rule?.access, "c");
      assert.equal(answer(r.stdout, granted), "ok");
      if (ABI >= 9) {
        assert.deepEqual(rep.gaps, []);
        assert.equal(answer(r.stdout, other), `connect-errno:${EACCES}`);
      } else {
        assert.deepEqual(
          rep.gaps.map((g) => [g.name, g.accepted]),
          [["resolve-unix", true]],
        );
        assert.equal(answer(r.stdout, other), "ok", "the gap is real: any socket the command can name");
        assert.ok(rep.limits.some((l) => /pathname unix sockets .* not restricted/.test(l)));
        assert.match(r.stderr, /warning: not enforced: resolve-unix/);
      }
    });

    it("best effort runs with a warning naming the gap (below ABI 9) or without one", () => {
      const r = connect(["--allow", `${granted}:c`, "--compat", "best"]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(answer(r.stdout, granted), "ok");
      if (ABI >= 9) assert.doesNotMatch(r.stderr, /resolve-unix/);
      else assert.match(r.stderr, /warning: not enforced: resolve-unix/);
    });

    it("a policy file's rule with access c means the same as the flag", () => {
      const policy = join(t.root, "unix.yaml");
      execFileSync("sh", [
        "-c",
        `printf 'version: 1\\nextends: agent\\nfilesystem_policy:\\n  rules:\\n    - { path: %s, access: c }\\n' "$1" > "$2"`,
        "sh",
        granted,
        policy,
      ]);
      chmodSync(policy, 0o644);
      const byFile = cli(
        ["run", "--workdir", t.proj, "--policy", policy, "--ro", dirname(PROBE), "--dry-run", "--", "true"],
        { as: who },
      );
      const byFlag = cli(
        ["run", "--workdir", t.proj, "--allow", `${granted}:c`, "--ro", dirname(PROBE), "--dry-run", "--", "true"],
        { as: who },
      );
      assert.equal(byFile.status, 0, byFile.stderr);
      assert.match(byFile.stdout, new RegExp(`--allow c ${granted} `));
      const rules = (s: string) => s.slice(s.indexOf("cordon-exec"), s.indexOf(" -- "));
      assert.equal(rules(byFile.stdout), rules(byFlag.stdout));
    });
  });
}

describe("access c: input errors and explain", () => {
  it("a wrong letter is named, with the letters allowed", () => {
    const r = cli(["run", "--allow", "/tmp:cq", "--", "true"], { as: ROOT_USER });
    assert.equal(r.status, 125, "usage errors exit 125, like every refusal");
    assert.match(r.stderr, /--allow: access 'cq' has 'q'; only r, w, x, c are allowed/);
  });

  it("policy explain says what unix sockets the command can reach here", () => {
    const r = cli(["policy", "explain", "--workdir", "/tmp", "--allow", "/run/agent.sock:c"], { as: ROOT_USER });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      ABI >= 9
        ? /unix sockets: held by Landlock: connect only to \/run\/agent\.sock/
        : /unix sockets: allowed: below ABI 9 every pathname socket the command can name is reachable/,
    );
    // The filter it lists is the one such a run installs: unix sockets pass.
    assert.match(r.stdout, /seccomp filter/);
    assert.doesNotMatch(r.stdout, /socket: unix -> EPERM/);
  });
});
