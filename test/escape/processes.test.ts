// Escape suite, processes: a hostile command under the default agent
// profile goes after processes outside its sandbox (signals, ptrace,
// process_vm_readv, the caller's process group and terminal), host services
// on unix sockets, privileges (setuid and file-capability binaries,
// capabilities, user namespaces, mount) and kernel surface (io_uring, bpf,
// perf, userfaultfd, keyrings, foreign syscall ABIs), and tries to outlive
// its run. Each attack must fail in the expected way, with the legitimate
// case next to it working. Scenario ids match docs/escape-scenarios.md.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CLI, LAUNCHER, launch, ROOT, SYSTEM_RULES } from "../helpers/sandbox.js";
import {
  ACTORS,
  type Actor,
  type Arena,
  alive,
  attack,
  attackFlags,
  BASE_ENV,
  callerEnv,
  kernelAbi,
  makeArena,
  PY,
  py,
  q,
  results,
  runArgs,
  sandboxed,
  sh,
  shellWord,
  sleep,
  start,
  token,
  waitFor,
} from "./harness.js";

/** A process of the command's user, outside the sandbox, that records every
 * signal it receives (none of them kills it) and sleeps. */
const VICTIM = `import signal, sys, time
log = sys.argv[1]
def record(sig, frame):
    with open(log, "a") as f:
        f.write(signal.Signals(sig).name + "\\n")
for s in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH, signal.SIGURG, signal.SIGTERM, signal.SIGHUP, signal.SIGCONT):
    signal.signal(s, record)
open(log + ".ready", "w").close()
time.sleep(30)
`;

interface Victim {
  pid: number;
  log: string;
  received(): string;
  stop(): void;
}

async function startVictim(actor: Actor, a: Arena, name: string): Promise<Victim> {
  const log = join(a.tmp, `victim-${name}.log`);
  const child = spawn(PY, ["-c", VICTIM, log], {
    uid: actor.target.uid,
    gid: actor.target.gid,
    stdio: "ignore",
  });
  assert.ok(await waitFor(() => existsSync(`${log}.ready`)), "the victim did not start");
  return {
    pid: child.pid as number,
    log,
    received: () => (existsSync(log) ? readFileSync(log, "utf8") : ""),
    stop: () => child.kill("SIGKILL"),
  };
}

/** Runs `cordon run ... -- CMD` inside `script`, so that the command's
 * stdin, stdout and controlling terminal are a pty, then lets the shell
 * that started it read one line from the terminal: whatever the command
 * pushed into the terminal's input queue is read (and, in a real shell,
 * run) there, outside the sandbox. The shell is bash: dash's `read` has no
 * -t, which would make the check vacuous. */
function underTerminal(actor: Actor, a: Arena, cmd: string[], flags: string[] = []) {
  const line = [process.execPath, CLI, ...runArgs(actor, a, cmd, { flags })].map(shellWord).join(" ");
  const script = `${line}; echo "status=$?"; read -t 1 injected; echo "got=$injected"`;
  return spawnSync("script", ["-qec", script, "/dev/null"], {
    uid: actor.as.uid,
    gid: actor.as.gid,
    env: { ...callerEnv(a), SHELL: "/bin/bash" },
    encoding: "utf8",
    timeout: 30_000,
  });
}

for (const actor of ACTORS) {
  describe(`process escapes as ${actor.name}`, { concurrency: true }, () => {
    let a: Arena;
    let suid: string;
    before(() => {
      a = makeArena(actor);
      // Privileged binaries, written before the concurrent tests start (an
      // executable open for writing in a forked child is "Text file busy").
      suid = join(a.root, "privileged");
      mkdirSync(suid);
      chmodSync(suid, 0o755);
      const setuidCat = join(suid, "setuid-cat");
      copyFileSync("/usr/bin/cat", setuidCat);
      chownSync(setuidCat, 0, 0);
      chmodSync(setuidCat, 0o4755);
      const capCat = join(suid, "cap-cat");
      copyFileSync("/usr/bin/cat", capCat);
      chmodSync(capCat, 0o755);
      // File capabilities (what setcap writes): CAP_DAC_READ_SEARCH,
      // permitted and effective, in a version 2 security.capability xattr.
      const setcap = spawnSync(
        PY,
        [
          "-c",
          "import os, struct, sys; os.setxattr(sys.argv[1], 'security.capability', struct.pack('<IIIII', 0x02000001, 1 << 2, 0, 0, 0))",
          capCat,
        ],
        { encoding: "utf8" },
      );
      assert.equal(setcap.status, 0, `cannot give the test binary file capabilities: ${setcap.stderr}`);
      // A file in the workdir owned by another user, mode 0600.
      const foreign = join(a.proj, "foreign.txt");
      writeFileSync(foreign, "foreign\n", { mode: 0o600 });
      chownSync(foreign, 12345, 12345);
      attack("procspy");
      attack("kernel");
      attack("tiocsti");
    });
    after(() => a.cleanup());

    const run = (cmd: string[], flags: string[] = []) => sandboxed(actor, a, cmd, { flags });

    it("PROC-01 kill-parent: the caller (the CLI) cannot be killed, stopped or sent SIGUSR1 (Node's inspector); the command's own child can be killed", async () => {
      const r = await run(
        sh(
          `kill -USR1 $PPID; echo "usr1=$?"; kill -STOP $PPID; echo "stop=$?"; kill -KILL $PPID; echo "kill=$?"; ` +
            `sleep 5 & kill $!; wait $!; echo "child=$?"`,
        ),
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "usr1=1\nstop=1\nkill=1\nchild=143\n");
      assert.match(r.stderr, /Operation not permitted/);
      assert.doesNotMatch(r.stderr, /Debugger listening/);
    });

    it("PROC-02 kill-other: a process of the same user outside the sandbox cannot be signalled or probed, not even by kill(-1)", async () => {
      const victim = await startVictim(actor, a, "other");
      try {
        const r = await run(
          py(
            `import signal\n` +
              `v = ${victim.pid}\n` +
              `t("probe", os.kill, v, 0)\n` +
              `t("usr1", os.kill, v, signal.SIGUSR1)\n` +
              `t("kill", os.kill, v, signal.SIGKILL)\n` +
              `t("kill-all", os.kill, -1, signal.SIGURG)\n` +
              `import time; time.sleep(0.2)`,
          ),
        );
        const res = results(r.stdout);
        assert.equal(res.probe, "EPERM", r.stdout + r.stderr);
        assert.equal(res.usr1, "EPERM");
        assert.equal(res.kill, "EPERM");
        // kill(-1) reports success when every target refused (the kernel
        // counts refusals as sent): what matters is that nothing arrived.
        assert.match(res["kill-all"] ?? "", /^(ok|EPERM|ESRCH)$/);
        assert.equal(victim.received(), "");
        assert.ok(alive(victim.pid), "the victim must survive");
      } finally {
        victim.stop();
      }
    });

    it("PROC-03 process-group: signals to the command's process group reach neither the CLI (Node's inspector on SIGUSR1) nor a sibling in that group", async () => {
      const log = join(a.tmp, "victim-group.log");
      const attackCmd = py(
        `import signal\n` +
          `for s in (signal.SIGUSR1, signal.SIGTERM, signal.SIGHUP, signal.SIGCONT):\n` +
          `    signal.signal(s, signal.SIG_IGN)\n` +
          `t("pg-usr1", os.kill, 0, signal.SIGUSR1)\n` +
          `t("pg-term", os.killpg, os.getpgid(0), signal.SIGTERM)\n` +
          `t("pg-hup", os.killpg, os.getpgid(os.getppid()), signal.SIGHUP)\n` +
          `import time; time.sleep(0.3)\n` +
          `print("done")`,
      );
      // A new session (detached) whose process group holds the victim and
      // the CLI, as a shell without job control leaves them.
      const line = [process.execPath, CLI, ...runArgs(actor, a, attackCmd)].map(shellWord).join(" ");
      const wrapper = spawn(
        "bash",
        [
          "-c",
          `${shellWord(PY)} -c ${shellWord(VICTIM)} ${shellWord(log)} </dev/null >/dev/null 2>&1 & ` +
            `while [ ! -e ${shellWord(`${log}.ready`)} ]; do sleep 0.02; done; echo "victim=$!"; exec ${line}`,
        ],
        { detached: true, uid: actor.as.uid, gid: actor.as.gid, env: callerEnv(a), stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      wrapper.stdout.setEncoding("utf8").on("data", (s: string) => {
        stdout += s;
      });
      wrapper.stderr.setEncoding("utf8").on("data", (s: string) => {
        stderr += s;
      });
      const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        wrapper.on("close", (c, s) => resolve([c, s])),
      );
      const victimPid = Number(stdout.match(/victim=(\d+)/)?.[1]);
      try {
        assert.equal(signal, null, `the CLI was killed by ${signal}`);
        assert.equal(status, 0, stdout + stderr);
        assert.match(stdout, /done/);
        assert.doesNotMatch(stderr, /Debugger listening/, "SIGUSR1 reached the CLI: Node opened its inspector");
        assert.equal(existsSync(log) ? readFileSync(log, "utf8") : "", "", "a signal reached the sibling");
      } finally {
        if (victimPid) process.kill(victimPid, "SIGKILL");
      }
    });

    it("PROC-04 ptrace: the caller and another process of the same user cannot be ptraced; the command's own child can", async () => {
      const victim = await startVictim(actor, a, "ptrace");
      try {
        const r = await run(
          sh(
            `${attack("procspy")} ptrace-attach:$PPID ptrace-seize:$PPID ptrace-attach:${victim.pid} ptrace-seize:${victim.pid} own-child`,
          ),
          attackFlags(),
        );
        const lines = r.stdout.replace(/:\d+=/g, "=").trim().split("\n");
        assert.deepEqual(
          lines.filter((l) => !l.startsWith("child-vm-read")),
          [
            "ptrace-attach=EPERM",
            "ptrace-seize=EPERM",
            "ptrace-attach=EPERM",
            "ptrace-seize=EPERM",
            "child-ptrace-attach=ok",
          ],
          r.stderr,
        );
        assert.ok(alive(victim.pid));
      } finally {
        victim.stop();
      }
    });

    it("PROC-05 process-vm-readv: the caller's and a same-user process's memory cannot be read; the command's own child's can", async () => {
      const victim = await startVictim(actor, a, "vm");
      try {
        const r = await run(sh(`${attack("procspy")} vm-read:$PPID vm-read:${victim.pid} own-child`), attackFlags());
        const lines = r.stdout.replace(/:\d+=/g, "=").trim().split("\n");
        assert.deepEqual(
          lines.filter((l) => !l.startsWith("child-ptrace")),
          ["vm-read=EPERM", "vm-read=EPERM", "child-vm-read=ok:4b4944"],
          r.stderr,
        );
      } finally {
        victim.stop();
      }
    });

    it("PROC-06 tiocsti: keystrokes cannot be pushed into the caller's terminal (stdin or a fresh /dev/tty); outside the sandbox they can", async () => {
      const marker = token("INJECTED");
      const r = underTerminal(actor, a, [attack("tiocsti"), `echo ${marker}`], attackFlags());
      const res = results(r.stdout);
      assert.equal(res["stdin-tiocsti"], "EPERM", r.stdout + r.stderr);
      assert.equal(res["devtty-open"], "ok", "/dev/tty is granted by the agent profile");
      assert.equal(res["devtty-tiocsti"], "EPERM");
      assert.equal(res.tioclinux, "EPERM");
      assert.equal(res.status, "0");
      assert.equal(res.got, "", "the shell outside read injected input");
      // Injected input is echoed by the terminal: none may appear at all.
      assert.doesNotMatch(r.stdout, new RegExp(marker));
      if (readFileSync("/proc/sys/dev/tty/legacy_tiocsti", "utf8").trim() === "1") {
        // The control: the same program, outside the sandbox, as the same
        // user, does inject (legacy_tiocsti=1 on this kernel).
        const outside = spawnSync(
          "script",
          ["-qec", `${attack("tiocsti")} 'echo ${marker}'; read -t 1 injected; echo "got=$injected"`, "/dev/null"],
          { uid: actor.target.uid, gid: actor.target.gid, env: { ...BASE_ENV, SHELL: "/bin/bash" }, encoding: "utf8" },
        );
        // (The shell's `read` may lose the race with script's EOF on its
        // stdin; the terminal's echo of the injected line is certain.)
        assert.equal(results(outside.stdout)["stdin-tiocsti"], "ok");
        assert.match(outside.stdout, new RegExp(`echo ${marker}`));
      }
    });

    it("PROC-07 tty-write: the agent profile lets the command write to the caller's terminal (documented); --new-session takes the terminal away", async () => {
      const cmd = sh(`printf 'tty-write\\n' > /dev/tty; echo "tty=$?"`);
      const plain = underTerminal(actor, a, cmd);
      assert.match(plain.stdout, /tty-write\r?\ntty=0/);
      const session = underTerminal(actor, a, cmd, ["--new-session"]);
      assert.match(session.stdout, /tty=[12]/);
      assert.match(session.stdout, /No such device or address/);
      assert.doesNotMatch(session.stdout, /^tty-write/m);
    });

    it("PROC-08 abstract-unix: a host service on an abstract unix socket cannot be reached, even with unix sockets allowed; the command's own abstract socket works", async () => {
      const name = token("cordon-escape-abstract");
      const server = await listen(`@${name}`, join(a.tmp, `${name}.log`));
      try {
        const code =
          `def connect(name):\n` +
          `    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n` +
          `    s.connect(name)\n` +
          `    s.sendall(b"stolen")\n` +
          `def own():\n` +
          `    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n` +
          `    srv.bind("\\0${name}-own")\n` +
          `    srv.listen(1)\n` +
          `    connect("\\0${name}-own")\n` +
          `t("host", connect, "\\0${name}")\n` +
          `t("own", own)`;
        const plain = results((await run(py(code))).stdout);
        assert.equal(plain.host, "EPERM"); // seccomp below ABI 9, the scope from it
        assert.equal(plain.own, kernelAbi() >= 9 ? "ok" : "EPERM");
        const allowed = results((await run(py(code), ["--allow-unix-sockets"])).stdout);
        assert.equal(allowed.host, "EPERM", "the abstract unix scope (Landlock ABI 6) refuses it");
        assert.equal(allowed.own, "ok");
        await sleep(100);
        assert.deepEqual(server.received(), []);
      } finally {
        server.close();
      }
    });

    it("PROC-09 pathname-unix: docker.sock or ssh-agent style sockets are unreachable by default; with --allow-unix-sockets they are reachable below Landlock ABI 9 (documented)", async () => {
      const path = join(a.sibling, `${token("agent")}.sock`);
      const server = await listen(path, join(a.tmp, "agent.log"));
      try {
        const code =
          `s = t("socket", socket.socket, socket.AF_UNIX, socket.SOCK_STREAM)\n` +
          `s and t("connect", s.connect, ${q(path)})\n` +
          `s and t("send", s.sendall, b"stolen")`;
        const plain = results((await run(py(code), [])).stdout);
        // From ABI 9 Landlock holds the connect and the filter lets socket() be.
        if (kernelAbi() >= 9) assert.equal(plain.connect, "EACCES");
        else assert.equal(plain.socket, "EPERM");
        await sleep(100);
        assert.deepEqual(server.received(), [], "the host service was reached");
        const allowed = results((await run(py(code), ["--allow-unix-sockets"])).stdout);
        if (kernelAbi() >= 9) {
          assert.equal(allowed.connect, "EACCES");
        } else {
          assert.equal(allowed.connect, "ok", "documented limit below ABI 9");
          await waitFor(() => server.received().length > 0, 2000);
          assert.deepEqual(server.received(), ["conn:stolen"]);
        }
      } finally {
        server.close();
      }
    });

    it("PROC-10 setuid-and-file-caps: a setuid-root binary and a binary with file capabilities gain nothing inside (no_new_privs); outside they do", async () => {
      const status = (bin: string) =>
        `${join(suid, bin)} /proc/self/status | grep -E '^(Uid|CapPrm|CapEff):'; echo "${bin}=\${PIPESTATUS[0]}"`;
      const r = await run(sh(`${status("setuid-cat")}; ${status("cap-cat")}`), ["--ro", suid, "--allow", "/proc:r"]);
      const u = actor.target.uid;
      const nothing = `Uid: ${u} ${u} ${u} ${u}\nCapPrm: 0000000000000000\nCapEff: 0000000000000000\n`;
      // With an empty bounding set (a root caller), the kernel refuses to
      // exec a binary whose effective file capabilities cannot be granted;
      // as nobody it runs with none.
      const capCat = actor.as.uid === 0 ? "cap-cat=126\n" : `${nothing}cap-cat=0\n`;
      assert.equal(r.stdout.replace(/\t/g, " "), `${nothing}setuid-cat=0\n${capCat}`, r.stderr);
      if (actor.as.uid === 0) assert.match(r.stderr, /cap-cat: Operation not permitted/);
      // The control: outside the sandbox, as the same user.
      const outside = (bin: string) =>
        spawnSync(join(suid, bin), ["/proc/self/status"], {
          uid: actor.target.uid,
          gid: actor.target.gid,
          encoding: "utf8",
        }).stdout;
      assert.match(outside("setuid-cat"), new RegExp(`^Uid:\\t${u}\\t0\\t0\\t0$`, "m"));
      if (u !== 0) assert.match(outside("cap-cat"), /^CapEff:\t0000000000000004$/m);
    });

    it("PROC-11 capabilities: the command holds none (bounding set too for root); DAC override, chown, identity changes and ambient raises fail", async () => {
      const kernel = attack("kernel");
      const r = await run(
        sh(
          `grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status; ` +
            `${PY} -c ${shellWord(
              py(
                `t("read-foreign", read, "foreign.txt")\n` +
                  `t("chown", os.chown, "own.txt", 12345, -1)\n` +
                  `t("setuid-other", os.setuid, 12345)`,
              )[2] as string,
            )}; ${kernel} setuid-0 cap-ambient-raise`,
        ),
        ["--allow", "/proc:r", ...attackFlags()],
      );
      const zero = "0000000000000000";
      const field = (name: string) => r.stdout.match(new RegExp(`^${name}:\\s+(\\S+)$`, "m"))?.[1];
      for (const set of ["CapInh", "CapPrm", "CapEff", "CapAmb"]) assert.equal(field(set), zero, set);
      if (actor.as.uid === 0) assert.equal(field("CapBnd"), zero);
      assert.equal(field("NoNewPrivs"), "1");
      const res = results(r.stdout);
      assert.equal(res["read-foreign"], "EACCES", "CAP_DAC_OVERRIDE is dropped");
      assert.equal(res.chown, "EPERM", "CAP_CHOWN is dropped");
      assert.equal(res["setuid-other"], "EPERM", "CAP_SETUID is dropped");
      assert.equal(res["setuid-0"], actor.target.uid === 0 ? "ok" : "EPERM");
      assert.equal(res["cap-ambient-raise"], "EPERM");
    });

    it("PROC-12 user-namespaces: unshare -U, clone(CLONE_NEWUSER) and other namespaces are refused, clone3 gives ENOSYS; fork works", async () => {
      const r = await run(
        sh(
          `unshare -U true; echo "unshare-U=$?"; unshare -Ur id; echo "unshare-Ur=$?"; ` +
            `${attack("kernel")} fork clone-user clone3-user unshare-net unshare-mount unshare-user`,
        ),
        attackFlags(),
      );
      const res = results(r.stdout);
      assert.equal(res["unshare-U"], "1");
      assert.equal(res["unshare-Ur"], "1");
      assert.match(r.stderr, /unshare failed: Operation not permitted/);
      const expected = {
        fork: "ok",
        "clone-user": "EPERM",
        "clone3-user": "ENOSYS",
        "unshare-net": "EPERM",
        "unshare-mount": "EPERM",
        "unshare-user": "EPERM",
      };
      for (const [k, v] of Object.entries(expected)) assert.equal(res[k], v, `${k}: ${r.stdout}`);
    });

    it("PROC-13 mount: mount, umount, the new mount API, pivot_root and setns are refused", async () => {
      const r = await run(
        sh(
          `mkdir -p m && mount -t tmpfs none m; echo "mount-cmd=$?"; ` +
            `${attack("kernel")} mount-tmpfs:m umount:/ fsopen open-tree:. pivot-root setns`,
        ),
        attackFlags(),
      );
      const res = results(r.stdout);
      assert.notEqual(res["mount-cmd"], "0");
      for (const k of ["mount-tmpfs:m", "umount:/", "fsopen", "open-tree:.", "pivot-root", "setns"]) {
        assert.equal(res[k], "EPERM", `${k}: ${r.stdout}`);
      }
    });

    it("PROC-14 io-uring: io_uring_setup, enter and register are refused (io_uring would open files and sockets past the filter)", async () => {
      const res = results(
        (await run([attack("kernel"), "io-uring-setup", "io-uring-enter", "io-uring-register"], attackFlags())).stdout,
      );
      assert.deepEqual(res, { "io-uring-setup": "EPERM", "io-uring-enter": "EPERM", "io-uring-register": "EPERM" });
    });

    it("PROC-15 bpf-perf-userfaultfd: bpf, perf_event_open and userfaultfd are refused", async () => {
      const res = results(
        (await run([attack("kernel"), "bpf", "perf-event-open", "userfaultfd"], attackFlags())).stdout,
      );
      assert.deepEqual(res, { bpf: "EPERM", "perf-event-open": "EPERM", userfaultfd: "EPERM" });
    });

    it("PROC-16 keyrings: keyctl, add_key and request_key are refused", async () => {
      const res = results(
        (await run([attack("kernel"), "keyctl-session", "add-key", "request-key"], attackFlags())).stdout,
      );
      assert.deepEqual(res, { "keyctl-session": "EPERM", "add-key": "EPERM", "request-key": "EPERM" });
    });

    it("PROC-17 foreign-abi: a socket() through the i386 int 0x80 entry or the x32 ABI kills the command (SIGSYS, 159) before it returns", async () => {
      for (const call of ["int80-socket", "x32-socket"]) {
        const r = await run([attack("kernel"), "fork", call], attackFlags());
        assert.equal(r.status, 159, `${call}: ${r.stdout}${r.stderr}`);
        assert.equal(r.stdout, "fork=ok\n");
      }
    });

    it("PROC-18 daemonize: a double-forked setsid daemon outlives the run (documented: the CLI has no timeout) but keeps the sandbox; the launcher's --lock-session refuses setsid", async () => {
      const code =
        `import time\n` +
        `if os.fork() == 0:\n` +
        `    os.setsid()\n` +
        `    if os.fork() > 0:\n` +
        `        os._exit(0)\n` +
        `    null = os.open("/dev/null", os.O_RDWR)\n` +
        `    for fd in (0, 1, 2):\n` +
        `        os.dup2(null, fd)\n` +
        `    time.sleep(1.0)\n` +
        `    out = ["pid=%d" % os.getpid()]\n` +
        `    def attempt(name, fn):\n` +
        `        try:\n` +
        `            fn()\n` +
        `            out.append(name + "=ok")\n` +
        `        except OSError as e:\n` +
        `            out.append(name + "=" + errno.errorcode[e.errno])\n` +
        `    attempt("read-secret", lambda: open(${q(a.secret)}).read())\n` +
        `    attempt("inet", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))\n` +
        `    attempt("unix", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))\n` +
        `    attempt("signal-test", lambda: os.kill(${process.pid}, 0))\n` +
        `    attempt("write-workdir", lambda: open("daemon-wrote", "w").write("x"))\n` +
        `    open("daemon.tmp", "w").write("\\n".join(out) + "\\n")\n` +
        `    os.rename("daemon.tmp", "daemon.log")\n` +
        `    time.sleep(30)\n` +
        `    os._exit(0)\n` +
        `os.wait()\n` +
        `print("parent-exits")`;
      const log = join(a.proj, "daemon.log");
      const r = await run(py(code));
      assert.equal(r.stdout, "parent-exits\n", r.stderr);
      assert.ok(await waitFor(() => existsSync(log), 5000), "the daemon did not report");
      const res = results(readFileSync(log, "utf8"));
      const pid = Number(res.pid);
      try {
        const expected = {
          "read-secret": "EACCES",
          inet: "EPERM",
          unix: kernelAbi() >= 9 ? "ok" : "EPERM", // from ABI 9 Landlock holds unix connects instead
          "signal-test": "EPERM",
          "write-workdir": "ok",
        };
        for (const [k, v] of Object.entries(expected)) assert.equal(res[k], v, `${k}: ${JSON.stringify(res)}`);
        assert.ok(alive(pid), "documented: the daemon outlives `cordon run`");
      } finally {
        if (pid) process.kill(pid, "SIGKILL");
      }
      // What the SDK uses to bound a run: --lock-session (launcher) makes
      // setsid() fail, so the whole tree stays in one session to kill.
      const locked = launch(
        [
          ...SYSTEM_RULES,
          "--rw",
          a.proj,
          "--chdir",
          a.proj,
          "--new-session",
          "--lock-session",
          ...actor.flags,
          "--",
          PY,
          "-c",
          py(`t("setsid", os.setsid)`)[2] as string,
        ],
        { as: actor.as, env: BASE_ENV },
      );
      assert.equal(results(locked.stdout).setsid, "EPERM", locked.stdout + locked.stderr);
    });

    it("PROC-19 die-with-parent: when the caller (the CLI) is SIGKILLed, the command is killed too", async () => {
      const pidFile = join(a.proj, "command.pid");
      const running = start(actor, a, sh(`echo $$ > ${shellWord(pidFile)}; exec sleep 30`));
      assert.ok(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n")));
      const pid = Number(readFileSync(pidFile, "utf8"));
      assert.ok(alive(pid), "the command must be running before the caller dies");
      running.kill("SIGKILL");
      await running.done;
      const gone = await waitFor(() => !alive(pid), 3000);
      if (!gone) process.kill(pid, "SIGKILL");
      assert.ok(gone, "the command survived its caller");
    });

    it("PROC-20 nested-wider: a nested launcher granting itself rx on / cannot widen the outer sandbox", async () => {
      const build = join(ROOT, "native", "build");
      const r = await run(
        [
          LAUNCHER,
          "--compat",
          "best",
          "--allow",
          "rx",
          "/",
          "--allow",
          "rw",
          "/dev/null",
          "--",
          "sh",
          "-c",
          `echo "inner=$CORDON_SANDBOX"; cat ${a.secret}; echo "cat=$?"; ls ${a.sibling}; echo "ls=$?"`,
        ],
        ["--ro", build],
      );
      assert.match(r.stdout, /cat=1\n/, r.stdout + r.stderr);
      assert.match(r.stdout, /ls=2\n/);
      assert.doesNotMatch(r.stdout, /sibling secret/);
      assert.match(r.stderr, /secret\.txt: Permission denied/);
    });
  });
}

/** A unix socket server outside the sandbox, run as root: ADDRESS is a
 * path (made 0777, like docker.sock for its group) or @NAME for an abstract
 * name. Every connection and the first bytes it sent are logged. */
const LISTENER = `import os, socket, sys
addr, log = sys.argv[1], sys.argv[2]
if addr.startswith("@"):
    addr = "\\0" + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(addr)
if not addr.startswith("\\0"):
    os.chmod(addr, 0o777)
s.listen(8)
open(log + ".ready", "w").close()
while True:
    c, _ = s.accept()
    c.settimeout(2)
    try:
        data = c.recv(100)
    except OSError:
        data = b""
    with open(log, "a") as f:
        f.write("conn:" + data.decode(errors="replace") + "\\n")
    c.close()
`;

interface Listener {
  /** Each connection's first bytes, one line each. */
  received(): string[];
  close(): void;
}

async function listen(address: string, log: string): Promise<Listener> {
  const child = spawn(PY, ["-c", LISTENER, address, log], { stdio: "ignore" });
  assert.ok(await waitFor(() => existsSync(`${log}.ready`)), "the listener did not start");
  return {
    received: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []),
    close: () => {
      child.kill("SIGKILL");
      if (!address.startsWith("@")) rmSync(address, { force: true });
    },
  };
}
