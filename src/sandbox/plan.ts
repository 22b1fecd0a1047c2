import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Compat, GapName, LaunchSpec, NetMode, PathRule, RlimitName } from "../launcher/spec.js";
import { getProfile, type Profile } from "../policy/profiles.js";
import type { Scratch } from "./scratch.js";

/** What a caller asks for, before the profile fills it in. */
export interface RunRequest {
  /** The project directory and the command's cwd. */
  workdir: string;
  /** Built-in profile name; "agent" unless said otherwise. */
  profile?: string;
  /** Rules on top of the profile's. */
  rules?: PathRule[];
  net?: NetMode;
  compat?: Compat;
  acceptGaps?: GapName[];
  maxAbi?: number;
  /** Run as this user and group (root callers only). */
  user?: string;
  group?: string;
  allowUnixSockets?: boolean;
  newSession?: boolean;
  rlimits?: Partial<Record<RlimitName, number>>;
}

export interface Plan {
  profile: Profile;
  workdir: string;
  spec: Omit<LaunchSpec, "command">;
}

/** Resolves a request into the launcher spec. Scratch is the private per-run
 * directory when the profile wants one (see `Profile.privateScratch`). */
export function planRun(request: RunRequest, scratch?: Pick<Scratch, "root" | "tmp" | "home">): Plan {
  const profile = getProfile(request.profile ?? "agent");
  const workdir = resolve(request.workdir);
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(workdir);
  } catch (error) {
    throw new Error(`workdir ${workdir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!stat.isDirectory()) throw new Error(`workdir ${workdir}: not a directory`);

  const ctx = { workdir, scratch: profile.privateScratch ? scratch : undefined };
  return {
    profile,
    workdir,
    spec: {
      rules: [...profile.rules(ctx), ...(request.rules ?? [])],
      net: request.net ?? "none",
      compat: request.compat ?? "hard",
      acceptGaps: request.acceptGaps,
      cwd: workdir,
      setenv: profile.env(ctx),
      maxAbi: request.maxAbi,
      user: request.user,
      group: request.group,
      allowUnixSockets: request.allowUnixSockets,
      newSession: request.newSession,
      dieWithParent: true,
      rlimits: { ...profile.rlimits, ...request.rlimits },
    },
  };
}
