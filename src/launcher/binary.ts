import { accessSync, constants } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: dist/launcher/ or src/launcher/ is two levels down. */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Absolute path of the built launcher, or an error that says how to build it. */
export function launcherPath(): string {
  const path = join(packageRoot, "native", "build", "cordon-exec");
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `the launcher ${path} is not built: run 'npm rebuild cordon' (or 'npm install' in a ` +
        "checkout); it needs a C compiler",
    );
  }
  return path;
}
