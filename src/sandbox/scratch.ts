import { chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A private per-run directory: `tmp` becomes TMPDIR and `home` becomes HOME,
 * so tools that write caches and temporary files work without being given
 * the real /tmp or the real home directory. */
export interface Scratch {
  root: string;
  tmp: string;
  home: string;
  remove(): void;
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
    remove: () => rmSync(root, { recursive: true, force: true, maxRetries: 3 }),
  };
}
