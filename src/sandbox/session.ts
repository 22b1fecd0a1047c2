import { readdirSync, readFileSync } from "node:fs";

/** The pids of every process in a session. The SDK runs each command in a
 * session of its own with setsid() refused inside (--lock-session), so this
 * finds all of them, daemonized or not. */
export function sessionPids(sid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp session ...; comm may hold spaces and ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[3]) === sid) pids.push(Number(entry));
  }
  return pids;
}

/** Sends signal to every process of the session. */
export function killSession(sid: number, signal: NodeJS.Signals): void {
  for (const pid of sessionPids(sid)) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile, or not ours to signal
    }
  }
}
