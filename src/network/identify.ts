/** Who is behind a TCP connection to the proxy: the socket in /proc/net/tcp,
 * the processes holding it, their executable and session. Linux only. Every
 * identification reads /proc afresh, after the connection was accepted:
 * nothing is cached, since pids, ports and socket inodes are all reused.
 * docs/network.md ("Identification") has the costs. */
import { promises as fsp, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { endianness } from "node:os";

export interface Peer {
  pid: number;
  sid: number;
  exe: string;
}

/** The client end of a connection: its inode and the uid that created it. */
interface SocketEntry {
  inode: number;
  uid: number;
}

interface Query {
  clientPort: number;
  proxyPort: number;
}

const TABLES = ["/proc/net/tcp", "/proc/net/tcp6"] as const;
const LITTLE_ENDIAN = endianness() === "LE";
/** The asynchronous scan of /proc yields to the event loop after this long. */
const SLICE_MS = 2;

/** An address as /proc/net/tcp{,6} prints it (32-bit words in host byte order, hex) as bytes. */
function decodeProcAddress(hex: string): number[] | null {
  if (hex.length !== 8 && hex.length !== 32) return null;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word: number[] = [];
    for (let b = 0; b < 8; b += 2) word.push(Number.parseInt(hex.slice(w + b, w + b + 2), 16));
    if (LITTLE_ENDIAN) word.reverse();
    bytes.push(...word);
  }
  return bytes.some(Number.isNaN) ? null : bytes;
}

/** 127.0.0.1 or ::ffff:127.0.0.1: the proxy's address. */
function isProxyAddress(bytes: number[]): boolean {
  if (bytes.length === 16) {
    for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
    if (bytes[10] !== 0xff || bytes[11] !== 0xff) return false;
  }
  const v4 = bytes.length === 4 ? bytes : bytes.slice(12);
  return v4[0] === 127 && v4[1] === 0 && v4[2] === 0 && v4[3] === 1;
}

/** Connections to 127.0.0.1 in one table, keyed "localPort remotePort": for a client of the proxy, its own port
 * and the proxy's. */
function parseTable(text: string): Map<string, SocketEntry[]> {
  const table = new Map<string, SocketEntry[]>();
  for (const line of text.split("\n")) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[0] === "sl" || f[3] === "0A") continue; // the header; LISTEN
    const [, localPort] = (f[1] ?? "").split(":");
    const [remoteAddr, remotePort] = (f[2] ?? "").split(":");
    const remote = decodeProcAddress(remoteAddr ?? "");
    if (!remote || !isProxyAddress(remote)) continue;
    const inode = Number(f[9]);
    const uid = Number(f[7]);
    // inode 0: TIME_WAIT and other states with no socket left.
    if (!Number.isInteger(inode) || inode <= 0 || !Number.isInteger(uid)) continue;
    const key = `${Number.parseInt(localPort ?? "", 16)} ${Number.parseInt(remotePort ?? "", 16)}`;
    const list = table.get(key);
    if (list) list.push({ inode, uid });
    else table.set(key, [{ inode, uid }]);
  }
  return table;
}

/** The client sockets of several queries. /proc/net/tcp is read first, and /proc/net/tcp6 only for queries not
 * found there: each read walks the kernel's whole established-connection hash table (milliseconds on a machine
 * with a lot of memory, more with many TIME_WAIT entries), so one read serves every query. One connection is one
 * 4-tuple: anything but exactly one socket for a query is a failure (null). */
function* findSockets(queries: Query[]): Generator<string, (SocketEntry | null)[], string | null> {
  const result: (SocketEntry | null)[] = queries.map(() => null);
  const done = queries.map(() => false);
  for (const table of TABLES) {
    if (done.every(Boolean)) break;
    const text = yield table; // the driver reads the file
    if (text === null) continue; // no IPv6 in this kernel
    const parsed = parseTable(text);
    queries.forEach((q, i) => {
      const found = parsed.get(`${q.clientPort} ${q.proxyPort}`);
      if (done[i] || !found) return;
      done[i] = true;
      result[i] = new Set(found.map((s) => s.inode)).size === 1 ? (found[0] ?? null) : null;
    });
  }
  return result;
}

/** True for a zombie or a process being torn down (state Z, X or x), or one
 * that is gone: it has no open files left. */
function isDead(pid: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.charAt(stat.lastIndexOf(")") + 2);
    return state === "Z" || state === "X" || state === "x";
  } catch {
    return true;
  }
}

/** False only for a process that certainly runs without no_new_privs. The
 * launcher sets no_new_privs before every command, and nothing clears it, so
 * such a process is not in any sandbox: an ssh-agent of the same user, which
 * makes itself undumpable, cannot be holding the command's socket. */
function mayBeSandboxed(pid: string): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    return !/^NoNewPrivs:\s+0$/m.test(status);
  } catch {
    return false; // exited
  }
}

/** The real, effective, saved and filesystem uids of a process; empty when it exited. */
function uidsOf(pid: string): number[] {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    const m = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
    return m ? m.slice(1).map(Number) : [];
  } catch {
    return [];
  }
}

/**
 * For each socket, every pid with an open fd on it, from one scan of /proc/PID/fd; null for a socket whose
 * holders are uncertain. Yields after each process, so a driver can pause.
 *
 * Only processes running as a socket's uid are scanned: another user's process cannot have been handed the
 * command's socket (the sandbox reaches no other user's process). A process that made itself undumpable
 * (prctl PR_SET_DUMPABLE 0) shows /proc/PID as root's and hides its fds from its own user; its real uids come from
 * /proc/PID/status, and when it runs as a socket's uid, cannot be inspected and may be sandboxed, that socket's
 * holders are uncertain.
 */
function* scanHolders(sockets: SocketEntry[]): Generator<undefined, Map<number, number[] | null>> {
  const holders = new Map<number, number[] | null>();
  const byLink = new Map<string, SocketEntry>();
  const uids = new Set<number>();
  for (const s of sockets) {
    holders.set(s.inode, []);
    byLink.set(`socket:[${s.inode}]`, s);
    uids.add(s.uid);
  }
  if (sockets.length === 0) return holders;
  let pids: string[];
  try {
    pids = readdirSync("/proc");
  } catch {
    for (const s of sockets) holders.set(s.inode, null);
    return holders;
  }
  for (const pid of pids) {
    const c = pid.charCodeAt(0);
    if (c < 48 || c > 57) continue; // not a process
    yield undefined;
    let owner: number;
    try {
      owner = statSync(`/proc/${pid}`).uid;
    } catch {
      continue; // exited
    }
    let runsAs: number[] = [owner];
    if (!uids.has(owner)) {
      if (owner !== 0) continue; // another user's
      runsAs = uidsOf(pid); // root's, or undumpable
      if (!runsAs.some((u) => uids.has(u))) continue;
    }
    const dir = `/proc/${pid}/fd`;
    let fds: string[];
    try {
      fds = readdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // exited
      // A zombie or exiting process hides its fds from its own user too,
      // but it holds none: skipping it keeps one zombie of the user from
      // failing every identification (found by the escape suite).
      if (isDead(pid) || !mayBeSandboxed(pid)) continue;
      for (const s of sockets) if (runsAs.includes(s.uid)) holders.set(s.inode, null);
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`${dir}/${fd}`);
      } catch {
        continue; // closed meanwhile
      }
      const s = byLink.get(link);
      if (s === undefined) continue;
      const list = holders.get(s.inode);
      if (list && !list.includes(Number(pid))) list.push(Number(pid));
    }
  }
  return holders;
}

/** The session id of a process: field 6 of /proc/PID/stat. */
function sessionOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // pid (comm) state ppid pgrp session ...; comm may hold spaces and ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const sid = Number(fields[3]);
    return Number.isInteger(sid) ? sid : null;
  } catch {
    return null;
  }
}

/** The peer behind a socket from its holders: null unless they all run one executable. */
function peerOf(holders: number[] | null | undefined): Peer | null {
  if (!holders || holders.length === 0) return null;
  let exe: string | null = null;
  for (const pid of holders) {
    let path: string;
    try {
      path = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      return null; // exited, or not ours to inspect
    }
    if (exe !== null && path !== exe) return null; // two programs share the socket: cannot tell which one speaks
    exe = path;
  }
  const pid = Math.min(...holders);
  const sid = sessionOf(pid);
  if (exe === null || sid === null) return null;
  return { pid, sid, exe };
}

/** A socket whose holders could not all be inspected: worth asking again. */
const UNCERTAIN = "uncertain";
type Outcome = Peer | null | typeof UNCERTAIN;

/** The whole identification of a batch of queries, as a generator: it yields a file name to read (and resumes
 * with its text), or undefined where a driver may pause. */
function* identifyAll(queries: Query[]): Generator<string | undefined, Outcome[], string | null> {
  const sockets = yield* findSockets(queries);
  const holders = yield* scanHolders(sockets.filter((s): s is SocketEntry => s !== null));
  return sockets.map((s) => {
    if (s === null) return null;
    const list = holders.get(s.inode);
    return list === null ? UNCERTAIN : peerOf(list);
  });
}

function readSync(file: string): string | null {
  try {
    return readFileSync(file, "latin1");
  } catch {
    return null;
  }
}

async function readAsync(file: string): Promise<string | null> {
  try {
    return await fsp.readFile(file, "latin1");
  } catch {
    return null;
  }
}

/**
 * Who is behind a TCP connection to the proxy: the client socket's local port (remotePort as seen by the proxy)
 * -> /proc/net/tcp and /proc/net/tcp6 inode -> the pid holding socket:[inode] in /proc/PID/fd -> readlink
 * /proc/PID/exe, and the session id from /proc/PID/stat (field 6). Null when any step fails; when processes hold
 * the socket with different executables (a fork after connect, an fd passed on), since which one speaks cannot be
 * told; and when a process of the socket's user cannot be inspected. When every holder runs the same executable,
 * the lowest pid is returned.
 */
export function identifyPeer(clientPort: number, proxyPort: number): Peer | null {
  const run = identifyAll([{ clientPort, proxyPort }]);
  let step = run.next(null);
  while (!step.done) step = run.next(step.value === undefined ? null : readSync(step.value));
  const outcome = step.value[0];
  return outcome === UNCERTAIN || outcome === undefined ? null : outcome;
}

/** Runs one batch off the event loop as far as possible: files are read by the thread pool, and the scan of /proc
 * gives the event loop back every SLICE_MS. */
async function identifyBatch(queries: Query[]): Promise<Outcome[]> {
  const run = identifyAll(queries);
  let started = performance.now();
  let step = run.next(null);
  while (!step.done) {
    if (step.value !== undefined) {
      step = run.next(await readAsync(step.value));
      started = performance.now();
      continue;
    }
    if (performance.now() - started > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      started = performance.now();
    }
    step = run.next(null);
  }
  return step.value;
}

/** Delays before asking again about a socket whose holders were uncertain. The usual cause is passing: a
 * launcher of the same user between its identity switch and exec is undumpable for a few milliseconds (the
 * kernel makes a process undumpable when its uids change). A process that stays undumpable still fails closed. */
const RETRY_MS = [10, 40, 120];

interface Pending {
  query: Query;
  attempt: number;
  resolve: (peer: Peer | null) => void;
}

/** Batches the identifications that arrive together: a batch starts after each of its connections was accepted,
 * so nothing it reads predates them, and one read of /proc/net/tcp and one scan of /proc serve the whole batch.
 * Under load (hundreds of connections at once) that is the difference between seconds and milliseconds. */
class Identifier {
  #queue: Pending[] = [];
  #running = false;

  identify(query: Query): Promise<Peer | null> {
    return new Promise((resolve) => this.#enqueue({ query, attempt: 0, resolve }));
  }

  #enqueue(pending: Pending): void {
    this.#queue.push(pending);
    if (!this.#running) void this.#run();
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0);
        let outcomes: Outcome[];
        try {
          outcomes = await identifyBatch(batch.map((b) => b.query));
        } catch {
          outcomes = [];
        }
        batch.forEach((b, i) => {
          const outcome = outcomes[i] ?? null;
          const delay = RETRY_MS[b.attempt];
          if (outcome !== UNCERTAIN) b.resolve(outcome);
          else if (delay === undefined) b.resolve(null);
          else setTimeout(() => this.#enqueue({ ...b, attempt: b.attempt + 1 }), delay).unref();
        });
      }
    } finally {
      this.#running = false;
    }
  }
}

const identifier = new Identifier();

/** identifyPeer without blocking the event loop for long, batching concurrent calls. */
export function identifyPeerAsync(clientPort: number, proxyPort: number): Promise<Peer | null> {
  return identifier.identify({ clientPort, proxyPort });
}
