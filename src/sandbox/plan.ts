import { lstatSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { LaunchSpec } from "../launcher/spec.js";
import type { ResolvedPolicy } from "../policy/resolve.js";
import type { Scratch } from "./scratch.js";

/** The workdir is granted read+write+exec, and it often sits inside a
 * directory an earlier sandboxed run could write (a project's
 * subdirectory). A symlink planted there would move that grant anywhere: a
 * workdir is refused when any of its components is a symlink leading outside
 * the directory that holds it (project/packages -> /etc, also as
 * project/packages/sub). A link that stays inside its directory is harmless.
 * The error names the resolved path to give when such a link is intended. */
function refuseEscapingLinks(path: string): void {
  const parts = path.split("/").filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const prefix = `/${parts.slice(0, i).join("/")}`;
    let isLink = false;
    try {
      isLink = lstatSync(prefix).isSymbolicLink();
    } catch {
      return; // missing: reported by the caller
    }
    if (!isLink) continue;
    let target: string;
    let parent: string;
    try {
      target = realpathSync(prefix);
      parent = realpathSync(dirname(prefix));
    } catch {
      return; // a dangling link: the caller reports the workdir missing
    }
    if (target === parent || target.startsWith(parent === "/" ? "/" : `${parent}/`)) continue;
    let resolved = "";
    try {
      resolved = `; give the resolved path ${realpathSync(path)} if it is intended`;
    } catch {
      // the workdir itself is missing beyond the link
    }
    throw new Error(
      `workdir ${path}: ${prefix} is a symbolic link to ${target}, outside ${parent}: refusing it ` +
        `(a sandboxed command may have planted it)${resolved}`,
    );
  }
}

/** Checks that the workdir exists and is a directory; returns it absolute. */
export function checkWorkdir(workdir: string): string {
  const path = resolve(workdir);
  refuseEscapingLinks(path);
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new Error(`workdir ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!stat.isDirectory()) throw new Error(`workdir ${path}: not a directory`);
  return path;
}

/** Compiles an effective policy into the launcher spec for one run. The
 * private scratch directory, when the policy asks for one, is granted
 * read+write+exec and becomes TMPDIR and HOME. */
export function planRun(
  policy: ResolvedPolicy,
  workdir: string,
  scratch?: Pick<Scratch, "root" | "tmp" | "home">,
  proxyPort?: number,
): Omit<LaunchSpec, "command"> {
  if (policy.network === "proxy" && proxyPort === undefined) {
    throw new Error("the policy asks for the egress proxy but none is running");
  }
  const rules = policy.rules.map(({ path, access, optional }) => ({ path, access, optional }));
  const setenv: Record<string, string> = {};
  if (policy.privateTmp) {
    if (!scratch) throw new Error("the policy asks for a private TMPDIR but none was created");
    rules.push({ path: scratch.root, access: "rwx", optional: false });
    setenv.TMPDIR = scratch.tmp;
    setenv.HOME = scratch.home;
  }
  return {
    rules,
    net: policy.network === "host" ? "host" : "none",
    // The proxy's port is the only way out in proxy mode; direct ports are
    // the policy's explicit exceptions.
    allowTcpConnect: [
      ...(policy.network === "proxy" && proxyPort !== undefined ? [proxyPort] : []),
      ...policy.directTcpPorts,
    ],
    compat: policy.compat,
    acceptGaps: policy.acceptGaps,
    minAbi: policy.minAbi,
    cwd: workdir,
    setenv,
    user: policy.user,
    group: policy.group,
    allowUnixSockets: policy.allowUnixSockets,
    newSession: policy.newSession,
    dieWithParent: true,
    rlimits: policy.rlimits,
  };
}
