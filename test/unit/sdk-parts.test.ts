import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildEnv, DEFAULT_PATH } from "../../src/sandbox/env.js";
import { CappedOutput } from "../../src/sandbox/output.js";
import { findViolations } from "../../src/sandbox/violations.js";

const minimal = { inherit: "minimal" as const, pass: [], set: {}, scrub: [] };
const ctx = { home: "/w", user: "agent" };

describe("buildEnv", () => {
  const caller = {
    PATH: "/root/.pyenv/shims:/usr/bin",
    LANG: "C.UTF-8",
    LC_ALL: "C",
    TERM: "xterm",
    HOME: "/root",
    OPENAI_API_KEY: "sk",
    GITHUB_TOKEN: "ghp",
    DATABASE_URL: "postgres://u:p@h/db",
    AWS_PROFILE: "prod",
    EDITOR: "vim",
  };

  it("minimal: the basics only, a standard PATH, HOME and USER of the run; secrets listed by name", () => {
    const { env, removed } = buildEnv(minimal, caller, ctx);
    assert.deepEqual(env, {
      LANG: "C.UTF-8",
      LC_ALL: "C",
      TERM: "xterm",
      PATH: DEFAULT_PATH,
      HOME: "/w",
      USER: "agent",
      LOGNAME: "agent",
    });
    assert.deepEqual(removed, ["AWS_PROFILE", "DATABASE_URL", "GITHUB_TOKEN", "OPENAI_API_KEY"]);
  });

  it("all: everything but secret-shaped names and the policy's own patterns", () => {
    const { env, removed } = buildEnv({ ...minimal, inherit: "all", scrub: ["EDIT*"] }, caller, ctx);
    assert.equal(env.PATH, caller.PATH);
    assert.equal(env.EDITOR, undefined);
    assert.equal(env.OPENAI_API_KEY, undefined);
    assert.ok(removed.includes("EDITOR"));
  });

  it("an exact name in pass is honoured even if it looks secret; a glob is still scrubbed", () => {
    const { env, removed } = buildEnv({ ...minimal, pass: ["AWS_PROFILE", "GITHUB_*"] }, caller, ctx);
    assert.equal(env.AWS_PROFILE, "prod");
    assert.equal(env.GITHUB_TOKEN, undefined);
    assert.ok(removed.includes("GITHUB_TOKEN"));
  });

  it("set wins over everything", () => {
    const { env } = buildEnv({ ...minimal, set: { HOME: "/elsewhere", X: "1" } }, caller, ctx);
    assert.equal(env.HOME, "/elsewhere");
    assert.equal(env.X, "1");
  });

  it("never passes a secret-shaped name without an exact pass, whatever else is in the environment", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,12}$/), fc.string()),
        fc.constantFrom("API_KEY", "TOKEN", "SECRET", "PASSWORD"),
        (extra, word) => {
          const name = `X_${word}_Y`;
          const { env } = buildEnv({ ...minimal, inherit: "all" }, { ...extra, [name]: "v" }, ctx);
          assert.equal(env[name], undefined);
        },
      ),
    );
  });
});

describe("CappedOutput", () => {
  it("keeps everything under the cap", () => {
    const c = new CappedOutput(100);
    c.push(Buffer.from("hello "));
    c.push(Buffer.from("world"));
    assert.equal(c.value().toString(), "hello world");
    assert.equal(c.truncated, false);
  });

  it("keeps exactly the head and the tail over the cap, whatever the chunking", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 40 }),
        fc.integer({ min: 2, max: 64 }),
        (chunks, max) => {
          const c = new CappedOutput(max);
          for (const chunk of chunks) c.push(Buffer.from(chunk));
          const all = Buffer.concat(chunks.map((x) => Buffer.from(x)));
          const value = c.value();
          if (all.length <= max) {
            assert.deepEqual(value, all);
          } else {
            const head = all.subarray(0, Math.ceil(max / 2));
            const tail = all.subarray(all.length - Math.floor(max / 2));
            assert.deepEqual(value.subarray(0, head.length), head);
            assert.deepEqual(value.subarray(value.length - tail.length), tail);
            assert.match(
              value.toString("latin1"),
              new RegExp(`cordon: ${all.length - head.length - tail.length} bytes`),
            );
          }
        },
      ),
    );
  });
});

describe("findViolations", () => {
  it("reads the common shapes of denials", () => {
    const stderr = [
      "cat: /etc/shadow: Permission denied",
      "ls: cannot open directory '../sib': Permission denied",
      "Error: EACCES: permission denied, open '/root/.npmrc'",
      "PermissionError: [Errno 13] Permission denied: '/home/u/.aws/credentials'",
      "bash: /x/y: Permission denied",
      "unshare: unshare failed: Operation not permitted",
      "an ordinary line",
    ].join("\n");
    assert.deepEqual(
      findViolations(stderr).map((v) => [v.kind, v.path]),
      [
        ["filesystem", "/etc/shadow"],
        ["filesystem", "../sib"],
        ["filesystem", "/root/.npmrc"],
        ["filesystem", "/home/u/.aws/credentials"],
        ["filesystem", "/x/y"],
        ["process", undefined],
      ],
    );
  });
});
