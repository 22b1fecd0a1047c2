// Escape suite, secrets: a hostile command under the default agent profile
// goes after the caller's secrets: its environment, other processes' /proc
// entries and command lines, inherited descriptors, core dumps, the real
// home directory's keys, system secrets, another run's private directory,
// shared memory, the kernel keyring and the real /tmp. Each attack must fail
// in the expected way and the secret must be absent from its output, while
// the legitimate case next to it works. Scenario ids match
// docs/escape-scenarios.md.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { launch, SYSTEM_RULES } from "../helpers/sandbox.js";
import {
  ACTORS,
  type Arena,
  attack,
  attackFlags,
  BASE_ENV,
  giveTo,
  makeArena,
  PY,
  py,
  q,
  requireTool,
  results,
  sandboxed,
  sh,
  start,
  token,
  waitFor,
} from "./harness.js";

for (const actor of ACTORS) {
  describe(`secret theft as ${actor.name}`, { concurrency: true }, () => {
    let a: Arena;
    let inheritAll: string;
    before(() => {
      a = makeArena(actor);
      // The agent profile, passing the caller's environment minus
      // secret-shaped names.
      inheritAll = join(a.root, "inherit-all.yaml");
      writeFileSync(inheritAll, "version: 1\nextends: agent\nenv:\n  inherit: all\n");
    });
    after(() => a.cleanup());

    it("SEC-01 parent-environ: the caller's /proc/PPID/environ, which holds its secrets, cannot be read, with or without /proc granted", async () => {
      const secret = token("env-secret");
      const code =
        `t("ppid-environ", read, "/proc/%d/environ" % os.getppid())\n` +
        `t("own-var", lambda: os.environ.get("CORDON_ESCAPE_SECRET", "absent"))\n` +
        `t("self-environ", lambda: "has-path" if b"PATH=" in open("/proc/self/environ", "rb").read() else "no-path")`;
      const env = { CORDON_ESCAPE_SECRET: secret };
      const plain = await sandboxed(actor, a, py(code), { env });
      const withProc = await sandboxed(actor, a, py(code), { flags: ["--allow", "/proc:r"], env });
      for (const r of [plain, withProc]) {
        assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
        const res = results(r.stdout);
        assert.equal(res["ppid-environ"], "EACCES", r.stdout + r.stderr);
        assert.equal(res["own-var"], "ok:absent");
      }
      assert.equal(results(plain.stdout)["self-environ"], "EACCES", "the agent profile does not grant /proc");
      assert.equal(results(withProc.stdout)["self-environ"], "ok:has-path", "its own environ is readable");
    });

    it("SEC-02 env-default: the caller's variables do not reach the command; with inherit: all, secret-shaped names are still withheld", async () => {
      const secret = token("env-secret");
      const env = { AWS_SECRET_ACCESS_KEY: secret, GITHUB_TOKEN: secret, CORDON_ESCAPE_PLAIN: "plain-value" };
      const code =
        `for name in ["AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "CORDON_ESCAPE_PLAIN"]:\n` +
        `    show(name, os.environ.get(name, "absent"))\n` +
        `show("all", " ".join(sorted(os.environ)))`;
      const minimal = await sandboxed(actor, a, py(code), { env });
      const all = await sandboxed(actor, a, py(code), { env, flags: ["--policy", inheritAll] });
      for (const r of [minimal, all]) {
        assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
        const res = results(r.stdout);
        assert.equal(res.AWS_SECRET_ACCESS_KEY, "ok:absent", r.stdout + r.stderr);
        assert.equal(res.GITHUB_TOKEN, "ok:absent");
      }
      assert.equal(results(minimal.stdout).CORDON_ESCAPE_PLAIN, "ok:absent", "minimal by default");
      assert.equal(results(all.stdout).CORDON_ESCAPE_PLAIN, "ok:plain-value", "inherit: all passes other names");
    });

    it("SEC-03 parent-proc: the caller's /proc/PPID mem, maps, environ, fd targets, cwd and root are refused even with /proc granted (its fd numbers can be listed, documented); its own are readable", async () => {
      const procspy = attack("procspy");
      const r = await sandboxed(
        actor,
        a,
        // bash's parent is the CLI (the launcher exec'd bash): pass its pid on.
        sh(
          `P=$PPID; ${PY} -c ${shq(
            `pp = int(sys.argv[1])\n` +
              `for name in ["mem", "maps", "environ", "auxv", "stack"]:\n` +
              `    t("parent-" + name, lambda: str(len(open("/proc/%d/%s" % (pp, name), "rb").read(64))))\n` +
              `t("parent-fd", lambda: ",".join(os.listdir("/proc/%d/fd" % pp)))\n` +
              `t("parent-fd0-link", os.readlink, "/proc/%d/fd/0" % pp)\n` +
              `t("parent-fd0-open", read, "/proc/%d/fd/0" % pp)\n` +
              `t("parent-cwd", lambda: ",".join(os.listdir("/proc/%d/cwd" % pp)))\n` +
              `t("parent-root", lambda: ",".join(os.listdir("/proc/%d/root" % pp)))\n` +
              `import ctypes\n` +
              `buf = ctypes.create_string_buffer(b"own-memory")\n` +
              `t("self-mem", lambda: os.pread(os.open("/proc/self/mem", os.O_RDONLY), 10, ctypes.addressof(buf)).decode())\n` +
              `t("self-fd", lambda: str(len(os.listdir("/proc/self/fd")) > 0))`,
          )} "$P"; ${procspy} mem-read:$P vm-read:$P`,
        ),
        { flags: ["--allow", "/proc:r", ...attackFlags()] },
      );
      const res = results(r.stdout);
      for (const k of ["mem", "maps", "environ", "auxv", "stack", "fd0-link", "fd0-open", "cwd", "root"]) {
        assert.equal(res[`parent-${k}`], "EACCES", `parent-${k}: ${r.stdout}${r.stderr}`);
      }
      // Documented: /proc/PID/fd of a process of the same uid can be listed
      // (plain permission bits, no ptrace check): the fd numbers leak, not
      // what they point to.
      if (actor.as.uid === actor.target.uid) assert.match(res["parent-fd"] ?? "", /^ok:0,1,2/);
      else assert.equal(res["parent-fd"], "EACCES");
      assert.equal(res["self-mem"], "ok:own-memory");
      assert.equal(res["self-fd"], "ok:True");
      const spy = Object.entries(res).filter(([k]) => /^(mem|vm)-read:/.test(k));
      assert.deepEqual(
        spy.map(([k, v]) => `${k.split(":")[0]}=${v}`),
        ["mem-read=EACCES", "vm-read=EPERM"],
      );
    });

    it("SEC-04 other-cmdline: a secret in another process's argv is unreadable under the agent profile; granting /proc exposes it (documented)", async () => {
      requireTool("ps", "procps");
      const secret = token("argv-secret");
      // A process of the same user with a password on its command line.
      const victim = spawn(PY, ["-c", "import time; time.sleep(30)", `--password=${secret}`], {
        uid: actor.target.uid,
        gid: actor.target.gid,
        stdio: "ignore",
      });
      try {
        const v = victim.pid as number;
        const code =
          `t("cmdline", lambda: read("/proc/${v}/cmdline").replace("\\0", " "))\n` +
          `t("list-proc", lambda: str(len(os.listdir("/proc"))))`;
        const agent = await sandboxed(actor, a, py(code));
        const ps = await sandboxed(actor, a, sh("ps -eo args; echo ps=$?"));
        assert.equal(results(agent.stdout).cmdline, "EACCES");
        assert.equal(results(agent.stdout)["list-proc"], "EACCES");
        assert.match(ps.stdout, /ps=[1-9]\d*\n$/, "ps cannot read /proc");
        for (const r of [agent, ps]) assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
        // Documented limit: /proc/PID/cmdline has no ptrace check; a policy
        // that grants /proc shows every process's command line.
        const granted = await sandboxed(actor, a, py(code), { flags: ["--allow", "/proc:r"] });
        assert.match(results(granted.stdout).cmdline ?? "", new RegExp(`--password=${secret}`));
      } finally {
        victim.kill("SIGKILL");
      }
    });

    it("SEC-05 inherited-fd-read: a descriptor to a secret file at fd 5, and the CLI's report pipe, never reach the command", async () => {
      const secretFile = join(a.sibling, "credentials");
      const secret = token("fd-secret");
      writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
      const code =
        `t("read-fd5", lambda: os.read(5, 100).decode())\n` +
        `t("read-fd3", lambda: os.read(3, 100).decode())\n` +
        `t("own", read, "own.txt")`;
      const fd = openSync(secretFile, "r");
      try {
        const extraStdio = ["ignore", "ignore", fd] as ("ignore" | number)[];
        const viaCli = await sandboxed(actor, a, py(code), {
          extraStdio,
          flags: ["--report", join(a.tmp, "report.json")],
        });
        const direct = launch(
          [...SYSTEM_RULES, "--rw", a.proj, "--chdir", a.proj, ...actor.flags, "--", PY, "-c", py(code)[2] as string],
          { as: actor.as, extraStdio, env: BASE_ENV },
        );
        for (const r of [viaCli, direct]) {
          const res = results(r.stdout);
          assert.equal(res["read-fd5"], "EBADF", r.stdout + r.stderr);
          assert.equal(res["read-fd3"], "EBADF");
          assert.equal(res.own, "ok:own data");
          assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
        }
      } finally {
        closeSync(fd);
      }
    });

    it("SEC-06 core-dump: the core limit is 0 and cannot be raised; a crashing command leaves no core in the workdir", async () => {
      const r = await sandboxed(
        actor,
        a,
        sh(
          `echo "soft=$(ulimit -S -c) hard=$(ulimit -H -c)"; ` +
            `(ulimit -c unlimited) 2>/dev/null && echo raise=ok || echo raise=refused; ` +
            `${PY} -c 'import os, signal; os.kill(os.getpid(), signal.SIGSEGV)'; echo "crash=$?"; ` +
            `ls -A | grep -c '^core' || true`,
        ),
      );
      assert.equal(r.stdout, "soft=0 hard=0\nraise=refused\ncrash=139\n0\n", r.stderr);
      assert.equal(
        readdirSync(a.proj).some((f) => f.startsWith("core")),
        false,
      );
    });

    it("SEC-07 home-dotfiles: the caller's real ~/.ssh, ~/.aws and ~/.npmrc cannot be read or listed; the command's own HOME is private and works", async () => {
      const home = join(a.root, `home-${actor.name.replace(/\W+/g, "-")}`);
      const secret = token("home-secret");
      const files = {
        ".ssh/id_rsa": `-----BEGIN OPENSSH PRIVATE KEY----- ${secret}\n`,
        ".aws/credentials": `[default]\naws_secret_access_key = ${secret}\n`,
        ".npmrc": `//registry.npmjs.org/:_authToken=${secret}\n`,
      };
      mkdirSync(join(home, ".ssh"), { recursive: true });
      mkdirSync(join(home, ".aws"));
      for (const [rel, content] of Object.entries(files)) writeFileSync(join(home, rel), content, { mode: 0o600 });
      // Owned by the command's user, so that only the sandbox stands between
      // it and the keys (as for a user's own agent).
      for (const p of [home, join(home, ".ssh"), join(home, ".aws"), ...Object.keys(files).map((f) => join(home, f))]) {
        giveTo(actor, p);
      }
      chmodSync(home, 0o700);
      const code =
        Object.keys(files)
          .map((rel) => `t(${q(rel)}, read, ${q(join(home, rel))})\n`)
          .join("") +
        `t("list-home", lambda: ",".join(os.listdir(${q(home)})))\n` +
        `t("list-ssh", lambda: ",".join(os.listdir(${q(join(home, ".ssh"))})))\n` +
        `t("home-is-private", lambda: str(os.environ["HOME"] != ${q(home)}))\n` +
        `t("tilde", lambda: str(os.path.expanduser("~") == os.environ["HOME"]))\n` +
        `t("write-own-home", lambda: open(os.path.expanduser("~/.cache-test"), "w").write("ok") and "ok")`;
      const r = await sandboxed(actor, a, py(code), { env: { HOME: home } });
      const res = results(r.stdout);
      for (const k of [...Object.keys(files), "list-home", "list-ssh"]) assert.equal(res[k], "EACCES", k);
      assert.equal(res["home-is-private"], "ok:True");
      assert.equal(res.tilde, "ok:True");
      assert.equal(res["write-own-home"], "ok:ok");
      assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
    });

    it("SEC-08 system-secrets: /etc/shadow, /etc/gshadow, SSH host keys and root's home are refused (a uid-0 command would pass DAC); /etc/passwd is readable", async () => {
      const candidates = ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/ssh/ssh_host_ed25519_key", "/root"];
      const present = candidates.filter((p) => existsSync(p));
      const probes = present.map(
        (p) => `t(${q(p)}, lambda: read(${q(p)}) if os.path.isfile(${q(p)}) else ",".join(os.listdir(${q(p)})))\n`,
      );
      const code = `${probes.join("")}t("passwd", lambda: read("/etc/passwd")[:5])`;
      const r = await sandboxed(actor, a, py(code));
      const res = results(r.stdout);
      for (const p of present) assert.equal(res[p], "EACCES", `${p}: ${r.stdout}${r.stderr}`);
      assert.equal(res.passwd, "ok:root:");
    });

    it("SEC-09 other-run: a concurrent run's private HOME and TMPDIR cannot be read; each run's own can", async () => {
      const secret = token("run-secret");
      const first = start(
        actor,
        a,
        sh(`echo "$HOME $TMPDIR"; echo ${secret} > "$HOME/token"; echo ${secret} > "$TMPDIR/token"; sleep 3`),
      );
      try {
        // The first run's scratch root is inside the caller's TMPDIR.
        assert.ok(
          await waitFor(() => readdirSync(a.tmp).some((d) => existsSync(join(a.tmp, d, "home", "token"))), 5000),
          "the first run did not start",
        );
        const scratch = readdirSync(a.tmp)
          .map((d) => join(a.tmp, d))
          .find((d) => existsSync(join(d, "home", "token"))) as string;
        const r = await sandboxed(
          actor,
          a,
          py(
            `t("home-token", read, ${q(join(scratch, "home", "token"))})\n` +
              `t("tmp-token", read, ${q(join(scratch, "tmp", "token"))})\n` +
              `t("list", lambda: ",".join(os.listdir(${q(scratch)})))\n` +
              `t("own-home", lambda: open(os.environ["HOME"] + "/mine", "w").write("x") and "ok")`,
          ),
        );
        const res = results(r.stdout);
        assert.equal(res["home-token"], "EACCES", r.stdout + r.stderr);
        assert.equal(res["tmp-token"], "EACCES");
        assert.equal(res.list, "EACCES");
        assert.equal(res["own-home"], "ok:ok");
        assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
      } finally {
        first.kill("SIGTERM");
        await first.done;
      }
    });

    it("SEC-10 shared-memory: another process's /dev/shm segment cannot be read, listed or planted", async () => {
      if (!existsSync("/dev/shm")) assert.fail("/dev/shm is missing on this machine: the scenario cannot run");
      const secret = token("shm-secret");
      const segment = `/dev/shm/cordon-escape-${secret}`;
      writeFileSync(segment, secret, { mode: 0o666 });
      chmodSync(segment, 0o666);
      try {
        const r = await sandboxed(
          actor,
          a,
          py(
            `t("read", read, ${q(segment)})\n` +
              `t("list", lambda: ",".join(os.listdir("/dev/shm")))\n` +
              `t("plant", os.open, "/dev/shm/cordon-escape-planted", os.O_CREAT | os.O_WRONLY, 0o666)\n` +
              `import multiprocessing.shared_memory as shm\n` +
              `t("shm-open", lambda: shm.SharedMemory(name=${q(`cordon-escape-${secret}`)}).name)`,
          ),
        );
        const res = results(r.stdout);
        for (const k of ["read", "list", "plant", "shm-open"]) assert.equal(res[k], "EACCES", `${k}: ${r.stdout}`);
        assert.doesNotMatch(r.stdout, new RegExp(`ok:.*${secret}`));
        assert.equal(existsSync("/dev/shm/cordon-escape-planted"), false);
      } finally {
        rmSync(segment, { force: true });
      }
    });

    it("SEC-11 keyring: a secret in the user's kernel keyring cannot be searched or read (readable outside, the control)", async () => {
      const kernel = attack("kernel");
      const desc = token("cordon-escape-key");
      const secret = token("key-secret");
      const asTarget = { uid: actor.target.uid, gid: actor.target.gid, encoding: "utf8" as const };
      const added = spawnSync(kernel, [`add-key-user:${desc}=${secret}`], asTarget);
      assert.equal(results(added.stdout)["add-key-user"], "ok", added.stdout + added.stderr);
      try {
        const outside = results(spawnSync(kernel, [`keyctl-read:${desc}`], asTarget).stdout);
        assert.equal(outside["keyctl-read"], `ok:${secret}`, "the control: readable outside the sandbox");
        const r = await sandboxed(actor, a, [kernel, `keyctl-read:${desc}`, "keyctl-session"], {
          flags: attackFlags(),
        });
        const res = results(r.stdout);
        assert.equal(res["keyctl-search"], "EPERM", r.stdout + r.stderr);
        assert.equal(res["keyctl-session"], "EPERM");
        assert.doesNotMatch(r.stdout, new RegExp(secret));
      } finally {
        spawnSync(kernel, [`keyctl-unlink:${desc}`], asTarget);
      }
    });

    it("SEC-12 real-tmp: the real /tmp cannot be listed and other users' files there cannot be read; the private TMPDIR works", async () => {
      const secret = token("tmp-secret");
      const file = join(a.root, `tmp-secret-${process.pid}`);
      writeFileSync(file, secret, { mode: 0o644 });
      const r = await sandboxed(
        actor,
        a,
        py(
          `t("list-tmp", lambda: str(len(os.listdir("/tmp"))))\n` +
            `t("read", read, ${q(file)})\n` +
            `t("create-tmp", os.open, "/tmp/cordon-escape-planted", os.O_CREAT | os.O_WRONLY, 0o644)\n` +
            `import tempfile\n` +
            `t("private-tmp", lambda: "ok" if tempfile.mkstemp()[1].startswith(os.environ["TMPDIR"]) else "elsewhere")`,
        ),
      );
      const res = results(r.stdout);
      assert.equal(res["list-tmp"], "EACCES");
      assert.equal(res.read, "EACCES");
      assert.equal(res["create-tmp"], "EACCES");
      assert.equal(res["private-tmp"], "ok:ok");
      assert.equal(existsSync("/tmp/cordon-escape-planted"), false);
    });
  });
}

/** A python attack (with its prelude) as one bash word. */
function shq(code: string): string {
  const body = py(code)[2] as string;
  return `'${body.replace(/'/g, `'\\''`)}'`;
}
