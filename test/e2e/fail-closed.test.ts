// Fail closed: when Landlock is blocked or the kernel lacks a requested
// protection, hard mode refuses before the command runs; best mode runs it
// loudly and says exactly what is missing.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { EnforcementReport } from "../../src/launcher/report.js";
import {
  cli,
  denyLandlockHelper,
  IDENTITIES,
  LAUNCHER,
  makeTree,
  ROOT_USER,
  SYSTEM_RULES,
  spawnCmd,
  type Tree,
} from "../helpers/sandbox.js";

const EPERM = 1;
const ENOSYS = 38;
const EOPNOTSUPP = 95;

for (const who of IDENTITIES) {
  describe(`fail closed as ${who.name}`, () => {
    let t: Tree;
    let marker: string;
    let report: string;
    before(() => {
      t = makeTree(who);
      marker = join(t.proj, "marker");
      report = join(t.proj, "report.json");
    });
    after(() => t.cleanup());
    beforeEach(() => {
      rmSync(marker, { force: true });
      rmSync(report, { force: true });
    });

    const readReport = () => JSON.parse(readFileSync(report, "utf8")) as EnforcementReport;
    const touchMarker = () => ["--", "bash", "-c", `touch ${marker}; echo "sandbox=$CORDON_SANDBOX"`];
    /** The launcher under the helper that makes Landlock's syscalls fail
     * with errno; fd 3 is the report file. */
    const blocked = (errno: number, args: string[]) =>
      spawnCmd("/bin/sh", ["-c", `"$@" 3>${report}`, "sh", denyLandlockHelper(), String(errno), LAUNCHER, ...args], {
        as: who,
      });
    const reportedRun = () => [...SYSTEM_RULES, "--rw", t.proj, "--report-fd", "3", ...touchMarker()];

    for (const [name, errno] of [
      ["EPERM (container seccomp profile)", EPERM],
      ["ENOSYS (not built in)", ENOSYS],
      ["EOPNOTSUPP (not enabled at boot)", EOPNOTSUPP],
    ] as const) {
      it(`hard mode refuses when Landlock answers ${name}, and the command never runs`, () => {
        const r = blocked(errno, reportedRun());
        assert.equal(r.status, 125, r.stderr);
        assert.match(r.stderr, /refusing to run the command: landlock: Landlock is unavailable/);
        assert.equal(existsSync(marker), false, "the command must not have run");
        const rep = readReport();
        assert.equal(rep.status, "refused");
        assert.equal(rep.enforced, "none");
        assert.ok(rep.kernel_abi < 0);
      });
    }

    it("the refusal names the cause and the fix", () => {
      const r = blocked(EOPNOTSUPP, [...SYSTEM_RULES, ...touchMarker()]);
      assert.equal(r.status, 125);
      assert.match(r.stderr, /not enabled at boot: add 'landlock' to the kernel's lsm= parameter/);
      assert.match(r.stderr, /--compat best, or --accept-gap landlock/);
    });

    it("best mode runs without Landlock, warns on stderr, and says CORDON_SANDBOX=0", () => {
      const r = blocked(EPERM, ["--compat", "best", ...reportedRun()]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "sandbox=0\n");
      assert.match(r.stderr, /warning: not enforced: landlock/);
      assert.equal(existsSync(marker), true, r.stderr);
      const rep = readReport();
      assert.equal(rep.status, "running");
      assert.equal(rep.enforced, "none");
      assert.equal(rep.sandbox, "0");
      assert.equal(rep.landlock.restricted, false);
      assert.ok(rep.gaps.some((g) => g.name === "landlock" && !g.accepted));
    });

    it("hard mode refuses a run that needs scopes on an ABI 5 kernel (simulated)", () => {
      const r = cli(["run", "--workdir", t.proj, "--max-abi", "5", "--report", report, ...touchMarker()], { as: who });
      assert.equal(r.status, 125, r.stderr);
      assert.match(r.stderr, /scope-signal: needs Landlock ABI 6 \(Linux 6\.12\); the running ABI is 5/);
      assert.equal(existsSync(marker), false, "the command must not have run");
      assert.equal(readReport().status, "refused");
    });

    it("best mode on ABI 5 runs with CORDON_SANDBOX=partial and lists each gap", () => {
      const r = cli(
        ["run", "--workdir", t.proj, "--max-abi", "5", "--compat", "best", "--report", report, ...touchMarker()],
        {
          as: who,
        },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "sandbox=partial\n");
      assert.match(r.stderr, /warning: not enforced: scope-signal/);
      const rep = readReport();
      assert.equal(rep.enforced, "partial");
      assert.equal(rep.abi, 5);
      assert.deepEqual(rep.landlock.scopes, []);
      // The seccomp filter refuses unix sockets, so the missing abstract
      // socket scope is no gap unless they are allowed.
      assert.deepEqual(
        rep.gaps.map((g) => g.name),
        ["scope-signal"],
      );
      const unix = cli(
        [
          "run",
          "--workdir",
          t.proj,
          "--max-abi",
          "5",
          "--allow-unix-sockets",
          "--compat",
          "best",
          "--report",
          report,
          "--",
          "true",
        ],
        { as: who },
      );
      assert.equal(unix.status, 0, unix.stderr);
      assert.deepEqual(
        (JSON.parse(readFileSync(report, "utf8")) as EnforcementReport).gaps.map((g) => g.name),
        ["scope-abstract-unix", "scope-signal"],
      );
    });

    it("hard mode runs when the missing protections are accepted by name, and still says partial", () => {
      const r = cli(
        [
          "run",
          "--workdir",
          t.proj,
          "--max-abi",
          "3",
          "--accept-gap",
          "ioctl-dev",
          "--accept-gap",
          "scope-signal",
          "--accept-gap",
          "scope-abstract-unix",
          "--report",
          report,
          ...touchMarker(),
        ],
        { as: who },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "sandbox=partial\n");
      const rep = readReport();
      assert.equal(rep.enforced, "partial");
      assert.ok(rep.gaps.every((g) => g.accepted));
      // Below ABI 4 Landlock cannot handle TCP; the seccomp filter refuses
      // inet sockets instead, so the network stays off.
      assert.deepEqual(rep.landlock.handled_net, []);
      assert.equal(rep.net.tcp, "denied");
      assert.equal(rep.seccomp.installed, true);
    });

    it("on ABI 2 truncation is a gap; on ABI 1 cross-directory rename fails with EXDEV and the report says why", () => {
      const abi2 = cli(["run", "--workdir", t.proj, "--max-abi", "2", "--", "true"], { as: who });
      assert.equal(abi2.status, 125);
      assert.match(abi2.stderr, /truncate: needs Landlock ABI 3/);

      const r = cli(
        [
          "run",
          "--workdir",
          t.proj,
          "--max-abi",
          "1",
          "--compat",
          "best",
          "--report",
          report,
          "--",
          "bash",
          "-c",
          "mkdir -p x y && touch x/f && ln x/f y/f",
        ],
        { as: who },
      );
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /Invalid cross-device link/);
      const rep = readReport();
      assert.ok(rep.limits.some((l) => /EXDEV/.test(l)));
      assert.equal(rep.landlock.handled_fs.includes("refer"), false);
    });

    it("a rule path that cannot be opened is a gap: refused in hard mode, skipped loudly in best mode", () => {
      if (who.uid === 0) return; // root can open every path: the case needs an unprivileged caller
      const hidden = join(t.root, "hidden");
      const setup = spawnCmd("/bin/sh", ["-c", `mkdir -m 0700 ${hidden} && mkdir ${hidden}/in`], {
        as: ROOT_USER,
      });
      assert.equal(setup.status, 0, setup.stderr);
      const hard = cli(["run", "--workdir", t.proj, "--ro", join(hidden, "in"), "--", "true"], { as: who });
      assert.equal(hard.status, 125);
      assert.match(hard.stderr, /rule: rule path .*hidden\/in cannot be opened: Permission denied/);
      const best = cli(["run", "--workdir", t.proj, "--compat", "best", "--ro", join(hidden, "in"), ...touchMarker()], {
        as: who,
      });
      assert.equal(best.status, 0, best.stderr);
      assert.equal(best.stdout, "sandbox=partial\n");
    });
  });
}
