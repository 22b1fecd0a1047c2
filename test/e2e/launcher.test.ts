// The launcher's contract: exit statuses, arguments, stdio, fds, privileges.
import assert from "node:assert/strict";
import { spawn as spawnChild } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { EnforcementReport } from "../../src/launcher/report.js";
import { IDENTITIES, LAUNCHER, launch, makeTree, SYSTEM_RULES, spawnCmd, type Tree } from "../helpers/sandbox.js";

for (const who of IDENTITIES) {
  describe(`launcher as ${who.name}`, () => {
    let t: Tree;
    before(() => {
      t = makeTree(who);
    });
    after(() => t.cleanup());

    const base = () => [...SYSTEM_RULES, "--rw", t.proj, "--chdir", t.proj];
    const run = (args: string[], extra: Partial<Parameters<typeof launch>[1]> = {}) =>
      launch([...base(), ...args], { as: who, ...extra });

    it("passes the command's exit status through", () => {
      assert.equal(run(["--", "sh", "-c", "exit 42"]).status, 42);
      assert.equal(run(["--", "true"]).status, 0);
    });

    it("a command killed by a signal is reported as that signal", () => {
      const r = run(["--", "sh", "-c", "kill -TERM $$"]);
      assert.equal(r.signal, "SIGTERM");
    });

    it("passes arguments exactly: spaces, quotes, globs, newlines, empty strings", () => {
      const args = ["a b", "'q'", '"d"', "*", "$HOME", "line\nbreak", "", "-x", "--"];
      const r = run(["--", "/usr/bin/printf", "[%s]", ...args]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, args.map((a) => `[${a}]`).join(""));
    });

    it("passes bytes that are not UTF-8 in arguments unchanged", () => {
      const r = spawnCmd(
        "/bin/bash",
        ["-c", `"$0" "$@" -- /usr/bin/printf %s $'\\xff\\xfe' | od -An -tx1`, LAUNCHER, ...base()],
        {
          as: who,
        },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), "ff fe");
    });

    it("passes stdin and stdout through", () => {
      const r = run(["--", "tr", "a-z", "A-Z"], { input: "hello sandbox\n" });
      assert.equal(r.stdout, "HELLO SANDBOX\n");
    });

    it("127 when the command does not exist", () => {
      const r = run(["--", "no-such-command-cordon"]);
      assert.equal(r.status, 127);
      assert.match(r.stderr, /no-such-command-cordon: No such file or directory/);
    });

    it("126 when the command cannot be executed: not executable, or execute not granted", () => {
      const script = join(t.proj, "script.sh");
      writeFileSync(script, "#!/bin/sh\necho ran\n");
      chmodSync(script, 0o644);
      assert.equal(run(["--", script]).status, 126);
      chmodSync(script, 0o755);
      assert.equal(run(["--", script]).stdout, "ran\n");
      // The same script in a directory granted read+write but not execute.
      const r = launch([...SYSTEM_RULES, "--allow", "rw", t.proj, "--", script], { as: who });
      assert.equal(r.status, 126);
      assert.match(r.stderr, /Permission denied \(execute may not be granted by the policy\)/);
    });

    it("a missing rule path is an error naming the path, unless the rule is optional", () => {
      const missing = join(t.root, "does-not-exist");
      const r = run(["--ro", missing, "--", "true"]);
      assert.equal(r.status, 125);
      assert.match(r.stderr, new RegExp(`rule path ${missing} does not exist`));
      assert.equal(run(["--allow-if-exists", "rx", missing, "--", "true"]).status, 0);
    });

    it("usage errors name the flag and exit 125", () => {
      const cases: [string[], RegExp][] = [
        [["--allow", "rq", t.proj, "--", "true"], /--allow: ACCESS 'rq' has a letter other than r, w, x, c/],
        [["--net", "udp", "--", "true"], /--net: 'udp' is not one of none, host/],
        [["--compat", "soft", "--", "true"], /--compat: 'soft' is not one of hard, best/],
        [["--accept-gap", "nope", "--", "true"], /--accept-gap: unknown gap 'nope'/],
        [["--bogus", "--", "true"], /--bogus: unknown option/],
        [["--report-fd", "9", "--", "true"], /--report-fd: fd 9 is not open/],
        [["--ro"], /--ro: missing value/],
        [[], /--: no COMMAND given/],
      ];
      for (const [args, message] of cases) {
        const r = launch(args, { as: who });
        assert.equal(r.status, 125, args.join(" "));
        assert.match(r.stderr, message);
      }
    });

    it("closes inherited fds >= 3 unless told to keep them", () => {
      // fds 3, 4, 5 are open pipes in the launcher.
      const extraStdio = ["pipe", "pipe", "pipe"] as ("pipe" | "ignore")[];
      const probe = "for fd in 3 4 5; do if { true >&$fd; } 2>/dev/null; then echo open$fd; fi; done";
      const closed = run(["--", "bash", "-c", probe], { extraStdio });
      assert.equal(closed.status, 0, closed.stderr);
      assert.equal(closed.stdout, "");
      const kept = run(["--keep-fd", "4", "--", "bash", "-c", probe], { extraStdio });
      assert.equal(kept.stdout, "open4\n");
    });

    it("the command sees no_new_privs and no capabilities", () => {
      const r = run(["--allow", "r", "/proc/self", "--", "cat", "/proc/self/status"]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /NoNewPrivs:\s+1/);
      for (const set of ["CapInh", "CapPrm", "CapEff", "CapAmb"]) {
        assert.match(r.stdout, new RegExp(`${set}:\\s+0000000000000000`));
      }
      if (who.uid === 0) assert.match(r.stdout, /CapBnd:\s+0000000000000000/);
    });

    it("a sandboxed command cannot open its parent's /proc/PID/environ, even with /proc readable", () => {
      const r = run([
        "--allow",
        "r",
        "/proc",
        "--",
        "bash",
        "-c",
        "cat /proc/$PPID/environ >/dev/null; echo parent=$?; cat /proc/$$/environ >/dev/null; echo self=$?",
      ]);
      assert.match(r.stdout, /parent=1/);
      assert.match(r.stdout, /self=0/);
      assert.match(r.stderr, /environ: Permission denied/);
    });

    it("writes the enforcement report to the fd it is given", () => {
      const r = spawnCmd(
        "/bin/sh",
        ["-c", `"$@" 3>${join(t.proj, "r.json")}`, "sh", LAUNCHER, ...base(), "--report-fd", "3", "--", "true"],
        {
          as: who,
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const rep = JSON.parse(readFileSync(join(t.proj, "r.json"), "utf8")) as EnforcementReport;
      assert.equal(rep.status, "running");
      assert.equal(rep.enforced, "full");
      assert.equal(rep.compat, "hard");
      assert.ok(rep.abi >= 6);
      assert.ok(rep.landlock.handled_fs.includes("refer"));
      assert.deepEqual(rep.landlock.scopes, ["abstract_unix_socket", "signal"]);
      assert.deepEqual(rep.landlock.handled_net, ["bind_tcp", "connect_tcp"]);
      assert.equal(rep.net.tcp, "denied");
      assert.equal(rep.process.no_new_privs, true);
      assert.equal(rep.process.cap_effective, "0x0");
      assert.equal(rep.process.uid, who.uid);
      assert.equal(rep.process.caps_dropped, who.uid === 0);
      // With the seccomp filter on, the only limit left on ABI 7 is that of
      // a uid-0 command.
      assert.deepEqual(
        rep.limits.map((l) => l.slice(0, 35)),
        who.uid === 0 ? ["the command runs as uid 0 and owns "] : [],
      );
      assert.equal(rep.net.udp, "denied");
      assert.equal(rep.seccomp.installed, true);
      assert.ok(rep.seccomp.rules.some((rule) => /TIOCSTI/.test(rule)));
      assert.equal(rep.proof.result, "denied");
      assert.equal(rep.proof.path, "/");
      const projRule = rep.rules.find((rule) => rule.path === t.proj);
      assert.deepEqual(projRule?.added, true);
      assert.ok(projRule?.rights?.includes("refer"));
      const fileRule = rep.rules.find((rule) => rule.path === "/dev/null");
      assert.deepEqual(fileRule?.rights, ["write_file", "read_file", "truncate", "ioctl_dev"]);
    });

    it("TCP bind and connect are denied with --net none and allowed with --net host", () => {
      const script =
        "import socket\ntry:\n  s=socket.socket()\nexcept OSError as e:\n  print('socket', e.errno); raise SystemExit\n" +
        "s.bind(('127.0.0.1',0)); print('bind ok')\nc=socket.socket()\n" +
        "try:\n  c.connect(('127.0.0.1',9)); print('connect ok')\nexcept OSError as e: print('connect', e.errno)\n";
      const none = run(["--", "/usr/bin/python3", "-c", script]);
      assert.equal(none.stdout, "socket 1\n", none.stderr);
      const host = run(["--net", "host", "--", "/usr/bin/python3", "-c", script]);
      assert.equal(host.stdout, "bind ok\nconnect 111\n", host.stderr);
    });

    it("--allow-tcp-connect opens TCP to listed ports only; UDP, raw and SCTP stay refused", async () => {
      const { createServer } = await import("node:net");
      const server = createServer((socket) => socket.end("hi\n"));
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      const port = (server.address() as { port: number }).port;
      const script = [
        "import socket",
        "def tcp(p):",
        "  try:",
        "    s = socket.create_connection(('127.0.0.1', p), 2); print('tcp', p, s.recv(3)); s.close()",
        "  except OSError as e: print('tcp', p, e.errno)",
        `tcp(${port}); tcp(${port === 65535 ? port - 1 : port + 1})`,
        "for kind, args in (('udp', (socket.AF_INET, socket.SOCK_DGRAM)), ('raw', (socket.AF_INET, socket.SOCK_RAW, 1)), ('sctp', (socket.AF_INET, socket.SOCK_STREAM, 132))):",
        "  try: socket.socket(*args); print(kind, 'ok')",
        "  except OSError as e: print(kind, e.errno)",
      ].join("\n");
      try {
        const r = await new Promise<{ stdout: string; stderr: string }>((done) => {
          const child = spawnChild(
            LAUNCHER,
            [...base(), "--allow-tcp-connect", String(port), "--", "/usr/bin/python3", "-c", script],
            {
              uid: who.uid,
              gid: who.gid,
              env: { PATH: "/usr/bin:/bin" },
            },
          );
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (c: Buffer) => {
            stdout += c;
          });
          child.stderr.on("data", (c: Buffer) => {
            stderr += c;
          });
          child.on("close", () => done({ stdout, stderr }));
        });
        assert.equal(
          r.stdout,
          `tcp ${port} b'hi\\n'\ntcp ${port === 65535 ? port - 1 : port + 1} 13\nudp 1\nraw 1\nsctp 1\n`,
          r.stderr,
        );
      } finally {
        server.close();
      }
    });

    it("signals cannot reach processes outside the sandbox (scope)", () => {
      const r = run(["--", "bash", "-c", "kill -0 $PPID; echo rc=$?"]);
      assert.match(r.stdout, /rc=1/);
      assert.match(r.stderr, /Operation not permitted/);
    });
  });
}
