// `cordon run` and `cordon check` as a user types them.
import assert from "node:assert/strict";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RUN_FLAGS } from "../../src/cli/run.js";
import type { EnforcementReport } from "../../src/launcher/report.js";
import { cli, denyLandlockHelper, IDENTITIES, makeTree, spawnCmd, type Tree } from "../helpers/sandbox.js";

for (const who of IDENTITIES) {
  describe(`cordon run as ${who.name}`, () => {
    let t: Tree;
    before(() => {
      t = makeTree(who);
    });
    after(() => t.cleanup());

    it("defaults the workdir to the current directory", () => {
      const r = cli(["run", "--", "bash", "-c", "pwd; touch here"], { as: who, cwd: t.proj });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${t.proj}\n`);
      assert.ok(existsSync(join(t.proj, "here")));
    });

    it("passes a terminal through: the command's stdin and stdout are the caller's tty", () => {
      const inner = `${process.execPath} ${join(import.meta.dirname, "..", "..", "dist", "cli", "main.js")} run --workdir ${t.proj} -- bash -c 'tty; test -t 0 && test -t 1 && echo both-tty; stty size >/dev/null && echo ioctl-ok'`;
      const r = spawnCmd("script", ["-qec", inner, "/dev/null"], { as: who });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /\/dev\/pts\/\d+/);
      assert.match(r.stdout, /both-tty/);
      assert.match(r.stdout, /ioctl-ok/);
    });

    it("maps a command killed by signal N to exit status 128+N, like a shell", () => {
      const r = cli(["run", "--workdir", t.proj, "--", "bash", "-c", "kill -KILL $$"], { as: who });
      assert.equal(r.status, 137);
    });

    it("--dry-run prints a line that runs the launcher by hand to the same effect", () => {
      const dry = cli(
        [
          "run",
          "--workdir",
          t.proj,
          "--dry-run",
          "--",
          "bash",
          "-c",
          `echo "it's $CORDON_SANDBOX" > by-hand.txt; cat ${t.secret}`,
        ],
        { as: who },
      );
      assert.equal(dry.status, 0, dry.stderr);
      const line = dry.stdout.trim();
      assert.equal(line.split("\n").length, 1);
      assert.match(line, /cordon-exec/);
      const r = spawnCmd("/bin/sh", ["-c", line], { as: who });
      assert.equal(r.status, 1, "cat of the sibling secret must fail");
      assert.match(r.stderr, /secret.txt: Permission denied/);
      assert.equal(readFileSync(join(t.proj, "by-hand.txt"), "utf8"), "it's 1\n");
    });

    it("--dry-run's private TMPDIR is removed after the run, and the status kept", () => {
      // A TMPDIR of its own, so that other tests' directories do not count.
      const tmp = join(t.root, `tmp-${who.name}`);
      mkdirSync(tmp);
      chownSync(tmp, who.uid, who.gid);
      const dry = cli(["run", "--workdir", t.proj, "--dry-run", "--", "sh", "-c", 'test -d "$TMPDIR" && exit 7'], {
        as: who,
      });
      const r = spawnCmd("/bin/sh", ["-c", dry.stdout], {
        as: who,
        env: { PATH: "/usr/bin:/bin", TMPDIR: tmp },
      });
      assert.equal(r.status, 7, r.stderr);
      assert.deepEqual(readdirSync(tmp), []);
    });

    it("--report writes the enforcement report to a file, or to stderr with -", () => {
      const file = join(t.proj, "report.json");
      const r = cli(["run", "--workdir", t.proj, "--report", file, "--", "true"], { as: who });
      assert.equal(r.status, 0, r.stderr);
      const report = JSON.parse(readFileSync(file, "utf8")) as EnforcementReport;
      assert.equal(report.enforced, "full");
      assert.ok(report.rules.some((rule) => rule.path === t.proj && rule.access === "rwx"));
      const toStderr = cli(["run", "--workdir", t.proj, "--report", "-", "--", "true"], { as: who });
      assert.match(toStderr.stderr, /"enforced":"full"/);
    });

    it("--allow PATH:ACCESS grants exactly the letters given", () => {
      const r = cli(
        [
          "run",
          "--workdir",
          t.proj,
          "--allow",
          `${t.sibling}:r`,
          "--",
          "bash",
          "-c",
          `cat ${t.secret} && echo x > ${t.secret}`,
        ],
        { as: who },
      );
      assert.equal(r.status, 1);
      assert.equal(r.stdout, "sibling secret\n");
      assert.equal(readFileSync(t.secret, "utf8"), "sibling secret\n");
    });

    it("--profile none grants nothing implicit", () => {
      const r = cli(["run", "--profile", "none", "--workdir", t.proj, "--", "/usr/bin/true"], { as: who });
      assert.equal(r.status, 126);
    });

    it("usage errors name the flag and exit 125", () => {
      const cases: [string[], RegExp][] = [
        [["run", "--allow", `${t.proj}:rz`, "--", "true"], /--allow: access 'rz' has 'z'/],
        [["run", "--allow", "nocolon", "--", "true"], /--allow: 'nocolon' is not PATH:ACCESS/],
        [["run", "--net", "udp", "--", "true"], /--net: 'udp' is not one of none, host, proxy/],
        [["run", "--profile", "nope", "--", "true"], /--profile: unknown profile 'nope'/],
        [["run", "--workdir", join(t.root, "missing"), "--", "true"], /workdir .*missing: ENOENT/],
        [["run", "--bogus", "--", "true"], /--bogus: unknown option/],
        [["run"], /no command given/],
        [["frobnicate"], /unknown command 'frobnicate'/],
      ];
      for (const [args, message] of cases) {
        const r = cli(args, { as: who, cwd: t.proj });
        assert.equal(r.status, 125, args.join(" "));
        assert.match(r.stderr, message);
      }
    });

    it("--help documents every flag the parser accepts", () => {
      const r = cli(["run", "--help"], { as: who });
      assert.equal(r.status, 0);
      for (const flag of Object.keys(RUN_FLAGS).filter((f) => f !== "--help")) {
        assert.match(r.stdout, new RegExp(`^  ${flag}( |$)`, "m"), flag);
      }
    });
  });

  describe(`cordon check as ${who.name}`, () => {
    it("reports the ABI and exits 0 when Landlock is usable", () => {
      const r = cli(["check", "--json"], { as: who });
      assert.equal(r.status, 0, r.stderr);
      const result = JSON.parse(r.stdout);
      assert.equal(result.usable, true);
      assert.ok(result.probe.abi >= 1);
      assert.equal(result.probe.restrict_self, "ok");
      assert.equal(result.probe.uid, who.uid);
      const text = cli(["check"], { as: who });
      assert.match(text.stdout, /Landlock is usable here/);
    });

    it("names the errno and the fix, and exits 1, when Landlock is blocked", () => {
      const r = spawnCmd(denyLandlockHelper(), ["1", process.execPath, join("dist", "cli", "main.js"), "check"], {
        as: who,
        cwd: join(import.meta.dirname, "..", ".."),
      });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /Landlock unavailable \(EPERM\)/);
      assert.match(r.stdout, /seccomp profile/);
      assert.match(r.stdout, /seccomp on this process: 1 filter/);
      assert.match(r.stdout, /NOT usable/);
    });
  });
}
