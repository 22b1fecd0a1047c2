#!/usr/bin/env node
// Builds the launcher, native/build/cordon-exec, from source with the system
// C compiler. Runs on `npm install`: no prebuilt binary and no network, so the
// trusted core is always the code in native/ of this checkout.
//   --werror   treat warnings as errors (lint; not on install, where a newer
//              compiler's new warning must not break a user's install)
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const native = join(root, "native");
const out = join(native, "build", "cordon-exec");
const werror = process.argv.includes("--werror");

if (process.platform !== "linux") {
  console.error(`cordon: Landlock exists only on Linux; this is ${process.platform}.`);
  process.exit(1);
}

function findCompiler() {
  const candidates = process.env.CC ? [process.env.CC] : ["cc", "gcc", "clang"];
  for (const cc of candidates) {
    const probe = spawnSync(cc, ["--version"], { stdio: "ignore" });
    if (probe.status === 0) return cc;
  }
  console.error(
    `cordon: no C compiler found (tried ${candidates.join(", ")}).\n` +
      "cordon builds its launcher from source on install. Install one and retry, for example:\n" +
      "  Debian/Ubuntu: apt-get install gcc libc6-dev\n" +
      "  Fedora/RHEL:   dnf install gcc glibc-devel\n" +
      "  Alpine:        apk add gcc musl-dev\n" +
      "or set CC to the compiler to use.",
  );
  process.exit(1);
}

const cc = findCompiler();
const sources = readdirSync(native)
  .filter((f) => f.endsWith(".c"))
  .sort()
  .map((f) => join(native, f));
const flags = [
  "-std=gnu11",
  "-O2",
  "-Wall",
  "-Wextra",
  "-Wshadow",
  "-Wformat=2",
  "-Wno-missing-field-initializers",
  ...(werror ? ["-Werror"] : []),
];
mkdirSync(dirname(out), { recursive: true });
const build = spawnSync(cc, [...flags, "-o", out, ...sources], { stdio: "inherit" });
if (build.status !== 0) {
  console.error(`cordon: building the launcher with ${cc} failed (see the compiler's messages above).`);
  process.exit(1);
}
