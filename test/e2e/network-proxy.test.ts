// The egress proxy alone, in-process, against local servers: HTTP forward,
// CONNECT and SOCKS5 with curl and raw sockets, refusals, per-binary rules
// with the real curl and python3 identified through /proc, and load.
//
// Traffic goes to 127.0.0.0/8 only. Names are resolved by a `resolve`
// override, never by DNS; names mapped to metadata and private addresses
// must be refused on the decision, and net.connect is guarded so that any
// attempt to reach a non-loopback address is recorded (and fails) instead of
// leaving this machine.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { after, before, describe, it, mock } from "node:test";
import { type Decision, type EgressPolicy, EgressProxy, identifyPeer } from "../../src/network/index.js";

const CURL = "/usr/bin/curl";
const PYTHON = "/usr/bin/python3";
const HAVE_PYTHON = existsSync(PYTHON);

// --- the network guard ------------------------------------------------------

const originalConnect = net.connect;
const outsideAttempts: string[] = [];
/** Every host net.connect was given: the proxy must only ever connect to addresses it resolved, never to names. */
const connectHosts: string[] = [];

function isLoopback(host: unknown): boolean {
  return typeof host === "string" && (/^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1" || host === "localhost");
}

function guardedConnect(...args: unknown[]): net.Socket {
  const [first, second] = args;
  const options = (typeof first === "object" && first !== null ? first : { port: first, host: second }) as {
    host?: string;
    port?: number;
    path?: string;
  };
  if (options.path === undefined) connectHosts.push(String(options.host));
  if (options.path === undefined && !isLoopback(options.host ?? "localhost")) {
    outsideAttempts.push(`${options.host}:${options.port}`);
    throw Object.assign(new Error(`test guard: refusing to connect to ${options.host}`), { code: "EGUARD" });
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(net, args);
}

// --- helpers ----------------------------------------------------------------

function listen<T extends net.Server>(server: T, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function connections(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function openSockets(): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:")) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

function connectTo(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Reads until done(buffer) or the end; resolves with everything read. Leaves the socket paused. */
function readUntil(socket: net.Socket, done: (b: Buffer) => boolean, ms = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("error", onError);
      socket.pause();
      if (error) reject(error);
      else resolve(buffer);
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (done(buffer)) finish();
    };
    const onEnd = () => finish();
    const onError = (e: Error) => finish(e);
    const timer = setTimeout(() => finish(new Error(`read timed out; got ${JSON.stringify(buffer.toString())}`)), ms);
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("error", onError);
    socket.resume();
  });
}

/** This process's session id, from /proc (field 6 of stat, after the command name). */
function ownSession(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
}

const headEnd = (b: Buffer) => b.includes("\r\n\r\n");

/** CONNECT through the proxy; the response head, and whatever body arrived with it. */
async function httpConnect(proxyPort: number, target: string): Promise<{ socket: net.Socket; head: string }> {
  const socket = await connectTo(proxyPort);
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  const got = await readUntil(socket, headEnd);
  return { socket, head: got.toString("latin1") };
}

/** A refused CONNECT: status line and body, to the end. */
async function refusedConnect(proxyPort: number, target: string): Promise<string> {
  const socket = await connectTo(proxyPort);
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  const got = await readUntil(socket, () => false);
  socket.destroy();
  return got.toString("utf8");
}

function socksRequest(host: string, port: number, command = 1): Buffer {
  const p = [port >> 8, port & 255];
  const v4 = net.isIPv4(host) ? host.split(".").map(Number) : null;
  if (v4) return Buffer.from([5, command, 0, 1, ...v4, ...p]);
  if (net.isIPv6(host)) {
    const full = new URL(`http://[${host}]/`).hostname; // canonical, then expand
    const groups = full.slice(1, -1).split("::");
    const left = groups[0] ? groups[0].split(":") : [];
    const right = groups[1] ? groups[1].split(":") : [];
    const all = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
    const bytes = all.flatMap((g) => [Number.parseInt(g, 16) >> 8, Number.parseInt(g, 16) & 255]);
    return Buffer.from([5, command, 0, 4, ...bytes, ...p]);
  }
  return Buffer.concat([Buffer.from([5, command, 0, 3, host.length]), Buffer.from(host), Buffer.from(p)]);
}

/** A SOCKS5 handshake; the reply (method selection stripped). */
async function socks(
  proxyPort: number,
  host: string,
  port: number,
  command = 1,
): Promise<{ socket: net.Socket; reply: Buffer }> {
  const socket = await connectTo(proxyPort);
  socket.write(Buffer.from([5, 1, 0]));
  const method = await readUntil(socket, (b) => b.length >= 2);
  assert.deepEqual([...method.subarray(0, 2)], [5, 0]);
  socket.write(socksRequest(host, port, command));
  const reply = await readUntil(socket, (b) => b.length >= 10 && (b[3] !== 4 || b.length >= 22));
  return { socket, reply };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  pid: number;
}

function run(file: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { PATH: "/usr/bin:/bin", LANG: "C" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, pid: child.pid ?? -1 }));
  });
}

const curl = (args: string[]) => run(CURL, ["-sS", "--max-time", "10", ...args]);

const PY_CONNECT = [
  "import socket, sys",
  "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))",
  "t = sys.argv[2]",
  "s.sendall(('CONNECT %s HTTP/1.1\\r\\nHost: %s\\r\\n\\r\\n' % (t, t)).encode())",
  "data = b''",
  "while b'\\r\\n\\r\\n' not in data:",
  "    chunk = s.recv(4096)",
  "    if not chunk: break",
  "    data += chunk",
  "print(data.split(b'\\r\\n')[0].decode())",
].join("\n");

// --- local servers ----------------------------------------------------------

/** Upstream HTTP: echoes what it received; /bytes/N sends N bytes. */
const web = http.createServer((req, res) => {
  const size = /^\/bytes\/(\d+)$/.exec(req.url ?? "")?.[1];
  if (size) {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": size });
    res.end(Buffer.alloc(Number(size), 120));
    return;
  }
  const hash = createHash("sha256");
  let length = 0;
  req.on("data", (d: Buffer) => {
    length += d.length;
    hash.update(d);
  });
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ method: req.method, url: req.url, headers: req.headers, length, sha256: hash.digest("hex") }),
    );
  });
});
let webAccepted = 0;
web.on("connection", () => {
  webAccepted++;
});

/** Echoes bytes back. */
const echo = net.createServer((s) => {
  s.on("error", () => {});
  s.pipe(s);
});

const BLOB = randomBytes(50 * 1024 * 1024);
const BLOB_SHA = createHash("sha256").update(BLOB).digest("hex");
/** Reads "N\n", then sends the first N bytes of BLOB with backpressure and ends; blobAccepted counts what its
 * socket accepted so far (what the proxy has let through plus kernel buffers). */
let blobAccepted = 0;
const blob = net.createServer((s) => {
  s.on("error", () => {});
  let line = "";
  const onData = (d: Buffer) => {
    line += d.toString("latin1");
    if (!line.includes("\n")) return;
    s.off("data", onData);
    const size = Number(line.split("\n")[0]);
    blobAccepted = 0;
    let offset = 0;
    const pump = () => {
      while (offset < size) {
        const chunk = BLOB.subarray(offset, Math.min(size, offset + 64 * 1024));
        offset += chunk.length;
        const more = s.write(chunk);
        blobAccepted = offset;
        if (!more) {
          s.once("drain", pump);
          return;
        }
      }
      s.end();
    };
    pump();
  };
  s.on("data", onData);
});

/** Holds connections open; hold.sockets lets a test cut them. */
const held = new Set<net.Socket>();
const hold = net.createServer((s) => {
  held.add(s);
  s.on("error", () => {});
  s.on("close", () => held.delete(s));
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// --- the tests --------------------------------------------------------------

let webPort = 0;
let echoPort = 0;
let blobPort = 0;
let holdPort = 0;
let deadPort = 0;
let proxy: EgressProxy;
const logged: Decision[] = [];
const resolved: string[] = [];

const NAMES: Record<string, string[]> = {
  "app.test": ["127.0.0.1"],
  "echo.test": ["127.0.0.1"],
  "loop.test": ["127.0.0.1"],
  "meta.test": ["169.254.169.254"],
  "private.test": ["10.0.0.7"],
  "ula.test": ["fd00::7"],
  "mixed.test": ["127.0.0.1", "169.254.169.254"],
  "nat64.test": ["64:ff9b::a9fe:a9fe"],
};

async function resolve(host: string): Promise<string[]> {
  resolved.push(host);
  const addresses = NAMES[host];
  if (!addresses) throw Object.assign(new Error(`no such name ${host}`), { code: "ENOTFOUND" });
  return addresses;
}

function lastDecision(): Decision {
  return proxy.decisions[proxy.decisions.length - 1] ?? assert.fail("no decision recorded");
}

before(async () => {
  mock.method(net, "connect", guardedConnect);
  [webPort, echoPort, blobPort, holdPort] = await Promise.all([listen(web), listen(echo), listen(blob), listen(hold)]);
  deadPort = await closedPort();
  const policy: EgressPolicy = {
    rules: [
      {
        name: "local",
        allow: [
          `app.test:${webPort}`,
          `127.0.0.1:${webPort}`,
          `echo.test:${echoPort}`,
          `127.0.0.1:${echoPort}`,
          `127.0.0.1:${blobPort}`,
          `127.0.0.1:${holdPort}`,
          `127.0.0.1:${deadPort}`,
          "missing.test",
          // Listed by name only: their addresses are not listed.
          "loop.test",
          "meta.test",
          "private.test",
          "ula.test",
          "mixed.test",
          "nat64.test",
        ],
      },
    ],
  };
  proxy = await EgressProxy.start({ policy, resolve, onDecision: (d) => logged.push(d) });
});

after(async () => {
  await proxy?.close();
  for (const s of [web, echo, blob, hold]) s.close();
  mock.restoreAll();
  assert.deepEqual(outsideAttempts, [], "no connection attempt may leave loopback");
  assert.deepEqual(
    connectHosts.filter((h) => net.isIP(h) === 0),
    [],
    "connections go to resolved addresses, never to names (no second resolution)",
  );
});

describe("egress proxy: allowed destinations", () => {
  it("listens on 127.0.0.1 on a port of its own", () => {
    assert.equal(proxy.host, "127.0.0.1");
    assert.ok(proxy.port > 0);
  });

  it("forwards an absolute-form HTTP request (curl --proxy) and strips proxy headers", async () => {
    const lookups = resolved.length;
    const r = await curl([
      "--proxy",
      `http://127.0.0.1:${proxy.port}`,
      "-H",
      "Proxy-Authorization: Basic c2VjcmV0",
      "-H",
      "Proxy-Connection: keep-alive",
      `http://app.test:${webPort}/hello?x=1`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const seen = JSON.parse(r.stdout);
    assert.equal(seen.url, "/hello?x=1");
    assert.equal(seen.headers.host, `app.test:${webPort}`);
    assert.equal(seen.headers["proxy-authorization"], undefined);
    assert.equal(seen.headers["proxy-connection"], undefined);
    assert.deepEqual(resolved.slice(lookups), ["app.test"], "resolved once, by the proxy");
    const d = lastDecision();
    assert.deepEqual(
      { ...d, time: undefined },
      {
        time: undefined,
        pid: r.pid,
        sid: d.sid,
        exe: realpathSync(CURL),
        protocol: "http",
        host: "app.test",
        port: webPort,
        address: "127.0.0.1",
        allowed: true,
        rule: "local",
        reason: `allowed by rule "local": "app.test:${webPort}"; 127.0.0.1 by "127.0.0.1:${webPort}"`,
      },
    );
    // curl inherits this process's session. That session can be 0: a process
    // started by an init that never called setsid(), as some CI runners do.
    assert.equal(d.sid, ownSession());
    assert.ok(!Number.isNaN(Date.parse(d.time)));
    assert.equal(logged[logged.length - 1], d, "onDecision gets every decision");
  });

  it("tunnels with CONNECT (curl --proxytunnel)", async () => {
    const r = await curl(["--proxy", `http://127.0.0.1:${proxy.port}`, "-p", `http://app.test:${webPort}/tunnel`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).url, "/tunnel");
    assert.equal(lastDecision().protocol, "connect");
    assert.equal(lastDecision().exe, realpathSync(CURL));
  });

  it("tunnels with SOCKS5, the proxy resolving the name (curl --socks5-hostname)", async () => {
    const r = await curl(["--socks5-hostname", `127.0.0.1:${proxy.port}`, `http://app.test:${webPort}/socks`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).url, "/socks");
    assert.equal(lastDecision().protocol, "socks5");
    assert.equal(lastDecision().pid, r.pid);
  });

  it("SOCKS5 with IPv4 and IPv6 addresses, and data sent with the request", async () => {
    const { socket, reply } = await socks(proxy.port, "127.0.0.1", echoPort);
    assert.deepEqual([...reply.subarray(0, 4)], [5, 0, 0, 1]);
    socket.write("ping");
    assert.equal((await readUntil(socket, (b) => b.length >= 4)).toString(), "ping");
    socket.destroy();

    // Greeting, request and first payload in one write.
    const s2 = await connectTo(proxy.port);
    s2.write(Buffer.concat([Buffer.from([5, 1, 0]), socksRequest("echo.test", echoPort), Buffer.from("early")]));
    const got = await readUntil(s2, (b) => b.length >= 2 + 10 + 5);
    assert.equal(got[3], 0, "succeeded");
    assert.equal(got.subarray(12).toString(), "early");
    s2.destroy();

    const v6 = await socks(proxy.port, "::1", echoPort);
    assert.equal(v6.reply[1], 2, "::1 is not listed: refused by the ruleset");
    v6.socket.destroy();
    assert.equal(lastDecision().host, "::1");
  });

  it("keeps an HTTP connection alive across forward requests, each decided", async () => {
    const socket = await connectTo(proxy.port);
    const before = proxy.decisions.length;
    for (const path of ["/one", "/two"]) {
      socket.write(`GET http://app.test:${webPort}${path} HTTP/1.1\r\nHost: app.test:${webPort}\r\n\r\n`);
      const got = (await readUntil(socket, (b) => b.toString().endsWith("\r\n0\r\n\r\n"))).toString();
      assert.match(got, /^HTTP\/1\.1 200 OK/);
      assert.match(got, new RegExp(`"url":"${path}"`));
    }
    socket.destroy();
    assert.equal(proxy.decisions.length, before + 2);
  });

  it("streams a request body through a forward request", async () => {
    const body = randomBytes(8 * 1024 * 1024);
    const seen = await new Promise<{ length: number; sha256: string }>((resolveSeen, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port: proxy.port,
          method: "POST",
          path: `http://app.test:${webPort}/upload`,
          headers: { host: `app.test:${webPort}` },
        },
        (res) => {
          let text = "";
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => resolveSeen(JSON.parse(text)));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    assert.equal(seen.length, body.length);
    assert.equal(seen.sha256, createHash("sha256").update(body).digest("hex"));
  });

  it("reports an upstream that refuses the connection: 502, SOCKS 0x05", async () => {
    const r = await curl(["-i", "--proxy", `http://127.0.0.1:${proxy.port}`, `http://127.0.0.1:${deadPort}/`]);
    assert.match(r.stdout, /^HTTP\/1\.1 502 Bad Gateway/);
    assert.match(
      r.stdout,
      new RegExp(`cordon: could not connect to 127\\.0\\.0\\.1:${deadPort} \\(127\\.0\\.0\\.1\\): ECONNREFUSED`),
    );
    const d = lastDecision();
    assert.equal(d.allowed, true);
    assert.match(d.reason, /connection failed: ECONNREFUSED/);
    const { socket, reply } = await socks(proxy.port, "127.0.0.1", deadPort);
    assert.equal(reply[1], 0x05);
    socket.destroy();
  });

  it("reports a name that does not resolve: 502 and SOCKS 0x04", async () => {
    const text = await refusedConnect(proxy.port, "missing.test:443");
    assert.match(text, /^HTTP\/1\.1 502 Bad Gateway/);
    assert.match(text, /cordon: missing\.test did not resolve \(ENOTFOUND\)/);
    const { socket, reply } = await socks(proxy.port, "missing.test", 443);
    assert.equal(reply[1], 0x04);
    socket.destroy();
  });
});

describe("egress proxy: refusals", () => {
  it("refuses an unlisted host with a 403 naming the entry to add, without resolving or connecting", async () => {
    const accepted = webAccepted;
    const r = await curl(["-i", "--proxy", `http://127.0.0.1:${proxy.port}`, `http://other.test:${webPort}/`]);
    assert.match(r.stdout, /^HTTP\/1\.1 403 Forbidden/);
    assert.match(
      r.stdout,
      /proxy-status: cordon; error=http_request_denied; details="no rule allows other\.test:\d+"/i,
    );
    const body = r.stdout.slice(r.stdout.indexOf("\r\n\r\n") + 4);
    assert.equal(
      body,
      [
        `cordon: refused a request to other.test:${webPort}`,
        `reason: no rule allows other.test:${webPort}`,
        `from: ${realpathSync(CURL)} (pid ${r.pid})`,
        `to allow it: allow "other.test:${webPort}" (cordon run --allow-host other.test:${webPort}, or network.allow in the policy)`,
        "",
      ].join("\n"),
    );
    assert.equal(webAccepted, accepted, "no upstream connection");
    assert.ok(!resolved.includes("other.test"), "an unlisted name is never resolved");
    assert.deepEqual([lastDecision().allowed, lastDecision().rule, lastDecision().address], [false, null, null]);
  });

  it("refuses with CONNECT: 403 and the same body", async () => {
    const text = await refusedConnect(proxy.port, `other.test:${webPort}`);
    assert.match(text, /^HTTP\/1\.1 403 Forbidden\r\n/);
    assert.match(text, /\r\n\r\ncordon: refused a connection to other\.test:\d+\nreason: no rule allows/);
    assert.match(text, /to allow it: allow "other\.test:\d+"/);
    const r = await curl(["--proxy", `http://127.0.0.1:${proxy.port}`, "-p", `http://other.test:${webPort}/`]);
    assert.equal(r.code, 56);
    assert.match(r.stderr, /CONNECT tunnel failed, response 403/);
  });

  it("refuses with SOCKS5: reply 0x02, connection not allowed by ruleset", async () => {
    const { socket, reply } = await socks(proxy.port, "other.test", webPort);
    assert.deepEqual([...reply], [5, 2, 0, 1, 0, 0, 0, 0, 0, 0]);
    socket.destroy();
    const r = await curl(["--socks5-hostname", `127.0.0.1:${proxy.port}`, `http://other.test:${webPort}/`]);
    assert.equal(r.code, 97);
    assert.equal(lastDecision().protocol, "socks5");
    assert.equal(lastDecision().allowed, false);
  });

  it("refuses unlisted loopback services, by address and by port", async () => {
    // Port 9 is listed nowhere (the listed ones are ephemeral); 127.0.0.2 and ::1 are not listed at all.
    for (const target of ["127.0.0.1:9", `127.0.0.2:${webPort}`, `[::1]:${webPort}`]) {
      const text = await refusedConnect(proxy.port, target);
      assert.match(text, /^HTTP\/1\.1 403/, target);
      assert.match(text, /only an IP or CIDR entry allows it/, target);
    }
  });

  it("refuses names that resolve to metadata, private, unique-local or loopback addresses, before connecting", async () => {
    const cases: [string, RegExp][] = [
      ["meta.test", /meta\.test resolves to 169\.254\.169\.254, the cloud metadata endpoint/],
      ["private.test", /resolves to 10\.0\.0\.7, private/],
      ["ula.test", /resolves to fd00::7, unique-local/],
      ["mixed.test", /resolves to 169\.254\.169\.254/],
      ["nat64.test", /NAT64 form of 169\.254\.169\.254/],
      ["loop.test", /resolves to 127\.0\.0\.1, loopback: rule "local" lists the name/],
    ];
    for (const [name, reason] of cases) {
      // mixed.test on the web port, where 127.0.0.1 is listed: only its other address can refuse it.
      const port = name === "mixed.test" ? webPort : 80;
      const text = await refusedConnect(proxy.port, `${name}:${port}`);
      assert.match(text, /^HTTP\/1\.1 403/, name);
      assert.match(text, reason, name);
      assert.ok(resolved.includes(name), `${name} was resolved: the refusal is on the address`);
      const d = lastDecision();
      assert.deepEqual([d.allowed, d.rule, d.address], [false, "local", null], name);
      const viaSocks = await socks(proxy.port, name, port);
      assert.equal(viaSocks.reply[1], 2, name);
      viaSocks.socket.destroy();
    }
    const text = await refusedConnect(proxy.port, "loop.test:80");
    assert.match(text, /to allow it: allow "127\.0\.0\.1:80" in rule "local"/);
    // Where the same rule lists the address, the name reaches it.
    const { socket, head } = await httpConnect(proxy.port, `loop.test:${webPort}`);
    assert.match(head, /^HTTP\/1\.1 200/);
    socket.destroy();
    assert.deepEqual(outsideAttempts, [], "no connection was attempted");
  });

  it("refuses IP literals of the metadata endpoint and private ranges (no connection attempted)", async () => {
    for (const target of ["169.254.169.254:80", "10.0.0.1:443", "[fd00::1]:443", "[::ffff:169.254.169.254]:80"]) {
      assert.match(await refusedConnect(proxy.port, target), /^HTTP\/1\.1 403/, target);
    }
    const r = await curl([
      "-i",
      "--proxy",
      `http://127.0.0.1:${proxy.port}`,
      "http://169.254.169.254/latest/meta-data/",
    ]);
    assert.match(r.stdout, /^HTTP\/1\.1 403/);
    assert.match(r.stdout, /the cloud metadata endpoint/);
    assert.deepEqual(outsideAttempts, []);
  });

  it("rejects origin-form requests, https:// forward requests and a Host header that disagrees with the URL", async () => {
    const ask = async (request: string) => {
      const socket = await connectTo(proxy.port);
      socket.write(request);
      const got = (await readUntil(socket, () => false)).toString();
      socket.destroy();
      return got;
    };
    const accepted = webAccepted;
    const origin = await ask(`GET /x HTTP/1.1\r\nHost: app.test:${webPort}\r\n\r\n`);
    assert.match(origin, /^HTTP\/1\.1 400 Bad Request/);
    assert.match(origin, /this is a proxy: send absolute-form requests/);
    const tls = await ask(`GET https://app.test:${webPort}/ HTTP/1.1\r\nHost: app.test:${webPort}\r\n\r\n`);
    assert.match(tls, /^HTTP\/1\.1 400[\s\S]*for https:\/\/ send CONNECT/);
    const mismatch = await ask(`GET http://app.test:${webPort}/ HTTP/1.1\r\nHost: evil.test\r\n\r\n`);
    assert.match(mismatch, /^HTTP\/1\.1 400[\s\S]*Host header "evil\.test" disagrees/);
    const port = await ask(`GET http://app.test:${webPort}/ HTTP/1.1\r\nHost: app.test\r\n\r\n`);
    assert.match(port, /^HTTP\/1\.1 400/);
    const twice = await ask(
      `GET http://app.test:${webPort}/ HTTP/1.1\r\nHost: app.test:${webPort}\r\nHost: evil.test\r\n\r\n`,
    );
    assert.match(twice, /^HTTP\/1\.1 400/);
    const creds = await ask(`GET http://u:p@app.test:${webPort}/ HTTP/1.1\r\nHost: app.test:${webPort}\r\n\r\n`);
    assert.match(creds, /^HTTP\/1\.1 400/);
    const noPort = await ask("CONNECT app.test HTTP/1.1\r\nHost: app.test\r\n\r\n");
    assert.match(noPort, /^HTTP\/1\.1 400[\s\S]*CONNECT needs HOST:PORT/);
    const junk = await ask("\x01\x02 not http\r\n\r\n");
    assert.match(junk, /^HTTP\/1\.1 400/);
    assert.equal(webAccepted, accepted);
  });

  it("SOCKS5: only no-authentication, only CONNECT", async () => {
    const auth = await connectTo(proxy.port);
    auth.write(Buffer.from([5, 1, 2])); // username/password only
    assert.deepEqual([...(await readUntil(auth, () => false))], [5, 0xff]);
    auth.destroy();
    const bind = await socks(proxy.port, "127.0.0.1", echoPort, 2);
    assert.equal(bind.reply[1], 0x07);
    bind.socket.destroy();
    const udp = await socks(proxy.port, "127.0.0.1", echoPort, 3);
    assert.equal(udp.reply[1], 0x07);
    udp.socket.destroy();
  });
});

describe("egress proxy: per-binary rules", () => {
  let binProxy: EgressProxy;
  let blind: EgressProxy;

  before(async () => {
    const policy: EgressPolicy = {
      rules: [
        { name: "curl-web", allow: [`127.0.0.1:${webPort}`], binaries: [CURL] },
        // A symlink (/usr/bin/python3 -> python3.11): /proc/PID/exe names the target.
        { name: "python-echo", allow: [`127.0.0.1:${echoPort}`], binaries: [PYTHON] },
      ],
    };
    binProxy = await EgressProxy.start({ policy, resolve });
    blind = await EgressProxy.start({ policy, resolve, identify: false });
  });

  after(async () => {
    await Promise.all([binProxy.close(), blind.close()]);
  });

  it("allows curl, identified through /proc", async () => {
    const r = await curl(["--proxy", `http://127.0.0.1:${binProxy.port}`, `http://127.0.0.1:${webPort}/curl`]);
    assert.equal(r.code, 0, r.stderr);
    const d = binProxy.decisions.at(-1);
    assert.deepEqual([d?.allowed, d?.rule, d?.exe, d?.pid], [true, "curl-web", realpathSync(CURL), r.pid]);
  });

  it("refuses python3 for curl's destination", { skip: !HAVE_PYTHON && "no /usr/bin/python3" }, async () => {
    const r = await run(PYTHON, ["-c", PY_CONNECT, String(binProxy.port), `127.0.0.1:${webPort}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "HTTP/1.1 403 Forbidden");
    const d = binProxy.decisions.at(-1);
    assert.equal(d?.allowed, false);
    assert.equal(d?.exe, realpathSync(PYTHON));
    assert.equal(d?.pid, r.pid);
    assert.equal(d?.rule, "curl-web");
    assert.match(d?.reason ?? "", new RegExp(`only for ${CURL}, and the connection came from ${realpathSync(PYTHON)}`));
  });

  it("allows python3 where its rule lists it (by its symlink)", {
    skip: !HAVE_PYTHON && "no /usr/bin/python3",
  }, async () => {
    const r = await run(PYTHON, ["-c", PY_CONNECT, String(binProxy.port), `127.0.0.1:${echoPort}`]);
    assert.equal(r.stdout.trim(), "HTTP/1.1 200 Connection Established", r.stderr);
    assert.equal(binProxy.decisions.at(-1)?.rule, "python-echo");
  });

  it("refuses this process (node) for both", async () => {
    const text = await refusedConnect(binProxy.port, `127.0.0.1:${webPort}`);
    assert.match(text, /^HTTP\/1\.1 403/);
    assert.match(text, new RegExp(`from: ${realpathSync(process.execPath)} \\(pid ${process.pid}\\)`));
  });

  it("when identification fails, a rule with binaries does not match", async () => {
    const r = await curl(["-i", "--proxy", `http://127.0.0.1:${blind.port}`, `http://127.0.0.1:${webPort}/`]);
    assert.match(r.stdout, /^HTTP\/1\.1 403/);
    assert.match(r.stdout, /could not be identified \(identification failed\)/);
    assert.match(r.stdout, /from: an unidentified process/);
    const d = blind.decisions.at(-1);
    assert.deepEqual([d?.exe, d?.pid, d?.sid, d?.allowed], [null, null, null, false]);
  });

  it("identifyPeer: this process for its own socket, null for a port with no connection", async () => {
    const socket = await connectTo(binProxy.port);
    const peer = identifyPeer(socket.localPort ?? 0, binProxy.port);
    assert.equal(peer?.pid, process.pid);
    assert.equal(peer?.exe, realpathSync(process.execPath));
    assert.equal(typeof peer?.sid, "number");
    assert.equal(identifyPeer(socket.localPort ?? 0, binProxy.port + 1), null);
    socket.destroy();
    assert.equal(identifyPeer(1, 2), null);
  });

  it("refuses to start with an invalid policy, naming each problem", async () => {
    await assert.rejects(
      EgressProxy.start({ policy: { rules: [{ name: "r", allow: ["http://x", "ok.test"], binaries: ["curl"] }] } }),
      /invalid egress policy:\n {2}rule "r": "http:\/\/x": no scheme.*\n {2}rule "r": binary "curl" is not an absolute path/s,
    );
  });
});

describe("egress proxy: load", () => {
  let baseline = 0;
  before(() => {
    baseline = openSockets();
  });

  it("carries 200 concurrent CONNECT tunnels", async () => {
    const started = Date.now();
    const sockets = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const { socket, head } = await httpConnect(proxy.port, `127.0.0.1:${echoPort}`);
        assert.match(head, /^HTTP\/1\.1 200 Connection Established\r\n\r\n$/);
        socket.write(`ping ${i}\n`);
        assert.equal((await readUntil(socket, (b) => b.includes("\n"))).toString(), `ping ${i}\n`);
        return socket;
      }),
    );
    assert.equal(await connections(echo), 200, "all 200 open at once");
    const elapsed = Date.now() - started;
    for (const s of sockets) s.destroy();
    await until("the echo server's connections to close", async () => (await connections(echo)) === 0);
    console.log(`# 200 concurrent tunnels in ${elapsed} ms`);
  });

  it("streams 50 MB through a tunnel intact", async () => {
    const { socket } = await httpConnect(proxy.port, `127.0.0.1:${blobPort}`);
    const started = process.hrtime.bigint();
    socket.write(`${BLOB.length}\n`);
    const hash = createHash("sha256");
    let length = 0;
    await new Promise<void>((resolveDone, reject) => {
      socket.on("data", (d: Buffer) => {
        length += d.length;
        hash.update(d);
      });
      socket.once("end", () => resolveDone());
      socket.once("error", reject);
      socket.resume();
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    socket.destroy();
    assert.equal(length, BLOB.length);
    assert.equal(hash.digest("hex"), BLOB_SHA);
    console.log(`# 50 MB through a tunnel: ${(50 / seconds).toFixed(0)} MB/s`);
  });

  it("a slow client: backpressure holds the sender back, nothing is buffered whole", async () => {
    const size = 48 * 1024 * 1024;
    const { socket } = await httpConnect(proxy.port, `127.0.0.1:${blobPort}`);
    socket.write(`${size}\n`);
    // Read nothing for a while: the proxy must stop reading from upstream.
    await new Promise((r) => setTimeout(r, 600));
    const acceptedWhilePaused = blobAccepted;
    assert.ok(
      acceptedWhilePaused < size / 2,
      `upstream pushed ${acceptedWhilePaused} bytes into a client that reads nothing`,
    );
    // Then read slowly, in bursts.
    let length = 0;
    await new Promise<void>((resolveDone, reject) => {
      socket.on("data", (d: Buffer) => {
        length += d.length;
        socket.pause();
        setTimeout(() => socket.resume(), 1);
      });
      socket.once("end", () => resolveDone());
      socket.once("error", reject);
      socket.resume();
    });
    socket.destroy();
    assert.equal(length, size);
    console.log(`# slow client: ${(acceptedWhilePaused / 1048576).toFixed(1)} MB in flight while it read nothing`);
  });

  it("an abrupt client disconnect closes the upstream connection", async () => {
    const { socket } = await httpConnect(proxy.port, `127.0.0.1:${holdPort}`);
    await until("the upstream connection", () => held.size === 1);
    socket.resetAndDestroy();
    await until("the upstream connection to close", () => held.size === 0);

    // And in the middle of a transfer.
    const mid = await httpConnect(proxy.port, `127.0.0.1:${blobPort}`);
    mid.socket.write(`${BLOB.length}\n`);
    await readUntil(mid.socket, (b) => b.length > 1024 * 1024);
    mid.socket.destroy();
    await until("the sender's connection to close", async () => (await connections(blob)) === 0);
  });

  it("an abrupt upstream disconnect closes the client connection", async () => {
    const { socket } = await httpConnect(proxy.port, `127.0.0.1:${holdPort}`);
    await until("the upstream connection", () => held.size === 1);
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.on("error", () => {});
    socket.resume();
    for (const s of held) s.resetAndDestroy();
    await closed;
  });

  it("a clean upstream end is passed on, after the data (half-close)", async () => {
    const { socket } = await httpConnect(proxy.port, `127.0.0.1:${blobPort}`);
    socket.end("1000\n"); // the client is done sending; the answer still arrives
    const got = await readUntil(socket, () => false);
    assert.equal(got.length, 1000);
    socket.destroy();
  });

  it("clients that leave mid-handshake leave nothing behind", async () => {
    const partial = [
      "", // connect and close
      "\x05", // half a SOCKS5 greeting
      "\x05\x01\x00\x05\x01", // greeting and half a request
      "CONNECT 127.0.0.1:", // half a CONNECT
      "GET http://app.test/ HTTP/1.1\r\nHost: app", // half a request head
    ];
    await Promise.all(
      partial.map(async (bytes) => {
        const socket = await connectTo(proxy.port);
        socket.on("error", () => {});
        const closed = new Promise<void>((resolveClosed, reject) => {
          const timer = setTimeout(() => reject(new Error(`${JSON.stringify(bytes)}: still open after 3 s`)), 3000);
          socket.once("close", () => {
            clearTimeout(timer);
            resolveClosed();
          });
        });
        socket.end(bytes);
        socket.resume();
        await closed; // the proxy closes its end at once, not at the 30 s handshake deadline
      }),
    );
    const reset = await connectTo(proxy.port);
    reset.write("\x05\x01");
    reset.resetAndDestroy();
  });

  it("leaves no open connection and no socket behind", async () => {
    await until(
      "every upstream connection to close",
      async () =>
        (await connections(echo)) === 0 &&
        (await connections(blob)) === 0 &&
        (await connections(hold)) === 0 &&
        (await connections(web)) === 0,
    );
    await until(`open sockets back to ${baseline}`, () => openSockets() <= baseline, 5000);
  });

  it("close() destroys every open tunnel and stops listening", async () => {
    const extra = await EgressProxy.start({
      policy: { rules: [{ name: "hold", allow: [`127.0.0.1:${holdPort}`] }] },
      identify: false,
    });
    const tunnels = await Promise.all(
      Array.from({ length: 5 }, async () => (await httpConnect(extra.port, `127.0.0.1:${holdPort}`)).socket),
    );
    const idle = await connectTo(extra.port); // connected, said nothing
    await until("5 upstream connections", () => held.size === 5);
    const closed = Promise.all(
      [...tunnels, idle].map((s) => {
        s.on("error", () => {});
        s.resume();
        return new Promise<void>((r) => s.once("close", () => r()));
      }),
    );
    await extra.close();
    await closed;
    await until("the upstream connections to close", () => held.size === 0);
    await assert.rejects(connectTo(extra.port), /ECONNREFUSED/);
  });
});
