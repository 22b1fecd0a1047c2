// The stories cordon exists for, run through `cordon run` with the default
// agent profile on the real kernel, as root and as nobody.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli, IDENTITIES, makeTree, type Tree } from "../helpers/sandbox.js";

for (const who of IDENTITIES) {
  describe(`seed stories as ${who.name}`, () => {
    let t: Tree;
    before(() => {
      t = makeTree(who);
    });
    after(() => t.cleanup());

    const run = (script: string, extra: string[] = []) =>
      cli(["run", "--workdir", t.proj, ...extra, "--", "bash", "-c", script], { as: who });

    it("the workdir is writable and the sandbox says it is fully enforced", () => {
      const r = run('echo made > made.txt && mkdir -p sub/deep && echo "$CORDON_SANDBOX"');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "1\n");
      assert.equal(readFileSync(join(t.proj, "made.txt"), "utf8"), "made\n");
      assert.ok(statSync(join(t.proj, "sub", "deep")).isDirectory());
    });

    it("a sibling project cannot be listed, read or written", () => {
      const ls = run(`ls ${t.sibling}`);
      assert.equal(ls.status, 2);
      assert.match(ls.stderr, /Permission denied/);
      const cat = run(`cat ${t.secret}`);
      assert.equal(cat.status, 1);
      assert.match(cat.stderr, /Permission denied/);
      assert.doesNotMatch(cat.stdout, /sibling secret/);
      const write = run(`echo pwned > ${t.secret}`);
      assert.equal(write.status, 1);
      const create = run(`echo new > ${join(t.sibling, "new.txt")}`);
      assert.equal(create.status, 1);
      assert.equal(readFileSync(t.secret, "utf8"), "sibling secret\n");
      assert.equal(existsSync(join(t.sibling, "new.txt")), false);
    });

    it("the parent of the workdir and the home directory cannot be listed", () => {
      const r = run(`ls ${t.root}; echo "parent=$?"; ls /root; echo "root=$?"; ls /home; echo "home=$?"`);
      assert.match(r.stdout, /parent=2/);
      assert.match(r.stdout, /root=2/);
      assert.match(r.stdout, /home=2/);
    });

    it("/etc/shadow is not readable, /etc/passwd is", () => {
      const r = run("cat /etc/shadow; echo shadow=$?; head -1 /etc/passwd >/dev/null; echo passwd=$?");
      assert.match(r.stdout, /shadow=1/);
      assert.match(r.stdout, /passwd=0/);
      assert.match(r.stderr, /\/etc\/shadow: Permission denied/);
    });

    it("rename and hard link across directories inside the workdir succeed (REFER)", () => {
      const r = run("mkdir -p a b && echo moved > a/f && mv a/f b/f && ln b/f a/link && cat a/link");
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "moved\n");
      assert.equal(readFileSync(join(t.proj, "b", "f"), "utf8"), "moved\n");
    });

    it("a read-only path cannot be written or truncated, and the file is unchanged", () => {
      const flags = ["--ro", t.readonly];
      const write = run(`echo changed > ${t.readonlyFile}`, flags);
      assert.equal(write.status, 1);
      assert.match(write.stderr, /Permission denied/);
      const truncate = run(`truncate -s 0 ${t.readonlyFile}`, flags);
      assert.equal(truncate.status, 1);
      assert.match(truncate.stderr, /Permission denied/);
      const append = run(`echo more >> ${t.readonlyFile}`, flags);
      assert.equal(append.status, 1);
      const read = run(`cat ${t.readonlyFile}`, flags);
      assert.equal(read.status, 0);
      assert.equal(read.stdout, "original\n");
      assert.equal(readFileSync(t.readonlyFile, "utf8"), "original\n");
    });

    it("TMPDIR and HOME are private to the run and removed afterwards", () => {
      const r = run('echo "$TMPDIR $HOME"; touch "$TMPDIR/t" "$HOME/.h" && ls -A "$HOME"');
      assert.equal(r.status, 0, r.stderr);
      const [tmp, home] = (r.stdout.split("\n")[0] as string).split(" ") as [string, string];
      assert.match(tmp, /cordon-.*\/tmp$/);
      assert.match(home, /cordon-.*\/home$/);
      assert.match(r.stdout, /\.h/);
      assert.equal(existsSync(tmp), false, "the private TMPDIR must be removed after the run");
      assert.equal(existsSync(home), false);
    });

    it("real tools work: git init, commit and status in the workdir", () => {
      const r = run(
        "mkdir repo && cd repo && git init -q . && echo x > f && git add f && git -c user.name=t -c user.email=t@t commit -qm m && git status --short && git log --oneline | wc -l",
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), "1");
    });

    it("node and python run, and write only where allowed", () => {
      writeFileSync(join(t.proj, "w.py"), 'open("py.txt","w").write("py")\n');
      const r = run(
        `/usr/bin/python3 w.py && node -e 'require("fs").writeFileSync("node.txt","n")' && node -e 'require("fs").readFileSync("${t.secret}")'`,
      );
      assert.equal(r.status, 1);
      assert.match(r.stderr, /EACCES/);
      assert.equal(readFileSync(join(t.proj, "py.txt"), "utf8"), "py");
      assert.equal(readFileSync(join(t.proj, "node.txt"), "utf8"), "n");
    });
  });
}
