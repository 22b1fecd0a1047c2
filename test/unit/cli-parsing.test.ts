import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { parseOptions, UsageError } from "../../src/cli/args.js";
import { shellQuote, shellQuoteWithVar } from "../../src/cli/shell.js";

const specs = { "--ro": { value: true, repeat: true }, "--net": { value: true }, "--dry-run": { value: false } };

describe("parseOptions", () => {
  it("reads --flag VALUE and --flag=VALUE, and stops at -- or the first word", () => {
    const a = parseOptions(["--ro", "/a", "--ro=/b", "--net=none", "--", "ls", "--ro"], specs, {
      stopAtPositional: true,
    });
    assert.deepEqual(a.options.get("--ro"), ["/a", "/b"]);
    assert.deepEqual(a.options.get("--net"), ["none"]);
    assert.deepEqual(a.rest, ["ls", "--ro"]);
    const b = parseOptions(["--dry-run", "ls", "-l"], specs, { stopAtPositional: true });
    assert.deepEqual(b.rest, ["ls", "-l"]);
  });

  it("names the flag in every error", () => {
    const cases: [string[], RegExp][] = [
      [["--nope"], /--nope: unknown option/],
      [["--ro"], /--ro: missing value/],
      [["--net", "a", "--net", "b"], /--net: given more than once/],
      [["--dry-run=yes"], /--dry-run: takes no value/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(
        () => parseOptions(argv, specs, { stopAtPositional: true }),
        (e: unknown) => {
          assert.ok(e instanceof UsageError);
          assert.match((e as Error).message, message);
          return true;
        },
      );
    }
  });
});

describe("shell quoting", () => {
  const words = ["plain", "with space", "it's", '"dq"', "$HOME", "`id`", "a\nb", "", "*", "\\"];
  it("round-trips every word through sh", () => {
    for (const word of words) {
      const r = spawnSync("/bin/sh", ["-c", `printf %s ${shellQuote(word)}`], { encoding: "utf8" });
      assert.equal(r.stdout, word);
    }
  });

  it("expands the placeholder as a quoted variable and nothing else", () => {
    const quoted = shellQuoteWithVar("TMPDIR=\0x\0/it's tmp", "\0x\0", "d");
    const r = spawnSync("/bin/sh", ["-c", `d='/a b'; printf %s ${quoted}`], { encoding: "utf8" });
    assert.equal(r.stdout, "TMPDIR=/a b/it's tmp");
  });
});
