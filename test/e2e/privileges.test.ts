// Privileges on the real kernel: running as another user (--user), what the
// command holds afterwards (ids, groups, capabilities, no_new_privs), setuid
// binaries, and hardened hosts (capless root, user namespaces blocked,
// no_new_privs already set, Landlock blocked or faked, an old ABI). Every run
// is either enforced or refused as documented, never silently unconfined:
// each case asserts on the report and on what the command could really do.
import assert from "node:assert/strict";
import { execFileSync, type SpawnSyncReturns, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { type EnforcementReport, parseReport } from "../../src/launcher/report.js";
import {
  CLI,
  type Identity,
  LAUNCHER,
  makeTree,
  NOBODY,
  ROOT,
  ROOT_USER,
  SYSTEM_RULES,
  type Tree,
} from "../helpers/sandbox.js";

const ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C" };
const EPERM = 1;
const ENOSYS = 38;

/** A second unprivileged user, created for this file and removed after it.
 * It is also in the supplementary group `users`, which the command must not
 * keep: cordon drops supplementary groups instead of calling initgroups. */
const SECOND_USER = "cordon-e2e-priv";
const SUPPLEMENTARY_GROUP = "users";

/** A uid and gid with no passwd or group entry. */
const UNKNOWN_ID = 54321;

const CAPLESS = ["setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"];
const NO_NEW_PRIVS = ["setpriv", "--no-new-privs", "--"];

// ---------------------------------------------------------------------------
// Spawning with the report on fd 3

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The launcher's report from fd 3, when it wrote one. */
  report: EnforcementReport | undefined;
}

function outcome(r: SpawnSyncReturns<string>): Outcome {
  if (r.error) throw r.error;
  const text = r.output[3] ?? "";
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr,
    report: text.trim() === "" ? undefined : parseReport(text),
  };
}

/** Runs a program as `as`, with fd 3 a pipe whose content is the report. */
function spawnAs(file: string, args: string[], as: Identity, env: NodeJS.ProcessEnv = ENV): Outcome {
  return outcome(
    spawnSync(file, args, {
      encoding: "utf8",
      uid: as.uid,
      gid: as.gid,
      input: "",
      env,
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      timeout: 30_000,
    }),
  );
}

interface LaunchOptions {
  /** Wrapper command the launcher runs under (setpriv, a seccomp helper). */
  via?: string[];
  /** Launcher options after the system rules, before --report-fd. */
  options?: string[];
  cmd: string[];
}

/** Runs the launcher directly, with the system rules and a report on fd 3. */
function launchAs(as: Identity, { via = [], options = [], cmd }: LaunchOptions): Outcome {
  const argv = [...SYSTEM_RULES, ...options, "--report-fd", "3", "--", ...cmd];
  const [first, ...rest] = via;
  return first === undefined ? spawnAs(LAUNCHER, argv, as) : spawnAs(first, [...rest, LAUNCHER, ...argv], as);
}

/** Runs the `cordon` CLI (its report, with --report FILE, is in FILE). */
function cliAs(as: Identity, args: string[], env: NodeJS.ProcessEnv = ENV): Outcome {
  return spawnAs(process.execPath, [CLI, ...args], as, env);
}

function mustReport(o: Outcome): EnforcementReport {
  assert.ok(o.report, `the launcher wrote no report (status ${o.status}, stderr: ${o.stderr})`);
  return o.report;
}

function readReportFile(path: string): EnforcementReport {
  return parseReport(readFileSync(path, "utf8"));
}

/** The `/proc/self/status` fields the command must see as all zero. */
const CAP_SETS = ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"];

function statusField(status: string, name: string): string {
  const m = status.match(new RegExp(`^${name}:\\t(.*)$`, "m"));
  assert.ok(m, `no ${name} line in /proc/self/status:\n${status}`);
  return (m[1] ?? "").trim();
}

// ---------------------------------------------------------------------------
// Helpers built at test time and tools the tests need

const built = new Map<string, string>();

/** Builds test/helpers/NAME.c once into a private directory. */
function helper(name: string): string {
  const cached = built.get(name);
  if (cached) return cached;
  // "cordon-test-" like the trees: other files count /tmp/cordon-* entries.
  const dir = mkdtempSync("/tmp/cordon-test-helper-");
  chmodSync(dir, 0o755);
  const out = join(dir, name);
  execFileSync("cc", ["-O2", "-Wall", "-o", out, join(ROOT, "test", "helpers", `${name}.c`)]);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  built.set(name, out);
  return out;
}

/** Fails (never skips) when a tool the tests need is missing. */
function requireTool(tool: string, pkg: string, args = ["--version"]): void {
  const r = spawnSync(tool, args, { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    assert.fail(
      `${tool} is required by these tests and is not usable here: install the '${pkg}' package (apt-get install -y ${pkg})`,
    );
  }
}

function getent(db: "passwd" | "group", key: string): string[] | undefined {
  const r = spawnSync("getent", [db, key], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.split("\n")[0]?.split(":") : undefined;
}

/** Creates SECOND_USER afresh (removing a leftover from an interrupted run). */
function createSecondUser(): Identity {
  requireTool("useradd", "passwd", ["--help"]);
  removeSecondUser();
  assert.ok(getent("group", SUPPLEMENTARY_GROUP), `group '${SUPPLEMENTARY_GROUP}' must exist on this machine`);
  execFileSync("useradd", [
    "--system",
    "--user-group",
    "--no-create-home",
    "--home-dir",
    "/nonexistent",
    "--shell",
    "/usr/sbin/nologin",
    "--groups",
    SUPPLEMENTARY_GROUP,
    SECOND_USER,
  ]);
  const pw = getent("passwd", SECOND_USER);
  assert.ok(pw, "useradd did not create the user");
  return { name: SECOND_USER, uid: Number(pw[2]), gid: Number(pw[3]) };
}

function removeSecondUser(): void {
  if (getent("passwd", SECOND_USER)) execFileSync("userdel", [SECOND_USER]);
  if (getent("group", SECOND_USER)) execFileSync("groupdel", [SECOND_USER]);
}

/** Who spawns the launcher and who the command runs as. */
interface Actor {
  name: string;
  as: Identity;
  user: string[];
  target: Identity;
}
const ACTORS: Actor[] = [
  { name: "root", as: ROOT_USER, user: [], target: ROOT_USER },
  { name: "nobody", as: NOBODY, user: [], target: NOBODY },
  { name: "root with --user nobody", as: ROOT_USER, user: ["--user", "nobody"], target: NOBODY },
];

let second: Identity;
before(() => {
  requireTool("setpriv", "util-linux");
  second = createSecondUser();
});
after(() => removeSecondUser());

/** Reads the sibling secret (0666, so DAC allows it: only Landlock can
 * deny it), creates the marker, and prints what the command saw. */
function probeCmd(t: Tree, marker: string): string[] {
  return [
    "sh",
    "-c",
    `cat ${t.secret} >/dev/null 2>&1; echo sibling=$?; touch ${marker}; echo sandbox=$CORDON_SANDBOX; id -u`,
  ];
}

// ---------------------------------------------------------------------------
// 1. The original bug: a rule path only root can reach

describe("a rule path under a root-only directory", () => {
  let t: Tree;
  let hidden: string;
  let data: string;
  let report: string;
  let tmp: string;
  before(() => {
    t = makeTree(NOBODY);
    hidden = join(t.root, "hidden");
    data = join(hidden, "data");
    mkdirSync(hidden);
    chmodSync(hidden, 0o700);
    mkdirSync(data);
    chmodSync(data, 0o777);
    writeFileSync(join(data, "input.txt"), "hidden data\n");
    chmodSync(join(data, "input.txt"), 0o666);
    report = join(t.root, "report.json");
    // The CLI's private scratch directories go here, not in /tmp.
    tmp = join(t.root, "tmp");
    mkdirSync(tmp);
    chmodSync(tmp, 0o755);
  });
  after(() => t.cleanup());
  beforeEach(() => rmSync(report, { force: true }));

  for (const target of ["nobody", SECOND_USER]) {
    it(`a root caller with --user ${target} and the workdir there: the rule is opened as root and works`, () => {
      const who = target === "nobody" ? NOBODY : second;
      // Without the sandbox the user cannot reach the directory at all (DAC:
      // no search permission on the 0700 parent), but can read the sibling.
      const outside = spawnAs("sh", ["-c", `cat ${data}/input.txt; echo data=$?; cat ${t.secret}`], who);
      assert.match(outside.stdout, /^data=1\nsibling secret\n$/, outside.stderr);
      assert.match(outside.stderr, /Permission denied/);

      const out = join(data, `written-by-${who.uid}`);
      const r = cliAs(
        ROOT_USER,
        [
          "run",
          "--user",
          target,
          "--workdir",
          data,
          "--report",
          report,
          "--",
          "sh",
          "-c",
          // Relative paths: the cwd was entered before the switch, so the
          // 0700 parent is never traversed by the user. The absolute path is
          // still refused, by DAC (see above), not by Landlock.
          `cat input.txt; echo read=$?; echo ok > written-by-${who.uid}; echo write=$?; ` +
            `cat ${t.secret} >/dev/null 2>&1; echo sibling=$?; cat ${data}/input.txt >/dev/null 2>&1; echo absolute=$?; ` +
            `id -u; echo sandbox=$CORDON_SANDBOX`,
        ],
        { ...ENV, TMPDIR: tmp },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        r.stdout,
        `hidden data\nread=0\nwrite=0\nsibling=1\nabsolute=1\n${who.uid}\nsandbox=1\n`,
        `stderr: ${r.stderr}`,
      );
      assert.equal(statSync(out).uid, who.uid, "the file was created by the target user");
      assert.deepEqual(readdirSync(tmp), [], "the CLI removed its scratch directory");
      const rep = readReportFile(report);
      assert.equal(rep.status, "running");
      assert.equal(rep.enforced, "full");
      assert.equal(rep.sandbox, "1");
      assert.deepEqual(rep.gaps, []);
      const rule = rep.rules.find((x) => x.path === data);
      assert.ok(rule, `no rule for ${data}`);
      assert.equal(rule.added, true);
      assert.equal(rule.type, "directory");
      assert.ok(rule.rights?.includes("write_file") && rule.rights.includes("read_file"));
      assert.deepEqual(rep.proof, { path: "/", result: "denied", note: null });
      assert.equal(rep.process.uid, who.uid);
      assert.equal(rep.process.gid, who.gid);
      assert.equal(rep.process.user_switched, true);
    });
  }

  it("a launcher already running as nobody cannot open it: hard mode refuses naming the path, the command never runs", () => {
    const marker = join(t.proj, "marker-hard");
    const r = launchAs(NOBODY, {
      options: ["--rw", t.proj, "--rw", data, "--chdir", t.proj],
      cmd: ["sh", "-c", `touch ${marker}; echo sandbox=$CORDON_SANDBOX`],
    });
    assert.equal(r.status, 125, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      new RegExp(`refusing to run the command: rule: rule path ${data} cannot be opened: Permission denied`),
    );
    assert.equal(existsSync(marker), false, "the command must not have run");
    const rep = mustReport(r);
    assert.equal(rep.status, "refused");
    const rule = rep.rules.find((x) => x.path === data);
    assert.equal(rule?.added, false);
    assert.equal(rule?.reason, "cannot be opened");
  });

  it("a launcher already running as nobody, best mode: runs with CORDON_SANDBOX=partial and a warning, never 1", () => {
    const marker = join(t.proj, "marker-best");
    const r = launchAs(NOBODY, {
      options: ["--compat", "best", "--rw", t.proj, "--rw", data, "--chdir", t.proj],
      cmd: [
        "sh",
        "-c",
        `touch ${marker}; cat ${t.secret} >/dev/null 2>&1; echo sibling=$?; echo sandbox=$CORDON_SANDBOX`,
      ],
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "sibling=1\nsandbox=partial\n");
    assert.match(
      r.stderr,
      new RegExp(`warning: not enforced: rule: rule path ${data} cannot be opened: Permission denied`),
    );
    assert.equal(existsSync(marker), true);
    const rep = mustReport(r);
    assert.equal(rep.enforced, "partial");
    assert.equal(rep.sandbox, "partial");
    assert.deepEqual(
      rep.gaps.map((g) => [g.name, g.accepted]),
      [["rule", false]],
    );
    assert.deepEqual(rep.proof, { path: "/", result: "denied", note: null });
  });
});

// ---------------------------------------------------------------------------
// 2. What the command holds after --user

describe("the identity and privileges the command holds", () => {
  let t: Tree;
  before(() => {
    t = makeTree(NOBODY);
  });
  after(() => t.cleanup());

  // The caller (root) holds supplementary groups 4 and 100, which a switch
  // that skipped setgroups would pass on.
  const CALLER_GROUPS = ["setpriv", "--groups", "4,100", "--"];

  it("the caller really has supplementary groups (the control for the tests below)", () => {
    const r = spawnAs("setpriv", ["--groups", "4,100", "--", "id", "-G"], ROOT_USER);
    assert.equal(r.stdout, "0 4 100\n", r.stderr);
  });

  for (const target of ["nobody", SECOND_USER]) {
    it(`--user ${target}: uid, gid and groups are the target's; supplementary groups are dropped`, () => {
      const who = target === "nobody" ? NOBODY : second;
      const r = launchAs(ROOT_USER, {
        via: CALLER_GROUPS,
        options: ["--user", target, "--allow", "r", "/etc/passwd", "--allow", "r", "/etc/group"],
        cmd: ["sh", "-c", "id -u; id -g; id -G; id -un"],
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${who.uid}\n${who.gid}\n${who.gid}\n${target}\n`);
      const rep = mustReport(r);
      assert.equal(rep.enforced, "full");
      assert.equal(rep.process.uid, who.uid);
      assert.equal(rep.process.gid, who.gid);
      assert.deepEqual(rep.process.groups, []);
      assert.equal(rep.process.user_switched, true);
      if (target === SECOND_USER) {
        // initgroups() would have given it this group: cordon does not.
        const users = Number(getent("group", SUPPLEMENTARY_GROUP)?.[2]);
        const plain = spawnAs("id", ["-G", SECOND_USER], ROOT_USER);
        assert.equal(plain.stdout, `${who.gid} ${users}\n`, "the user is in the supplementary group outside");
      }
    });

    it(`--user ${target}: /proc/self/status shows no capability, NoNewPrivs 1, the target's ids, no groups`, () => {
      const who = target === "nobody" ? NOBODY : second;
      const r = launchAs(ROOT_USER, {
        via: CALLER_GROUPS,
        options: ["--user", target, "--allow", "r", "/proc/self"],
        cmd: ["cat", "/proc/self/status"],
      });
      assert.equal(r.status, 0, r.stderr);
      for (const set of CAP_SETS) assert.equal(statusField(r.stdout, set), "0000000000000000", set);
      assert.equal(statusField(r.stdout, "NoNewPrivs"), "1");
      assert.equal(statusField(r.stdout, "Uid"), `${who.uid}\t${who.uid}\t${who.uid}\t${who.uid}`);
      assert.equal(statusField(r.stdout, "Gid"), `${who.gid}\t${who.gid}\t${who.gid}\t${who.gid}`);
      assert.equal(statusField(r.stdout, "Groups"), "");
      assert.equal(statusField(r.stdout, "Seccomp"), "2");
      const rep = mustReport(r);
      assert.equal(rep.enforced, "full");
      assert.equal(rep.process.user_switched, true);
      assert.equal(rep.process.caps_dropped, true);
      assert.equal(rep.process.no_new_privs, true);
      assert.deepEqual(rep.process.groups, []);
      for (const set of ["cap_effective", "cap_permitted", "cap_inheritable", "cap_ambient", "cap_bounding"] as const) {
        assert.equal(rep.process[set], "0x0", set);
      }
      // The report's pid is the command's: the launcher executed it in place.
      assert.equal(statusField(r.stdout, "Pid"), String(rep.process.pid));
    });
  }
});

// ---------------------------------------------------------------------------
// 3. setuid binaries

describe("a setuid-root binary does not raise privileges", () => {
  let t: Tree;
  let suid: string;
  before(() => {
    t = makeTree(NOBODY);
    suid = join(t.proj, "suid-id");
    copyFileSync("/usr/bin/id", suid);
    chownSync(suid, 0, 0);
    chmodSync(suid, 0o4755);
  });
  after(() => t.cleanup());

  it("outside the sandbox, nobody running it gets euid 0 (the control: the filesystem honours setuid)", () => {
    assert.equal(statSync(suid).mode & 0o7777, 0o4755);
    const r = spawnAs(suid, ["-u"], NOBODY);
    assert.equal(
      r.stdout,
      "0\n",
      `a setuid-root copy of id must give euid 0 outside the sandbox; is ${t.proj} on a nosuid mount? (${r.stderr})`,
    );
  });

  for (const actor of ACTORS.filter((a) => a.target.uid !== 0)) {
    it(`inside the sandbox (${actor.name}) it runs with euid ${actor.target.uid}`, () => {
      const r = launchAs(actor.as, { options: [...actor.user, "--rw", t.proj], cmd: [suid, "-u"] });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${actor.target.uid}\n`);
      assert.equal(mustReport(r).enforced, "full");
    });
  }

  it(`inside the sandbox (root with --user ${SECOND_USER}) it runs with the user's euid`, () => {
    const r = launchAs(ROOT_USER, { options: ["--user", SECOND_USER, "--rw", t.proj], cmd: [suid, "-u"] });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${second.uid}\n`);
  });
});

// ---------------------------------------------------------------------------
// 4. A root caller without --user

describe("a root caller without --user", () => {
  let t: Tree;
  before(() => {
    t = makeTree(ROOT_USER);
  });
  after(() => t.cleanup());

  const environProbe = [
    "bash",
    "-c",
    // cksum opens the file itself and prints only a checksum (to stderr).
    "cksum /proc/$PPID/environ >&2; echo parent=$?; cksum /proc/$$/environ >&2; echo self=$?",
  ];

  it("keeps uid 0 but loses every capability, bounding set included", () => {
    const r = launchAs(ROOT_USER, { options: ["--allow", "r", "/proc/self"], cmd: ["cat", "/proc/self/status"] });
    assert.equal(r.status, 0, r.stderr);
    for (const set of CAP_SETS) assert.equal(statusField(r.stdout, set), "0000000000000000", set);
    assert.equal(statusField(r.stdout, "NoNewPrivs"), "1");
    assert.equal(statusField(r.stdout, "Uid"), "0\t0\t0\t0");
    const rep = mustReport(r);
    assert.equal(rep.enforced, "full");
    assert.equal(rep.process.uid, 0);
    assert.equal(rep.process.user_switched, false);
    assert.equal(rep.process.caps_dropped, true);
    assert.equal(rep.process.cap_bounding, "0x0");
  });

  it("outside the sandbox, root reads the parent's /proc/PID/environ (the control)", () => {
    const r = spawnAs(environProbe[0] as string, environProbe.slice(1), ROOT_USER);
    assert.equal(r.stdout, "parent=0\nself=0\n", r.stderr);
  });

  it("a Landlock sandbox that keeps root's capabilities (CAP_SYS_PTRACE) still reads it: the drop is what stops it", () => {
    const r = spawnAs(
      helper("landlock-keep-caps"),
      [...environProbe.slice(0, 2), `${environProbe[2]}; : >>${t.secret}; echo write=$?`],
      ROOT_USER,
    );
    // write=1: Landlock is on (no write granted anywhere), yet parent=0.
    assert.equal(r.stdout, "parent=0\nself=0\nwrite=1\n", r.stderr);
  });

  it("inside cordon, with /proc readable, the parent's environ is refused and its own is not", () => {
    const r = launchAs(ROOT_USER, { options: ["--allow", "r", "/proc"], cmd: environProbe });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "parent=1\nself=0\n");
    assert.match(r.stderr, /environ: Permission denied/);
    const rep = mustReport(r);
    assert.equal(rep.enforced, "full");
    assert.equal(rep.process.caps_dropped, true);
  });
});

// ---------------------------------------------------------------------------
// 5. Errors

describe("identity errors exit 125 before anything runs", () => {
  let t: Tree;
  let tmp: string;
  before(() => {
    t = makeTree(NOBODY);
    assert.equal(getent("passwd", String(UNKNOWN_ID)), undefined, `uid ${UNKNOWN_ID} must not exist here`);
    assert.equal(getent("group", String(UNKNOWN_ID)), undefined, `gid ${UNKNOWN_ID} must not exist here`);
  });
  after(() => t.cleanup());
  beforeEach(() => {
    tmp = mkdtempSync(join(t.root, "tmpdir-"));
    chmodSync(tmp, 0o777);
  });

  const marker = () => join(t.proj, "marker");
  const touch = () => ["--", "touch", marker()];

  it("the launcher run by nobody with --user root: a clear error naming --user, nothing runs", () => {
    const r = launchAs(NOBODY, { options: ["--user", "root", "--rw", t.proj], cmd: ["touch", marker()] });
    assert.equal(r.status, 125);
    assert.match(
      r.stderr,
      /refusing to run the command: --user: running as another user needs a root caller \(this is uid 65534\)/,
    );
    assert.equal(existsSync(marker()), false);
    assert.equal(mustReport(r).status, "refused");
  });

  it("the CLI run by nobody with --user root (profile none): the launcher's error", () => {
    const r = cliAs(NOBODY, ["run", "--profile", "none", "--workdir", t.proj, "--user", "root", ...touch()], {
      ...ENV,
      TMPDIR: tmp,
    });
    assert.equal(r.status, 125);
    assert.match(r.stderr, /--user: running as another user needs a root caller \(this is uid 65534\)/);
    assert.equal(existsSync(marker()), false);
  });

  it("the CLI run by nobody with --user root (default profile): names --user and leaves no scratch directory", () => {
    const r = cliAs(NOBODY, ["run", "--workdir", t.proj, "--user", "root", ...touch()], { ...ENV, TMPDIR: tmp });
    assert.equal(r.status, 125);
    assert.equal(existsSync(marker()), false);
    const problems: string[] = [];
    if (!/--user: [^\n]*root/.test(r.stderr)) {
      problems.push(`the error must name --user and say a root caller is needed; got: ${r.stderr.trim()}`);
    }
    const left = readdirSync(tmp);
    if (left.length > 0) problems.push(`the private scratch directory was left behind: ${left.join(", ")}`);
    assert.deepEqual(problems, []);
  });

  for (const [name, run] of [
    ["launcher", (args: string[]) => launchAs(ROOT_USER, { options: args, cmd: ["touch", marker()] })],
    [
      "CLI",
      (args: string[]) => cliAs(ROOT_USER, ["run", "--workdir", t.proj, ...args, ...touch()], { ...ENV, TMPDIR: tmp }),
    ],
  ] as const) {
    it(`${name}: --user no-such-user names the user`, () => {
      const r = run(["--user", "no-such-user"]);
      assert.equal(r.status, 125);
      assert.match(r.stderr, /--user: no user named 'no-such-user'/);
      assert.equal(existsSync(marker()), false);
    });

    it(`${name}: --group without --user`, () => {
      const r = run(["--group", "nogroup"]);
      assert.equal(r.status, 125);
      assert.match(r.stderr, /--group: give --user too/);
      assert.equal(existsSync(marker()), false);
    });

    it(`${name}: an unknown numeric uid without --group asks for --group`, () => {
      const r = run(["--user", String(UNKNOWN_ID)]);
      assert.equal(r.status, 125);
      assert.match(r.stderr, new RegExp(`--user: uid ${UNKNOWN_ID} has no passwd entry: give --group too`));
      assert.equal(existsSync(marker()), false);
    });

    it(`${name}: --group no-such-group names the group`, () => {
      const r = run(["--user", "nobody", "--group", "no-such-group"]);
      assert.equal(r.status, 125);
      assert.match(r.stderr, /--group: no group named 'no-such-group'/);
      assert.equal(existsSync(marker()), false);
    });
  }

  it("an unknown numeric uid with --group runs as exactly that uid and gid", () => {
    const r = launchAs(ROOT_USER, {
      options: ["--user", String(UNKNOWN_ID), "--group", String(UNKNOWN_ID)],
      cmd: ["sh", "-c", "id -u; id -g; id -G"],
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${UNKNOWN_ID}\n${UNKNOWN_ID}\n${UNKNOWN_ID}\n`);
    assert.equal(mustReport(r).enforced, "full");
  });
});

// ---------------------------------------------------------------------------
// 6. Hardened hosts

/** Asserts a run that ran fully enforced: the sibling was denied, the
 * command ran, and the report says full with a denied proof. */
function assertEnforced(r: Outcome, marker: string, uid: number): EnforcementReport {
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `sibling=1\nsandbox=1\n${uid}\n`, r.stderr);
  assert.equal(existsSync(marker), true, "the command ran");
  const rep = mustReport(r);
  assert.equal(rep.status, "running");
  assert.equal(rep.enforced, "full");
  assert.equal(rep.sandbox, "1");
  assert.equal(rep.landlock.restricted, true);
  assert.deepEqual(rep.gaps, []);
  assert.deepEqual(rep.proof, { path: "/", result: "denied", note: null });
  assert.equal(rep.process.uid, uid);
  assert.equal(rep.process.cap_effective, "0x0");
  assert.equal(rep.process.no_new_privs, true);
  return rep;
}

function assertRefused(r: Outcome, marker: string, message: RegExp): EnforcementReport {
  assert.equal(r.status, 125, r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, message);
  assert.equal(existsSync(marker), false, "the command must not have run");
  const rep = mustReport(r);
  assert.equal(rep.status, "refused");
  assert.notEqual(rep.sandbox, "1");
  return rep;
}

/** A best-mode run without Landlock: the command ran, unconfined, and said so. */
function assertUnconfinedAndSaid(r: Outcome, marker: string, uid: number): EnforcementReport {
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `sibling=0\nsandbox=0\n${uid}\n`, r.stderr);
  assert.equal(existsSync(marker), true);
  assert.match(r.stderr, /warning: not enforced: landlock: /);
  const rep = mustReport(r);
  assert.equal(rep.status, "running");
  assert.equal(rep.enforced, "none");
  assert.equal(rep.sandbox, "0");
  assert.equal(rep.landlock.restricted, false);
  assert.ok(rep.gaps.some((g) => g.name === "landlock" && !g.accepted));
  return rep;
}

describe("hardened hosts", () => {
  before(() => requireTool("bwrap", "bubblewrap"));

  describe("capless root (setpriv: empty inheritable, ambient and bounding sets)", () => {
    let t: Tree;
    let marker: string;
    before(() => {
      t = makeTree(ROOT_USER);
      marker = join(t.proj, "marker");
    });
    after(() => t.cleanup());
    beforeEach(() => rmSync(marker, { force: true }));

    it("cordon enforces fully; there was nothing to drop", () => {
      const r = launchAs(ROOT_USER, { via: CAPLESS, options: ["--rw", t.proj], cmd: probeCmd(t, marker) });
      const rep = assertEnforced(r, marker, 0);
      assert.equal(rep.process.caps_dropped, false);
      assert.equal(rep.process.cap_bounding, "0x0");
    });

    it("--user nobody is refused: switching users needs CAP_SETUID/CAP_SETGID", () => {
      const r = launchAs(ROOT_USER, {
        via: CAPLESS,
        options: ["--user", "nobody", "--rw", t.proj],
        cmd: probeCmd(t, marker),
      });
      assertRefused(r, marker, /refusing to run the command: setgroups failed: Operation not permitted/);
    });

    it("an ABI too old for the default protections is refused, naming the feature", () => {
      const r = launchAs(ROOT_USER, {
        via: CAPLESS,
        options: ["--max-abi", "5", "--rw", t.proj],
        cmd: probeCmd(t, marker),
      });
      assertRefused(r, marker, /scope-signal: needs Landlock ABI 6 \(Linux 6\.12\); the running ABI is 5/);
    });

    it("bubblewrap cannot start under the same conditions (and can without them)", () => {
      const control = spawnAs("bwrap", ["--ro-bind", "/", "/", "--unshare-user", "true"], ROOT_USER);
      assert.equal(control.status, 0, `bwrap must work on this host without the restriction: ${control.stderr}`);
      const r = spawnAs(
        "setpriv",
        [...CAPLESS.slice(1), "bwrap", "--ro-bind", "/", "/", "--unshare-user", "true"],
        ROOT_USER,
      );
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^bwrap: setting up uid map: Operation not permitted$/m);
    });
  });

  describe("user namespaces blocked by seccomp", () => {
    for (const who of [ROOT_USER, NOBODY]) {
      describe(`as ${who.name}`, () => {
        let t: Tree;
        let marker: string;
        before(() => {
          t = makeTree(who);
          marker = join(t.proj, "marker");
        });
        after(() => t.cleanup());
        beforeEach(() => rmSync(marker, { force: true }));

        it("cordon enforces fully", () => {
          const r = launchAs(who, {
            via: [helper("deny-userns")],
            options: ["--rw", t.proj],
            cmd: probeCmd(t, marker),
          });
          assertEnforced(r, marker, who.uid);
        });

        it("cordon check --json reports user namespaces blocked (and available without the filter)", () => {
          const blocked = spawnAs(helper("deny-userns"), [process.execPath, CLI, "check", "--json"], who);
          assert.equal(blocked.status, 0, blocked.stderr);
          const probe = JSON.parse(blocked.stdout).probe;
          assert.equal(probe.user_namespaces, "Operation not permitted");
          assert.equal(probe.user_namespaces_errno, "EPERM");
          assert.equal(probe.restrict_self, "ok");
          const open = spawnAs(process.execPath, [CLI, "check", "--json"], who);
          assert.equal(JSON.parse(open.stdout).probe.user_namespaces, "ok", open.stderr);
        });

        it("bwrap --unshare-user fails under the same filter, and works without it", () => {
          const args = ["--ro-bind", "/", "/", "--unshare-user", "true"];
          const control = spawnAs("bwrap", args, who);
          assert.equal(control.status, 0, `bwrap must work on this host without the filter: ${control.stderr}`);
          const r = spawnAs(helper("deny-userns"), ["bwrap", ...args], who);
          assert.equal(r.status, 1);
          assert.match(r.stderr, /^bwrap: No permissions to create new namespace/m);
        });
      });
    }
  });

  describe("no_new_privs already set (setpriv --no-new-privs)", () => {
    for (const actor of ACTORS) {
      it(`${actor.name}: cordon enforces fully`, () => {
        const t = makeTree(actor.target);
        try {
          const marker = join(t.proj, "marker");
          const r = launchAs(actor.as, {
            via: NO_NEW_PRIVS,
            options: [...actor.user, "--rw", t.proj],
            cmd: probeCmd(t, marker),
          });
          assertEnforced(r, marker, actor.target.uid);
        } finally {
          t.cleanup();
        }
      });
    }

    it("cordon check --json says no_new_privs true (and false without setpriv)", () => {
      const r = spawnAs("setpriv", ["--no-new-privs", "--", process.execPath, CLI, "check", "--json"], NOBODY);
      assert.equal(r.status, 0, r.stderr);
      const probe = JSON.parse(r.stdout).probe;
      assert.equal(probe.no_new_privs, true);
      assert.equal(probe.restrict_self, "ok");
      const plain = spawnAs(process.execPath, [CLI, "check", "--json"], NOBODY);
      assert.equal(JSON.parse(plain.stdout).probe.no_new_privs, false, plain.stderr);
    });
  });

  for (const actor of ACTORS) {
    describe(`Landlock blocked or faked, ${actor.name}`, () => {
      let t: Tree;
      let marker: string;
      before(() => {
        t = makeTree(actor.target);
        marker = join(t.proj, "marker");
      });
      after(() => t.cleanup());
      beforeEach(() => rmSync(marker, { force: true }));

      const run = (spec: string, compat: "hard" | "best", extra: string[] = []) =>
        launchAs(actor.as, {
          via: [helper("deny-landlock"), spec],
          options: ["--compat", compat, ...actor.user, "--rw", t.proj, ...extra],
          cmd: probeCmd(t, marker),
        });

      for (const [name, spec] of [
        ["EPERM on 444-446", String(EPERM)],
        ["ENOSYS on 444-446", String(ENOSYS)],
        ["EPERM on restrict_self only", `${EPERM}@446`],
      ] as const) {
        it(`${name}: hard mode refuses and nothing runs`, () => {
          const rep = assertRefused(run(spec, "hard"), marker, /refusing to run the command: landlock: /);
          assert.equal(rep.enforced, "none");
          assert.equal(rep.landlock.restricted, false);
        });

        it(`${name}: best mode runs with CORDON_SANDBOX=0 and says so`, () => {
          const rep = assertUnconfinedAndSaid(run(spec, "best"), marker, actor.target.uid);
          assert.equal(rep.proof.result, "skipped");
          assert.equal(rep.proof.note, "Landlock is not enforced");
          assert.equal(rep.process.cap_effective, "0x0");
        });
      }

      it("restrict_self returns 0 and enforces nothing: hard mode refuses on the proof", () => {
        const rep = assertRefused(
          run("0@446", "hard"),
          marker,
          /refusing to run the command: proof: listing \/, which no rule grants, was allowed after restrict_self: the kernel is not enforcing the ruleset/,
        );
        assert.equal(rep.enforced, "none");
        assert.equal(rep.sandbox, "0");
        assert.deepEqual(rep.proof, { path: "/", result: "allowed", note: null });
      });

      it("restrict_self returns 0 and enforces nothing: best mode runs with CORDON_SANDBOX=0, the proof says allowed", () => {
        const r = run("0@446", "best");
        const rep = assertUnconfinedAndSaid(r, marker, actor.target.uid);
        assert.match(
          r.stderr,
          /warning: not enforced: landlock: landlock_restrict_self reported success but the proof of enforcement failed/,
        );
        assert.match(r.stderr, /warning: not enforced: proof: listing \/, which no rule grants, was allowed/);
        assert.deepEqual(rep.proof, { path: "/", result: "allowed", note: null });
        assert.deepEqual(
          rep.gaps.map((g) => g.name),
          ["landlock", "proof"],
        );
      });

      it("an ABI too old for a requested feature (--max-abi 5) is refused in hard mode, naming it", () => {
        const r = launchAs(actor.as, {
          options: [...actor.user, "--max-abi", "5", "--rw", t.proj],
          cmd: probeCmd(t, marker),
        });
        const rep = assertRefused(
          r,
          marker,
          /scope-signal: needs Landlock ABI 6 \(Linux 6\.12\); the running ABI is 5/,
        );
        assert.equal(rep.abi, 5);
      });
    });
  }
});

// ---------------------------------------------------------------------------
// 7. The proof of enforcement

describe("the proof of enforcement", () => {
  it("a failed proof cannot be accepted with --accept-gap", () => {
    const r = launchAs(ROOT_USER, { options: ["--accept-gap", "proof"], cmd: ["true"] });
    assert.equal(r.status, 125);
    assert.match(r.stderr, /--accept-gap: a failed proof of enforcement cannot be accepted/);
  });

  for (const actor of ACTORS) {
    describe(actor.name, () => {
      let t: Tree;
      let marker: string;
      before(() => {
        t = makeTree(actor.target);
        marker = join(t.proj, "marker");
      });
      after(() => t.cleanup());
      beforeEach(() => rmSync(marker, { force: true }));

      it("a normal run lists / after restrict_self and is denied", () => {
        const r = launchAs(actor.as, { options: [...actor.user, "--rw", t.proj], cmd: probeCmd(t, marker) });
        assertEnforced(r, marker, actor.target.uid);
      });

      it("with read granted on / no directory is left to list: the abstract socket scope is the witness", () => {
        const outside = join(t.sibling, `written-${actor.target.uid}`);
        const r = launchAs(actor.as, {
          options: [...actor.user, "--ro", "/", "--rw", t.proj],
          cmd: ["sh", "-c", `touch ${outside}; echo write=$?; touch ${marker}; echo sandbox=$CORDON_SANDBOX`],
        });
        assert.equal(r.status, 0, r.stderr);
        // Landlock is really on: writing outside the rw path is refused.
        assert.equal(r.stdout, "write=1\nsandbox=1\n");
        assert.equal(existsSync(outside), false);
        const rep = mustReport(r);
        assert.equal(rep.enforced, "full");
        assert.match(rep.proof.path ?? "", /^@cordon-proof-/);
        assert.equal(rep.proof.result, "denied");
      });

      it("with read granted on / and no scopes (ABI 5), nothing can prove enforcement: hard refuses", () => {
        const r = launchAs(actor.as, {
          options: [
            ...actor.user,
            "--max-abi",
            "5",
            "--accept-gap",
            "scope-signal",
            "--accept-gap",
            "scope-abstract-unix",
            "--ro",
            "/",
            "--rw",
            t.proj,
          ],
          cmd: ["touch", marker],
        });
        assert.equal(r.status, 125, r.stderr);
        assert.match(r.stderr, /proof: nothing to probe: every directory is listable under this policy/);
        assert.equal(existsSync(marker), false);
      });

      // With read granted on /, the proof has no directory to list, and a
      // restrict_self that returns 0 while enforcing nothing goes unnoticed.
      it("with read granted on / and a restrict_self that enforces nothing, hard mode must not run claiming full", () => {
        const outside = join(t.sibling, `unconfined-${actor.target.uid}`);
        rmSync(outside, { force: true });
        const r = launchAs(actor.as, {
          via: [helper("deny-landlock"), "0@446"],
          options: [...actor.user, "--ro", "/", "--rw", t.proj],
          cmd: ["sh", "-c", `touch ${outside}; touch ${marker}; echo sandbox=$CORDON_SANDBOX`],
        });
        const rep = mustReport(r);
        assert.equal(
          r.status,
          125,
          `hard mode ran the command unconfined (it wrote ${outside}: ${existsSync(outside)}) with ` +
            `${r.stdout.trim()}, report enforced=${rep.enforced}, proof=${JSON.stringify(rep.proof)}`,
        );
        assert.equal(existsSync(marker), false);
        assert.equal(existsSync(outside), false);
        assert.notEqual(rep.enforced, "full");
      });
    });
  }
});
