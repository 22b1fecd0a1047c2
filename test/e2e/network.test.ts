// Proxy mode end to end: the sandboxed command reaches listed destinations
// only through cordon's proxy. Every server is local (127.0.0.1) and started
// here; no traffic leaves the machine.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { createServer as createTcpServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Sandbox } from "../../src/index.js";
import { CLI, IDENTITIES, type Identity } from "../helpers/sandbox.js";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI, asynchronously: the servers it talks to live in this process. */
function cliAsync(args: string[], who: Identity, cwd?: string): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      uid: who.uid,
      gid: who.gid,
      cwd,
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c;
    });
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done((server.address() as { port: number }).port)));
}

const PY_DIRECT = (port: number) =>
  [
    "import socket",
    "try:",
    `  socket.create_connection(('127.0.0.1', ${port}), 2); print('direct ok')`,
    "except OSError as e: print('direct', e.errno)",
    "try:",
    "  socket.socket(socket.AF_INET, socket.SOCK_DGRAM); print('udp ok')",
    "except OSError as e: print('udp', e.errno)",
  ].join("\n");

describe("network: proxy mode", () => {
  const root = mkdtempSync("/tmp/cordon-test-net-");
  let web: Server;
  let webPort: number;
  let other: Server;
  let otherPort: number;
  let registry: Server;
  let registryPort: number;

  before(async () => {
    chmodSync(root, 0o755);
    web = createServer((req, res) => res.end(`hello from web ${req.url}\n`));
    webPort = await listen(web);
    other = createServer((_req, res) => res.end("other service\n"));
    otherPort = await listen(other);
    registry = await startRegistry(root);
    registryPort = (registry.address() as { port: number }).port;
  });
  after(() => {
    web.close();
    other.close();
    registry.close();
    rmSync(root, { recursive: true, force: true });
  });

  for (const who of IDENTITIES) {
    describe(`as ${who.name}`, () => {
      let proj: string;
      before(() => {
        proj = join(root, `proj-${who.name}`);
        mkdirSync(proj);
        chownSync(proj, who.uid, who.gid);
      });

      /** A policy file: the agent profile, and the web server for curl only. */
      const curlOnlyPolicy = (name: string) => {
        const policy = join(root, name);
        writeFileSync(
          policy,
          [
            "version: 1",
            "extends: agent",
            "network_policies:",
            "  web:",
            `    endpoints: [{host: 127.0.0.1, port: ${webPort}}]`,
            "    binaries: [{path: /usr/bin/curl}]",
            "",
          ].join("\n"),
        );
        return policy;
      };

      it("an allowed host is reachable through HTTP forwarding, CONNECT and SOCKS5", async () => {
        const allow = ["--allow-host", `127.0.0.1:${webPort}`];
        const url = `http://127.0.0.1:${webPort}`;
        const r = await cliAsync(
          [
            "run",
            "--workdir",
            proj,
            ...allow,
            "--",
            "bash",
            "-c",
            `curl -sS ${url}/forward && curl -sS -p ${url}/tunnel && curl -sS --proxy "$ALL_PROXY" ${url}/socks`,
          ],
          who,
        );
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "hello from web /forward\nhello from web /tunnel\nhello from web /socks\n");
      });

      it("an unlisted destination is refused with a 403 that names the rule to add", async () => {
        const r = await cliAsync(
          [
            "run",
            "--workdir",
            proj,
            "--allow-host",
            `127.0.0.1:${webPort}`,
            "--",
            "curl",
            "-sS",
            "-w",
            "%{http_code}",
            `http://127.0.0.1:${otherPort}/`,
          ],
          who,
        );
        assert.match(r.stdout, /403$/);
        assert.match(r.stdout, new RegExp(`127\\.0\\.0\\.1:${otherPort}`));
        assert.match(r.stdout, /--allow-host/);
        assert.doesNotMatch(r.stdout, /other service/);
        assert.match(r.stderr, new RegExp(`cordon: network: refused 127\\.0\\.0\\.1:${otherPort}`));
      });

      it("direct TCP to anything but the proxy is refused (EACCES) and UDP is refused (EPERM)", async () => {
        const r = await cliAsync(
          [
            "run",
            "--workdir",
            proj,
            "--allow-host",
            `127.0.0.1:${webPort}`,
            "--",
            "/usr/bin/python3",
            "-c",
            PY_DIRECT(webPort),
          ],
          who,
        );
        assert.equal(r.stdout, "direct 13\nudp 1\n", r.stderr);
      });

      it("--allow-port opens a direct TCP port (and says so in the report)", async () => {
        const report = join(proj, "report.json");
        const r = await cliAsync(
          [
            "run",
            "--workdir",
            proj,
            "--allow-port",
            String(webPort),
            "--report",
            report,
            "--",
            "/usr/bin/python3",
            "-c",
            PY_DIRECT(webPort),
          ],
          who,
        );
        assert.equal(r.stdout, "direct ok\nudp 1\n", r.stderr);
        assert.deepEqual(JSON.parse(readFileSync(report, "utf8")).net.tcp_connect_ports, [webPort]);
      });

      it("a per-binary rule allows curl and refuses python, even with a zombie of the user around", async () => {
        // A zombie hides its /proc/PID/fd from its own user; identification
        // must not take that for a process that might hold the socket.
        const zombie = spawn(
          "/usr/bin/python3",
          ["-c", "import os, time\nif os.fork() == 0: os._exit(0)\ntime.sleep(60)"],
          { uid: who.uid, gid: who.gid, stdio: "ignore" },
        );
        after(() => zombie.kill("SIGKILL"));
        await new Promise((done) => setTimeout(done, 300));
        const policy = curlOnlyPolicy(`bin-policy-${who.name}.yaml`);
        const py = [
          "import urllib.request",
          "try:",
          `  print(urllib.request.urlopen('http://127.0.0.1:${webPort}/py').read().decode(), end='')`,
          "except Exception as e: print('python refused', getattr(e, 'code', e))",
        ].join("\n");
        const log = join(proj, `net-${who.name}.jsonl`);
        const r = await cliAsync(
          [
            "run",
            "--workdir",
            proj,
            "--policy",
            policy,
            "--net-log",
            log,
            "--",
            "bash",
            "-c",
            `curl -sS http://127.0.0.1:${webPort}/curl; /usr/bin/python3 -c "${py.replaceAll('"', '\\"')}"`,
          ],
          who,
        );
        assert.equal(r.stdout, "hello from web /curl\npython refused 403\n", r.stderr);
        const decisions = readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line));
        assert.deepEqual(
          decisions.map((d) => [d.exe, d.allowed]),
          [
            ["/usr/bin/curl", true],
            [decisions[1].exe, false],
          ],
        );
        assert.match(decisions[1].exe, /python3/);
        assert.equal(decisions[0].rule, "network_policies.web");
      });

      it("undumpable processes of the user: an unsandboxed one is ignored, a brief one waited out, a lasting one fails closed", async () => {
        // A process that makes itself undumpable hides its /proc/PID/fd from
        // its own user (ssh-agent does; so is a launcher between its identity
        // switch and exec). Root sees through it; nobody cannot.
        const undumpable = (nnp: boolean, seconds: number) =>
          [
            "import ctypes, sys, time",
            "libc = ctypes.CDLL(None)",
            ...(nnp ? ["libc.prctl(38, 1, 0, 0, 0)"] : []), // PR_SET_NO_NEW_PRIVS
            "libc.prctl(4, 0, 0, 0, 0)", // PR_SET_DUMPABLE 0
            "print('ready', flush=True)",
            `time.sleep(${seconds})`,
          ].join("\n");
        const outside = (nnp: boolean) => {
          const child = spawn("/usr/bin/python3", ["-c", undumpable(nnp, 60)], {
            uid: who.uid,
            gid: who.gid,
            stdio: ["ignore", "pipe", "ignore"],
          });
          after(() => child.kill("SIGKILL"));
          return new Promise<typeof child>((ready) => child.stdout.once("data", () => ready(child)));
        };
        const policy = curlOnlyPolicy(`undumpable-policy-${who.name}.yaml`);
        const curl = async (script: string) => {
          const log = join(proj, `undumpable-${who.name}.jsonl`);
          rmSync(log, { force: true });
          const r = await cliAsync(
            ["run", "--workdir", proj, "--policy", policy, "--net-log", log, "--", "bash", "-c", script],
            who,
          );
          const last = JSON.parse(readFileSync(log, "utf8").trim().split("\n").at(-1) ?? "{}");
          return { r, decision: last };
        };
        const get = `curl -sS http://127.0.0.1:${webPort}/u`;

        // Like ssh-agent: undumpable, but without no_new_privs, so not in any
        // sandbox and not a possible holder of the command's socket.
        const agent = await outside(false);
        const a = await curl(get);
        assert.equal(a.r.stdout, "hello from web /u\n", a.r.stderr);
        assert.deepEqual([a.decision.exe, a.decision.allowed], ["/usr/bin/curl", true]);

        // Undumpable for 80 ms inside the sandbox, while curl connects: the
        // proxy asks again and identifies curl once it is gone.
        const brief = await curl(
          `/usr/bin/python3 -c "${undumpable(true, 0.08).replaceAll('"', '\\"')}" | { read -r _; ${get}; }`,
        );
        assert.equal(brief.r.stdout, "hello from web /u\n", brief.r.stderr);
        assert.deepEqual([brief.decision.exe, brief.decision.allowed], ["/usr/bin/curl", true]);
        agent.kill("SIGKILL");

        // Undumpable under no_new_privs for the whole run: it might be a
        // sandboxed process holding the socket, so nobody's proxy cannot tell
        // and refuses; root's proxy can look.
        await outside(true);
        const stuck = await curl(`${get} -i`);
        if (who.uid === 0) {
          assert.deepEqual([stuck.decision.exe, stuck.decision.allowed], ["/usr/bin/curl", true]);
        } else {
          assert.match(stuck.r.stdout, /^HTTP\/1\.1 403/, stuck.r.stderr);
          assert.match(stuck.r.stdout, /identification failed/);
          assert.deepEqual([stuck.decision.exe, stuck.decision.allowed], [null, false]);
        }
      });

      it("npm installs a package through the proxy from a local registry it allows, and fails without it", async () => {
        const reg = `http://127.0.0.1:${registryPort}/`;
        const npm = `npm install --no-audit --no-fund --registry ${reg} cordon-tiny-pkg && node -e 'console.log(require("cordon-tiny-pkg"))'`;
        const allowed = await cliAsync(
          ["run", "--workdir", proj, "--allow-host", `127.0.0.1:${registryPort}`, "--", "bash", "-c", npm],
          who,
        );
        assert.equal(allowed.status, 0, allowed.stderr);
        assert.match(allowed.stdout, /tiny package works/);
        rmSync(join(proj, "node_modules"), { recursive: true, force: true });
        rmSync(join(proj, "package.json"), { force: true });
        rmSync(join(proj, "package-lock.json"), { force: true });
        const refused = await cliAsync(
          ["run", "--workdir", proj, "--allow-host", `127.0.0.1:${webPort}`, "--", "bash", "-c", npm],
          who,
        );
        assert.notEqual(refused.status, 0);
        assert.match(refused.stderr, /403|Forbidden/);
      });
    });
  }

  it("the SDK returns the run's decisions with its result", async () => {
    const proj = join(root, "sdk");
    mkdirSync(proj);
    const sb = new Sandbox({
      workdir: proj,
      policy: { version: 1, extends: "agent", network: { allow: [`127.0.0.1:${webPort}`] } },
    });
    try {
      const r = await sb.exec(
        `curl -sS http://127.0.0.1:${webPort}/sdk; curl -sS -o /dev/null http://127.0.0.1:${otherPort}/`,
      );
      assert.equal(r.stdout, "hello from web /sdk\n");
      assert.deepEqual(
        r.network.map((d) => [d.port, d.allowed]),
        [
          [webPort, true],
          [otherPort, false],
        ],
      );
    } finally {
      await sb.close();
    }
  });
});

/** A registry that serves one package, enough for `npm install`. */
async function startRegistry(root: string): Promise<Server> {
  const pkgDir = join(root, "tiny-pkg");
  mkdirSync(pkgDir);
  writeFileSync(
    join(pkgDir, "package.json"),
    JSON.stringify({ name: "cordon-tiny-pkg", version: "1.0.0", main: "index.js" }),
  );
  writeFileSync(join(pkgDir, "index.js"), 'module.exports = "tiny package works";\n');
  const tgzName = await new Promise<string>((done, fail) => {
    const pack = spawn("npm", ["pack", "--silent"], { cwd: pkgDir, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    pack.stdout.on("data", (c: Buffer) => {
      out += c;
    });
    pack.on("close", (code) => (code === 0 ? done(out.trim()) : fail(new Error(`npm pack exited ${code}`))));
  });
  const tarball = readFileSync(join(pkgDir, tgzName));
  const server = createServer((req, res) => {
    const port = (server.address() as { port: number }).port;
    if (req.url === "/cordon-tiny-pkg") {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          name: "cordon-tiny-pkg",
          "dist-tags": { latest: "1.0.0" },
          versions: {
            "1.0.0": {
              name: "cordon-tiny-pkg",
              version: "1.0.0",
              main: "index.js",
              dist: {
                tarball: `http://127.0.0.1:${port}/cordon-tiny-pkg/-/${tgzName}`,
                shasum: createHash("sha1").update(tarball).digest("hex"),
                integrity: `sha512-${createHash("sha512").update(tarball).digest("base64")}`,
              },
            },
          },
        }),
      );
    } else if (req.url === `/cordon-tiny-pkg/-/${tgzName}`) {
      res.end(tarball);
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await listen(server);
  return server;
}
