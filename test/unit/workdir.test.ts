// checkWorkdir: the workdir is granted read+write+exec, so a symlink that an
// earlier sandboxed run planted on the way to it must not move that grant.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkWorkdir } from "../../src/sandbox/plan.js";

describe("checkWorkdir", () => {
  let root: string;
  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "cordon-workdir-")));
    mkdirSync(join(root, "project", "real", "sub"), { recursive: true });
    mkdirSync(join(root, "outside", "sub"), { recursive: true });
    writeFileSync(join(root, "file"), "");
    symlinkSync(join(root, "outside"), join(root, "project", "planted"));
    symlinkSync("real", join(root, "project", "inner"));
    symlinkSync(join(root, "project"), join(root, "alias"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("returns a plain directory, absolute", () => {
    assert.equal(checkWorkdir(join(root, "project", "real")), join(root, "project", "real"));
  });

  it("refuses a last component that links outside its directory", () => {
    assert.throws(
      () => checkWorkdir(join(root, "project", "planted")),
      new RegExp(
        `workdir ${root}/project/planted: ${root}/project/planted is a symbolic link to ${root}/outside, outside ${root}/project: refusing it .*give the resolved path ${root}/outside if it is intended`,
      ),
    );
  });

  it("refuses the same link as an earlier component", () => {
    assert.throws(
      () => checkWorkdir(join(root, "project", "planted", "sub")),
      new RegExp(`${root}/project/planted is a symbolic link to ${root}/outside, outside ${root}/project`),
    );
  });

  it("accepts links that stay inside their directory, wherever they are", () => {
    assert.equal(checkWorkdir(join(root, "project", "inner", "sub")), join(root, "project", "inner", "sub"));
    // root/alias -> root/project: inside root, the directory that holds it.
    assert.equal(checkWorkdir(join(root, "alias", "real")), join(root, "alias", "real"));
  });

  it("names a missing workdir and one that is not a directory", () => {
    assert.throws(() => checkWorkdir(join(root, "nope")), /workdir .*\/nope: ENOENT/);
    assert.throws(() => checkWorkdir(join(root, "file")), /workdir .*\/file: not a directory/);
  });
});
