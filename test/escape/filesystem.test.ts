// Escape suite, filesystem: a hostile command run by `cordon run` with the
// default agent profile tries to read, list, write, link, rename, truncate,
// create special files, execute and re-label outside what it was granted,
// as root, as root with --user nobody, and as nobody. Each scenario asserts
// the exact way the attack fails and that the legitimate case next to it
// works; where Landlock does not mediate something (chmod, utime, xattrs,
// stat, access), the test asserts what really happens, so that
// docs/escape-scenarios.md stays honest. Scenario ids match that table.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CLI, launch, SYSTEM_RULES } from "../helpers/sandbox.js";
import {
  ACTORS,
  type Arena,
  alive,
  attack,
  attackFlags,
  BASE_ENV,
  giveTo,
  kernelAbi,
  makeArena,
  PY,
  py,
  q,
  results,
  sandboxed,
  sh,
  shellWord,
  token,
  waitFor,
} from "./harness.js";

const SIBLING_SECRET = "sibling secret\n";
const LDSO = ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1"].find((p) => existsSync(p));

for (const actor of ACTORS) {
  describe(`filesystem escapes as ${actor.name}`, { concurrency: true }, () => {
    let a: Arena;
    let tools: string;
    before(() => {
      a = makeArena(actor);
      // Executables are written before the concurrent tests start: a file
      // still open for writing in a forked child is "Text file busy".
      tools = join(a.root, "tools");
      mkdirSync(tools);
      chmodSync(tools, 0o755);
      copyFileSync("/usr/bin/id", join(tools, "prog"));
      chmodSync(join(tools, "prog"), 0o755);
      writeFileSync(join(tools, "script.sh"), "echo script-ran\n");
      chmodSync(join(tools, "script.sh"), 0o755);
    });
    after(() => a.cleanup());

    const run = (cmd: string[], flags: string[] = []) => sandboxed(actor, a, cmd, { flags });
    const secretUnchanged = () => assert.equal(readFileSync(a.secret, "utf8"), SIBLING_SECRET);

    it("FS-01 sibling-read: a sibling project's file cannot be read; the workdir's can", async () => {
      const r = await run(py(`t("sibling", read, ${q(a.secret)})\nt("own", read, "own.txt")`));
      const res = results(r.stdout);
      assert.equal(res.sibling, "EACCES", r.stdout + r.stderr);
      assert.equal(res.own, "ok:own data");
      assert.doesNotMatch(r.stdout, /sibling secret/);
    });

    it("FS-02 sibling-list: a sibling directory cannot be listed; the workdir can", async () => {
      const r = await run(
        py(
          `t("sibling", lambda: ",".join(os.listdir(${q(a.sibling)})))\n` +
            `t("own", lambda: ",".join(sorted(os.listdir("."))))\n` +
            `t("scandir", lambda: ",".join(e.name for e in os.scandir(${q(a.sibling)})))`,
        ),
      );
      const res = results(r.stdout);
      assert.equal(res.sibling, "EACCES", r.stdout + r.stderr);
      assert.equal(res.scandir, "EACCES");
      assert.match(res.own ?? "", /^ok:.*own\.txt/);
      assert.doesNotMatch(r.stdout, /secret\.txt/);
    });

    it("FS-03 sibling-write: a sibling's file cannot be written, appended, removed; nothing can be created there", async () => {
      const r = await run(
        py(
          `t("write", os.open, ${q(a.secret)}, os.O_WRONLY)\n` +
            `t("append", os.open, ${q(a.secret)}, os.O_WRONLY | os.O_APPEND)\n` +
            `t("create", os.open, ${q(join(a.sibling, "planted"))}, os.O_WRONLY | os.O_CREAT, 0o644)\n` +
            `t("mkdir", os.mkdir, ${q(join(a.sibling, "planted-dir"))})\n` +
            `t("unlink", os.unlink, ${q(a.secret)})\n` +
            `t("own-create", lambda: open("written.txt", "w").write("mine"))`,
        ),
      );
      const res = results(r.stdout);
      for (const k of ["write", "append", "create", "mkdir", "unlink"]) assert.equal(res[k], "EACCES", k);
      assert.equal(res["own-create"], "ok");
      secretUnchanged();
      assert.equal(existsSync(join(a.sibling, "planted")), false);
      assert.equal(existsSync(join(a.sibling, "planted-dir")), false);
      assert.equal(readFileSync(join(a.proj, "written.txt"), "utf8"), "mine");
    });

    it("FS-04 parent: the workdir's parent cannot be listed or written, and the workdir cannot be moved or removed", async () => {
      const r = await run(
        py(
          `t("list", lambda: ",".join(os.listdir("..")))\n` +
            `t("create", os.open, "../planted", os.O_WRONLY | os.O_CREAT, 0o644)\n` +
            `t("rename-workdir", os.rename, ${q(a.proj)}, ${q(join(a.root, "moved"))})\n` +
            `t("rmdir-workdir", os.rmdir, ${q(a.proj)})\n` +
            `t("symlink", os.symlink, "/", "../planted-link")`,
        ),
      );
      const res = results(r.stdout);
      for (const k of ["list", "create", "rename-workdir", "rmdir-workdir", "symlink"]) {
        assert.equal(res[k], "EACCES", `${k}: ${r.stdout}${r.stderr}`);
      }
      assert.ok(statSync(a.proj).isDirectory());
      assert.equal(existsSync(join(a.root, "planted")), false);
      assert.equal(existsSync(join(a.root, "moved")), false);
    });

    it("FS-05 dotdot: `..` paths from the workdir and its subdirectories resolve to the sibling and are refused", async () => {
      mkdirSync(join(a.proj, "x", "y"), { recursive: true });
      giveTo(actor, join(a.proj, "x"), join(a.proj, "x", "y"));
      const r = await run(
        py(
          `t("rel", read, "../sibling/secret.txt")\n` +
            `t("abs", read, ${q(`${a.proj}/../sibling/secret.txt`)})\n` +
            `t("deep", read, "x/y/../../../sibling/secret.txt")\n` +
            `t("slashes", read, ${q(`/${a.root}//sibling///secret.txt`)})\n` +
            `t("own-deep", read, "x/y/../../own.txt")`,
        ),
      );
      const res = results(r.stdout);
      for (const k of ["rel", "abs", "deep", "slashes"]) assert.equal(res[k], "EACCES", k);
      assert.equal(res["own-deep"], "ok:own data");
    });

    it("FS-06 planted-symlinks: symlinks in the workdir to a sibling file, a sibling directory and /etc/shadow are refused; to granted files they work", async () => {
      const links: Record<string, string> = {
        "to-secret": a.secret,
        "to-sibling": a.sibling,
        "to-shadow": "/etc/shadow",
        "to-passwd": "/etc/passwd",
        "to-own": a.own,
      };
      for (const [name, target] of Object.entries(links)) symlinkSync(target, join(a.proj, name));
      const r = await run(
        py(
          `t("read-secret", read, "to-secret")\n` +
            `t("write-secret", os.open, "to-secret", os.O_WRONLY | os.O_TRUNC)\n` +
            `t("list-dir", lambda: ",".join(os.listdir("to-sibling")))\n` +
            `t("read-via-dir", read, "to-sibling/secret.txt")\n` +
            `t("read-shadow", read, "to-shadow")\n` +
            `t("read-passwd", lambda: read("to-passwd")[:5])\n` +
            `t("read-own", read, "to-own")`,
        ),
      );
      const res = results(r.stdout);
      for (const k of ["read-secret", "write-secret", "list-dir", "read-via-dir", "read-shadow"]) {
        assert.equal(res[k], "EACCES", k);
      }
      assert.equal(res["read-passwd"], "ok:root:");
      assert.equal(res["read-own"], "ok:own data");
      secretUnchanged();
    });

    it("FS-07 own-symlinks: the command may create symlinks in the workdir, to anywhere, but following them is still checked", async () => {
      const r = await run(
        py(
          `t("make", os.symlink, ${q(a.secret)}, "mine")\n` +
            `t("follow", read, "mine")\n` +
            `t("make-shadow", os.symlink, "/etc/shadow", "shadow")\n` +
            `t("follow-shadow", read, "shadow")\n` +
            `t("make-in-sibling", os.symlink, "/etc/shadow", ${q(join(a.sibling, "link"))})`,
        ),
      );
      const res = results(r.stdout);
      assert.equal(res.make, "ok");
      assert.equal(res.follow, "EACCES");
      assert.equal(res["make-shadow"], "ok");
      assert.equal(res["follow-shadow"], "EACCES");
      assert.equal(res["make-in-sibling"], "EACCES");
      assert.ok(lstatSync(join(a.proj, "mine")).isSymbolicLink());
    });

    it("FS-08 hardlinks: link() of an outside file into the workdir, or of a workdir file out, fails; inside it works", async () => {
      const r = await run(
        py(
          `t("secret-in", os.link, ${q(a.secret)}, "stolen")\n` +
            `t("shadow-in", os.link, "/etc/shadow", "stolen-shadow")\n` +
            `t("own-out", os.link, "own.txt", ${q(join(a.sibling, "planted"))})\n` +
            `t("inside", os.link, "own.txt", "own-link")\n` +
            `t("read-inside", read, "own-link")`,
        ),
      );
      const res = results(r.stdout);
      // Landlock refuses a link whose source is not granted REFER with EXDEV.
      assert.equal(res["secret-in"], "EXDEV", r.stdout + r.stderr);
      // /etc/shadow is root's: a root command reaches Landlock (EXDEV); for
      // nobody, fs.protected_hardlinks refuses first (EPERM).
      assert.equal(res["shadow-in"], actor.target.uid === 0 ? "EXDEV" : "EPERM");
      assert.equal(res["own-out"], "EACCES");
      assert.equal(res.inside, "ok");
      assert.equal(res["read-inside"], "ok:own data");
      assert.equal(existsSync(join(a.proj, "stolen")), false);
      assert.equal(existsSync(join(a.proj, "stolen-shadow")), false);
      assert.equal(existsSync(join(a.sibling, "planted")), false);
    });

    it("FS-09 rename: files and directories cannot be renamed or exchanged across the boundary; inside they can (REFER)", async () => {
      const r = await run(
        py(
          `import ctypes\n` +
            `libc = ctypes.CDLL(None, use_errno=True)\n` +
            `def exchange(x, y):\n` +
            `    if libc.renameat2(-100, x.encode(), -100, y.encode(), 2) != 0:\n` +
            `        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))\n` +
            `open("mine.txt", "w").write("mine")\n` +
            `os.mkdir("subdir")\n` +
            `t("file-out", os.rename, "mine.txt", ${q(join(a.sibling, "mine.txt"))})\n` +
            `t("dir-out", os.rename, "subdir", ${q(join(a.sibling, "subdir"))})\n` +
            `t("file-in", os.rename, ${q(a.secret)}, "stolen.txt")\n` +
            `t("exchange", exchange, "mine.txt", ${q(a.secret)})\n` +
            `os.mkdir("other")\n` +
            `t("inside", os.rename, "mine.txt", "other/mine.txt")\n` +
            `t("inside-read", read, "other/mine.txt")`,
        ),
      );
      const res = results(r.stdout);
      for (const k of ["file-out", "dir-out", "file-in"]) assert.equal(res[k], "EACCES", `${k}: ${r.stdout}`);
      assert.match(res.exchange ?? "", /^(EACCES|EXDEV)$/);
      assert.equal(res.inside, "ok");
      assert.equal(res["inside-read"], "ok:mine");
      secretUnchanged();
      assert.equal(existsSync(join(a.sibling, "mine.txt")), false);
      assert.equal(existsSync(join(a.sibling, "subdir")), false);
    });

    it("FS-10 proc-self-root: /proc/self/root and /proc/self/cwd/.. lead back to the real paths and are checked there", async () => {
      const attackCode =
        `t("root-secret", read, "/proc/self/root" + ${q(a.secret)})\n` +
        `t("cwd-dotdot", read, "/proc/self/cwd/../sibling/secret.txt")\n` +
        `t("root-own", read, "/proc/self/root" + ${q(a.own)})\n` +
        `t("cwd-own", read, "/proc/self/cwd/own.txt")`;
      // The magic links resolve whether or not /proc is granted (Landlock
      // has no traversal control), and Landlock checks the file they lead
      // to: the sibling is refused, the workdir file is not.
      for (const flags of [[], ["--allow", "/proc:r"]]) {
        const res = results((await run(py(attackCode), flags)).stdout);
        assert.equal(res["root-secret"], "EACCES", flags.join(" "));
        assert.equal(res["cwd-dotdot"], "EACCES");
        assert.equal(res["root-own"], "ok:own data");
        assert.equal(res["cwd-own"], "ok:own data");
      }
    });

    it("FS-11 proc-pid-cwd: another process's /proc/PID/cwd and root cannot be followed, even with /proc granted", async () => {
      // A process of the same user, started outside the sandbox, sitting in
      // the sibling project.
      const victim = spawn("sleep", ["30"], { cwd: a.sibling, uid: actor.target.uid, gid: actor.target.gid });
      try {
        const v = victim.pid as number;
        const r = await run(
          py(
            `t("list-cwd", lambda: ",".join(os.listdir("/proc/${v}/cwd")))\n` +
              `t("read-cwd", read, "/proc/${v}/cwd/secret.txt")\n` +
              `t("list-root", lambda: ",".join(os.listdir("/proc/${v}/root")))\n` +
              `t("readlink-cwd", os.readlink, "/proc/${v}/cwd")\n` +
              `t("own-cwd", lambda: ",".join(os.listdir("/proc/self/cwd")))`,
          ),
          ["--allow", "/proc:r"],
        );
        const res = results(r.stdout);
        for (const k of ["list-cwd", "read-cwd", "list-root", "readlink-cwd"]) {
          assert.equal(res[k], "EACCES", `${k}: ${r.stdout}${r.stderr}`);
        }
        assert.match(res["own-cwd"] ?? "", /^ok:.*own\.txt/);
      } finally {
        victim.kill("SIGKILL");
      }
    });

    it("FS-12 unix-bind-outside: a unix socket cannot be bound in a sibling; socket() is refused unless allowed, and then Landlock refuses the bind outside", async () => {
      const code =
        `def bind(path):\n` +
        `    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n` +
        `    s.bind(path)\n` +
        `t("bind-sibling", bind, ${q(join(a.sibling, "planted.sock"))})\n` +
        `t("bind-workdir", bind, "own.sock")\n` +
        `t("socketpair", socket.socketpair)`;
      const plain = results((await run(py(code))).stdout);
      // From ABI 9 socket() is not filtered: Landlock alone decides the bind.
      assert.equal(plain["bind-sibling"], kernelAbi() >= 9 ? "EACCES" : "EPERM");
      assert.equal(plain["bind-workdir"], kernelAbi() >= 9 ? "ok" : "EPERM");
      rmSync(join(a.proj, "own.sock"), { force: true });
      assert.equal(plain.socketpair, "ok");
      const allowed = results((await run(py(code), ["--allow-unix-sockets"])).stdout);
      assert.equal(allowed["bind-sibling"], "EACCES");
      assert.equal(allowed["bind-workdir"], "ok");
      assert.equal(existsSync(join(a.sibling, "planted.sock")), false);
      rmSync(join(a.proj, "own.sock"), { force: true });
    });

    it("FS-13 inherited-fd-write: a descriptor to an outside file passed as fd 5 is closed before the command runs", async () => {
      const target = join(a.sibling, "target.log");
      writeFileSync(target, "untouched\n", { mode: 0o666 });
      const code =
        `t("write-fd5", os.write, 5, b"pwned")\n` +
        `t("fstat-fd5", os.fstat, 5)\n` +
        `t("reopen-fd5", os.open, "/proc/self/fd/5", os.O_WRONLY)\n` +
        `t("dev-fd5", os.open, "/dev/fd/5", os.O_WRONLY)\n` +
        `def is_open(fd):\n` +
        `    try:\n` +
        `        os.fstat(fd)\n` +
        `        return True\n` +
        `    except OSError:\n` +
        `        return False\n` +
        `show("open-fds", ",".join(str(fd) for fd in range(3, 1024) if is_open(fd)))`;
      const fd = openSync(target, "r+");
      try {
        const extraStdio = ["ignore", "ignore", fd] as ("ignore" | number)[];
        // Through the CLI, and to the launcher directly (where the closing
        // happens; a caller of the launcher may well leak fds).
        const viaCli = await sandboxed(actor, a, py(code), { extraStdio });
        const direct = launch(
          [...SYSTEM_RULES, "--rw", a.proj, "--chdir", a.proj, ...actor.flags, "--", PY, "-c", pyBody(code)],
          { as: actor.as, extraStdio, env: BASE_ENV },
        );
        for (const r of [viaCli, direct]) {
          const res = results(r.stdout);
          assert.equal(res["write-fd5"], "EBADF", r.stdout + r.stderr);
          assert.equal(res["fstat-fd5"], "EBADF");
          assert.equal(res["open-fds"], "ok:", "no fd above 2 is open in the command");
          // /proc and /dev/fd are not granted by the agent profile, nor by
          // the system rules; either way nothing was reopened.
          assert.match(res["reopen-fd5"] ?? "", /^(EACCES|ENOENT)$/);
          assert.match(res["dev-fd5"] ?? "", /^(EACCES|ENOENT)$/);
        }
      } finally {
        closeSync(fd);
      }
      assert.equal(readFileSync(target, "utf8"), "untouched\n");
    });

    it("FS-14 stdio-is-passed: stdout redirected by the caller to an outside file is written (the caller's choice), but cannot be reopened, read or widened", async () => {
      const log = join(a.sibling, "caller-chose.log");
      writeFileSync(log, "previous\n", { mode: 0o666 });
      const fd = openSync(log, "w"); // truncates: the caller's own redirect
      try {
        const r = spawnSync(
          process.execPath,
          [
            CLI,
            "run",
            "--workdir",
            a.proj,
            ...actor.flags,
            "--",
            ...py(
              `sys.stdout = sys.stderr\n` +
                `t("ftruncate-fd1", os.ftruncate, 1, 0)\n` +
                `t("write-fd1", os.write, 1, b"via fd 1\\n")\n` +
                `t("read-fd1", os.read, 1, 10)\n` +
                `t("reopen-dev-stdout", os.open, "/dev/stdout", os.O_RDWR)\n` +
                `t("reopen-proc-fd1", os.open, "/proc/self/fd/1", os.O_RDONLY)\n` +
                `t("open-path", os.open, ${q(log)}, os.O_RDONLY)`,
            ),
          ],
          {
            uid: actor.as.uid,
            gid: actor.as.gid,
            env: { ...BASE_ENV, TMPDIR: a.tmp },
            stdio: ["ignore", fd, "pipe"],
            encoding: "utf8",
            timeout: 30_000,
          },
        );
        const res = results(r.stderr);
        // Documented: stdio is the caller's grant, with the rights the
        // caller opened it with.
        assert.equal(res["ftruncate-fd1"], "ok", r.stderr);
        assert.equal(res["write-fd1"], "ok");
        // Not more than that: opened write-only, and the path is not granted.
        assert.equal(res["read-fd1"], "EBADF");
        assert.equal(res["reopen-dev-stdout"], "EACCES");
        assert.equal(res["reopen-proc-fd1"], "EACCES");
        assert.equal(res["open-path"], "EACCES");
      } finally {
        closeSync(fd);
      }
      assert.equal(readFileSync(log, "utf8"), "via fd 1\n");
    });

    it("FS-15 o-trunc-readonly: a read-only file cannot be truncated by O_TRUNC (any access mode), truncate() or O_RDWR; it can be read", async () => {
      const r = await run(
        py(
          `t("rdonly-trunc", os.open, ${q(a.readonlyFile)}, os.O_RDONLY | os.O_TRUNC)\n` +
            `t("wronly-trunc", os.open, ${q(a.readonlyFile)}, os.O_WRONLY | os.O_TRUNC)\n` +
            `t("rdwr", os.open, ${q(a.readonlyFile)}, os.O_RDWR)\n` +
            `t("truncate", os.truncate, ${q(a.readonlyFile)}, 0)\n` +
            `t("passwd-trunc", os.open, "/etc/passwd", os.O_RDONLY | os.O_TRUNC)\n` +
            `t("read", read, ${q(a.readonlyFile)})\n` +
            `open("t.txt", "w").write("long content")\n` +
            `t("own-trunc", os.open, "t.txt", os.O_WRONLY | os.O_TRUNC)\n` +
            `show("own-size", os.stat("t.txt").st_size)`,
        ),
        ["--ro", a.readonly],
      );
      const res = results(r.stdout);
      for (const k of ["rdonly-trunc", "wronly-trunc", "rdwr", "truncate", "passwd-trunc"]) {
        assert.equal(res[k], "EACCES", `${k}: ${r.stdout}${r.stderr}`);
      }
      assert.equal(res.read, "ok:original");
      assert.equal(res["own-trunc"], "ok");
      assert.equal(res["own-size"], "ok:0");
      assert.equal(readFileSync(a.readonlyFile, "utf8"), "original\n");
      assert.ok(statSync("/etc/passwd").size > 0);
    });

    it("FS-16 special-files: no fifo, device or socket node outside; no device node anywhere (no CAP_MKNOD); a fifo in the workdir works", async () => {
      const r = await run(
        py(
          `import stat\n` +
            `t("fifo-sibling", os.mkfifo, ${q(join(a.sibling, "fifo"))})\n` +
            `t("char-sibling", os.mknod, ${q(join(a.sibling, "null"))}, stat.S_IFCHR | 0o666, os.makedev(1, 3))\n` +
            `t("sock-sibling", os.mknod, ${q(join(a.sibling, "sock"))}, stat.S_IFSOCK | 0o666)\n` +
            `t("char-workdir", os.mknod, "mem", stat.S_IFCHR | 0o666, os.makedev(1, 1))\n` +
            `t("block-workdir", os.mknod, "disk", stat.S_IFBLK | 0o666, os.makedev(8, 0))\n` +
            `t("fifo-workdir", os.mkfifo, "fifo")`,
        ),
      );
      const res = results(r.stdout);
      for (const k of ["fifo-sibling", "char-sibling", "sock-sibling"]) assert.equal(res[k], "EACCES", k);
      // Landlock grants MAKE_CHAR/MAKE_BLOCK in the workdir (w); the dropped
      // CAP_MKNOD is what refuses: /dev/mem or a raw disk node would bypass
      // every path rule.
      assert.equal(res["char-workdir"], "EPERM");
      assert.equal(res["block-workdir"], "EPERM");
      assert.equal(res["fifo-workdir"], "ok");
      for (const name of ["fifo", "null", "sock"]) assert.equal(existsSync(join(a.sibling, name)), false, name);
      assert.equal(existsSync(join(a.proj, "mem")), false);
    });

    it("FS-17 exec-read-only: a binary under a path granted r (no x) cannot be executed; the loader trick and interpreters still run it (documented)", async () => {
      const bin = tools;
      const direct = await run([join(bin, "prog"), "-u"], ["--allow", `${bin}:r`]);
      assert.equal(direct.status, 126, direct.stderr);
      assert.match(direct.stderr, /Permission denied/);
      assert.equal(direct.stdout, "");
      const granted = await run([join(bin, "prog"), "-u"], ["--allow", `${bin}:rx`]);
      assert.equal(granted.status, 0, granted.stderr);
      assert.equal(granted.stdout, `${actor.target.uid}\n`);
      // Documented limit: EXECUTE is checked at execve only. The dynamic
      // loader maps a readable binary itself, and a readable script can be
      // fed to an interpreter: `r` without `x` does not stop running code
      // (a copy into the workdir would run anyway).
      assert.ok(LDSO, "no dynamic loader found");
      const tricks = await run(
        sh(`${LDSO} ${bin}/prog -u; echo "ldso=$?"; bash ${bin}/script.sh; ${bin}/script.sh; echo "direct=$?"`),
        ["--allow", `${bin}:r`],
      );
      assert.match(tricks.stdout, new RegExp(`^${actor.target.uid}\\nldso=0\\nscript-ran\\ndirect=126\\n$`));
    });

    it("FS-18 metadata-own-files: chmod, utime and user xattrs of an outside file the user owns are NOT mediated (documented); chown and reading are refused", async () => {
      const mine = join(a.sibling, "owned-by-user.txt");
      writeFileSync(mine, "mine secret\n", { mode: 0o600 });
      chmodSync(mine, 0o600);
      giveTo(actor, mine);
      const r = await run(
        py(
          `t("chmod", os.chmod, ${q(mine)}, 0o644)\n` +
            `t("utime", os.utime, ${q(mine)}, (0, 0))\n` +
            `t("setxattr", os.setxattr, ${q(mine)}, "user.cordon", b"planted")\n` +
            `t("getxattr", lambda: os.getxattr(${q(mine)}, "user.cordon").decode())\n` +
            `t("chown", os.chown, ${q(mine)}, 12345, -1)\n` +
            `t("read", read, ${q(mine)})`,
        ),
      );
      const res = results(r.stdout);
      assert.equal(res.chmod, "ok", r.stdout + r.stderr);
      assert.equal(res.utime, "ok");
      assert.equal(res.setxattr, "ok");
      assert.equal(res.getxattr, "ok:planted");
      assert.equal(res.chown, "EPERM", "CAP_CHOWN is dropped");
      assert.equal(res.read, "EACCES");
      const st = statSync(mine);
      assert.equal(st.mode & 0o7777, 0o644, "chmod outside the policy took effect (documented limit)");
      assert.equal(st.mtimeMs, 0);
      assert.equal(st.uid, actor.target.uid);
    });

    it("FS-19 root-owned-chmod: a command cannot make a root-owned binary outside the policy setuid, nor a root-owned directory world-writable", async () => {
      // A stand-in for /usr/bin/* and /etc: root-owned, outside the policy.
      // (Never attempted on the real files: if this test fails, the attack
      // worked.)
      const system = join(a.root, "system");
      mkdirSync(system, { recursive: true });
      chmodSync(system, 0o755);
      const tool = join(system, "tool");
      copyFileSync("/usr/bin/id", tool);
      chmodSync(tool, 0o755);
      const r = await run(
        py(
          `t("setuid-bit", os.chmod, ${q(tool)}, 0o4755)\n` +
            `t("world-writable-dir", os.chmod, ${q(system)}, 0o777)\n` +
            `t("setgid-bit-usr", os.chmod, "/usr/bin/true", (os.stat("/usr/bin/true").st_mode & 0o7777) | 0o2000)\n` +
            `t("plain-mode-usr", os.chmod, "/usr/bin/true", os.stat("/usr/bin/true").st_mode & 0o7777)`,
        ),
      );
      const res = results(r.stdout);
      const modes = { tool: statSync(tool).mode & 0o7777, system: statSync(system).mode & 0o7777 };
      // Restore before asserting, so a failure leaves nothing setuid behind.
      chmodSync(tool, 0o755);
      chmodSync(system, 0o755);
      // Landlock does not mediate chmod, and a uid-0 command owns every
      // system file: the seccomp filter refuses the bits that hand out
      // privileges (setuid, setgid) or writes (other-writable), and a
      // plain mode change stays possible: a documented limit of running
      // the command as uid 0 (docs/security.md), which --user removes.
      const rootCommand = actor.target.uid === 0;
      assert.deepEqual(
        { results: res, modes },
        {
          results: {
            "setuid-bit": "EPERM",
            "world-writable-dir": "EPERM",
            "setgid-bit-usr": "EPERM",
            "plain-mode-usr": rootCommand ? "ok" : "EPERM",
          },
          modes: { tool: 0o755, system: 0o755 },
        },
        "a sandboxed command changed the mode of root-owned files outside the policy: " +
          "chmod is not mediated by Landlock, and a uid-0 command owns every system file " +
          "(setuid-root binaries for every local user, a world-writable /etc)",
      );
    });

    it("FS-20 stat-probe: existence, size and access() of outside files can be probed (documented); the content cannot be read", async () => {
      const r = await run(
        py(
          `t("stat", lambda: str(os.stat(${q(a.secret)}).st_size))\n` +
            `t("access-r", lambda: str(os.access(${q(a.secret)}, os.R_OK)))\n` +
            `t("exists-shadow", lambda: str(os.path.exists("/etc/shadow")))\n` +
            `t("read", read, ${q(a.secret)})`,
        ),
      );
      const res = results(r.stdout);
      assert.equal(res.stat, `ok:${SIBLING_SECRET.length}`);
      // access() is answered from the mode bits: it says "readable" for a
      // file the sandbox will refuse to open.
      assert.equal(res["access-r"], "ok:True");
      assert.equal(res["exists-shadow"], "ok:True");
      assert.equal(res.read, "EACCES");
    });

    it("FS-21 chdir: the command can chdir into a sibling (not mediated) but still cannot list or read there", async () => {
      const r = await run(
        py(
          `t("chdir", os.chdir, ${q(a.sibling)})\n` +
            `t("list", lambda: ",".join(os.listdir(".")))\n` +
            `t("read", read, "secret.txt")\n` +
            `t("getcwd", os.getcwd)`,
        ),
      );
      const res = results(r.stdout);
      assert.equal(res.chdir, "ok");
      assert.equal(res.getcwd, `ok:${a.sibling}`);
      assert.equal(res.list, "EACCES");
      assert.equal(res.read, "EACCES");
    });

    it("FS-22 o-path-and-handles: an O_PATH descriptor of an outside file cannot be reopened, and open_by_handle_at is refused", async () => {
      const code =
        `fd = t("opath", os.open, ${q(a.secret)}, os.O_PATH)\n` +
        `t("reopen", read, "/proc/self/fd/%d" % fd)\n` +
        `t("read-opath", os.read, fd, 10)`;
      for (const flags of [[], ["--allow", "/proc:r"]]) {
        const res = results((await run(py(code), flags)).stdout);
        assert.equal(res.opath, "ok", "O_PATH opens are not checked (documented)");
        assert.equal(res.reopen, "EACCES", `reopen with flags ${flags.join(" ")}`);
        assert.equal(res["read-opath"], "EBADF");
      }
      // The "shocker" container escape: open a file by its handle, no path
      // involved. It needs CAP_DAC_READ_SEARCH, which the launcher drops.
      const kernel = attack("kernel");
      const handle = `open-by-handle:${a.secret},${a.proj}`;
      const res = results((await run([kernel, handle], attackFlags())).stdout);
      assert.equal(res["name-to-handle"], "ok");
      assert.equal(res["open-by-handle"], "EPERM");
      if (actor.as.uid === 0 && actor.flags.length === 0) {
        // The control: the same program outside the sandbox, as root.
        const outside = results(spawnSync(kernel, [handle], { encoding: "utf8" }).stdout);
        assert.equal(outside["open-by-handle"], "ok:sibling secret ");
      }
    });

    it("FS-23 sysctl-write: /proc/sys cannot be written, even with /proc granted read (a uid-0 command would pass DAC)", async () => {
      const code =
        `t("core-pattern", os.open, "/proc/sys/kernel/core_pattern", os.O_WRONLY)\n` +
        `t("hostname", os.open, "/proc/sys/kernel/hostname", os.O_WRONLY)\n` +
        `t("read-ostype", read, "/proc/sys/kernel/ostype")`;
      const plain = results((await run(py(code))).stdout);
      assert.equal(plain["core-pattern"], "EACCES");
      assert.equal(plain.hostname, "EACCES");
      assert.equal(plain["read-ostype"], "EACCES");
      const withProc = results((await run(py(code), ["--allow", "/proc:r"])).stdout);
      assert.equal(withProc["core-pattern"], "EACCES");
      assert.equal(withProc.hostname, "EACCES");
      assert.equal(withProc["read-ostype"], "ok:Linux");
    });

    it("FS-24 workdir-poisoning: a planted cordon.yaml widens the next run that relies on discovery (documented); an explicit --profile ignores it", async () => {
      const poisoned = join(a.root, "poisoned");
      mkdirSync(poisoned);
      giveTo(actor, poisoned);
      const plant = await sandboxed(
        actor,
        { ...a, proj: poisoned },
        sh(
          `printf 'version: 1\\nextends: agent\\nfilesystem_policy:\\n  read_only: [${a.sibling}]\\n' > cordon.yaml && ` +
            `mkdir -p .git/hooks && printf '#!/bin/sh\\necho hook-ran\\n' > .git/hooks/pre-commit && echo planted`,
        ),
      );
      assert.equal(plant.stdout, "planted\n", plant.stderr);
      const cat = ["cat", a.secret];
      const next = await sandboxed(actor, { ...a, proj: poisoned }, cat);
      assert.match(next.stderr, /using the policy .*cordon\.yaml/);
      assert.equal(next.stdout, SIBLING_SECRET, "documented: discovery trusts the workdir's policy file");
      const explicit = await sandboxed(actor, { ...a, proj: poisoned }, cat, { flags: ["--profile", "agent"] });
      assert.equal(explicit.status, 1);
      assert.match(explicit.stderr, /Permission denied/);
      assert.equal(explicit.stdout, "");
      // The planted git hook is the caller's problem the same way: it runs
      // if the caller later runs git in this workdir outside the sandbox.
      assert.ok(existsSync(join(poisoned, ".git", "hooks", "pre-commit")));
    });

    // The CLI itself acts on paths after the run, outside the sandbox and
    // with the caller's privileges: each of these must not follow what the
    // command planted. The victim is outside the policy, belongs to the
    // caller, and (for a root caller with --user nobody) is out of the
    // command's reach by ordinary permissions too.
    const victimDir = (name: string) => {
      const dir = join(a.root, name);
      mkdirSync(dir);
      chownSync(dir, actor.as.uid, actor.as.gid);
      chmodSync(dir, 0o755);
      const file = join(dir, "victim.txt");
      writeFileSync(file, "precious\n");
      chownSync(file, actor.as.uid, actor.as.gid);
      chmodSync(file, 0o644);
      return { dir, file };
    };

    it("FS-25 report-symlink: a report.json the command replaced with a symlink is not followed when the CLI writes --report", async () => {
      const victim = victimDir("report-victim");
      const work = join(a.root, "report-work");
      mkdirSync(work);
      giveTo(actor, work);
      // One run plants the link (an agent runs again and again in the same
      // workdir); the next writes its report with a natural relative path.
      const plant = await sandboxed(actor, { ...a, proj: work }, ["ln", "-s", victim.file, "report.json"], {
        flags: ["--profile", "agent"],
      });
      assert.equal(plant.status, 0, plant.stderr);
      const next = spawnSync(
        process.execPath,
        [CLI, "run", "--profile", "agent", "--report", "report.json", ...actor.flags, "--", "true"],
        { cwd: work, uid: actor.as.uid, gid: actor.as.gid, env: { ...BASE_ENV, TMPDIR: a.tmp }, encoding: "utf8" },
      );
      const content = readFileSync(victim.file, "utf8");
      assert.ok(
        content === "precious\n",
        `the CLI wrote its report through the planted symlink into ${victim.file}, outside the policy, ` +
          `with the caller's privileges (now ${JSON.stringify(content.slice(0, 60))}…; status ${next.status})`,
      );
    });

    it("FS-26 scratch-cleanup-race: a daemon swapping a directory of the private HOME for a symlink while the CLI removes it cannot make the CLI delete outside", async () => {
      const victim = victimDir("cleanup-victim");
      const code =
        `import time\n` +
        `d = os.environ["HOME"] + "/d"\n` +
        `os.mkdir(d)\n` +
        `names = ["f%05d" % i for i in range(20000)] + ["victim.txt"]\n` +
        `for n in names:\n` +
        `    open(d + "/" + n, "w").close()\n` +
        `if os.fork() == 0:\n` +
        `    os.setsid()\n` +
        `    if os.fork() > 0:\n` +
        `        os._exit(0)\n` +
        `    null = os.open("/dev/null", os.O_RDWR)\n` +
        `    for fd in (0, 1, 2):\n` +
        `        os.dup2(null, fd)\n` +
        `    log = open("race.log", "w")\n` +
        `    log.write("pid=%d\\n" % os.getpid())\n` +
        `    log.flush()\n` +
        `    sentinels = [d + "/" + n for n in names[:200:10]]\n` +
        `    end = time.time() + 5\n` +
        `    while time.time() < end:\n` +
        `        if any(not os.path.lexists(p) for p in sentinels):\n` +
        `            try:\n` +
        `                os.rename(d, os.environ["HOME"] + "/moved")\n` +
        `                os.symlink(${q(victim.dir)}, d)\n` +
        `                log.write("swapped=ok\\n")\n` +
        `            except OSError as e:\n` +
        `                log.write("swapped=%s\\n" % errno.errorcode[e.errno])\n` +
        `            break\n` +
        `    log.close()\n` +
        `    os._exit(0)\n` +
        `print("command exits")`;
      const r = await run(py(code));
      assert.match(r.stdout, /command exits/, r.stderr);
      const log = join(a.proj, "race.log");
      await waitFor(() => existsSync(log) && /swapped=/.test(readFileSync(log, "utf8")), 6000);
      const pid = Number(results(existsSync(log) ? readFileSync(log, "utf8") : "").pid);
      if (pid && alive(pid)) process.kill(pid, "SIGKILL");
      assert.ok(
        existsSync(victim.file),
        `the CLI's removal of the private HOME followed the daemon's symlink and deleted ${victim.file} ` +
          `(daemon: ${existsSync(log) ? readFileSync(log, "utf8").trim() : "no log"}; CLI stderr: ${r.stderr.trim()})`,
      );
    });

    it("FS-27 policy-symlink-read: a cordon.yaml the command made a symlink to a caller-only secret is not read and echoed by the next run's discovery", async () => {
      const vault = join(a.root, "caller-vault");
      mkdirSync(vault);
      chownSync(vault, actor.as.uid, actor.as.gid);
      chmodSync(vault, 0o700);
      const hash = token("$6$SECRETHASH");
      const shadow = join(vault, "shadow");
      writeFileSync(shadow, `root:${hash}:19000:0:99999:7:::\n`);
      chownSync(shadow, actor.as.uid, actor.as.gid);
      chmodSync(shadow, 0o600);
      const work = join(a.root, "policy-work");
      mkdirSync(work);
      giveTo(actor, work);
      const plant = await sandboxed(actor, { ...a, proj: work }, ["ln", "-s", shadow, "cordon.yaml"], {
        flags: ["--profile", "agent"],
      });
      assert.equal(plant.status, 0, plant.stderr);
      // The next run relies on discovery (no --policy, no --profile).
      const next = await sandboxed(actor, { ...a, proj: work }, ["true"]);
      assert.doesNotMatch(
        next.stdout + next.stderr,
        new RegExp(hash.replace(/\$/g, "\\$")),
        "the CLI read a file the sandbox could not, through the planted symlink, and printed it",
      );
    });

    it("FS-28 workdir-symlink: a subdirectory the command replaced with a symlink to an outside directory does not become the next run's writable workdir", async () => {
      const victim = victimDir("workdir-victim");
      const project = join(a.root, "symlink-project");
      mkdirSync(project);
      giveTo(actor, project);
      // Run 1 (in the project) plants `packages` -> the outside directory.
      const plant = await sandboxed(actor, { ...a, proj: project }, ["ln", "-s", victim.dir, "packages"], {
        flags: ["--profile", "agent"],
      });
      assert.equal(plant.status, 0, plant.stderr);
      // Run 2: the caller works in a subdirectory of its project, as agents
      // do (`cd packages && npm test`).
      const next = await sandboxed(
        actor,
        { ...a, proj: join(project, "packages") },
        sh(`echo pwned > ${shellWord(join(victim.dir, "planted.txt"))}; echo "write=$?"`),
        { flags: ["--profile", "agent"] },
      );
      assert.equal(
        existsSync(join(victim.dir, "planted.txt")),
        false,
        `--workdir ${project}/packages followed the planted symlink and granted rwx on ${victim.dir} ` +
          `(status ${next.status}, ${next.stdout.trim()})`,
      );
      // Run 3: a directory below the planted link (`cd packages/app`).
      mkdirSync(join(victim.dir, "app"), { recursive: true });
      const deeper = await sandboxed(
        actor,
        { ...a, proj: join(project, "packages", "app") },
        sh(`echo pwned > ${shellWord(join(victim.dir, "app", "planted.txt"))}; echo "write=$?"`),
        { flags: ["--profile", "agent"] },
      );
      assert.equal(
        existsSync(join(victim.dir, "app", "planted.txt")),
        false,
        `--workdir ${project}/packages/app followed the planted symlink (status ${deeper.status})`,
      );
      assert.equal(deeper.status, 125, deeper.stderr);
      assert.match(deeper.stderr, /packages is a symbolic link to .*: refusing it/);
    });
  });
}

/** The python code of a `py()` command line (for the launcher directly). */
function pyBody(code: string): string {
  return py(code)[2] as string;
}
