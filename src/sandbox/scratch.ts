import { spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A private per-run directory: `tmp` becomes TMPDIR and `home` becomes HOME,
 * so tools that write caches and temporary files work without being given
 * the real /tmp or the real home directory. */
export interface Scratch {
  root: string;
  tmp: string;
  home: string;
  /** Removes the directory. `mayRace`: processes of the run may still be
   * alive and rearranging the tree (a symlink swapped in mid-walk would
   * redirect a path-based delete), so use coreutils' rm, whose fts walk is
   * fd-relative and never follows symlinks, as the run's own user. Without
   * it (every process of the run is known dead) a plain delete is safe and
   * cheaper. */
  remove(options?: { mayRace?: boolean }): void;
}

/** Creates the directory, owned by `owner` when the command runs as another
 * user. */
export function createScratch(owner?: { uid: number; gid: number }): Scratch {
  const root = mkdtempSync(join(tmpdir(), "cordon-"));
  const tmp = join(root, "tmp");
  const home = join(root, "home");
  mkdirSync(tmp, { mode: 0o700 });
  mkdirSync(home, { mode: 0o700 });
  if (owner) {
    try {
      for (const dir of [root, tmp, home]) chownSync(dir, owner.uid, owner.gid);
    } catch (error) {
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }
  return {
    root,
    tmp,
    home,
    remove: ({ mayRace = true } = {}) => {
      if (!mayRace) {
        rmSync(root, { recursive: true, force: true, maxRetries: 3 });
        return;
      }
      const rm = spawnSync("rm", ["-rf", "--one-file-system", "--", root], {
        stdio: ["ignore", "ignore", "pipe"],
        ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      });
      // The run's user owns the directory and /tmp is sticky, so rm took
      // it too; if not, what is left is an empty directory.
      try {
        rmdirSync(root);
      } catch {
        // gone already
      }
      if (rm.status !== 0 && rm.error === undefined) {
        const problem = rm.stderr.toString().trim();
        if (problem) process.emitWarning(`cordon: removing ${root}: ${problem}`);
      }
    },
  };
}
