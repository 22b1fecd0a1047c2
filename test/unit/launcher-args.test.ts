import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { normalizeAccess } from "../../src/launcher/access.js";
import { launcherArgs } from "../../src/launcher/spec.js";
import { CORDON_VERSION } from "../../src/version.js";

describe("launcherArgs", () => {
  it("compiles rules, modes and passed fds into the launcher's grammar", () => {
    const args = launcherArgs({
      rules: [
        { path: "/usr", access: "rx" },
        { path: "/lib64", access: "rx", optional: true },
      ],
      net: "none",
      compat: "best",
      acceptGaps: ["scope-signal"],
      cwd: "/w",
      setenv: { TMPDIR: "/t" },
      reportFd: 3,
      keepFds: [5],
      maxAbi: 4,
      command: ["echo", "--", "-x"],
    });
    assert.deepEqual(args, [
      "--allow",
      "rx",
      "/usr",
      "--allow-if-exists",
      "rx",
      "/lib64",
      "--net",
      "none",
      "--compat",
      "best",
      "--accept-gap",
      "scope-signal",
      "--chdir",
      "/w",
      "--setenv",
      "TMPDIR=/t",
      "--report-fd",
      "3",
      "--keep-fd",
      "5",
      "--max-abi",
      "4",
      "--",
      "echo",
      "--",
      "-x",
    ]);
  });

  it("refuses an empty command", () => {
    assert.throws(() => launcherArgs({ rules: [], net: "none", compat: "hard", command: [] }), /no command/);
  });
});

describe("normalizeAccess", () => {
  it("puts letters in rwx order and rejects anything else, naming the field", () => {
    assert.equal(normalizeAccess("xr", "rule"), "rx");
    assert.equal(normalizeAccess("wrx", "rule"), "rwx");
    assert.throws(() => normalizeAccess("", "--allow"), /--allow: access is empty/);
    assert.throws(() => normalizeAccess("ra", "--allow"), /--allow: access 'ra' has 'a'/);
  });
});

describe("versions", () => {
  it("package.json, the TypeScript constant and the launcher agree", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    const config = readFileSync(new URL("../../native/config.h", import.meta.url), "utf8");
    assert.equal(pkg.version, CORDON_VERSION);
    assert.match(config, new RegExp(`#define CORDON_VERSION "${CORDON_VERSION.replaceAll(".", "\\.")}"`));
  });
});
