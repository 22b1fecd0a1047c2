#!/usr/bin/env node
// The egress proxy's cost, against a direct loopback connection in the same
// run: per-connection latency (connect, one request, one reply) and
// throughput through one CONNECT tunnel. Interleaved, median and p95, ratio
// to direct. Local traffic only (127.0.0.1).
//
//   npm run build && npm run bench:proxy [-- --quick]
import { writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
const { EgressProxy } = await import(join(root, "dist", "network", "index.js"));
const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 40 : 200;
const BYTES = (quick ? 64 : 256) * 1024 * 1024;

// A server that answers "pong" to "ping", or streams BYTES after "bulk".
const chunk = Buffer.alloc(1024 * 1024, 7);
const server = createServer((socket) => {
  socket.once("data", (data) => {
    if (data.toString() === "ping") {
      socket.end("pong");
      return;
    }
    let left = BYTES;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return socket.once("drain", pump);
      }
      socket.end();
    };
    pump();
  });
  socket.on("error", () => {});
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const port = server.address().port;

const policy = { rules: [{ name: "bench", allow: [`127.0.0.1:${port}`] }] };
const identified = await EgressProxy.start({ policy });
const anonymous = await EgressProxy.start({ policy, identify: false });

/** A socket to the server, directly or through a CONNECT tunnel. */
function open(proxy) {
  return new Promise((done, fail) => {
    const socket = connect(proxy ? proxy.port : port, "127.0.0.1");
    socket.on("error", fail);
    if (!proxy) return socket.once("connect", () => done(socket));
    socket.once("connect", () => socket.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    let head = "";
    const onData = (data) => {
      head += data.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      if (!/^HTTP\/1\.[01] 200/.test(head)) return fail(new Error(head.split("\r\n")[0]));
      done(socket);
    };
    socket.on("data", onData);
  });
}

async function pingPong(proxy) {
  const started = process.hrtime.bigint();
  const socket = await open(proxy);
  socket.write("ping");
  await new Promise((done) => {
    socket.once("data", () => done());
  });
  socket.destroy();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function bulk(proxy) {
  const socket = await open(proxy);
  const started = process.hrtime.bigint();
  socket.write("bulk");
  let got = 0;
  await new Promise((done) => {
    socket.on("data", (d) => {
      got += d.length;
    });
    socket.on("end", done);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (got !== BYTES) throw new Error(`short transfer: ${got} of ${BYTES}`);
  return BYTES / seconds / 1e9;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)] };
};

const contenders = [
  { id: "direct", label: "direct loopback connection", proxy: null },
  { id: "proxy", label: "CONNECT through the proxy (process identified)", proxy: identified },
  { id: "proxy-anon", label: "CONNECT through the proxy (identification off)", proxy: anonymous },
];
const latency = Object.fromEntries(contenders.map((c) => [c.id, []]));
for (let i = 0; i < 10; i++) for (const c of contenders) await pingPong(c.proxy);
for (let i = 0; i < ROUNDS; i++) {
  for (let k = 0; k < contenders.length; k++) {
    const c = contenders[(i + k) % contenders.length];
    latency[c.id].push(await pingPong(c.proxy));
  }
}
const throughput = Object.fromEntries(contenders.map((c) => [c.id, []]));
for (let i = 0; i < (quick ? 2 : 5); i++) {
  for (const c of contenders) throughput[c.id].push(await bulk(c.proxy));
}
await identified.close();
await anonymous.close();
server.close();

const base = stats(latency.direct).median;
const baseGbps = stats(throughput.direct).median;
const rows = contenders.map((c) => {
  const l = stats(latency[c.id]);
  const t = stats(throughput[c.id]);
  return {
    id: c.id,
    label: c.label,
    latency_ms: l,
    latency_ratio: l.median / base,
    throughput_gbps: t.median,
    throughput_ratio: t.median / baseGbps,
  };
});
const lines = [
  `| contender | latency median | p95 | ratio | throughput (GB/s, median) | ratio |`,
  `|---|---:|---:|---:|---:|---:|`,
  ...rows.map(
    (r) =>
      `| ${r.label} | ${r.latency_ms.median.toFixed(3)} ms | ${r.latency_ms.p95.toFixed(3)} ms | ${r.latency_ratio.toFixed(2)}x | ${r.throughput_gbps.toFixed(2)} | ${r.throughput_ratio.toFixed(2)}x |`,
  ),
];
process.stdout.write(
  `proxy bench: ${ROUNDS} interleaved connections each, ${BYTES / 1024 / 1024} MiB transfers; ${cpus().length} CPUs\n${lines.join("\n")}\n`,
);
if (!quick) {
  writeFileSync(
    join(root, "bench", "results", "proxy.json"),
    `${JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, bytes: BYTES, rows }, null, 2)}\n`,
  );
  writeFileSync(join(root, "bench", "results", "proxy.md"), `${lines.join("\n")}\n`);
}
