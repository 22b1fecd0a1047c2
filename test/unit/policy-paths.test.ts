import assert from "node:assert/strict";
import { posix } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { expandPath, kernelPath, PathExpansionError } from "../../src/policy/paths.js";

const ctx = { baseDir: "/policy/dir", home: "/home/u", env: { PROJECT: "/srv/p", EMPTY: "" } };
const segment = fc.oneof(
  fc.constantFrom(".", "..", "", "a", "b c", "ä", "x.y"),
  fc.stringMatching(/^[A-Za-z0-9._ -]{1,8}$/),
);
const relative = fc.array(segment, { minLength: 1, maxLength: 8 }).map((s) => s.join("/"));

describe("expandPath", () => {
  it("always yields an absolute, normalized path without . or .. segments or a trailing slash", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          relative,
          relative.map((r) => `/${r}`),
          relative.map((r) => `~/${r}`),
        ),
        (written) => {
          const { path } = expandPath(written, ctx);
          assert.ok(path.startsWith("/"), path);
          assert.equal(posix.normalize(path), path.length > 1 && !path.endsWith("/") ? path : posix.normalize(path));
          for (const part of path.split("/").slice(1)) {
            assert.notEqual(part, ".");
            assert.notEqual(part, "..");
          }
          assert.ok(path === "/" || !path.endsWith("/"), path);
        },
      ),
    );
  });

  it("is idempotent: expanding an expanded path changes nothing", () => {
    fc.assert(
      fc.property(relative, (written) => {
        const once = expandPath(written, ctx).path;
        assert.equal(expandPath(once, ctx).path, once);
      }),
    );
  });

  it("resolves relative paths against the base directory, as path.resolve does", () => {
    fc.assert(
      fc.property(relative, (written) => {
        assert.equal(expandPath(written, ctx).path, posix.resolve(ctx.baseDir, written));
      }),
    );
  });

  it("expands ~ and ${VAR} explicitly and says so", () => {
    assert.deepEqual(expandPath("~/.cache", ctx), { path: "/home/u/.cache", steps: ["~ is /home/u"] });
    assert.deepEqual(expandPath("${PROJECT}/src/", ctx), { path: "/srv/p/src", steps: ["${PROJECT} is /srv/p"] });
    assert.equal(expandPath("~", ctx).path, "/home/u");
  });

  it("refuses what it cannot expand honestly", () => {
    assert.throws(() => expandPath("${NOPE}/x", ctx), PathExpansionError);
    assert.throws(() => expandPath("${EMPTY}/x", ctx), /is empty/);
    assert.throws(() => expandPath("~other/x", ctx), /only ~ and ~\/ are expanded/);
    assert.throws(() => expandPath("$HOME/x", ctx), /only \$\{NAME\} is expanded/);
  });
});

describe("kernelPath", () => {
  it("follows symlinks the way the kernel will", () => {
    assert.equal(kernelPath("/nonexistent/cordon/x"), "/nonexistent/cordon/x");
    assert.equal(kernelPath("/usr/bin/../lib"), "/usr/lib");
  });

  it("leaves per-process paths alone: /proc/self in the CLI is not the command's", () => {
    for (const path of ["/proc/self", "/proc/self/status", "/proc/thread-self", "/dev/fd", "/dev/stdin", "/dev/fd/3"]) {
      assert.equal(kernelPath(path), path);
    }
  });
});
