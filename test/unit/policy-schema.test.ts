import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { didYouMean, loadPolicyFile, PolicyError, validatePolicy } from "../../src/policy/load.js";
import { loadChain, resolvePolicy } from "../../src/policy/resolve.js";
import { policyJsonSchema } from "../../src/policy/schema.js";

const dir = mkdtempSync(join(tmpdir(), "cordon-policy-unit-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function rejects(text: string, message: RegExp, name = "p.yaml") {
  const file = write(name, text);
  assert.throws(
    () => loadPolicyFile(file),
    (error: unknown) => {
      assert.ok(error instanceof PolicyError, String(error));
      assert.ok((error as Error).message.startsWith(`${file}: `), (error as Error).message);
      assert.match((error as Error).message, message);
      return true;
    },
  );
}

describe("policy schema: valid documents", () => {
  it("accepts cordon's own keys", () => {
    const doc = validatePolicy(
      {
        version: 1,
        extends: "agent",
        filesystem_policy: { read_only: ["/opt"], rules: [{ path: "~/.cache", access: "rw", optional: true }] },
        landlock: { compatibility: "best_effort", min_abi: 3, accept_gaps: ["scope-signal"] },
        process: { run_as_user: "nobody", rlimits: { cpu: 10, nofile: 256 }, new_session: true },
        network: { mode: "host", allow_unix_sockets: true },
        env: { pass: ["PATH", "LC_*"], set: { CI: "1" } },
      },
      "inline",
    );
    assert.equal(doc.extends, "agent");
  });

  it("accepts JSON as well as YAML", () => {
    const file = write("p.json", '{"version": 1, "filesystem_policy": {"read_only": ["/usr"]}}');
    assert.deepEqual(loadPolicyFile(file).filesystem_policy?.read_only, ["/usr"]);
  });
});

describe("policy schema: every invalid document names the key", () => {
  const cases: [string, string, RegExp][] = [
    ["missing version", "filesystem_policy: {}\n", /version: Invalid input: expected 1/],
    ["wrong version", "version: 2\n", /version: .*expected 1.* \(got 2\)/],
    [
      "unknown top-level key",
      "version: 1\nfilesytem_policy: {}\n",
      /unknown key 'filesytem_policy' \(did you mean 'filesystem_policy'\?\)/,
    ],
    [
      "unknown nested key",
      "version: 1\nlandlock:\n  compatability: best_effort\n",
      /landlock: unknown key 'compatability' \(did you mean 'compatibility'\?\)/,
    ],
    [
      "bad compatibility",
      "version: 1\nlandlock:\n  compatibility: soft\n",
      /landlock.compatibility: .* \(got "soft"\)/,
    ],
    [
      "bad access letter",
      "version: 1\nfilesystem_policy:\n  rules:\n    - {path: /x, access: rq}\n",
      /filesystem_policy.rules\[0\].access: access is letters from r, w, x, c \(got "rq"\)/,
    ],
    [
      "path not a string",
      "version: 1\nfilesystem_policy:\n  read_only: [/usr, 7]\n",
      /filesystem_policy.read_only\[1\]: .*string.* \(got 7\)/,
    ],
    [
      "empty path",
      "version: 1\nfilesystem_policy:\n  read_write: ['']\n",
      /filesystem_policy.read_write\[0\]: a path must not be empty/,
    ],
    [
      "bad port",
      "version: 1\nnetwork_policies:\n  x:\n    endpoints:\n      - {host: a.example, port: 70000}\n",
      /network_policies.x.endpoints\[0\].port: .* \(got 70000\)/,
    ],
    [
      "bad rlimit name",
      "version: 1\nprocess:\n  rlimits: {cpus: 1}\n",
      /process.rlimits: unknown key 'cpus' \(did you mean 'cpu'\?\)/,
    ],
    ["negative rlimit", "version: 1\nprocess:\n  rlimits: {cpu: -1}\n", /process.rlimits.cpu: .* \(got -1\)/],
    ["bad env name", "version: 1\nenv:\n  pass: ['A-B']\n", /env.pass\[0\]: a variable name/],
    [
      "bad gap",
      "version: 1\nlandlock:\n  accept_gaps: [everything]\n",
      /landlock.accept_gaps\[0\]: .* \(got "everything"\)/,
    ],
    ["not a mapping", "- a\n- b\n", /a policy is a mapping/],
    ["YAML syntax", "version: 1\nfilesystem_policy:\n  read_only: [/usr\n", /line \d+, column \d+/],
    ["duplicate key", "version: 1\nversion: 1\n", /line 2, column 1: .*[Mm]ap keys must be unique/],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => rejects(text, message));
  }

  it("a missing file is named", () => {
    assert.throws(() => loadPolicyFile(join(dir, "nope.yaml")), /nope.yaml: cannot read: ENOENT/);
  });
});

describe("extends", () => {
  it("layers a project policy on top of a profile", () => {
    const file = write("proj.yaml", "version: 1\nextends: agent\nfilesystem_policy:\n  read_only: [/opt]\n");
    const policy = resolvePolicy(loadChain(file), "/w");
    assert.deepEqual(policy.chain, ["profile agent", file]);
    assert.ok(policy.rules.some((r) => r.path === "/opt" && r.access === "rx"));
    assert.ok(policy.rules.some((r) => r.path === "/w" && r.access === "rwx"));
    assert.equal(policy.privateTmp, true);
  });

  it("follows files relative to the extending file and refuses cycles", () => {
    write("a.yaml", "version: 1\nextends: ./b.yaml\n");
    write("b.yaml", "version: 1\nextends: a.yaml\n");
    assert.throws(() => loadChain(join(dir, "a.yaml")), /extends itself through .*a.yaml -> .*b.yaml -> .*a.yaml/);
  });

  it("names an extends target that is neither a profile nor a file", () => {
    const file = write("bad-extends.yaml", "version: 1\nextends: agnet\n");
    assert.throws(
      () => loadChain(file),
      /extends: 'agnet' is neither a built-in profile \(agent, none\) nor an existing file/,
    );
  });
});

describe("merging", () => {
  it("rules on the same path add up; optional only if every one is", () => {
    const file = write(
      "merge.yaml",
      "version: 1\nfilesystem_policy:\n  read_only: [/usr]\n  rules:\n    - {path: /usr/, access: w, optional: true}\n    - {path: /usr/./, access: r}\n",
    );
    const policy = resolvePolicy(loadChain(file), "/w");
    const usr = policy.rules.filter((r) => r.path === "/usr");
    assert.equal(usr.length, 1);
    assert.equal(usr[0]?.access, "rwx");
    assert.equal(usr[0]?.optional, false);
    assert.equal(usr[0]?.origins.length, 3);
  });

  it("OpenShell defaults: no filesystem_policy includes the workdir; one without include_workdir does not", () => {
    const without = resolvePolicy(loadChain(write("nofs.yaml", "version: 1\n")), "/w");
    assert.ok(without.rules.some((r) => r.path === "/w"));
    const withFs = resolvePolicy(
      loadChain(write("fs.yaml", "version: 1\nfilesystem_policy:\n  read_only: [/usr]\n")),
      "/w",
    );
    assert.equal(
      withFs.rules.some((r) => r.path === "/w"),
      false,
    );
  });
});

describe("did you mean", () => {
  it("suggests a close key and nothing for a far one", () => {
    assert.equal(didYouMean("read_onyl", ["read_only", "read_write"]), "read_only");
    assert.equal(didYouMean("banana", ["read_only", "read_write"]), undefined);
  });
});

describe("JSON Schema", () => {
  it("the published schema file is the one the code generates", () => {
    const published = JSON.parse(
      readFileSync(new URL("../../schema/cordon-policy.schema.json", import.meta.url), "utf8"),
    );
    assert.deepEqual(published, JSON.parse(JSON.stringify(policyJsonSchema())));
  });
});
