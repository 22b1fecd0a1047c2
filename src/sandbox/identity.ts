import { execFileSync } from "node:child_process";

export interface Identity {
  uid: number;
  gid: number;
}

function getent(database: "passwd" | "group", key: string): string[] | undefined {
  try {
    const line = execFileSync("getent", [database, key], { encoding: "utf8" }).split("\n")[0];
    return line ? line.split(":") : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves a user (and group) given as names or numbers the way the
 * launcher does: without a group, the user's primary group. The launcher
 * resolves again and is the authority; this is for the files cordon creates
 * for the run (the private TMPDIR and HOME), which the user must own. */
export function resolveIdentity(user: string, group?: string): Identity {
  const numeric = (s: string) => /^\d+$/.test(s);
  const pw = getent("passwd", user);
  let uid: number;
  if (numeric(user)) uid = Number(user);
  else if (pw) uid = Number(pw[2]);
  else throw new Error(`--user: no user named '${user}'`);

  let gid: number;
  if (group !== undefined) {
    if (numeric(group)) gid = Number(group);
    else {
      const gr = getent("group", group);
      if (!gr) throw new Error(`--group: no group named '${group}'`);
      gid = Number(gr[2]);
    }
  } else if (pw) {
    gid = Number(pw[3]);
  } else {
    throw new Error(`--user: uid ${user} has no passwd entry: give --group too`);
  }
  return { uid, gid };
}
