// Policy files drive `cordon run` exactly as flags do, OpenShell files load
// unchanged, and a malformed policy never runs a command.
import assert from "node:assert/strict";
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { cli, IDENTITIES, makeTree, ROOT, ROOT_USER, type Tree } from "../helpers/sandbox.js";

const FIXTURE = join(ROOT, "test", "fixtures", "openshell-policy.yaml");

for (const who of IDENTITIES) {
  describe(`policy files as ${who.name}`, () => {
    let t: Tree;
    let marker: string;
    before(() => {
      t = makeTree(who);
      marker = join(t.proj, "marker");
    });
    after(() => t.cleanup());
    beforeEach(() => {
      for (const f of ["cordon.yaml", "marker", "written"]) rmSync(join(t.proj, f), { force: true });
    });

    const policyFile = (text: string, name = "p.yaml") => {
      const file = join(t.root, `${who.name}-${name}`);
      writeFileSync(file, text, { mode: 0o644 });
      return file;
    };
    const probeScript = () =>
      [
        `echo w > ${t.proj}/written && echo write-ok`,
        `cat ${t.secret} >/dev/null 2>&1 && echo sibling-read || echo sibling-denied`,
        `ls ${t.readonly} >/dev/null 2>&1 && echo ro-list || echo ro-denied`,
        `echo x >> ${t.readonlyFile} 2>/dev/null && echo ro-write || echo ro-write-denied`,
        'echo "sandbox=$CORDON_SANDBOX"',
      ].join("; ");

    it("a policy file and the equivalent flags give the same launcher argv and the same enforcement", () => {
      const file = policyFile(
        [
          "version: 1",
          "extends: agent",
          "filesystem_policy:",
          `  read_only: [${t.readonly}]`,
          "  rules:",
          `    - {path: ${t.sibling}, access: x}`,
          "landlock:",
          "  compatibility: best_effort",
          "process:",
          "  rlimits: {nofile: 512}",
          "",
        ].join("\n"),
      );
      const viaFile = ["run", "--workdir", t.proj, "--policy", file];
      const viaFlags = [
        "run",
        "--workdir",
        t.proj,
        "--ro",
        t.readonly,
        "--allow",
        `${t.sibling}:x`,
        "--compat",
        "best",
        "--rlimit",
        "nofile=512",
      ];
      const cmd = ["--", "bash", "-c", probeScript()];
      const dryFile = cli([...viaFile, "--dry-run", ...cmd], { as: who });
      const dryFlags = cli([...viaFlags, "--dry-run", ...cmd], { as: who });
      assert.equal(dryFile.status, 0, dryFile.stderr);
      assert.equal(dryFile.stdout, dryFlags.stdout);

      const a = cli([...viaFile, ...cmd], { as: who });
      const b = cli([...viaFlags, ...cmd], { as: who });
      assert.equal(a.status, 0, a.stderr);
      assert.equal(a.stdout, b.stdout);
      assert.equal(a.stdout, "write-ok\nsibling-denied\nro-list\nro-write-denied\nsandbox=1\n");
    });

    it("flags add to a policy file", () => {
      const file = policyFile("version: 1\nextends: agent\n");
      const r = cli(["run", "--workdir", t.proj, "--policy", file, "--ro", t.sibling, "--", "cat", t.secret], {
        as: who,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "sibling secret\n");
    });

    it("a malformed policy never runs the command and names the problem", () => {
      const cases: [string, RegExp][] = [
        [
          "version: 1\nfilesystem_policy:\n  read_onyl: [/usr]\n",
          /filesystem_policy: unknown key 'read_onyl' \(did you mean 'read_only'\?\)/,
        ],
        ["version: 1\nlandlock: {compatibility: maybe}\n", /landlock.compatibility/],
        [
          'version: 1\nfilesystem_policy:\n  read_only: ["${CORDON_UNSET_VAR}/x"]\n',
          /filesystem_policy.read_only\[0\]: .*CORDON_UNSET_VAR\} is not set/,
        ],
        ["version: [\n", /line \d+, column \d+/],
      ];
      for (const [text, message] of cases) {
        const file = policyFile(text, "bad.yaml");
        const r = cli(["run", "--workdir", t.proj, "--policy", file, "--", "touch", marker], { as: who });
        assert.equal(r.status, 125, text);
        assert.match(r.stderr, message);
        assert.ok(r.stderr.includes(file), "the error names the file");
        assert.equal(existsSync(marker), false, "the command must not have run");
      }
    });

    it("keys cordon does not enforce yet refuse a hard run and warn in a best-effort run", () => {
      const policy = [
        "version: 1",
        "extends: agent",
        "network_policies:",
        "  api:",
        "    endpoints: [{host: api.example.com, port: 443, protocol: rest}]",
        "    binaries: [{path: /usr/bin/curl}]",
        "",
      ].join("\n");
      const hard = cli(["run", "--workdir", t.proj, "--policy", policyFile(policy), "--", "touch", marker], {
        as: who,
      });
      assert.equal(hard.status, 125);
      assert.match(
        hard.stderr,
        /network_policies.api.endpoints\[0\] .*L7 inspection \(protocol\) is not enforced: cordon allows or refuses api.example.com:443 as a whole/,
      );
      assert.equal(existsSync(marker), false);
      const best = cli(
        ["run", "--workdir", t.proj, "--policy", policyFile(policy), "--compat", "best", "--", "touch", marker],
        { as: who },
      );
      assert.equal(best.status, 0, best.stderr);
      assert.match(best.stderr, /warning: not enforced \(best_effort\):\n {2}network_policies.api.endpoints\[0\]/);
      assert.equal(existsSync(marker), true);
    });

    it("a policy file in the workdir is found, announced, and explained", () => {
      writeFileSync(
        join(t.proj, "cordon.yaml"),
        `version: 1\nextends: agent\nfilesystem_policy:\n  read_only: [${t.sibling}]\n`,
      );
      const r = cli(["run", "--", "cat", t.secret], { as: who, cwd: t.proj });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /using the policy .*cordon.yaml \(found in the workdir\)/);
      const explain = cli(["policy", "explain"], { as: who, cwd: t.proj });
      assert.match(explain.stdout, /^policy: +.*cordon.yaml \(found in the workdir\)$/m);
      assert.match(explain.stdout, new RegExp(`${t.sibling} +rx +.*filesystem_policy.read_only\\[0\\]`));
      const explicit = cli(["run", "--profile", "agent", "--", "cat", t.secret], { as: who, cwd: t.proj });
      assert.equal(explicit.status, 1, "an explicit profile ignores the workdir's policy");
    });

    it("env passes only what the policy lists, and sets what it sets", () => {
      const file = policyFile("version: 1\nextends: agent\nenv:\n  pass: [PATH, CORDON_T_*]\n  set: {ADDED: yes}\n");
      const r = cli(["run", "--workdir", t.proj, "--policy", file, "--", "env"], {
        as: who,
        env: { PATH: "/usr/bin:/bin", SECRET_TOKEN: "s3cr3t", CORDON_T_ONE: "1" },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^CORDON_T_ONE=1$/m);
      assert.match(r.stdout, /^ADDED=yes$/m);
      assert.doesNotMatch(r.stdout, /SECRET_TOKEN/);
    });

    it("min_abi above the kernel's refuses to run", () => {
      const file = policyFile("version: 1\nextends: agent\nlandlock:\n  min_abi: 10\n");
      const r = cli(["run", "--workdir", t.proj, "--policy", file, "--", "touch", marker], { as: who });
      assert.equal(r.status, 125);
      assert.match(r.stderr, /requires Landlock ABI 10 or newer/);
      assert.equal(existsSync(marker), false);
    });

    it("policy init writes a starter that validates and runs, and never overwrites", () => {
      const dir = join(t.proj, `init-${who.name}`);
      mkdirSync(dir);
      chownSync(dir, who.uid, who.gid);
      const init = cli(["policy", "init"], { as: who, cwd: dir });
      assert.equal(init.status, 0, init.stderr);
      assert.equal(cli(["policy", "validate", "cordon.yaml"], { as: who, cwd: dir }).status, 0);
      const run = cli(["run", "--", "touch", "made-by-starter"], { as: who, cwd: dir });
      assert.equal(run.status, 0, run.stderr);
      assert.ok(existsSync(join(dir, "made-by-starter")));
      const again = cli(["policy", "init"], { as: who, cwd: dir });
      assert.equal(again.status, 125);
      assert.match(again.stderr, /exists; not overwriting/);
    });

    it("policy schema prints the JSON Schema", () => {
      const r = cli(["policy", "schema"], { as: who });
      const schema = JSON.parse(r.stdout);
      assert.equal(schema.title, "cordon policy");
      assert.ok(schema.properties.filesystem_policy);
      assert.equal(schema.additionalProperties, false);
    });
  });
}

describe("the OpenShell-format fixture", () => {
  let t: Tree;
  before(() => {
    t = makeTree(IDENTITIES[1] ?? ROOT_USER);
  });
  after(() => t.cleanup());

  it("validates unchanged and reports only its L7 rules as not enforced", () => {
    const r = cli(["policy", "validate", FIXTURE], { as: ROOT_USER });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /network_policies.package_index/, "host, port and binaries are enforced");
    assert.match(
      r.stdout,
      /not enforced yet: network_policies.example_api.endpoints\[0\]: L7 inspection \(protocol, enforcement, access\)/,
    );
  });

  it("means the same thing: read_only is read+exec, read_write is read+write, the workdir is included", () => {
    const r = cli(["policy", "explain", FIXTURE, "--workdir", t.proj], { as: ROOT_USER });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ {2}\/usr +rx /m);
    assert.match(r.stdout, /^ {2}\/etc\/ssl +rx /m);
    assert.match(r.stdout, /^ {2}\/dev\/null +rwx /m);
    assert.match(r.stdout, new RegExp(`^ {2}${t.proj} +rwx +.*include_workdir`, "m"));
    assert.match(r.stdout, /best_effort/);
    assert.match(r.stdout, /run as nobody:nogroup/);
    // Its network_policies mean proxy mode: the filter listed lets TCP through.
    assert.match(r.stdout, /socket: inet, inet6 other than TCP \(UDP, raw, SCTP, MPTCP\) -> EPERM/);
  });

  it("runs as its run_as_user, enforces its filesystem policy, and warns about the L7 rules", () => {
    const r = cli(
      [
        "run",
        "--policy",
        FIXTURE,
        "--workdir",
        t.proj,
        "--",
        "/usr/bin/bash",
        "-c",
        `id -un; echo ok > ${t.proj}/f && cat ${t.proj}/f; cat ${t.secret} || echo denied`,
      ],
      { as: ROOT_USER },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "nobody\nok\ndenied\n");
    assert.match(r.stderr, /warning: not enforced \(best_effort\)/);
    assert.match(r.stderr, /network_policies.example_api.endpoints\[0\]/);
    assert.equal(readFileSync(t.secret, "utf8"), "sibling secret\n");
  });

  it("the same file in hard mode refuses and names the L7 keys", () => {
    const r = cli(["run", "--policy", FIXTURE, "--compat", "hard", "--workdir", t.proj, "--", "true"], {
      as: ROOT_USER,
    });
    assert.equal(r.status, 125);
    assert.match(r.stderr, /network_policies.example_api/);
  });
});
