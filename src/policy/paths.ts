import { realpathSync } from "node:fs";
import { isAbsolute, normalize, resolve } from "node:path";

/** Where a relative path or `~` points, and where `${VAR}` values come from. */
export interface PathContext {
  /** Relative paths resolve against this directory (the policy file's). */
  baseDir: string;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
}

export interface ExpandedPath {
  path: string;
  /** What was done to the written path, in order, for `explain`. */
  steps: string[];
}

export class PathExpansionError extends Error {}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Expands `~`, `${VAR}` and relative paths explicitly, then normalizes
 * (collapsing `.`, `..` and repeated slashes lexically, as a user reads
 * them). Pure: everything it depends on is in ctx. */
export function expandPath(written: string, ctx: PathContext): ExpandedPath {
  const steps: string[] = [];
  let path = written;
  if (path === "~" || path.startsWith("~/")) {
    path = ctx.home + path.slice(1);
    steps.push(`~ is ${ctx.home}`);
  } else if (path.startsWith("~")) {
    throw new PathExpansionError(`'${written}': only ~ and ~/ are expanded (not ~user)`);
  }
  path = path.replace(VAR, (_, name: string) => {
    const value = ctx.env[name];
    if (value === undefined) throw new PathExpansionError(`'${written}': \${${name}} is not set`);
    if (value === "") throw new PathExpansionError(`'${written}': \${${name}} is empty`);
    steps.push(`\${${name}} is ${value}`);
    return value;
  });
  if (path.includes("$")) {
    throw new PathExpansionError(`'${written}': only \${NAME} is expanded; write a literal $ another way`);
  }
  if (!isAbsolute(path)) {
    path = resolve(ctx.baseDir, path);
    steps.push(`relative to ${ctx.baseDir}`);
  }
  const normal = normalize(path);
  path = normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
  return { path, steps };
}

/** Paths whose symlinks mean something different in each process: /proc/self
 * in the CLI is not /proc/self in the command. The launcher opens them in
 * the command's own process, so they must reach it unresolved. */
function perProcess(path: string): boolean {
  return path === "/proc" || path.startsWith("/proc/") || /^\/dev\/(fd|stdin|stdout|stderr)(\/|$)/.test(path);
}

/** The path the kernel will reach when it opens this one (symlinks followed),
 * or the path itself when it does not exist or is per-process. */
export function kernelPath(path: string): string {
  if (perProcess(path)) return path;
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
