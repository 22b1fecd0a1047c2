// Escape suite, network with the default --net none: a hostile command
// tries TCP and UDP to listeners the test serves on 127.0.0.1 and ::1, DNS,
// the cloud metadata address, raw and packet sockets, and listening for
// inbound connections. Each attempt must fail at socket() (the seccomp
// filter: EPERM, or EAFNOSUPPORT for odd families) and the listener must
// see nothing, while the same attack with --net host does reach it (the
// control: the test's listener is real). What netlink still shows is
// asserted as documented. Scenario ids match docs/escape-scenarios.md.
// (The egress proxy's scenarios come with the network issue.)
import assert from "node:assert/strict";
import { createSocket, type Socket as DgramSocket } from "node:dgram";
import { type AddressInfo, createServer, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import { ACTORS, type Arena, makeArena, py, requireTool, results, sandboxed, sh, sleep, waitFor } from "./harness.js";

interface TcpListener {
  port: number;
  connections(): number;
  close(): Promise<void>;
}

function tcpListener(host: string): Promise<TcpListener> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    socket.on("error", () => {});
    socket.end("hello from the host\n");
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, host, () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        connections: () => count,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    );
  });
}

interface UdpListener {
  port: number;
  datagrams(): string[];
  close(): void;
}

function udpListener(type: "udp4" | "udp6", host: string): Promise<UdpListener> {
  const received: string[] = [];
  const socket: DgramSocket = createSocket(type);
  socket.on("message", (msg) => received.push(msg.toString()));
  return new Promise((resolve, reject) => {
    socket.on("error", reject);
    socket.bind(0, host, () =>
      resolve({ port: socket.address().port, datagrams: () => received, close: () => socket.close() }),
    );
  });
}

/** Attempts as python attack lines: socket() (with the family and type
 * given as module constants), then connect or sendto. */
const tcp = (name: string, family: string, host: string, port: number) =>
  `def ${name}():\n` +
  `    s = socket.socket(socket.${family}, socket.SOCK_STREAM)\n` +
  `    s.settimeout(3)\n` +
  `    s.connect((${JSON.stringify(host)}, ${port}))\n` +
  `    return s.recv(100).decode().strip()\n` +
  `t(${JSON.stringify(name)}, ${name})\n`;

const udp = (name: string, family: string, host: string, port: number) =>
  `def ${name}():\n` +
  `    s = socket.socket(socket.${family}, socket.SOCK_DGRAM)\n` +
  `    s.sendto(b"exfiltrated", (${JSON.stringify(host)}, ${port}))\n` +
  `t(${JSON.stringify(name)}, ${name})\n`;

for (const actor of ACTORS) {
  describe(`network escapes with --net none as ${actor.name}`, { concurrency: true }, () => {
    let a: Arena;
    before(() => {
      a = makeArena(actor);
    });
    after(() => a.cleanup());

    const run = (code: string, flags: string[] = []) => sandboxed(actor, a, py(code), { flags });

    it("NET-01 tcp-loopback: TCP to a listener on 127.0.0.1 is refused at socket(); with --net host it connects (control)", async () => {
      const server = await tcpListener("127.0.0.1");
      try {
        const code = tcp("tcp4", "AF_INET", "127.0.0.1", server.port);
        const none = results((await run(code)).stdout);
        assert.equal(none.tcp4, "EPERM");
        await sleep(50);
        assert.equal(server.connections(), 0);
        const host = results((await run(code, ["--net", "host"])).stdout);
        assert.equal(host.tcp4, "ok:hello from the host");
        assert.equal(server.connections(), 1);
      } finally {
        await server.close();
      }
    });

    it("NET-02 udp-loopback: a UDP datagram to a listener on 127.0.0.1 is refused at socket() and never arrives; with --net host it does", async () => {
      const server = await udpListener("udp4", "127.0.0.1");
      try {
        const code = udp("udp4", "AF_INET", "127.0.0.1", server.port);
        assert.equal(results((await run(code)).stdout).udp4, "EPERM");
        await sleep(100);
        assert.deepEqual(server.datagrams(), []);
        assert.equal(results((await run(code, ["--net", "host"])).stdout).udp4, "ok");
        assert.ok(await waitFor(() => server.datagrams().length === 1, 2000));
        assert.deepEqual(server.datagrams(), ["exfiltrated"]);
      } finally {
        server.close();
      }
    });

    it("NET-03 ipv6-loopback: TCP and UDP to listeners on ::1 are refused at socket(); with --net host TCP connects", async () => {
      const server = await tcpListener("::1");
      const dgram = await udpListener("udp6", "::1");
      try {
        const code = tcp("tcp6", "AF_INET6", "::1", server.port) + udp("udp6", "AF_INET6", "::1", dgram.port);
        const none = results((await run(code)).stdout);
        assert.equal(none.tcp6, "EPERM");
        assert.equal(none.udp6, "EPERM");
        await sleep(100);
        assert.equal(server.connections(), 0);
        assert.deepEqual(dgram.datagrams(), []);
        const host = results((await run(tcp("tcp6", "AF_INET6", "::1", server.port), ["--net", "host"])).stdout);
        assert.equal(host.tcp6, "ok:hello from the host");
      } finally {
        await server.close();
        dgram.close();
      }
    });

    it("NET-04 dns: names do not resolve (the resolver's socket is refused) though /etc/resolv.conf is readable; localhost resolves from /etc/hosts", async () => {
      const r = await run(
        `t("resolv-conf", lambda: "readable" if open("/etc/resolv.conf").read() is not None else "")\n` +
          `t("gai", lambda: socket.getaddrinfo("cordon-escape.example.com", 443)[0][4][0])\n` +
          `t("gai-ip-literal-v4", lambda: socket.getaddrinfo("169.254.169.254", 80)[0][4][0])\n` +
          `t("dns-socket", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"q", ("127.0.0.53", 53)))\n` +
          `t("localhost", lambda: socket.getaddrinfo("localhost", 80, socket.AF_INET)[0][4][0])`,
      );
      const res = results(r.stdout);
      assert.equal(res["resolv-conf"], "ok:readable");
      assert.match(res.gai ?? "", /^gai:-?\d+$/, `a name resolved: ${r.stdout}`);
      // Numeric hosts are parsed, not resolved: no packet is involved.
      assert.equal(res["gai-ip-literal-v4"], "ok:169.254.169.254");
      assert.equal(res["dns-socket"], "EPERM");
      assert.equal(res.localhost, "ok:127.0.0.1");
    });

    it("NET-05 metadata: the cloud metadata address 169.254.169.254 (and its IPv6 fd00:ec2::254) is refused at once, not after a timeout", async () => {
      const started = Date.now();
      const r = await run(
        `import time\n` +
          `start = time.monotonic()\n` +
          `t("imds-v4", lambda: socket.create_connection(("169.254.169.254", 80), timeout=5))\n` +
          `t("imds-v6", lambda: socket.create_connection(("fd00:ec2::254", 80), timeout=5))\n` +
          `show("seconds", round(time.monotonic() - start))`,
      );
      const res = results(r.stdout);
      assert.equal(res["imds-v4"], "EPERM", r.stdout + r.stderr);
      assert.equal(res["imds-v6"], "EPERM");
      assert.equal(res.seconds, "ok:0");
      assert.ok(Date.now() - started < 5000);
    });

    it("NET-06 raw-and-packet: raw IP, ICMP (ping) and packet sockets are refused; netlink route sockets open (documented)", async () => {
      const r = await run(
        `t("raw-icmp", socket.socket, socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)\n` +
          `t("raw-ip6", socket.socket, socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)\n` +
          `t("ping-dgram", socket.socket, socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)\n` +
          `t("packet", socket.socket, socket.AF_PACKET, socket.SOCK_RAW, 0)\n` +
          `t("vsock", socket.socket, 40, socket.SOCK_STREAM, 0)\n` +
          `t("netlink-route", socket.socket, socket.AF_NETLINK, socket.SOCK_RAW, 0)`,
      );
      const res = results(r.stdout);
      assert.deepEqual(res, {
        "raw-icmp": "EPERM",
        "raw-ip6": "EPERM",
        "ping-dgram": "EPERM",
        packet: "EAFNOSUPPORT",
        vsock: "EAFNOSUPPORT",
        "netlink-route": "ok",
      });
    });

    it("NET-07 listen: the command cannot bind or listen on TCP or UDP (no inbound channel)", async () => {
      const r = await run(
        `def listen(family, kind, host):\n` +
          `    s = socket.socket(family, kind)\n` +
          `    s.bind((host, 0))\n` +
          `t("tcp4", listen, socket.AF_INET, socket.SOCK_STREAM, "0.0.0.0")\n` +
          `t("tcp6", listen, socket.AF_INET6, socket.SOCK_STREAM, "::")\n` +
          `t("udp4", listen, socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1")`,
      );
      assert.deepEqual(results(r.stdout), { tcp4: "EPERM", tcp6: "EPERM", udp4: "EPERM" });
    });

    it("NET-08 netlink-diag: the host's listening sockets cannot be listed through netlink sock_diag; routing netlink still works", async () => {
      requireTool("ss", "iproute2");
      const server = await tcpListener("127.0.0.1");
      try {
        const r = await sandboxed(
          actor,
          a,
          sh(
            "ss -Htln 2>&1; cat /proc/net/tcp >/dev/null 2>&1; echo procnet=$?; ip -o link show lo >/dev/null; echo ip=$?",
          ),
        );
        // /proc/net is not granted, and NETLINK_SOCK_DIAG, which answers the
        // same question, is refused by the seccomp filter.
        assert.doesNotMatch(r.stdout, new RegExp(`127\\.0\\.0\\.1:${server.port}\\b`));
        assert.match(r.stdout, /Cannot open netlink socket: Operation not permitted/);
        assert.match(r.stdout, /procnet=1\n/);
        assert.match(r.stdout, /ip=0\n/, "NETLINK_ROUTE (interfaces, addresses) stays allowed");
      } finally {
        await server.close();
      }
    });
  });
}
