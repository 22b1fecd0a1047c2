import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { LaunchSpec } from "../launcher/spec.js";
import type { ResolvedPolicy } from "../policy/resolve.js";
import type { Scratch } from "./scratch.js";

/** Checks that the workdir exists and is a directory; returns it absolute. */
export function checkWorkdir(workdir: string): string {
  const path = resolve(workdir);
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
): Omit<LaunchSpec, "command"> {
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
