// Escape suite, robustness: a hostile command (or a hostile input) tries to
// break cordon itself rather than the sandbox: a flood of output, a fork
// storm, arguments and environment near the kernel's limits, bytes that are
// not UTF-8 in arguments and paths, shell metacharacters in paths that the
// CLI prints back as a command line, and resource limits. cordon must stay
// correct (every byte, every argument, the right directory) or refuse
// clearly, never do something else. Scenario ids match
// docs/escape-scenarios.md.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CLI, type Identity, ROOT_USER } from "../helpers/sandbox.js";
import {
  ACTOR_NOBODY,
  ACTOR_ROOT,
  ACTORS,
  type Actor,
  type Arena,
  callerEnv,
  giveTo,
  makeArena,
  py,
  results,
  runArgs,
  sandboxed,
  sh,
  shellWord,
} from "./harness.js";

/** The dedicated user of the fork storm: RLIMIT_NPROC counts every process
 * of a uid, so the storm must not share its uid with anything else. Created
 * once and kept (idempotent), never removed by the suite. */
const STORM_USER = "cordon-escape-fork";

function stormUser(): Identity {
  const lookup = () => spawnSync("getent", ["passwd", STORM_USER], { encoding: "utf8" });
  let pw = lookup();
  if (pw.status !== 0) {
    const add = spawnSync(
      "useradd",
      [
        "--system",
        "--user-group",
        "--no-create-home",
        "--home-dir",
        "/nonexistent",
        "--shell",
        "/usr/sbin/nologin",
        STORM_USER,
      ],
      { encoding: "utf8" },
    );
    // A concurrent creator may have won the race; the lookup decides.
    pw = lookup();
    assert.equal(pw.status, 0, `cannot create the user ${STORM_USER} (useradd, package passwd): ${add.stderr}`);
  }
  const [, , uid, gid] = pw.stdout.split(":");
  return { name: STORM_USER, uid: Number(uid), gid: Number(gid) };
}

/** Bytes the kernel counts against ARG_MAX for an execve: every string with
 * its NUL, the file name, and a pointer per argument and variable. */
function execBytes(file: string, argv: string[], env: NodeJS.ProcessEnv): number {
  const strings = [file, ...argv, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  return strings.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0) + 8 * (argv.length + Object.keys(env).length);
}

const sha256 = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

/** Runs `bash -c SCRIPT` as the actor (for arguments that only bash can
 * spell, like $'\xff'). */
function bashAs(actor: Actor, a: Arena, script: string) {
  return spawnSync("bash", ["-c", script], {
    uid: actor.as.uid,
    gid: actor.as.gid,
    env: callerEnv(a),
    encoding: "buffer",
    timeout: 30_000,
  });
}

for (const actor of ACTORS) {
  describe(`robustness as ${actor.name}`, { concurrency: true }, () => {
    let a: Arena;
    let passBig: string;
    before(() => {
      a = makeArena(actor);
      passBig = join(a.root, "pass-big.yaml");
      writeFileSync(passBig, "version: 1\nextends: agent\nenv:\n  pass: [CORDON_ESCAPE_*]\n");
    });
    after(() => a.cleanup());

    const cliLine = (cmd: string[], flags: string[] = []) =>
      [process.execPath, CLI, ...runArgs(actor, a, cmd, { flags })].map(shellWord).join(" ");

    it("ROB-01 output-flood: 100 MB of output pass through the CLI, every byte, with the command's status", async () => {
      const total = 100_000_000;
      const child = spawn(process.execPath, [CLI, ...runArgs(actor, a, ["head", "-c", String(total), "/dev/zero"])], {
        uid: actor.as.uid,
        gid: actor.as.gid,
        env: callerEnv(a),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let bytes = 0;
      let nonZero = 0;
      child.stdout.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (chunk.some((b) => b !== 0)) nonZero++;
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (s: string) => {
        stderr += s;
      });
      const status = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      assert.equal(status, 0, stderr);
      assert.equal(bytes, total);
      assert.equal(nonZero, 0);
    });

    it("ROB-03 long-arguments: 1.9 MB of arguments, one of them 128 KiB - 1 (MAX_ARG_STRLEN), pass exactly; a set too big for the launcher's exec is refused with 125 and E2BIG", async () => {
      const args = [
        ...Array.from({ length: 18 }, (_, i) => String.fromCharCode(97 + i).repeat(100_000)),
        "z".repeat(131_071),
      ];
      const code = `import hashlib\nshow("count", len(sys.argv) - 1)\nshow("sha", hashlib.sha256("\\0".join(sys.argv[1:]).encode()).hexdigest())`;
      const r = await sandboxed(actor, a, [...py(code), ...args]);
      const res = results(r.stdout);
      assert.equal(res.count, `ok:${args.length}`, r.stderr.slice(0, 500));
      assert.equal(res.sha, `ok:${sha256(args.join("\0"))}`);
      // Just below the limit for the CLI's own exec, above it for the
      // launcher's (which adds the profile's rules). Pinned to an 8 MiB
      // stack limit, where ARG_MAX is 2 MiB.
      const limit = 2 * 1024 * 1024;
      const env = callerEnv(a);
      const cliArgv = (payload: string[]) => [process.execPath, CLI, ...runArgs(actor, a, ["true", ...payload])];
      const base = execBytes(process.execPath, cliArgv([]), env);
      const fill = limit - 1024 - base;
      const payload = Array.from({ length: Math.ceil(fill / 100_000) }, () => "p".repeat(100_000));
      const last = payload.length - 1;
      payload[last] = "p".repeat(fill - 100_000 * last - 9 * payload.length);
      assert.ok(execBytes(process.execPath, cliArgv(payload), env) <= limit - 1000);
      const big = spawnSync("bash", ["-c", 'ulimit -s 8192 && exec "$@"', "bash", ...cliArgv(payload)], {
        uid: actor.as.uid,
        gid: actor.as.gid,
        env,
        encoding: "utf8",
        timeout: 30_000,
      });
      assert.equal(big.status, 125, big.stderr.slice(0, 500));
      assert.match(big.stderr, /E2BIG/);
      assert.equal(big.stdout, "");
    });

    it("ROB-04 long-environment: a 128 KiB variable and 1 MB of environment, passed by the policy, arrive exactly", async () => {
      const huge = "v".repeat(131_072 - "CORDON_ESCAPE_HUGE=".length - 1);
      const env: NodeJS.ProcessEnv = { CORDON_ESCAPE_HUGE: huge };
      for (let i = 0; i < 8; i++) env[`CORDON_ESCAPE_${i}`] = String(i).repeat(120_000);
      const code =
        `import hashlib\n` +
        `names = sorted(k for k in os.environ if k.startswith("CORDON_ESCAPE_"))\n` +
        `show("names", ",".join(names))\n` +
        `show("sha", hashlib.sha256("".join(os.environ[k] for k in names).encode()).hexdigest())`;
      const r = await sandboxed(actor, a, py(code), { env, flags: ["--policy", passBig] });
      const names = Object.keys(env).sort();
      const res = results(r.stdout);
      assert.equal(res.names, `ok:${names.join(",")}`, r.stderr.slice(0, 500));
      assert.equal(res.sha, `ok:${sha256(names.map((k) => env[k]).join(""))}`);
    });

    it("ROB-05 utf8-arguments: bytes that are not UTF-8 in the command's arguments reach it unchanged (or the CLI refuses), never rewritten", () => {
      const r = bashAs(actor, a, `set -o pipefail; ${cliLine(["/usr/bin/printf", "%s"])} $'\\xff\\xfe' | od -An -tx1`);
      const out = r.stdout.toString().trim();
      const refused = r.status === 125 && /UTF-8/i.test(r.stderr.toString());
      assert.ok(
        out === "ff fe" || refused,
        `the argument $'\\xff\\xfe' reached the command as "${out}" (U+FFFD is ef bf bd): the CLI rewrote it`,
      );
    });

    it("ROB-06 utf8-paths: a file name that is not UTF-8 is created and read back exactly; a --workdir that is not UTF-8 is that directory or a refusal, never another one", async () => {
      const r = await sandboxed(
        actor,
        a,
        sh(`printf content > $'bad-\\xff\\xfe' && cat $'bad-\\xff\\xfe' && ls | od -An -tx1 | tr -d ' \\n'`),
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^content/);
      const created = readdirSync(a.proj, { encoding: "buffer" }).find((n) => n.includes(Buffer.from([0xff, 0xfe])));
      assert.deepEqual(created, Buffer.from([0x62, 0x61, 0x64, 0x2d, 0xff, 0xfe]));
      // Two directories whose names differ only in how an invalid byte is
      // decoded: `w-\xff` (asked for) and `w-U+FFFD` (what a lossy decode
      // yields). The run must be in the first or not run at all.
      const asked = Buffer.concat([Buffer.from(`${a.root}/w-`), Buffer.from([0xff])]);
      const twin = join(a.root, "w-\ufffd");
      mkdirSync(asked);
      mkdirSync(twin);
      chownSync(asked, actor.target.uid, actor.target.gid);
      giveTo(actor, twin);
      const run = bashAs(
        actor,
        a,
        `${[process.execPath, CLI, "run", "--workdir"].map(shellWord).join(" ")} $'${a.root}/w-\\xff' ${actor.flags
          .map(shellWord)
          .join(" ")} -- sh -c 'pwd; touch made-here'`,
      );
      const madeInTwin = existsSync(join(twin, "made-here"));
      const refused = run.status === 125;
      assert.ok(
        refused || (!madeInTwin && run.stdout.equals(Buffer.concat([asked, Buffer.from("\n")]))),
        `--workdir $'…/w-\\xff' ran in ${run.stdout.toString().trim()} (a different directory, granted rwx): ` +
          `status ${run.status}, made-here in the twin: ${madeInTwin}`,
      );
    });

    it("ROB-07 dry-run-injection: a workdir whose name holds quotes, backticks, ; and a newline is quoted in --dry-run's line; running the line runs nothing else", () => {
      const evil = join(a.root, `it's \`touch PWNED1\`; touch PWNED2 "q"\nline`);
      mkdirSync(evil);
      giveTo(actor, evil);
      const dry = spawnSync(
        process.execPath,
        [CLI, "run", "--workdir", evil, ...actor.flags, "--dry-run", "--", "sh", "-c", "pwd; touch made-here"],
        { uid: actor.as.uid, gid: actor.as.gid, env: callerEnv(a), encoding: "utf8", cwd: a.root },
      );
      assert.equal(dry.status, 0, dry.stderr);
      const r = spawnSync("/bin/sh", ["-c", dry.stdout], {
        uid: actor.as.uid,
        gid: actor.as.gid,
        env: callerEnv(a),
        encoding: "utf8",
        cwd: a.tmp,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${evil}\n`);
      assert.ok(existsSync(join(evil, "made-here")));
      for (const dir of [a.root, a.tmp, evil]) {
        assert.deepEqual(
          readdirSync(dir).filter((f) => f.startsWith("PWNED")),
          [],
          `a command substitution in the path ran (in ${dir})`,
        );
      }
    });

    it("ROB-11 workdir-template: a workdir whose name looks like ${NAME} is that directory or a refusal, never the caller's variable expanded into another path", async () => {
      // A directory literally named ${HOME} (a command can create one in a
      // workdir it may write), next to the directory that expanding the
      // caller's HOME=/root would name.
      const parent = join(a.root, "templates");
      const literal = join(parent, "${HOME}");
      const expanded = join(parent, "root");
      mkdirSync(literal, { recursive: true });
      mkdirSync(expanded);
      giveTo(actor, parent, literal, expanded);
      const r = await sandboxed(
        actor,
        { ...a, proj: literal },
        sh(
          `pwd; touch made-here; echo "here=$?"; touch ${shellWord(join(expanded, "granted"))} 2>/dev/null; echo "other=$?"`,
        ),
        { env: { HOME: "/root" } },
      );
      const refused = r.status === 125;
      assert.ok(
        refused || r.stdout === `${literal}\nhere=0\nother=1\n`,
        `--workdir '${literal}' granted the expanded path instead: ${JSON.stringify(r.stdout)} ${r.stderr}`,
      );
      assert.equal(existsSync(join(expanded, "granted")), false, "the expanded directory was granted rwx");
    });

    it("ROB-08 rlimits: --rlimit fsize stops a disk flood (SIGXFSZ), --rlimit as stops a memory hog (MemoryError)", async () => {
      const fsize = await sandboxed(actor, a, sh("head -c 2097152 /dev/zero > big; echo status=$?; stat -c %s big"), {
        flags: ["--rlimit", "fsize=1048576"],
      });
      assert.equal(fsize.stdout, "status=153\n1048576\n", fsize.stderr);
      const as = await sandboxed(
        actor,
        a,
        py(
          `def alloc(n):\n` +
            `    try:\n` +
            `        return str(len(bytearray(n)))\n` +
            `    except MemoryError:\n` +
            `        return "MemoryError"\n` +
            `t("big", alloc, 1 << 30)\n` +
            `t("small", alloc, 1 << 20)`,
        ),
        { flags: ["--rlimit", "as=536870912"] },
      );
      assert.deepEqual(results(as.stdout), { big: "ok:MemoryError", small: "ok:1048576" }, as.stderr);
    });
  });
}

describe("fork storm under --rlimit nproc", { concurrency: true }, () => {
  let a: Arena;
  let storm: Identity;
  const stormActor = (): Actor => ({
    name: `root with --user ${STORM_USER}`,
    as: ROOT_USER,
    flags: ["--user", STORM_USER],
    target: storm,
  });
  before(() => {
    storm = stormUser();
    a = makeArena(stormActor());
  });
  after(() => a.cleanup());

  const STORM =
    `import signal, time\n` +
    `kids, failed = [], {}\n` +
    `for i in range(int(sys.argv[1])):\n` +
    `    try:\n` +
    `        pid = os.fork()\n` +
    `    except OSError as e:\n` +
    `        failed[errno.errorcode[e.errno]] = failed.get(errno.errorcode[e.errno], 0) + 1\n` +
    `        continue\n` +
    `    if pid == 0:\n` +
    `        time.sleep(5)\n` +
    `        os._exit(0)\n` +
    `    kids.append(pid)\n` +
    `show("forked", len(kids))\n` +
    `show("failed", ",".join("%s:%d" % kv for kv in sorted(failed.items())))\n` +
    `for k in kids:\n` +
    `    os.kill(k, signal.SIGKILL)\n` +
    `for k in kids:\n` +
    `    os.waitpid(k, 0)\n`;

  it("ROB-02 fork-storm: a storm of 300 forks as a dedicated user under --rlimit nproc=25 gets at most 24 children and EAGAIN for the rest; the next run works", async () => {
    const actor = stormActor();
    const r = await sandboxed(actor, a, [...py(STORM), "300"], { flags: ["--rlimit", "nproc=25"] });
    const res = results(r.stdout);
    const forked = Number(res.forked?.slice(3));
    assert.ok(forked >= 20 && forked <= 24, `forked ${forked}: ${r.stdout}${r.stderr}`);
    assert.equal(res.failed, `ok:EAGAIN:${300 - forked}`);
    const next = await sandboxed(actor, a, ["id", "-un"], { flags: ["--rlimit", "nproc=25"] });
    assert.equal(next.stdout, `${STORM_USER}\n`, next.stderr);
  });

  it("ROB-09 root-nproc: a root caller's command (uid 0) is not bound by --rlimit nproc (documented: the kernel exempts uid 0)", async () => {
    const root = makeArena(ACTOR_ROOT);
    try {
      const r = await sandboxed(ACTOR_ROOT, root, [...py(STORM), "20"], { flags: ["--rlimit", "nproc=5"] });
      assert.equal(results(r.stdout).forked, "ok:20", r.stdout + r.stderr);
    } finally {
      root.cleanup();
    }
  });

  it("ROB-10 cpu-spin: --rlimit cpu=1 kills a spinning command (SIGXCPU, then SIGKILL) within seconds", async () => {
    const nobody = makeArena(ACTOR_NOBODY);
    try {
      const started = Date.now();
      const r = await sandboxed(ACTOR_NOBODY, nobody, sh("while :; do :; done"), { flags: ["--rlimit", "cpu=1"] });
      assert.ok([128 + 24, 128 + 9].includes(r.status ?? 0), `status ${r.status}`);
      assert.ok(Date.now() - started < 10_000);
    } finally {
      nobody.cleanup();
    }
  });
});
