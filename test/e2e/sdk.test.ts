// The Node SDK on the real kernel: exec/spawn, timeouts that kill the whole
// tree, abort, output caps, stdin, concurrency without leaks, environment
// scrubbing, and sibling projects isolated from each other.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CommandError, Sandbox, SandboxError } from "../../src/index.js";
import { NOBODY, ROOT, spawnCmd } from "../helpers/sandbox.js";

// Scratch directories of this process go here, so a leak is visible.
const tmp = mkdtempSync("/tmp/cordon-test-sdk-tmp-");
process.env.TMPDIR = tmp;

const root = mkdtempSync("/tmp/cordon-test-sdk-");
const projA = join(root, "project-a");
const projB = join(root, "project-b");
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});
before(() => {
  for (const dir of [projA, projB]) mkdirSync(dir);
  writeFileSync(join(projB, "secret.txt"), "project b secret\n");
});

function pgrep(marker: string): string {
  try {
    return execFileSync("pgrep", ["-af", marker], { encoding: "utf8" });
  } catch {
    return "";
  }
}

describe("Sandbox.exec", () => {
  it("runs a string through bash and an array directly, with the report", async () => {
    const sb = await Sandbox.create({ workdir: projA });
    const r = await sb.exec("echo out; echo err >&2; exit 3");
    assert.equal(r.exitCode, 3);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
    assert.equal(r.signal, null);
    assert.equal(r.timedOut, false);
    assert.equal(r.truncated, false);
    assert.equal(r.report?.enforced, "full");
    assert.ok(r.durationMs > 0);
    const a = await sb.exec(["/usr/bin/printf", "%s|", "a b", "$HOME", ""]);
    assert.equal(a.stdout, "a b|$HOME||");
  });

  it("writes in the workdir, and is denied outside it, with the denial read back as a violation", async () => {
    const sb = new Sandbox({ workdir: projA });
    const r = await sb.exec(`echo made > made.txt; cat ${projB}/secret.txt; ls ${projB}`);
    assert.equal(readFileSync(join(projA, "made.txt"), "utf8"), "made\n");
    assert.doesNotMatch(r.stdout, /project b secret/);
    assert.deepEqual(
      r.violations.map((v) => [v.kind, v.path]),
      [
        ["filesystem", `${projB}/secret.txt`],
        ["filesystem", projB],
      ],
    );
  });

  it("keeps sibling projects apart: two sandboxes in one process, run at the same time", async () => {
    const a = new Sandbox({ workdir: projA });
    const b = new Sandbox({ workdir: projB });
    const [ra, rb] = await Promise.all([
      a.exec(`ls ${projB}; cat ${projB}/secret.txt; touch ${projB}/from-a; echo done`),
      b.exec(`ls ${projA}; touch ${projA}/from-b; cat secret.txt`),
    ]);
    assert.match(ra.stderr, /Permission denied/);
    assert.doesNotMatch(ra.stdout, /secret/);
    assert.equal(rb.stdout, "project b secret\n");
    assert.deepEqual(readdirSync(projB).sort(), ["secret.txt"]);
    assert.ok(!readdirSync(projA).includes("from-b"));
  });

  it("a timeout kills the command and everything it started, even a daemon that tries setsid", async () => {
    const sb = new Sandbox({ workdir: projA });
    const marker = `cordon-timeout-${process.pid}`;
    const r = await sb.exec(
      `(exec -a ${marker}-bg sleep 300) & (setsid bash -c 'exec -a ${marker}-sid sleep 300' || (exec -a ${marker}-orphan sleep 300) &) ; exec -a ${marker}-fg sleep 300`,
      { timeout: 300, forceKillAfterDelay: 200 },
    );
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, "SIGTERM");
    assert.ok(r.durationMs < 5000, `took ${r.durationMs} ms`);
    await new Promise((done) => setTimeout(done, 100));
    assert.equal(pgrep(marker), "", "no process of the run may survive it");
  });

  it("a process left in the background is killed when the command exits", async () => {
    const sb = new Sandbox({ workdir: projA });
    const marker = `cordon-leftover-${process.pid}`;
    const r = await sb.exec(`(exec -a ${marker} sleep 300) > /dev/null 2>&1 & echo started`);
    assert.equal(r.stdout, "started\n");
    await new Promise((done) => setTimeout(done, 100));
    assert.equal(pgrep(marker), "");
  });

  it("an AbortSignal kills the command", async () => {
    const sb = new Sandbox({ workdir: projA });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const r = await sb.exec("sleep 300", { cancelSignal: controller.signal });
    assert.equal(r.aborted, true);
    assert.equal(r.signal, "SIGTERM");
  });

  it("caps output per stream, keeping the head and the tail and saying how much was dropped", async () => {
    const sb = new Sandbox({ workdir: projA });
    const r = await sb.exec("echo FIRST; seq 1 200000; echo LAST", { maxBuffer: 2000 });
    assert.deepEqual(r.truncated, { stdout: true, stderr: false });
    assert.ok(r.stdout.startsWith("FIRST\n1\n2\n"));
    assert.ok(r.stdout.endsWith("200000\nLAST\n"));
    assert.match(r.stdout, /\[\.\.\. cordon: \d+ bytes of output dropped \.\.\.\]/);
    assert.ok(r.stdout.length < 2100);
  });

  it("feeds stdin and returns buffers on request", async () => {
    const sb = new Sandbox({ workdir: projA });
    const r = await sb.exec(["tr", "a-z", "A-Z"], { input: "hello" });
    assert.equal(r.stdout, "HELLO");
    const b = await sb.exec(["printf", "\\xff\\x00"], { encoding: "buffer" });
    assert.deepEqual([...b.stdout], [0xff, 0x00]);
  });

  it("cwd is inside the workdir, and refused outside it", async () => {
    const sb = new Sandbox({ workdir: projA });
    mkdirSync(join(projA, "sub"), { recursive: true });
    assert.equal((await sb.exec("pwd", { cwd: "sub" })).stdout, `${join(projA, "sub")}\n`);
    await assert.rejects(sb.exec("pwd", { cwd: ".." }), /cwd: \.\. is outside the workdir/);
    await assert.rejects(sb.exec("pwd", { cwd: projB }), /outside the workdir/);
  });

  it("reject: true throws a CommandError that carries the result", async () => {
    const sb = new Sandbox({ workdir: projA });
    await assert.rejects(sb.exec("echo partial; exit 4", { reject: true }), (error: unknown) => {
      assert.ok(error instanceof CommandError);
      assert.equal(error.result.exitCode, 4);
      assert.equal(error.result.stdout, "partial\n");
      assert.match(error.message, /exited with 4: echo partial; exit 4/);
      return true;
    });
  });

  it("a sandbox that cannot be enforced throws a SandboxError with the report; the command does not run", async () => {
    const sb = new Sandbox({ workdir: projA, maxAbi: 5 });
    await assert.rejects(sb.exec("touch refused-marker"), (error: unknown) => {
      assert.ok(error instanceof SandboxError);
      assert.equal(error.exitCode, 125);
      assert.equal(error.report?.status, "refused");
      assert.match(error.message, /scope-signal: needs Landlock ABI 6/);
      return true;
    });
    assert.ok(!readdirSync(projA).includes("refused-marker"));
  });

  it("a policy object extends a profile and its relative paths resolve against the workdir", async () => {
    mkdirSync(join(projA, "data"), { recursive: true });
    const sb = new Sandbox({
      workdir: projB,
      policy: { version: 1, extends: "agent", filesystem_policy: { read_only: [`../project-a/data`] } },
    });
    const r = await sb.exec(`ls ${projA}/data && echo listed; ls ${projA}`);
    assert.match(r.stdout, /listed/);
    assert.match(r.stderr, /Permission denied/);
  });

  it("a policy that asks for what cordon does not enforce yet is refused at construction in hard mode", () => {
    assert.throws(
      () =>
        new Sandbox({
          workdir: projA,
          policy: {
            version: 1,
            network_policies: { api: { endpoints: [{ host: "a.example", port: 443, protocol: "rest" }] } },
          },
        }),
      /network_policies.api.endpoints\[0\]: L7 inspection/,
    );
  });
});

describe("Sandbox.spawn", () => {
  it("streams output and reports the exit", async () => {
    const sb = new Sandbox({ workdir: projA });
    const p = await sb.spawn("for i in 1 2 3; do echo line$i; done; exit 2");
    const chunks: string[] = [];
    p.stdout.on("data", (c: Buffer) => chunks.push(c.toString()));
    p.stderr.resume();
    const report = await p.report;
    assert.equal(report?.enforced, "full");
    const ended = await p.exited;
    assert.equal(ended.exitCode, 2);
    assert.equal(chunks.join(""), "line1\nline2\nline3\n");
  });

  it("takes stdin as a stream and can be killed", async () => {
    const sb = new Sandbox({ workdir: projA });
    const p = await sb.spawn(["cat"]);
    let out = "";
    p.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("ping")) p.kill("SIGKILL");
    });
    p.stdin?.write("ping\n");
    const ended = await p.exited;
    assert.equal(ended.signal, "SIGKILL");
    assert.equal(out, "ping\n");
  });
});

describe("environment", () => {
  it("a secret in the caller's environment is not visible to env, printenv or /proc/self/environ", async () => {
    process.env.CORDON_TEST_API_KEY = "sk-live-do-not-leak";
    process.env.AWS_SECRET_ACCESS_KEY = "aws-do-not-leak";
    try {
      const sb = new Sandbox({
        workdir: projA,
        policy: { version: 1, extends: "agent", filesystem_policy: { rules: [{ path: "/proc/self", access: "r" }] } },
      });
      for (const command of [["env"], ["printenv"], ["cat", "/proc/self/environ"]]) {
        const r = await sb.exec(command, { env: { PER_CALL_TOKEN: "short-lived" } });
        assert.equal(r.exitCode, 0, r.stderr);
        assert.doesNotMatch(r.stdout, /do-not-leak/);
        assert.match(r.stdout, /PER_CALL_TOKEN=short-lived/, "per-call additions come after the scrub");
        for (const name of ["AWS_SECRET_ACCESS_KEY", "CORDON_TEST_API_KEY"]) {
          assert.ok(r.report?.env?.removed.includes(name), `${name} must be listed as removed`);
        }
        assert.doesNotMatch(JSON.stringify(r.report), /do-not-leak/, "the report names, never values");
      }
    } finally {
      delete process.env.CORDON_TEST_API_KEY;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it("inherit: all passes the caller's environment minus secret-shaped names and the policy's own patterns", async () => {
    process.env.CORDON_TEST_PLAIN = "plain";
    process.env.CORDON_TEST_TOKEN = "tok-do-not-leak";
    process.env.CORDON_INTERNAL_X = "internal-do-not-leak";
    try {
      const sb = new Sandbox({
        workdir: projA,
        policy: { version: 1, extends: "agent", env: { inherit: "all", scrub: ["CORDON_INTERNAL_*"] } },
      });
      const r = await sb.exec(["env"]);
      assert.match(r.stdout, /^CORDON_TEST_PLAIN=plain$/m);
      assert.doesNotMatch(r.stdout, /do-not-leak/);
      assert.ok(r.report?.env?.removed.includes("CORDON_TEST_TOKEN"));
      assert.ok(r.report?.env?.removed.includes("CORDON_INTERNAL_X"));
    } finally {
      delete process.env.CORDON_TEST_PLAIN;
      delete process.env.CORDON_TEST_TOKEN;
      delete process.env.CORDON_INTERNAL_X;
    }
  });

  it("the minimal environment has a working PATH, HOME, USER and TMPDIR", async () => {
    const sb = new Sandbox({ workdir: projA });
    const r = await sb.exec('echo "$PATH|$HOME|$USER|$TMPDIR"; touch "$HOME/h" "$TMPDIR/t" && echo ok');
    const [path, home, user, tmpdir] = (r.stdout.split("\n")[0] as string).split("|");
    assert.equal(path, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    assert.match(home ?? "", /cordon-.*\/home$/);
    assert.equal(user, "root");
    assert.match(tmpdir ?? "", /cordon-.*\/tmp$/);
    assert.match(r.stdout, /ok/);
  });
});

describe("concurrency", () => {
  it("100 commands, 16 at a time: all correct, no leaked fds, processes or directories", async () => {
    const sb = new Sandbox({ workdir: projA });
    const fdsBefore = readdirSync("/proc/self/fd").length;
    const marker = `cordon-conc-${process.pid}`;
    let next = 0;
    const results: string[] = [];
    const worker = async () => {
      while (next < 100) {
        const i = next++;
        const r = await sb.exec(`(exec -a ${marker} sleep 0.05) & echo ${i}; cat /etc/shadow 2>/dev/null || true`);
        results[i] = r.stdout;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    results.forEach((out, i) => {
      assert.equal(out, `${i}\n`);
    });
    await new Promise((done) => setTimeout(done, 200));
    assert.equal(readdirSync("/proc/self/fd").length, fdsBefore, "fds leaked");
    assert.equal(pgrep(marker), "", "processes leaked");
    assert.deepEqual(readdirSync(tmp), [], "scratch directories leaked");
    const zombies = execFileSync("ps", ["-o", "stat=", "--ppid", String(process.pid)], { encoding: "utf8" }).trim();
    assert.doesNotMatch(zombies, /Z/, "zombie children");
  });
});

describe("the SDK in a process running as nobody", () => {
  it("isolates the workdir the same way", () => {
    const dir = mkdtempSync("/tmp/cordon-test-sdk-nobody-");
    const proj = join(dir, "proj");
    const sibling = join(dir, "sibling");
    mkdirSync(proj);
    mkdirSync(sibling);
    writeFileSync(join(sibling, "s.txt"), "nobody's sibling\n", { mode: 0o644 });
    for (const d of [dir, proj]) chownSync(d, NOBODY.uid, NOBODY.gid);
    const script = `
      import { Sandbox } from ${JSON.stringify(join(ROOT, "dist", "index.js"))};
      const sb = new Sandbox({ workdir: ${JSON.stringify(proj)} });
      const r = await sb.exec("id -u; touch made && echo made; cat ${sibling}/s.txt || echo denied");
      console.log(JSON.stringify({ stdout: r.stdout, enforced: r.report?.enforced }));
    `;
    try {
      const r = spawnCmd(process.execPath, ["--input-type=module", "-e", script], {
        as: NOBODY,
        env: { PATH: "/usr/bin:/bin", TMPDIR: dir },
      });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.stdout, "65534\nmade\ndenied\n");
      assert.equal(out.enforced, "full");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
