/** The egress proxy: one listener on 127.0.0.1 speaking HTTP (absolute-form
 * forward requests for http:// and CONNECT tunnels) and SOCKS5, telling them
 * apart by the first byte. Each destination is resolved here, decided on
 * its resolved addresses, and connected to by address, never re-resolved.
 * docs/network.md describes the model. */
import dns from "node:dns";
import { realpathSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { pipeline } from "node:stream";
import { checkAllowEntry, formatDestination, normalizeHost, parseIp } from "./allowlist.js";
import { type EgressPolicy, type EgressRule, type Evaluation, evaluate, precheck } from "./decide.js";
import { identifyPeerAsync, type Peer } from "./identify.js";

export interface Decision {
  /** ISO 8601, when the decision was made. */
  time: string;
  pid: number | null;
  sid: number | null;
  /** The connecting executable, null when identification failed or was off. */
  exe: string | null;
  protocol: "http" | "connect" | "socks5";
  /** The destination as normalized (lowercase name, canonical IP); as sent when it was invalid. */
  host: string;
  port: number;
  /** The address connected to (or last tried); null when refused or not resolved. */
  address: string | null;
  /** Whether the policy let the connection through (an allowed connection may still fail upstream; reason says). */
  allowed: boolean;
  rule: string | null;
  reason: string;
}

export interface ProxyOptions {
  policy: EgressPolicy;
  onDecision?: (d: Decision) => void;
  /** For tests: override DNS resolution (default dns.promises.lookup all:true). */
  resolve?: (host: string) => Promise<string[]>;
  /** Identify the connecting process (default true). */
  identify?: boolean;
}

/** A client must finish its SOCKS5 handshake or send its first request head within this time. */
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** Per address tried. */
const CONNECT_TIMEOUT_MS = 10_000;
/** After a refusal or error reply, how long the client may take to close before the socket is destroyed. */
const LINGER_MS = 5_000;

/** Hop-by-hop headers (RFC 9110 7.6.1) and proxy credentials: never forwarded. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
]);

type Failure = {
  ok: false;
  status: 400 | 403 | 502 | 504;
  socks: number;
  /** RFC 9209 Proxy-Status error type. */
  error: string;
  /** One line, for the Proxy-Status details. */
  reason: string;
  body: string;
};
type Opened = { ok: true; upstream: net.Socket } | Failure;

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  501: "Not Implemented",
  502: "Bad Gateway",
  504: "Gateway Timeout",
};

/** SOCKS5 reply codes (RFC 1928 6). */
const SOCKS = {
  ok: 0x00,
  failure: 0x01,
  notAllowed: 0x02,
  networkUnreachable: 0x03,
  hostUnreachable: 0x04,
  refused: 0x05,
  commandNotSupported: 0x07,
  addressNotSupported: 0x08,
} as const;

function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}

function rawResponse(status: number, body: string, proxyStatus?: string): string {
  const headers = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}`,
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
  ];
  if (proxyStatus) headers.push(`Proxy-Status: ${proxyStatus}`);
  return `${headers.join("\r\n")}\r\n\r\n${body}`;
}

function proxyStatusHeader(error: string, details: string): string {
  return `cordon; error=${error}; details="${ascii(details).replace(/["\\]/g, "\\$&")}"`;
}

/** A SOCKS5 reply: the code, and the bound address (0.0.0.0:0 when there is none). */
function socksReply(code: number, address?: string, port?: number): Buffer {
  const ip = address ? parseIp(address) : null;
  if (ip && port !== undefined) {
    const size = ip.family === 4 ? 4 : 16;
    const out = Buffer.alloc(4 + size + 2);
    out.set([5, code, 0, ip.family === 4 ? 1 : 4]);
    for (let i = 0; i < size; i++) out[4 + i] = Number((ip.value >> BigInt((size - 1 - i) * 8)) & 0xffn);
    out.writeUInt16BE(port, 4 + size);
    return out;
  }
  return Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
}

/** HOST:PORT or [IPv6]:PORT; the host as written (brackets kept). */
function splitAuthority(text: string): { host: string; port: number | null } | null {
  const m = /^(\[[^\]]*\]|[^:[\]]+)(?::([0-9]{1,5}))?$/.exec(text);
  if (!m || m[1] === undefined) return null;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { host: m[1], port };
}

/** Raw headers minus hop-by-hop ones and those Connection names. */
function forwardable(raw: string[]): string[] {
  const drop = new Set(HOP_BY_HOP);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === "connection") {
      for (const name of (raw[i + 1] ?? "").split(",")) drop.add(name.trim().toLowerCase());
    }
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? "";
    if (!drop.has(name.toLowerCase())) out.push(name, raw[i + 1] ?? "");
  }
  return out;
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" ? code : String((error as Error | null)?.message ?? error);
}

/** Joins two sockets both ways with backpressure. A clean end (FIN) is passed on, so half-closed connections
 * work; an abrupt end of either side (error, reset, destroy before both directions finished) destroys the
 * other. */
function splice(a: net.Socket, b: net.Socket): void {
  a.pipe(b);
  b.pipe(a);
  const link = (x: net.Socket, y: net.Socket) => {
    x.on("error", () => y.destroy());
    x.on("close", () => {
      if (!(x.readableEnded && x.writableFinished)) y.destroy();
    });
  };
  link(a, b);
  link(b, a);
}

function preparePolicy(policy: EgressPolicy): EgressPolicy {
  if (!policy || !Array.isArray(policy.rules)) throw new TypeError("egress policy: rules must be an array");
  const problems: string[] = [];
  const rules: EgressRule[] = policy.rules.map((rule, index) => {
    const name = typeof rule?.name === "string" && rule.name ? rule.name : `#${index + 1}`;
    if (typeof rule?.name !== "string" || !rule.name) problems.push(`rule ${name}: a rule needs a name`);
    if (!Array.isArray(rule?.allow)) problems.push(`rule "${name}": allow must be an array of entries`);
    for (const entry of rule?.allow ?? []) {
      const problem = checkAllowEntry(entry);
      if (problem) problems.push(`rule "${name}": ${problem}`);
    }
    let binaries: string[] | undefined;
    if (rule?.binaries !== undefined) {
      if (!Array.isArray(rule.binaries)) problems.push(`rule "${name}": binaries must be an array of paths`);
      binaries = [];
      for (const path of rule.binaries ?? []) {
        if (typeof path !== "string" || !path.startsWith("/")) {
          problems.push(`rule "${name}": binary ${JSON.stringify(path)} is not an absolute path`);
          continue;
        }
        binaries.push(path);
        // /proc/PID/exe names the file after symlinks: /usr/bin/python3 runs as /usr/bin/python3.11.
        try {
          const real = realpathSync(path);
          if (real !== path) binaries.push(real);
        } catch {
          // Not installed (yet): matches nothing unless it appears at that exact path.
        }
      }
    }
    return { name, allow: [...(rule?.allow ?? [])], ...(binaries ? { binaries } : {}) };
  });
  if (problems.length > 0) throw new Error(`invalid egress policy:\n  ${problems.join("\n  ")}`);
  return { rules };
}

async function defaultResolve(host: string): Promise<string[]> {
  const results = await dns.promises.lookup(host, { all: true, verbatim: true });
  return results.map((r) => r.address);
}

export class EgressProxy {
  readonly host = "127.0.0.1" as const;
  readonly port: number;
  /** Every decision so far (also passed to onDecision). */
  readonly decisions: Decision[] = [];

  readonly #server: net.Server;
  readonly #http: http.Server;
  readonly #policy: EgressPolicy;
  readonly #onDecision: ((d: Decision) => void) | undefined;
  readonly #resolve: (host: string) => Promise<string[]>;
  readonly #identify: boolean;
  /** Every socket, client or upstream, until it closes: close() destroys them. */
  readonly #sockets = new Set<net.Socket>();
  readonly #peers = new WeakMap<net.Socket, Promise<Peer | null>>();
  readonly #deadlines = new Map<net.Socket, NodeJS.Timeout>();
  #closing: Promise<void> | null = null;

  private constructor(server: net.Server, port: number, policy: EgressPolicy, options: ProxyOptions) {
    this.#server = server;
    this.port = port;
    this.#policy = policy;
    this.#onDecision = options.onDecision;
    this.#resolve = options.resolve ?? defaultResolve;
    this.#identify = options.identify ?? true;
    // Never listens: the net server hands it the connections that are not SOCKS5. No request timeout, so long
    // uploads and downloads work; idle keep-alive connections close after keepAliveTimeout.
    this.#http = http.createServer({ requestTimeout: 0, keepAliveTimeout: 5_000 });
    this.#http.on("request", (req, res) => {
      this.#onRequest(req, res).catch(() => res.destroy());
    });
    this.#http.on("connect", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      this.#onConnect(req, socket, head).catch(() => socket.destroy());
    });
    this.#http.on("upgrade", (_req: http.IncomingMessage, socket: net.Socket) => {
      this.#linger(
        socket,
        rawResponse(501, "cordon: protocol upgrades through a forward request are not supported: use CONNECT\n"),
      );
    });
    this.#http.on("clientError", (error: NodeJS.ErrnoException, socket: net.Socket) => {
      if (socket.writable && !socket.destroyed) {
        this.#linger(socket, rawResponse(400, `cordon: malformed HTTP request (${error.code ?? error.message})\n`));
      } else {
        socket.destroy();
      }
    });
    server.on("connection", (socket: net.Socket) => this.#onConnection(socket));
  }

  static async start(options: ProxyOptions): Promise<EgressProxy> {
    const policy = preparePolicy(options.policy);
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("egress proxy: no TCP address");
    return new EgressProxy(server, address.port, policy, options);
  }

  /** Stops listening and destroys every open tunnel. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
    });
    for (const timer of this.#deadlines.values()) clearTimeout(timer);
    this.#deadlines.clear();
    for (const socket of this.#sockets) socket.destroy();
    this.#http.close();
    return this.#closing;
  }

  get #closed(): boolean {
    return this.#closing !== null;
  }

  #track(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once("close", () => {
      this.#sockets.delete(socket);
      const timer = this.#deadlines.get(socket);
      if (timer) clearTimeout(timer);
      this.#deadlines.delete(socket);
    });
  }

  #handshakeDone(socket: net.Socket): void {
    const timer = this.#deadlines.get(socket);
    if (timer) clearTimeout(timer);
    this.#deadlines.delete(socket);
  }

  /** Sends a last reply and closes: the client gets LINGER_MS to read it and close its end. */
  #linger(socket: net.Socket, data: string | Buffer): void {
    this.#handshakeDone(socket);
    if (socket.destroyed) return;
    socket.end(data);
    socket.resume(); // read (and drop) what the client still sends, so its FIN is seen
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once("close", () => clearTimeout(timer));
  }

  #onConnection(socket: net.Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#track(socket);
    socket.on("error", () => {}); // a reset client: 'close' follows, and that is all that matters
    socket.setNoDelay(true);
    // Identify now, while the client certainly still holds the socket; /proc/net is read off the event loop.
    const peer = this.#identify
      ? identifyPeerAsync(socket.remotePort ?? 0, this.port).catch(() => null)
      : Promise.resolve(null);
    this.#peers.set(socket, peer);
    this.#deadlines.set(
      socket,
      setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS),
    );
    // A client that ends before its handshake is done will never finish it (the socket is half-open).
    socket.once("end", () => {
      if (this.#deadlines.has(socket)) socket.destroy();
    });
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      if (chunk[0] === 0x05) {
        this.#socks(socket, chunk);
      } else if (chunk[0] === 0x04) {
        this.#linger(socket, Buffer.from([0, 0x5b, 0, 0, 0, 0, 0, 0])); // SOCKS4: request rejected
      } else {
        socket.unshift(chunk);
        this.#http.emit("connection", socket);
        socket.resume();
      }
    });
    socket.resume(); // paused on connect, so no byte arrives before the listener
  }

  #record(
    peer: Peer | null,
    protocol: Decision["protocol"],
    host: string,
    port: number,
    address: string | null,
    verdict: { allowed: boolean; rule: string | null; reason: string },
  ): void {
    const decision: Decision = {
      time: new Date().toISOString(),
      pid: peer?.pid ?? null,
      sid: peer?.sid ?? null,
      exe: peer?.exe ?? null,
      protocol,
      host,
      port,
      address,
      allowed: verdict.allowed,
      rule: verdict.rule,
      reason: verdict.reason,
    };
    this.decisions.push(decision);
    try {
      this.#onDecision?.(decision);
    } catch {
      // The log is the caller's: a failing callback must not take the proxy down.
    }
  }

  /** Decides, resolves, and connects; records exactly one decision. */
  async #open(client: net.Socket, protocol: Decision["protocol"], rawHost: string, port: number): Promise<Opened> {
    const peer = (await this.#peers.get(client)) ?? null;
    const exe = peer?.exe ?? null;
    const from = peer ? `${peer.exe} (pid ${peer.pid})` : "an unidentified process";
    const host = normalizeHost(rawHost);
    if (host === null) {
      const reason = `invalid destination host ${JSON.stringify(rawHost)}`;
      this.#record(peer, protocol, rawHost, port, null, { allowed: false, rule: null, reason });
      return {
        ok: false,
        status: 400,
        socks: SOCKS.hostUnreachable,
        error: "http_request_error",
        reason,
        body: `cordon: ${reason}`,
      };
    }
    const dest = formatDestination(host, port);
    const isLiteral = parseIp(host) !== null;

    let evaluation: Evaluation | null = precheck(this.#policy, host, port, exe);
    let addresses: string[] = isLiteral ? [host] : [];
    if (evaluation === null) {
      try {
        addresses = await this.#resolve(host);
      } catch (error) {
        const reason = `${host} did not resolve (${errorCode(error)})`;
        this.#record(peer, protocol, host, port, null, { allowed: false, rule: null, reason });
        return {
          ok: false,
          status: 502,
          socks: SOCKS.hostUnreachable,
          error: "dns_error",
          reason,
          body: `cordon: ${reason}`,
        };
      }
      evaluation = evaluate(this.#policy, { host, port, addresses, exe });
    }
    if (!evaluation.allowed) {
      this.#record(peer, protocol, host, port, null, evaluation);
      const lines = [
        `cordon: refused ${protocol === "http" ? "a request to" : "a connection to"} ${dest}`,
        `reason: ${evaluation.reason}`,
        `from: ${from}`,
      ];
      if (evaluation.hint) lines.push(`to allow it: ${evaluation.hint}`);
      return {
        ok: false,
        status: 403,
        socks: SOCKS.notAllowed,
        error: "http_request_denied",
        reason: evaluation.reason,
        body: lines.join("\n"),
      };
    }

    // Connect to the resolved addresses themselves, in the resolver's order: never to the name again, so what
    // was decided is what is reached.
    let lastError: unknown = null;
    let lastAddress: string | null = null;
    for (const address of [...new Set(addresses.map((a) => normalizeHost(a) ?? a))]) {
      if (this.#closed || client.destroyed) break;
      lastAddress = address;
      try {
        const upstream = await this.#connect(address, port);
        if (this.#closed || client.destroyed) {
          upstream.destroy();
          break;
        }
        this.#record(peer, protocol, host, port, address, evaluation);
        return { ok: true, upstream };
      } catch (error) {
        lastError = error;
      }
    }
    const code = lastError === null ? "client went away" : errorCode(lastError);
    this.#record(peer, protocol, host, port, lastAddress, {
      allowed: true,
      rule: evaluation.rule,
      reason: `${evaluation.reason}; connection failed: ${code}`,
    });
    const at = lastAddress ? ` (${lastAddress})` : "";
    if (code === "ETIMEDOUT") {
      const reason = `connecting to ${dest}${at} timed out`;
      return {
        ok: false,
        status: 504,
        socks: SOCKS.hostUnreachable,
        error: "connection_timeout",
        reason,
        body: `cordon: ${reason}`,
      };
    }
    const socks =
      code === "ECONNREFUSED"
        ? SOCKS.refused
        : code === "ENETUNREACH"
          ? SOCKS.networkUnreachable
          : code === "EHOSTUNREACH"
            ? SOCKS.hostUnreachable
            : SOCKS.failure;
    const error = code === "ECONNREFUSED" ? "connection_refused" : "destination_unavailable";
    const reason = `could not connect to ${dest}${at}: ${code}`;
    return { ok: false, status: 502, socks, error, reason, body: `cordon: ${reason}` };
  }

  #connect(address: string, port: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      // An IP literal: net.connect does no lookup.
      const socket = net.connect({ host: address, port, allowHalfOpen: true });
      this.#track(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`connect to ${address}:${port} timed out`), { code: "ETIMEDOUT" }));
      }, CONNECT_TIMEOUT_MS);
      const onError = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once("error", onError);
      socket.once("close", () => {
        clearTimeout(timer);
        reject(Object.assign(new Error("closed while connecting"), { code: "ECONNABORTED" }));
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.off("error", onError);
        socket.on("error", () => {}); // from here on, splice() or the HTTP client handles it
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 60_000);
        resolve(socket);
      });
    });
  }

  async #onConnect(req: http.IncomingMessage, socket: net.Socket, head: Buffer): Promise<void> {
    socket.pause(); // nothing the client sends early is lost while the destination is decided
    this.#handshakeDone(socket);
    const target = splitAuthority(req.url ?? "");
    if (!target || target.port === null) {
      this.#linger(socket, rawResponse(400, `cordon: CONNECT needs HOST:PORT, got ${JSON.stringify(req.url)}\n`));
      return;
    }
    const opened = await this.#open(socket, "connect", target.host, target.port);
    if (!opened.ok) {
      this.#linger(
        socket,
        rawResponse(opened.status, `${opened.body}\n`, proxyStatusHeader(opened.error, opened.reason)),
      );
      return;
    }
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) opened.upstream.write(head);
    splice(socket, opened.upstream);
  }

  async #onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const socket = req.socket as net.Socket;
    this.#handshakeDone(socket);
    const reply = (status: number, body: string, proxyStatus?: string) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const headers: Record<string, string | number> = {
        "content-type": "text/plain; charset=utf-8",
        "content-length": Buffer.byteLength(`${body}\n`),
        connection: "close",
      };
      if (proxyStatus) headers["proxy-status"] = proxyStatus;
      res.writeHead(status, headers);
      res.end(`${body}\n`);
    };

    const url = req.url ?? "";
    if (!/^http:\/\//i.test(url)) {
      const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
      reply(
        400,
        scheme
          ? `cordon: this proxy forwards http:// URLs; for ${scheme}:// send CONNECT HOST:PORT`
          : `cordon: this is a proxy: send absolute-form requests (${req.method} http://HOST${url.startsWith("/") ? url : "/"}) or CONNECT HOST:PORT`,
      );
      return;
    }
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reply(400, `cordon: invalid URL ${JSON.stringify(url)}`);
      return;
    }
    if (target.username || target.password) {
      reply(400, "cordon: credentials in the URL are not forwarded; send an Authorization header");
      return;
    }
    const port = target.port ? Number(target.port) : 80;
    const host = normalizeHost(target.hostname);
    const hostHeaders = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]?.toLowerCase() === "host");
    if (hostHeaders.length > 1) {
      reply(400, "cordon: more than one Host header");
      return;
    }
    const hostHeader = req.headers.host;
    if (hostHeader !== undefined && host !== null) {
      const given = splitAuthority(hostHeader);
      const givenHost = given ? normalizeHost(given.host) : null;
      if (!given || givenHost !== host || (given.port ?? 80) !== port) {
        reply(
          400,
          `cordon: the Host header ${JSON.stringify(hostHeader)} disagrees with the request URL's ${formatDestination(host, port)}`,
        );
        return;
      }
    }

    const opened = await this.#open(socket, "http", target.hostname, port);
    if (!opened.ok) {
      reply(opened.status, opened.body, proxyStatusHeader(opened.error, opened.reason));
      return;
    }
    const headers = forwardable(req.rawHeaders);
    if (hostHeader === undefined) headers.push("Host", target.host);
    const upstreamRequest = http.request({
      // No agent: this one connection, already open to the decided address (Connection: close upstream).
      createConnection: () => opened.upstream,
      method: req.method,
      path: `${target.pathname}${target.search}`,
      headers,
    });
    upstreamRequest.on("response", (upstreamResponse) => {
      res.writeHead(
        upstreamResponse.statusCode ?? 502,
        upstreamResponse.statusMessage,
        forwardable(upstreamResponse.rawHeaders),
      );
      pipeline(upstreamResponse, res, (error) => {
        if (error) {
          res.destroy();
          upstreamRequest.destroy();
        }
      });
    });
    upstreamRequest.on("error", (error) => {
      opened.upstream.destroy();
      reply(502, `cordon: ${formatDestination(host ?? target.hostname, port)} failed: ${errorCode(error)}`);
    });
    res.on("close", () => {
      if (!res.writableFinished) upstreamRequest.destroy();
    });
    pipeline(req, upstreamRequest, (error) => {
      if (error) upstreamRequest.destroy();
    });
  }

  #socks(socket: net.Socket, first: Buffer): void {
    let buffer = first;
    let greeted = false;
    const stop = () => socket.off("data", onData);
    const fail = (code: number) => {
      stop();
      this.#linger(socket, socksReply(code));
    };
    const step = () => {
      if (!greeted) {
        // VER NMETHODS METHODS...
        if (buffer.length < 2) return;
        const count = buffer[1] ?? 0;
        if (buffer.length < 2 + count) return;
        const methods = buffer.subarray(2, 2 + count);
        buffer = buffer.subarray(2 + count);
        if (!methods.includes(0x00)) {
          stop();
          this.#linger(socket, Buffer.from([5, 0xff])); // no acceptable method: only "no authentication"
          return;
        }
        socket.write(Buffer.from([5, 0x00]));
        greeted = true;
      }
      // VER CMD RSV ATYP DST.ADDR DST.PORT
      if (buffer.length < 5) return;
      if (buffer[0] !== 5) {
        stop();
        socket.destroy();
        return;
      }
      const command = buffer[1];
      const type = buffer[3];
      let host: string;
      let end: number;
      if (type === 0x01) {
        end = 4 + 4;
        if (buffer.length < end + 2) return;
        host = [...buffer.subarray(4, end)].join(".");
      } else if (type === 0x04) {
        end = 4 + 16;
        if (buffer.length < end + 2) return;
        host = `[${(buffer.subarray(4, end).toString("hex").match(/.{4}/g) ?? []).join(":")}]`;
      } else if (type === 0x03) {
        const length = buffer[4] ?? 0;
        end = 5 + length;
        if (buffer.length < end + 2) return;
        host = buffer.subarray(5, end).toString("latin1");
      } else {
        fail(SOCKS.addressNotSupported);
        return;
      }
      const port = buffer.readUInt16BE(end);
      const rest = buffer.subarray(end + 2);
      if (command !== 0x01) {
        fail(SOCKS.commandNotSupported); // only CONNECT: no BIND, no UDP ASSOCIATE
        return;
      }
      stop();
      socket.pause();
      this.#handshakeDone(socket);
      this.#socksConnect(socket, host, port, rest).catch(() => socket.destroy());
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      step();
    };
    socket.on("data", onData);
    step();
    if (!socket.destroyed && socket.listenerCount("data") > 0) socket.resume();
  }

  async #socksConnect(socket: net.Socket, host: string, port: number, rest: Buffer): Promise<void> {
    const opened = await this.#open(socket, "socks5", host, port);
    if (!opened.ok) {
      this.#linger(socket, socksReply(opened.socks));
      return;
    }
    const { upstream } = opened;
    socket.write(socksReply(SOCKS.ok, upstream.localAddress, upstream.localPort));
    if (rest.length > 0) upstream.write(rest);
    splice(socket, upstream);
  }
}
