// The seccomp layer end to end: every refusal is shown inside the sandbox
// with its documented errno, and the same call is shown working outside the
// sandbox (or with the toggle that lets it through), so that a test can only
// pass when the filter is what made the difference. Syscall-level cases run
// the launcher directly with a small C helper making raw calls
// (test/helpers/syscall-probe.c); tool and nested cases go through the CLI.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createSocket, type Socket as DgramSocket } from "node:dgram";
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Server as NetServer } from "node:net";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type EnforcementReport, parseReport } from "../../src/launcher/report.js";
import {
  CLI,
  cli,
  IDENTITIES,
  type Identity,
  LAUNCHER,
  landlockAbi,
  launch,
  makeTree,
  type Result,
  ROOT,
  SYSTEM_RULES,
  spawnCmd,
  syscallProbeHelper,
  type Tree,
} from "../helpers/sandbox.js";

const PROBE = syscallProbeHelper();
const PROBE_DIR = dirname(PROBE);
const ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C" };

/** The errnos the filter and the kernel answer with, by number: the probe
 * prints numbers, and a test asserting "EPERM" must not accept EACCES. */
const E = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EBADF: 9,
  EFAULT: 14,
  ENODEV: 19,
  EINVAL: 22,
  ENOTTY: 25,
  ENOSPC: 28,
  ENOSYS: 38,
  EAFNOSUPPORT: 97,
  ENOKEY: 126,
} as const;
const errno = (n: number) => `errno:${n}`;
/** The running Landlock ABI: from 9 the filter lets unix sockets be and Landlock holds their connects. */
const ABI = landlockAbi();
const EACCES = 13;

const AF = { UNIX: 1, INET: 2, INET6: 10, NETLINK: 16, PACKET: 17, VSOCK: 40 } as const;
const SOCK = { STREAM: 1, DGRAM: 2, RAW: 3 } as const;
const sock = (family: number, type: number, hi = false) => `socket:${family}:${type}${hi ? ":hi" : ""}`;

/** The probe's `CALL=RESULT` lines as a map. Lines from a pty end in \r\n. */
function parseProbe(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split(/\r?\n/)) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Runs the probe and insists that it ran to the end. */
function probed(r: Result, what: string): Record<string, string> {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}; stdout: ${r.stdout}; stderr: ${r.stderr}`);
  assert.equal(r.status, 0, `${what}: status ${r.status}; stderr: ${r.stderr}`);
  return parseProbe(r.stdout);
}

const launcherArgs = (opts: string[], command: string[]) => [
  ...SYSTEM_RULES,
  "--ro",
  PROBE_DIR,
  ...opts,
  "--",
  ...command,
];

/** The probe inside the sandbox, run by the launcher with SYSTEM_RULES. */
const inside = (who: Identity, calls: string[], opts: string[] = []) =>
  probed(launch(launcherArgs(opts, [PROBE, ...calls]), { as: who }), `inside ${opts.join(" ")}`);

/** The same probe outside any sandbox, as the same identity. */
const outside = (who: Identity, calls: string[]) => probed(spawnCmd(PROBE, calls, { as: who }), "outside");

/** The launcher with its enforcement report on fd 3. */
function launchWithReport(who: Identity, opts: string[], command: string[]): { r: Result; report: EnforcementReport } {
  const r = spawnSync(LAUNCHER, launcherArgs([...opts, "--report-fd", "3"], command), {
    encoding: "utf8",
    uid: who.uid,
    gid: who.gid,
    input: "",
    env: ENV,
    stdio: ["pipe", "pipe", "pipe", "pipe"],
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  return {
    r: { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr },
    report: parseReport(String(r.output[3])),
  };
}

/** `cordon run` without blocking the event loop, for servers in this process
 * that must answer while the command runs. */
function cliAsync(args: string[], who: Identity, cwd?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      uid: who.uid,
      gid: who.gid,
      cwd,
      env: ENV,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

async function until(done: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function sysctl(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** How many seccomp filters a process of ours starts with (a container may
 * add one): the sandbox adds one per level on top. */
const BASE_FILTERS = Number(/^Seccomp_filters:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0);

/** What creating a user namespace outside the sandbox gives nobody: Debian's
 * unprivileged_userns_clone=0 refuses it (EPERM), max_user_namespaces=0 has
 * no room (ENOSPC). Ubuntu's AppArmor restriction lets the namespace be
 * created and denies capabilities inside it, so it does not change this. */
const USERNS_FOR_NOBODY =
  sysctl("/proc/sys/kernel/unprivileged_userns_clone") === "0"
    ? errno(E.EPERM)
    : sysctl("/proc/sys/user/max_user_namespaces") === "0"
      ? errno(E.ENOSPC)
      : "ok";

/** The agent profile does not grant the place node lives when it is not
 * under /usr (a CI toolcache): grant its installation read+exec. */
const NODE_PREFIX = dirname(dirname(realpathSync(process.execPath)));

for (const who of IDENTITIES) {
  describe(`seccomp as ${who.name}`, () => {
    let t: Tree;
    before(() => {
      t = makeTree(who);
    });
    after(() => t.cleanup());

    it("socket(AF_UNIX) fails with EPERM unless --allow-unix-sockets (below ABI 9); socketpair(AF_UNIX) always works", () => {
      const calls = [sock(AF.UNIX, SOCK.STREAM), sock(AF.UNIX, SOCK.DGRAM), "socketpair"];
      const refused = ABI >= 9 ? "ok" : errno(E.EPERM);
      assert.deepEqual(inside(who, calls), {
        [sock(AF.UNIX, SOCK.STREAM)]: refused,
        [sock(AF.UNIX, SOCK.DGRAM)]: refused,
        socketpair: "ok",
      });
      const ok = Object.fromEntries(calls.map((c) => [c, "ok"]));
      assert.deepEqual(inside(who, calls, ["--allow-unix-sockets"]), ok);
      assert.deepEqual(outside(who, calls), ok);
    });

    describe("a unix socket server outside the sandbox", () => {
      let dir: string;
      let path: string;
      let server: NetServer;
      const received: string[] = [];
      before(async () => {
        // Outside the workdir and not granted: the sandbox cannot list it.
        // World-traversable and a 0777 socket, so DAC never stops nobody.
        dir = mkdtempSync("/tmp/cordon-unix-");
        chmodSync(dir, 0o755);
        path = join(dir, "server.sock");
        server = createNetServer((conn) => {
          let data = "";
          conn.setEncoding("utf8");
          conn.on("data", (d: string) => {
            data += d;
          });
          conn.on("end", () => received.push(data));
        });
        await new Promise<void>((resolve) => server.listen(path, resolve));
        chmodSync(path, 0o777);
      });
      after(async () => {
        await new Promise((resolve) => server.close(resolve));
        rmSync(dir, { recursive: true, force: true });
      });

      it("is unreachable by default (EPERM at socket(); from ABI 9 EACCES at connect()), reachable from outside", async () => {
        const listing = launch(launcherArgs([], ["ls", dir]), { as: who });
        assert.equal(listing.status, 2, "the sandbox must not be able to list the socket's directory");
        assert.match(listing.stderr, /Permission denied/);

        const msgIn = `from-inside-${who.name}`;
        assert.deepEqual(inside(who, [`connect-unix:${path}:${msgIn}`]), {
          [`connect-unix:${path}:${msgIn}`]: ABI >= 9 ? `connect-${errno(EACCES)}` : `socket-${errno(E.EPERM)}`,
        });
        const msgOut = `from-outside-${who.name}`;
        assert.deepEqual(outside(who, [`connect-unix:${path}:${msgOut}`]), {
          [`connect-unix:${path}:${msgOut}`]: "ok",
        });
        await until(() => received.includes(msgOut), "the outside client's message");
        assert.ok(!received.includes(msgIn));
      });

      it("with --allow-unix-sockets is reachable below Landlock ABI 9 (the documented limit), and the report says so", async () => {
        const msg = `allowed-${who.name}`;
        const call = `connect-unix:${path}:${msg}`;
        const { r, report } = launchWithReport(who, ["--allow-unix-sockets"], [PROBE, call]);
        const got = probed(r, "inside --allow-unix-sockets");
        const limit = report.limits.some((l) => /pathname unix sockets .* not restricted/.test(l));
        if (report.abi < 9) {
          assert.deepEqual(got, { [call]: "ok" }, "below ABI 9 Landlock does not mediate pathname unix connect");
          await until(() => received.includes(msg), "the sandboxed client's message");
          assert.ok(limit, `the report must state the limit: ${JSON.stringify(report.limits)}`);
        } else {
          assert.match(got[call] ?? "", /^connect-errno:\d+$/, "from ABI 9 Landlock refuses the connect");
          assert.ok(!limit, "from ABI 9 the limit is gone");
        }
      });
    });

    it("socket families other than unix, inet, inet6 and netlink fail with EAFNOSUPPORT; netlink works", () => {
      const calls = [sock(AF.PACKET, SOCK.RAW), sock(AF.VSOCK, SOCK.STREAM), sock(AF.NETLINK, SOCK.RAW)];
      // Outside, the families exist: the refusal inside is the filter's.
      assert.deepEqual(outside(who, calls), {
        [sock(AF.PACKET, SOCK.RAW)]: who.uid === 0 ? "ok" : errno(E.EPERM), // CAP_NET_RAW
        [sock(AF.VSOCK, SOCK.STREAM)]: "ok",
        [sock(AF.NETLINK, SOCK.RAW)]: "ok",
      });
      assert.deepEqual(inside(who, calls), {
        [sock(AF.PACKET, SOCK.RAW)]: errno(E.EAFNOSUPPORT),
        [sock(AF.VSOCK, SOCK.STREAM)]: errno(E.EAFNOSUPPORT),
        [sock(AF.NETLINK, SOCK.RAW)]: "ok",
      });
      // The same through Python's socket module, a caller that probes families.
      const py =
        "import socket\nsocket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0).close(); print('netlink ok')\n" +
        "try:\n  socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)\nexcept OSError as e: print('vsock', e.errno)\n";
      const r = launch(launcherArgs([], ["/usr/bin/python3", "-c", py]), { as: who });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `netlink ok\nvsock ${E.EAFNOSUPPORT}\n`);
    });

    it("inet and inet6 sockets, TCP and UDP, fail with EPERM under --net none and work with --net host", () => {
      const calls = [
        sock(AF.INET, SOCK.STREAM),
        sock(AF.INET, SOCK.DGRAM),
        sock(AF.INET6, SOCK.STREAM),
        sock(AF.INET6, SOCK.DGRAM),
      ];
      const out = outside(who, calls);
      assert.equal(out[sock(AF.INET, SOCK.STREAM)], "ok");
      assert.equal(out[sock(AF.INET, SOCK.DGRAM)], "ok");
      assert.deepEqual(inside(who, calls), Object.fromEntries(calls.map((c) => [c, errno(E.EPERM)])));
      assert.deepEqual(
        inside(who, calls, ["--net", "none"]),
        Object.fromEntries(calls.map((c) => [c, errno(E.EPERM)])),
      );
      // With the network on, exactly what the kernel answers outside (inet6
      // may be absent on a CI host; then both say so).
      assert.deepEqual(inside(who, calls, ["--net", "host"]), out);
    });

    describe("a UDP listener on 127.0.0.1 outside the sandbox", () => {
      let udp: DgramSocket;
      let port: number;
      const received: string[] = [];
      before(async () => {
        udp = createSocket("udp4");
        udp.on("message", (m) => received.push(m.toString("utf8")));
        await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
        port = udp.address().port;
      });
      after(() => udp.close());

      it("receives nothing from --net none and the datagram from --net host", async () => {
        const none = `udp-send:${port}:none-${who.name}`;
        const host = `udp-send:${port}:host-${who.name}`;
        assert.deepEqual(inside(who, [none]), { [none]: `socket-${errno(E.EPERM)}` });
        assert.deepEqual(inside(who, [host], ["--net", "host"]), { [host]: "ok" });
        await until(() => received.includes(`host-${who.name}`), "the --net host datagram");
        // Loopback delivers in order: had the first been sent, it would be here.
        assert.deepEqual(received, [`host-${who.name}`]);
        received.length = 0;
      });
    });

    it("a value in the upper 32 bits of an argument does not smuggle a refused call past the filter", () => {
      const calls = [sock(AF.UNIX, SOCK.STREAM, true), sock(AF.INET, SOCK.DGRAM, true), "tiocsti-hi"];
      // The kernel truncates these int arguments: outside, AF_UNIX | 1<<32 is
      // a unix socket, and TIOCSTI | 1<<32 is TIOCSTI (ENOTTY on a pipe).
      assert.deepEqual(outside(who, calls), {
        [sock(AF.UNIX, SOCK.STREAM, true)]: "ok",
        [sock(AF.INET, SOCK.DGRAM, true)]: "ok",
        "tiocsti-hi": errno(E.ENOTTY),
      });
      assert.deepEqual(inside(who, calls), {
        [sock(AF.UNIX, SOCK.STREAM, true)]: errno(E.EPERM),
        [sock(AF.INET, SOCK.DGRAM, true)]: errno(E.EPERM),
        "tiocsti-hi": errno(E.EPERM),
      });
      // Allowing unix sockets allows them whatever the upper bits say.
      assert.deepEqual(inside(who, [sock(AF.UNIX, SOCK.STREAM, true)], ["--allow-unix-sockets"]), {
        [sock(AF.UNIX, SOCK.STREAM, true)]: "ok",
      });
    });

    it("TIOCSTI and TIOCLINUX on the controlling terminal fail with EPERM; outside TIOCSTI works", () => {
      const calls = ["isatty", "tiocsti", "tiocsti-hi", "tioclinux"];
      // script(1) gives the command a new pty as its controlling terminal.
      const underPty = (line: string) => spawnCmd("script", ["-qec", line, "/dev/null"], { as: who });
      const legacy = sysctl("/proc/sys/dev/tty/legacy_tiocsti");
      // Root has CAP_SYS_ADMIN outside; nobody may push into its own
      // controlling tty only while dev.tty.legacy_tiocsti is 1 (else EIO).
      const stiOutside = who.uid === 0 || legacy === "1" ? "ok" : errno(E.EIO);
      const out = probed(underPty([PROBE, ...calls].map(shq).join(" ")), "outside under script");
      assert.deepEqual(out, {
        isatty: "1",
        tiocsti: stiOutside,
        "tiocsti-hi": stiOutside,
        tioclinux: errno(E.ENOTTY), // a pty is not a virtual console
      });
      const line = [LAUNCHER, ...launcherArgs([], [PROBE, ...calls])].map(shq).join(" ");
      assert.deepEqual(probed(underPty(line), "inside under script"), {
        isatty: "1",
        tiocsti: errno(E.EPERM),
        "tiocsti-hi": errno(E.EPERM),
        tioclinux: errno(E.EPERM),
      });
      // On a pipe the kernel says ENOTTY; the filter answers first.
      assert.deepEqual(outside(who, ["tiocsti", "tioclinux"]), {
        tiocsti: errno(E.ENOTTY),
        tioclinux: errno(E.ENOTTY),
      });
      assert.deepEqual(inside(who, ["tiocsti", "tioclinux"]), { tiocsti: errno(E.EPERM), tioclinux: errno(E.EPERM) });
    });

    it("an i386 int 0x80 call and an x32 call kill the process with SIGSYS; outside they return", {
      skip: process.arch !== "x64" ? `x86_64 only (this is ${process.arch})` : false,
    }, () => {
      assert.deepEqual(outside(who, ["int80", "x32"]), {
        int80: "pid", // the i386 getpid returned our pid
        x32: errno(E.ENOSYS), // CONFIG_X86_X32_ABI off; not killed either way
      });
      for (const call of ["int80", "x32"]) {
        // socketpair first: the process ran, and died at the foreign call.
        const r = launch(launcherArgs([], [PROBE, "socketpair", call]), { as: who });
        assert.equal(r.signal, "SIGSYS", `${call}: status ${r.status}, stderr ${r.stderr}`);
        assert.equal(r.stdout, "socketpair=ok\n");
      }
      // cordon run maps the kill to 128 + SIGSYS (31), as a shell does.
      const r = cli(["run", "--workdir", t.proj, "--ro", PROBE_DIR, "--", PROBE, "int80"], { as: who });
      assert.equal(r.status, 128 + 31, r.stderr);
    });

    it("user namespaces fail with EPERM (unshare -U, clone), clone3 with ENOSYS; fork and threads work", () => {
      const calls = ["clone-newuser", "unshare-newuser", "clone3", "fork", "thread"];
      const userns = who.uid === 0 ? "ok" : USERNS_FOR_NOBODY;
      assert.deepEqual(outside(who, calls), {
        "clone-newuser": userns,
        "unshare-newuser": userns,
        clone3: errno(E.EINVAL), // clone3(NULL, 0): a size too small, so past any filter
        fork: "ok",
        thread: "ok",
      });
      assert.deepEqual(inside(who, calls), {
        "clone-newuser": errno(E.EPERM),
        "unshare-newuser": errno(E.EPERM),
        clone3: errno(E.ENOSYS),
        fork: "ok",
        thread: "ok",
      });

      const unshareOut = spawnCmd("unshare", ["-U", "true"], { as: who });
      assert.equal(unshareOut.status, userns === "ok" ? 0 : 1, unshareOut.stderr);
      const unshareIn = launch(launcherArgs([], ["unshare", "-U", "true"]), { as: who });
      assert.equal(unshareIn.status, 1);
      assert.match(unshareIn.stderr, /unshare failed: Operation not permitted/);

      // glibc's pthread_create tries clone3 first and falls back to clone
      // on ENOSYS; fork uses clone: Python threads, os.fork, subshells.
      const py =
        "import threading, os\nr = []\nt = threading.Thread(target=lambda: r.append(1)); t.start(); t.join()\n" +
        "pid = os.fork()\nif pid == 0: os._exit(5)\n_, st = os.waitpid(pid, 0)\n" +
        "print('thread', len(r), 'fork', os.waitstatus_to_exitcode(st))\n";
      const python = launch(launcherArgs([], ["/usr/bin/python3", "-c", py]), { as: who });
      assert.equal(python.stdout, "thread 1 fork 5\n", python.stderr);
      const bash = launch(launcherArgs([], ["bash", "-c", "(exit 3) & wait $!; echo sub=$?; echo $(echo cmdsub)"]), {
        as: who,
      });
      assert.equal(bash.stdout, "sub=3\ncmdsub\n", bash.stderr);
    });

    it("io_uring, mount, setns, keyring, bpf, perf and userfaultfd calls fail with EPERM; outside they pass the filter", () => {
      const calls = [
        "io_uring_setup",
        "mount",
        "umount2",
        "setns",
        "keyctl",
        "add_key",
        "request_key",
        "bpf",
        "perf_event_open",
        "userfaultfd",
      ];
      // Outside: the arguments are chosen so that the kernel answers with
      // something other than EPERM for root and nobody alike.
      const ioUring = sysctl("/proc/sys/kernel/io_uring_disabled") ?? "0";
      assert.deepEqual(outside(who, calls), {
        // io_uring_disabled 0: anyone; 1: root (CAP_SYS_ADMIN) or io_uring_group; 2: nobody.
        io_uring_setup: ioUring === "0" || (ioUring === "1" && who.uid === 0) ? "ok" : errno(E.EPERM),
        mount: errno(E.ENOENT), // the target is looked up before the capability check
        umount2: errno(E.EINVAL), // unknown flags
        setns: errno(E.EBADF),
        keyctl: "ok", // the session keyring's id
        add_key: errno(E.ENODEV), // no such key type
        request_key: errno(E.ENOKEY),
        bpf: errno(E.EINVAL), // no such command
        perf_event_open: errno(E.EFAULT), // no attr
        userfaultfd: "ok", // UFFD_USER_MODE_ONLY needs no privilege
      });
      assert.deepEqual(inside(who, calls), Object.fromEntries(calls.map((c) => [c, errno(E.EPERM)])));
    });

    it("a nested cordon run works, adds its own filter, and is at least as strict as the outer one", () => {
      // The outer run: the repo and node readable, /proc readable so that
      // the inner command can read its own status (/proc, not /proc/self:
      // the CLI resolves /proc/self to its own pid, not the command's). No
      // unix sockets: the inner CLI spawns its launcher (with a report
      // pipe) through socketpair, which stays allowed.
      const innerReport = join(t.proj, "inner.json");
      const script = [
        'while read -r k v; do [ "$k" = Seccomp_filters: ] && echo "filters=$v"; done < /proc/self/status',
        "echo in > inner.txt && echo wrote-workdir",
        `(echo x > ${shq(join(t.sibling, "inner.txt"))}) 2>/dev/null || echo sibling-denied`,
        `${shq(PROBE)} ${sock(AF.UNIX, SOCK.STREAM)} ${sock(AF.INET, SOCK.DGRAM)} socketpair`,
      ].join("\n");
      const r = cli(
        [
          "run",
          "--workdir",
          t.proj,
          "--ro",
          ROOT,
          "--ro",
          NODE_PREFIX,
          "--ro",
          PROBE_DIR,
          "--allow",
          "/proc:r",
          "--",
          process.execPath,
          CLI,
          "run",
          "--allow",
          "/proc:r",
          "--ro",
          PROBE_DIR,
          // What the outer run denies, the inner one asks for.
          "--rw",
          t.sibling,
          "--allow-unix-sockets",
          "--net",
          "host",
          "--report",
          innerReport,
          "--",
          "bash",
          "-c",
          script,
        ],
        { as: who, cwd: t.proj },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        r.stdout,
        `filters=${BASE_FILTERS + 2}\nwrote-workdir\nsibling-denied\n` +
          `${sock(AF.UNIX, SOCK.STREAM)}=${errno(E.EPERM)}\n${sock(AF.INET, SOCK.DGRAM)}=${errno(E.EPERM)}\nsocketpair=ok\n`,
      );
      assert.ok(existsSync(join(t.proj, "inner.txt")));
      assert.ok(!existsSync(join(t.sibling, "inner.txt")));
      // The inner launcher did restrict itself and load its filter: a
      // second Landlock domain and a second seccomp filter, the open variant.
      const inner = JSON.parse(readFileSync(innerReport, "utf8")) as EnforcementReport;
      assert.equal(inner.status, "running");
      assert.equal(inner.enforced, "full");
      assert.equal(inner.landlock.restricted, true);
      assert.equal(inner.seccomp.installed, true);
      assert.ok(!inner.seccomp.rules.some((rule) => /^socket: (unix|inet)/.test(rule)), inner.seccomp.rules.join("\n"));

      // One level: one filter more than this process has.
      const one = cli(
        ["run", "--workdir", t.proj, "--allow", "/proc:r", "--", "grep", "Seccomp_filters", "/proc/self/status"],
        {
          as: who,
        },
      );
      assert.equal(one.status, 0, one.stderr);
      assert.match(one.stdout, new RegExp(`^Seccomp_filters:\\s+${BASE_FILTERS + 1}\\n$`));
    });

    it("everyday tools work under the agent profile: bash, git, node, python3, npm, tar", () => {
      const script = [
        "set -e",
        "git init -q repo && cd repo",
        "echo hello > a.txt && git add a.txt",
        "git -c user.name=cordon -c user.email=cordon@example.invalid commit -qm first",
        "git status --porcelain --branch && git log --format=%s && echo dirty > a.txt && git status --short",
        "cd ..",
        "node -e 'console.log(\"node\", 1 + 1)'",
        "/usr/bin/python3 -c 'print(\"python\", 3)'",
        "npm --version",
        "mkdir -p src && echo data > src/f.txt && tar -cf a.tar src && mkdir out && tar -xf a.tar -C out",
        "cat out/src/f.txt",
        "echo bash ok",
      ].join("\n");
      const r = cli(["run", "--workdir", t.proj, "--", "bash", "-c", script], { as: who });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^## \S+\nfirst\n M a.txt\nnode 2\npython 3\n\d+\.\d+\.\d+\ndata\nbash ok\n$/);
      assert.ok(existsSync(join(t.proj, "repo", ".git", "HEAD")));
      assert.ok(existsSync(join(t.proj, "out", "src", "f.txt")));
    });

    describe("curl and a local HTTP server", () => {
      let server: HttpServer;
      let url: string;
      const requests: string[] = [];
      before(async () => {
        server = createHttpServer((req, res) => {
          requests.push(req.url ?? "");
          res.end(`hello ${req.url}\n`);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      });
      after(async () => {
        await new Promise((resolve) => server.close(resolve));
      });

      it("curl fetches with --net host and cannot with --net none", async () => {
        const curl = spawnSync("sh", ["-c", "command -v curl"], { encoding: "utf8", env: ENV });
        assert.equal(curl.status, 0, "curl is not installed: CI must install it (apt-get install curl)");
        const host = await cliAsync(
          [
            "run",
            "--workdir",
            t.proj,
            "--net",
            "host",
            "--",
            "curl",
            "-sS",
            "--max-time",
            "10",
            `${url}/host-${who.name}`,
          ],
          who,
        );
        assert.equal(host.status, 0, host.stderr);
        assert.equal(host.stdout, `hello /host-${who.name}\n`);
        const none = await cliAsync(
          ["run", "--workdir", t.proj, "--", "curl", "-sS", "--max-time", "10", `${url}/none-${who.name}`],
          who,
        );
        assert.equal(none.status, 7, `curl: couldn't connect; got ${none.status}: ${none.stderr}`);
        assert.match(none.stderr, /Failed to connect/);
        assert.deepEqual(requests, [`/host-${who.name}`]);
        requests.length = 0;
      });
    });

    it("the enforcement report lists the seccomp rules in force, following --allow-unix-sockets and --net host", () => {
      const fixed = [
        /^arch: .*-> kill process$/,
        /^socket: families other than unix, inet, inet6, netlink -> EAFNOSUPPORT$/,
        /^socket: netlink other than NETLINK_ROUTE \(sock_diag, audit, uevent\) -> EPERM$/,
        /^ioctl: TIOCSTI, TIOCLINUX -> EPERM$/,
        who.uid === 0
          ? /^chmod, fchmod, fchmodat, fchmodat2: setuid, setgid or other-writable bits -> EPERM \(the command runs as uid 0\)$/
          : /^chmod, fchmod, fchmodat, fchmodat2: setuid or setgid bits -> EPERM$/,
        /^io_uring_setup, io_uring_enter, io_uring_register -> EPERM$/,
        /^clone, unshare: with CLONE_NEWUSER -> EPERM$/,
        /^clone3 -> ENOSYS/,
        /^setns, mount, umount2, pivot_root, open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr -> EPERM$/,
        /^keyctl, add_key, request_key -> EPERM$/,
        /^bpf, perf_event_open, userfaultfd -> EPERM$/,
      ];
      const unixRule = /^socket: unix -> EPERM/;
      const inetRule = /^socket: inet, inet6 -> EPERM/;
      const cases: [string[], boolean, boolean][] = [
        [[], true, true],
        [["--allow-unix-sockets"], false, true],
        [["--net", "host"], true, false],
        [["--allow-unix-sockets", "--net", "host"], false, false],
      ];
      for (const [opts, unixDenied, inetDenied] of cases) {
        const { r, report } = launchWithReport(who, opts, ["true"]);
        const what = `${opts.join(" ") || "default"}: ${JSON.stringify(report.seccomp)}`;
        assert.equal(r.status, 0, r.stderr);
        assert.equal(report.seccomp.installed, true, what);
        for (const rule of fixed)
          assert.ok(
            report.seccomp.rules.some((text) => rule.test(text)),
            `${rule} in ${what}`,
          );
        assert.equal(
          report.seccomp.rules.some((text) => unixRule.test(text)),
          unixDenied,
          what,
        );
        assert.equal(
          report.seccomp.rules.some((text) => inetRule.test(text)),
          inetDenied,
          what,
        );
        assert.equal(report.seccomp.rules.length, fixed.length + Number(unixDenied) + Number(inetDenied), what);
        assert.equal(report.net.udp, inetDenied ? "denied" : "allowed", what);
      }

      // The CLI passes both toggles to the launcher.
      const file = join(t.proj, "report.json");
      const r = cli(
        ["run", "--workdir", t.proj, "--allow-unix-sockets", "--net", "host", "--report", file, "--", "true"],
        { as: who },
      );
      assert.equal(r.status, 0, r.stderr);
      const report = JSON.parse(readFileSync(file, "utf8")) as EnforcementReport;
      assert.equal(report.seccomp.installed, true);
      assert.equal(report.seccomp.rules.length, fixed.length);
      assert.ok(!report.seccomp.rules.some((text) => unixRule.test(text) || inetRule.test(text)));
    });
  });
}
