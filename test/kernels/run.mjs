#!/usr/bin/env node
// The kernel matrix (docs/kernels.md): runs the launcher scenarios of
// test/kernels/scenarios.sh on the host kernel directly, on the host with
// --max-abi (simulated older kernels), and inside real Debian kernels booted
// under qemu-system-x86_64 (KVM when /dev/kvm is usable, TCG otherwise).
//
//   node test/kernels/run.mjs [--smoke] [--only ROW,...] [--tcg|--kvm] [--refresh]
//                             [--timeout SECONDS] [--jobs N] [--markdown]
//
// Everything fetched or built goes to test/kernels/.cache/ (git-ignored) and
// is reused by the next run: the Debian packages (apt-get download, then
// dpkg-deb), the static launcher and helpers, and the initramfs. Nothing
// binary is committed. Needs root (the scenarios run as root and as nobody;
// qemu-system-x86 is installed with apt-get when missing).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const cache = join(here, ".cache");

// ---------------------------------------------------------------- the matrix

/** Debian kernels, by the meta-package that names the current build. The
 * version prefix guards against a meta-package that moved on. */
const KERNELS = {
  "debian-6.1": { meta: "linux-image-amd64", series: "6.1." },
  "debian-6.12": { meta: "linux-image-6.12-amd64", series: "6.12." },
  // Newer kernels come from Debian 13's backports, which keeps several
  // builds of each series; the newest build of the series is taken.
  "debian-7.0": { suite: "trixie-backports", series: "7.0." },
  "debian-7.1": { suite: "trixie-backports", series: "7.1." },
  "debian-7.2": { suite: "trixie-backports", series: "7.2." },
};

/** kind host: scenarios.sh on this machine (cap: --max-abi, a simulation).
 * kind vm: booted under qemu. expect: the ABI (or -errno) the probe must
 * report. lsm: "default" keeps the kernel's CONFIG_LSM; "no-landlock" boots
 * with lsm= set to CONFIG_LSM minus landlock. */
const ROWS = [
  { id: "host", kind: "host", what: "this machine's kernel, directly (no VM)" },
  { id: "host-max-abi-6", kind: "host", cap: 6, what: "this kernel with --max-abi 6 (simulated)" },
  { id: "host-max-abi-2", kind: "host", cap: 2, what: "this kernel with --max-abi 2 (simulated)" },
  {
    id: "host-max-abi-1",
    kind: "host",
    cap: 1,
    what: "this kernel with --max-abi 1 (simulated; no ABI 1 kernel in Debian 12)",
  },
  {
    id: "debian-6.1",
    kind: "vm",
    kernel: "debian-6.1",
    expect: 2,
    lsm: "default",
    sim: "host-max-abi-2",
    what: "Debian 12 kernel 6.1, default boot",
  },
  {
    id: "debian-6.1-no-landlock",
    kind: "vm",
    kernel: "debian-6.1",
    expect: -95,
    lsm: "no-landlock",
    what: "Debian 12 kernel 6.1, lsm= without landlock",
  },
  {
    id: "debian-6.12",
    kind: "vm",
    kernel: "debian-6.12",
    expect: 6,
    lsm: "default",
    sim: "host-max-abi-6",
    what: "Debian 12 kernel 6.12 (bookworm's newer kernel)",
  },
  {
    id: "debian-7.0",
    kind: "vm",
    kernel: "debian-7.0",
    expect: 8,
    lsm: "default",
    what: "Debian 13 backports kernel 7.0 (ABI 8: no new right cordon uses)",
  },
  {
    id: "debian-7.1",
    kind: "vm",
    kernel: "debian-7.1",
    expect: 9,
    lsm: "default",
    what: "Debian 13 backports kernel 7.1 (RESOLVE_UNIX)",
  },
  {
    id: "debian-7.2",
    kind: "vm",
    kernel: "debian-7.2",
    expect: 10,
    lsm: "default",
    what: "Debian 13 backports kernel 7.2 (UDP rights)",
  },
];
const SMOKE = ["host", "host-max-abi-2", "debian-6.1", "debian-6.1-no-landlock"];

// ------------------------------------------------------------------ options

const argv = process.argv.slice(2);
const opt = { smoke: false, only: null, tcg: false, kvm: false, refresh: false, timeout: 0, jobs: 3, markdown: false };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--smoke") opt.smoke = true;
  else if (a === "--only") opt.only = argv[++i]?.split(",");
  else if (a === "--tcg") opt.tcg = true;
  else if (a === "--kvm") opt.kvm = true;
  else if (a === "--refresh") opt.refresh = true;
  else if (a === "--timeout") opt.timeout = Number(argv[++i]);
  else if (a === "--jobs") opt.jobs = Math.max(1, Number(argv[++i]) || 1);
  else if (a === "--markdown") opt.markdown = true;
  else if (a === "--help" || a === "-h") {
    console.log(
      readFileSync(fileURLToPath(import.meta.url), "utf8")
        .split("\n")
        .slice(1)
        .filter((_line, i, all) => all.slice(0, i + 1).every((x) => x.startsWith("//")))
        .join("\n")
        .replace(/^\/\/ ?/gm, ""),
    );
    console.log(`rows: ${ROWS.map((r) => r.id).join(", ")}\nsmoke: ${SMOKE.join(", ")}`);
    process.exit(0);
  } else die(`unknown option ${a} (see --help)`);
}
let rows = ROWS;
if (opt.only) {
  for (const id of opt.only) if (!ROWS.some((r) => r.id === id)) die(`--only: no row named ${id}`);
  rows = ROWS.filter((r) => opt.only.includes(r.id));
} else if (opt.smoke) rows = ROWS.filter((r) => SMOKE.includes(r.id));

function die(msg) {
  console.error(`test:kernels: ${msg}`);
  process.exit(2);
}
const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;
function step(msg) {
  console.log(`[${secs(Date.now() - t0).padStart(6)}] ${msg}`);
}

function run(cmd, args, { cwd, input, allowFail = false } = {}) {
  const r = spawnSync(cmd, args, { cwd, input, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) {
    if (allowFail) return r;
    die(`${cmd}: ${r.error.message}`);
  }
  if (r.status !== 0 && !allowFail) die(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r;
}
const have = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
const isRoot = process.getuid?.() === 0;

// ------------------------------------------------------------- apt, Debian

let aptUpdated = false;
function aptUpdate() {
  if (aptUpdated) return;
  step("apt-get update");
  run("apt-get", ["update", "-qq"]);
  aptUpdated = true;
}
const aptOpts = isRoot ? ["-o", "APT::Sandbox::User=root"] : [];

/** The concrete package a meta-package depends on, and its version. */
function resolveMeta(meta, series) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const dep = run("apt-cache", ["depends", meta], { allowFail: true });
    const pkg = dep.status === 0 ? /Depends: (linux-image-\S+)/.exec(dep.stdout)?.[1] : undefined;
    if (pkg) {
      const show = run("apt-cache", ["show", pkg], { allowFail: true });
      const version = /^Version: (\S+)/m.exec(show.stdout ?? "")?.[1];
      if (version) {
        if (!version.startsWith(series)) die(`${meta} now points to ${pkg} ${version}, not a ${series}x kernel`);
        return { pkg, version };
      }
    }
    if (attempt === 0) aptUpdate();
  }
  die(`apt knows no package ${meta}: this harness needs Debian 12 (bookworm) apt sources`);
}

/** The Debian mirror this machine's apt already uses (the first URI of a
 * suite that is not a security suite), so that other suites come from the
 * same place. */
function debianMirror() {
  const dir = "/etc/apt/sources.list.d";
  const files = ["/etc/apt/sources.list", ...(existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [])].filter(
    (f) => existsSync(f),
  );
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, "mi").exec(stanza)?.[1].trim().split(/\s+/) ?? [];
        const suites = field("Suites");
        if (field("Types").includes("deb") && suites.some((x) => !x.includes("security"))) return field("URIs")[0];
      }
    } else {
      for (const line of text.split("\n")) {
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
        if (m && !m[2].includes("security")) return m[1];
      }
    }
  }
  die("no Debian apt source found in /etc/apt: the newer kernels come from the same mirror's backports suite");
}

/** apt options for SUITE of that mirror, with apt's own signature checks
 * against Debian's archive keyring, in a private state under the cache: the
 * machine's apt configuration is left as it is. */
const suiteApts = new Map();
function suiteApt(suite) {
  if (suiteApts.has(suite)) return suiteApts.get(suite);
  const dir = join(cache, "apt", suite);
  for (const d of ["lists/partial", "cache/archives/partial"]) mkdirSync(join(dir, d), { recursive: true });
  const list = join(dir, "sources.list");
  const keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
  if (!existsSync(keyring)) die(`${keyring} is missing: apt-get install debian-archive-keyring`);
  writeFileSync(list, `deb [signed-by=${keyring}] ${debianMirror()} ${suite} main\n`);
  const opts = [
    ...aptOpts,
    ...["-o", `Dir::Etc::SourceList=${list}`, "-o", "Dir::Etc::SourceParts=/dev/null"],
    ...["-o", `Dir::State::Lists=${join(dir, "lists")}`, "-o", `Dir::Cache=${join(dir, "cache")}`],
    ...["-o", "Dir::State::status=/dev/null", "-o", "Acquire::Languages=none"],
  ];
  let updated = false;
  const apt = {
    opts,
    update() {
      if (updated) return;
      step(`apt-get update (${suite}, private state in ${dir})`);
      run("apt-get", [...opts, "update", "-qq"]);
      updated = true;
    },
  };
  suiteApts.set(suite, apt);
  return apt;
}

/** The newest build of a kernel series in SUITE: linux-image-SERIES<n>+debNN-amd64. */
function resolveInSuite(suite, series) {
  const apt = suiteApt(suite);
  const pattern = new RegExp(`^linux-image-${series.replaceAll(".", "\\.")}(\\d+)\\+deb\\d+-amd64$`);
  const find = () =>
    (run("apt-cache", [...apt.opts, "pkgnames", `linux-image-${series}`], { allowFail: true }).stdout ?? "")
      .split("\n")
      .filter((n) => pattern.test(n))
      .sort((a, b) => Number(pattern.exec(a)[1]) - Number(pattern.exec(b)[1]));
  let names = find();
  if (!names.length || opt.refresh) {
    apt.update();
    names = find();
  }
  const pkg = names.at(-1);
  if (!pkg) die(`${suite} has no linux-image-${series}N+debNN-amd64 package any more: pick a series it has`);
  const version = /^Version: (\S+)/m.exec(run("apt-cache", [...apt.opts, "show", pkg]).stdout)?.[1];
  if (!version) die(`apt-cache show ${pkg} gave no version`);
  return { pkg, version };
}

/** apt-get download PKG into the cache; returns the .deb path. */
function download(pkg, apt = { opts: aptOpts, update: aptUpdate }) {
  const dir = join(cache, "debs");
  mkdirSync(dir, { recursive: true });
  const find = () => readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"));
  if (find()) return join(dir, find());
  let r = run("apt-get", [...apt.opts, "download", "-q", pkg], { cwd: dir, allowFail: true });
  if (r.status !== 0) {
    apt.update();
    r = run("apt-get", [...apt.opts, "download", "-q", pkg], { cwd: dir });
  }
  const deb = find();
  if (!deb) die(`apt-get download ${pkg} left no .deb in ${dir}`);
  return join(dir, deb);
}

/** Which concrete package each meta-package resolved to, kept so that a
 * later run needs neither apt nor the network (--refresh asks apt again).
 * One JSON object per line (see results.jsonl). */
const resolvedFile = join(cache, "resolved.jsonl");
function readResolved() {
  if (!existsSync(resolvedFile)) return {};
  const lines = readFileSync(resolvedFile, "utf8").split("\n").filter(Boolean);
  return Object.fromEntries(lines.map((l) => JSON.parse(l)).map(({ meta, ...e }) => [meta, e]));
}
function writeResolved(resolved) {
  const lines = Object.entries(resolved).map(([meta, e]) => JSON.stringify({ meta, ...e }));
  writeFileSync(resolvedFile, `${lines.join("\n")}\n`);
}

/** vmlinuz and config of a Debian kernel, fetched once and kept. */
function kernelFiles(name) {
  const { meta, suite, series } = KERNELS[name];
  const key = meta ?? `${suite}:linux-image-${series}`;
  const resolved = readResolved();
  let entry = resolved[key];
  const dirOf = (e) => join(cache, "kernels", `${e.pkg}_${e.version}`);
  if (!entry || opt.refresh || !existsSync(join(dirOf(entry), "vmlinuz"))) {
    const fresh = suite ? resolveInSuite(suite, series) : resolveMeta(meta, series);
    if (!existsSync(join(dirOf(fresh), "vmlinuz"))) {
      step(`fetching ${fresh.pkg} ${fresh.version} (apt-get download${suite ? `, ${suite}` : ""})`);
      const apt = suite ? suiteApt(suite) : undefined;
      const tmp = mkdtempSync(join(cache, "extract-"));
      // Only vmlinuz and the config are needed: no modules (the initramfs
      // needs none). Newer Debian kernels split the image package: vmlinuz
      // in linux-binary-* (in /boot, or later in /usr/lib/modules/RELEASE),
      // the config in linux-base-* (not always published; it is only needed
      // to build an lsm= list without Landlock).
      const extract = (pkg) => {
        const deb = download(pkg, apt);
        const pick =
          "tar -x -C \"$2\" --wildcards './boot/*' './usr/lib/modules/*/vmlinuz' './usr/lib/modules/*/config' 2>/dev/null";
        run("sh", ["-c", `dpkg-deb --fsys-tarfile "$1" | ${pick}; true`, "sh", deb, tmp]);
        rmSync(deb, { force: true }); // up to 110 MB of modules we do not use
      };
      const boot = join(tmp, "boot");
      const modules = join(tmp, "usr", "lib", "modules");
      /** [vmlinuz path, release] wherever the packages put it. */
      const findVmlinuz = () => {
        const inBoot = existsSync(boot) ? readdirSync(boot).find((f) => f.startsWith("vmlinuz-")) : undefined;
        if (inBoot) return [join(boot, inBoot), inBoot.slice("vmlinuz-".length)];
        const release = existsSync(modules)
          ? readdirSync(modules).find((r) => existsSync(join(modules, r, "vmlinuz")))
          : undefined;
        return release ? [join(modules, release, "vmlinuz"), release] : [];
      };
      extract(fresh.pkg);
      if (!findVmlinuz().length) {
        const depends = run("apt-cache", [...(apt?.opts ?? aptOpts), "show", fresh.pkg]).stdout;
        const binary = /(linux-binary-\S+?)[\s,]/.exec(depends)?.[1];
        if (!binary) die(`${fresh.pkg} has no vmlinuz and depends on no linux-binary-* package`);
        extract(binary);
        const base = binary.replace("linux-binary-", "linux-base-");
        const baseShow = run("apt-cache", [...(apt?.opts ?? aptOpts), "show", base], { allowFail: true });
        if (/^Version: /m.test(baseShow.stdout ?? "")) extract(base);
      }
      const [vmlinuz, release] = findVmlinuz();
      if (!vmlinuz) die(`${fresh.pkg}: no vmlinuz found in it or its linux-binary-* package`);
      const configs = [join(boot, `config-${release}`), join(modules, release, "config")];
      const config = configs.find((f) => existsSync(f));
      mkdirSync(dirOf(fresh), { recursive: true });
      renameSync(vmlinuz, join(dirOf(fresh), "vmlinuz"));
      if (config) renameSync(config, join(dirOf(fresh), "config"));
      writeFileSync(join(dirOf(fresh), "release"), `${release}\n`);
      rmSync(tmp, { recursive: true, force: true });
    }
    entry = fresh;
    resolved[key] = entry;
    writeResolved(resolved);
  }
  const dir = dirOf(entry);
  const config = existsSync(join(dir, "config")) ? readFileSync(join(dir, "config"), "utf8") : null;
  return {
    ...entry,
    vmlinuz: join(dir, "vmlinuz"),
    release: readFileSync(join(dir, "release"), "utf8").trim(),
    configLsm: config === null ? null : (/^CONFIG_LSM="([^"]*)"/m.exec(config)?.[1] ?? null),
    landlockBuiltIn: config === null ? null : /^CONFIG_SECURITY_LANDLOCK=y/m.test(config),
  };
}

/** After --refresh: drops extracted kernels that no meta-package points to
 * any more (a newer Debian build replaced them). */
function pruneKernels() {
  const resolved = readResolved();
  const keep = new Set(Object.values(resolved).map((e) => `${e.pkg}_${e.version}`));
  const dir = join(cache, "kernels");
  for (const d of readdirSync(dir)) if (!keep.has(d)) rmSync(join(dir, d), { recursive: true, force: true });
}

function busybox() {
  const out = join(cache, "busybox", "busybox");
  if (existsSync(out) && !opt.refresh) return out;
  step("fetching busybox-static (apt-get download)");
  const deb = download("busybox-static");
  const tmp = mkdtempSync(join(cache, "extract-"));
  run("dpkg-deb", ["-x", deb, tmp]);
  mkdirSync(dirname(out), { recursive: true });
  copyFileSync(join(tmp, "bin", "busybox"), out);
  chmodSync(out, 0o755);
  rmSync(tmp, { recursive: true, force: true });
  rmSync(deb, { force: true });
  return out;
}

function ensureQemu() {
  if (have("qemu-system-x86_64")) return;
  if (!isRoot) die("qemu-system-x86_64 is missing: apt-get install --no-install-recommends qemu-system-x86");
  step("installing qemu-system-x86 (apt-get install --no-install-recommends)");
  aptUpdate();
  const r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "qemu-system-x86"], {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.status !== 0) die(`apt-get install qemu-system-x86 failed:\n${r.stderr}`);
}

/** KVM needs /dev/kvm and the CPU's virtualization extensions (vmx, svm).
 * Some sandboxes expose a /dev/kvm without them (a PVM-style nested
 * hypervisor) that cannot boot a stock kernel: qemu then aborts on an MSR or
 * hangs after the BIOS. --kvm and --tcg override the guess. */
function kvmUsable() {
  if (opt.tcg) return { kvm: false, why: "--tcg" };
  try {
    closeSync(openSync("/dev/kvm", "r+"));
  } catch (e) {
    return { kvm: false, why: `/dev/kvm: ${e.code}` };
  }
  if (opt.kvm) return { kvm: true, why: "--kvm" };
  const flags = /^flags\s*:(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1].split(" ") ?? [];
  if (!flags.includes("vmx") && !flags.includes("svm"))
    return {
      kvm: false,
      why: "/dev/kvm exists but the CPU shows no vmx/svm (nested KVM that cannot boot a stock kernel); --kvm to try anyway",
    };
  return { kvm: true, why: "/dev/kvm and vmx/svm" };
}

// --------------------------------------------------------- static binaries

function hashFiles(paths, extra = "") {
  const h = createHash("sha256").update(extra);
  for (const p of paths) h.update(p).update(readFileSync(p));
  return h.digest("hex").slice(0, 16);
}

/** The launcher and the helpers, linked statically (glibc's libc.a). */
function staticBinaries() {
  const native = join(root, "native");
  const sources = readdirSync(native)
    .filter((f) => /\.[ch]$/.test(f))
    .sort()
    .map((f) => join(native, f));
  const helpers = {
    "syscall-probe": [join(root, "test", "helpers", "syscall-probe.c"), "-pthread"],
    "deny-landlock": [join(root, "test", "helpers", "deny-landlock.c")],
    kprobe: [join(here, "kprobe.c")],
  };
  const cc = process.env.CC || "cc";
  const ccVersion = run(cc, ["--version"]).stdout;
  const all = [...sources, ...Object.values(helpers).map((h) => h[0])];
  const dir = join(cache, "build", hashFiles(all, ccVersion));
  const names = ["cordon-exec", ...Object.keys(helpers)];
  if (names.every((n) => existsSync(join(dir, n)))) return { dir, names };
  step(`building the launcher and helpers statically (${cc} -static)`);
  rmSync(join(cache, "build"), { recursive: true, force: true }); // older builds
  const libc = run(cc, ["-print-file-name=libc.a"]).stdout.trim();
  if (!libc.startsWith("/") || !existsSync(libc)) die("static linking needs libc.a: apt-get install libc6-dev");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const flags = ["-static", "-std=gnu11", "-O2", "-Wall", "-Wno-missing-field-initializers"];
  const builds = [
    ["cordon-exec", sources.filter((f) => f.endsWith(".c"))],
    ...Object.entries(helpers).map(([n, [src, ...extra]]) => [n, [src, ...extra]]),
  ];
  for (const [name, inputs] of builds) {
    const r = run(cc, [...flags, "-o", join(dir, name), ...inputs], { allowFail: true });
    // glibc warns that getpwnam/getgrnam need its NSS modules at run time;
    // that is expected (docs/kernels.md), anything else is shown.
    const noise = (r.stderr ?? "")
      .split("\n")
      .filter((l) => l && !/statically linked applications requires at runtime|in function `/.test(l));
    if (r.status !== 0) die(`building ${name} failed:\n${r.stderr}`);
    if (noise.length) console.log(noise.join("\n"));
  }
  return { dir, names };
}

// --------------------------------------------------------------- initramfs

/** A newc cpio archive writer: enough for directories, files, symlinks and
 * device nodes, all owned by root, with a fixed mtime. */
class Cpio {
  chunks = [];
  ino = 1;
  entry(name, mode, data = Buffer.alloc(0), rdev = [0, 0]) {
    const fields = [
      this.ino++,
      mode,
      0,
      0,
      mode & 0o040000 ? 2 : 1,
      0,
      data.length,
      0,
      0,
      rdev[0],
      rdev[1],
      name.length + 1,
      0,
    ];
    const header = `070701${fields.map((f) => f.toString(16).padStart(8, "0")).join("")}`;
    this.push(Buffer.from(`${header}${name}\0`, "latin1"));
    this.push(data);
  }
  push(buf) {
    this.chunks.push(buf);
    const len = this.chunks.reduce((n, b) => n + b.length, 0);
    if (len % 4) this.chunks.push(Buffer.alloc(4 - (len % 4)));
  }
  dir(name) {
    this.entry(name, 0o040755);
  }
  file(name, data, perm = 0o644) {
    this.entry(name, 0o100000 | perm, data);
  }
  symlink(name, target) {
    this.entry(name, 0o120777, Buffer.from(target));
  }
  chardev(name, major, minor, perm = 0o600) {
    this.entry(name, 0o020000 | perm, Buffer.alloc(0), [major, minor]);
  }
  finish() {
    this.entry("TRAILER!!!", 0);
    return Buffer.concat(this.chunks);
  }
}

function applets(bb) {
  return run(bb, ["--list"])
    .stdout.split("\n")
    .filter((a) => /^[a-z0-9_.[-]+$/.test(a) && a !== "busybox");
}

const PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
const GROUP = "root:x:0:\nnogroup:x:65534:\n";

function initramfs(bb, bins) {
  const inputs = [bb, ...bins.names.map((n) => join(bins.dir, n)), join(here, "init.sh"), join(here, "scenarios.sh")];
  const out = join(cache, `initramfs-${hashFiles(inputs)}.cpio`);
  if (existsSync(out)) return out;
  step("building the initramfs (busybox-static, static launcher and helpers, scenarios)");
  const c = new Cpio();
  for (const d of ["dev", "proc", "sys", "tmp", "root", "etc", "usr", "usr/bin", "usr/share", "usr/share/cordon"])
    c.dir(d);
  c.chardev("dev/console", 5, 1);
  c.symlink("bin", "usr/bin");
  c.symlink("sbin", "usr/bin");
  c.file("init", readFileSync(join(here, "init.sh")), 0o755);
  c.file("usr/share/cordon/scenarios.sh", readFileSync(join(here, "scenarios.sh")), 0o755);
  c.file("etc/passwd", Buffer.from(PASSWD));
  c.file("etc/group", Buffer.from(GROUP));
  c.file("usr/bin/busybox", readFileSync(bb), 0o755);
  for (const a of applets(bb)) c.symlink(`usr/bin/${a}`, "busybox");
  for (const n of bins.names) c.file(`usr/bin/${n}`, readFileSync(join(bins.dir, n)), 0o755);
  for (const f of readdirSync(cache).filter((f) => /^initramfs-.*\.cpio$/.test(f))) rmSync(join(cache, f));
  writeFileSync(out, c.finish());
  return out;
}

/** For the host rows: the same binaries in a world-readable directory (the
 * scenarios run commands as nobody, who must reach them). */
function hostBin(bb, bins) {
  const dir = mkdtempSync(join(tmpdir(), "cordon-kernels-bin-"));
  chmodSync(dir, 0o755);
  copyFileSync(bb, join(dir, "busybox"));
  chmodSync(join(dir, "busybox"), 0o755);
  for (const a of applets(bb)) symlinkSync("busybox", join(dir, a));
  for (const n of bins.names) {
    copyFileSync(join(bins.dir, n), join(dir, n));
    chmodSync(join(dir, n), 0o755);
  }
  return dir;
}

// ----------------------------------------------------------------- running

function parse(text) {
  const out = { results: [], info: [], probe: null, report: null, end: null, begin: null };
  const patterns = [
    [/^RESULT (\S+) (pass|fail|skip) ?(.*)$/, (m) => out.results.push({ name: m[1], status: m[2], detail: m[3] })],
    [/^PROBE (\{.*\})$/, (m) => (out.probe = safeJson(m[1]))],
    [/^REPORT best-default (\{.*\})$/, (m) => (out.report = safeJson(m[1]))],
    [/^INFO (.*)$/, (m) => out.info.push(m[1])],
    [/^BEGIN (.*)$/, (m) => (out.begin = m[1])],
    [/^END .*$/, (m) => (out.end = m[0])],
  ];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    for (const [re, take] of patterns) {
      const m = re.exec(line);
      if (m) {
        take(m);
        break;
      }
    }
  }
  return out;
}
function safeJson(s) {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

function runHost(row, hostAbi, bin) {
  const started = Date.now();
  const kernel = run("uname", ["-r"]).stdout.trim();
  if (row.cap !== undefined && hostAbi < row.cap) {
    const detail = `this kernel's ABI (${hostAbi}) is below ${row.cap}: nothing to simulate`;
    return { ...parse(""), results: [{ name: "simulation", status: "skip", detail }], ms: 0, kernel, accel: "none" };
  }
  const env = { PATH: bin, BIN: bin, EXPECT_ABI: String(hostAbi), ROW: row.id, LANG: "C" };
  if (row.cap !== undefined) env.CAP_ABI = String(row.cap);
  const r = spawnSync(join(bin, "busybox"), ["sh", join(here, "scenarios.sh")], {
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  const text = `${r.stdout ?? ""}${r.stderr ? `\n--- stderr\n${r.stderr}` : ""}`;
  writeLog(row.id, text);
  return { ...parse(text), ms: Date.now() - started, kernel, accel: "none" };
}

function writeLog(id, text) {
  mkdirSync(join(cache, "logs"), { recursive: true });
  writeFileSync(join(cache, "logs", `${id}.log`), text);
}

function boot(row, k, initrd, kvm) {
  const cmdline = [
    "console=ttyS0",
    "panic=1",
    "quiet",
    "loglevel=1",
    `cordon.expect=${row.expect}`,
    `cordon.row=${row.id}`,
  ];
  let lsm = null;
  if (row.lsm === "no-landlock") {
    if (k.configLsm === null) die(`${row.id}: ${k.pkg} has no published config, so no lsm= list without Landlock`);
    lsm = k.configLsm
      .split(",")
      .filter((m) => m && m !== "landlock")
      .join(",");
  } else if (k.configLsm && !k.configLsm.split(",").includes("landlock")) {
    lsm = `landlock,${k.configLsm}`; // enabled case: Landlock must be in the list
  }
  if (lsm !== null) cmdline.push(`lsm=${lsm}`);
  const args = [
    "-nographic",
    "-nodefaults",
    "-no-reboot",
    "-serial",
    "stdio",
    "-m",
    "512M",
    "-smp",
    "1",
    ...(kvm ? ["-enable-kvm", "-cpu", "host"] : ["-accel", "tcg"]),
    "-kernel",
    k.vmlinuz,
    "-initrd",
    initrd,
    "-append",
    cmdline.join(" "),
  ];
  const timeout = (opt.timeout || (kvm ? 120 : 300)) * 1000;
  const started = Date.now();
  return new Promise((resolve) => {
    const q = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    let timedOut = false;
    q.stdout.on("data", (d) => {
      text += d.toString("latin1");
    });
    q.stderr.on("data", (d) => {
      text += d.toString("latin1");
    });
    const timer = setTimeout(() => {
      timedOut = true;
      q.kill("SIGKILL");
    }, timeout);
    q.on("close", (code) => {
      clearTimeout(timer);
      writeLog(row.id, `$ qemu-system-x86_64 ${args.join(" ")}\n${text}`);
      const parsed = parse(text);
      if (timedOut) parsed.results.push({ name: "boot", status: "fail", detail: `timed out after ${timeout / 1000}s` });
      else if (!parsed.end)
        parsed.results.push({
          name: "boot",
          status: "fail",
          detail: `no END line (qemu exit ${code}); see .cache/logs/${row.id}.log`,
        });
      resolve({
        ...parsed,
        ms: Date.now() - started,
        kernel: k.release,
        pkg: `${k.pkg} ${k.version}`,
        accel: kvm ? "kvm" : "tcg",
        lsm: lsm ?? `(default: ${k.configLsm ?? "CONFIG_LSM, config not published"})`,
      });
    });
  });
}

/** The report fields that must not differ between a real kernel and the
 * host simulating its ABI with --max-abi (kernel_abi and errata do). */
function comparable(rep) {
  if (!rep) return null;
  return JSON.stringify({
    abi: rep.abi,
    enforced: rep.enforced,
    sandbox: rep.sandbox,
    landlock: rep.landlock,
    net: rep.net,
    seccomp: rep.seccomp,
    proof: rep.proof?.result,
    gaps: rep.gaps,
    limits: rep.limits,
  });
}
function diffKeys(a, b) {
  const x = JSON.parse(a);
  const y = JSON.parse(b);
  return Object.keys(x).filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
}

async function main() {
  if (process.platform !== "linux" || process.arch !== "x64") die("the kernel matrix runs on x86_64 Linux");
  if (!isRoot) die("run as root: the scenarios run each case as root and as nobody (CI runs as root)");
  mkdirSync(cache, { recursive: true });
  const vmRows = rows.filter((r) => r.kind === "vm");
  if (vmRows.length) ensureQemu();
  const bb = busybox();
  const bins = staticBinaries();
  const kernels = {};
  for (const name of new Set(vmRows.map((r) => r.kernel))) kernels[name] = kernelFiles(name);
  if (opt.refresh) pruneKernels();
  const initrd = vmRows.length ? initramfs(bb, bins) : null;
  const accel = kvmUsable();
  const kvm = accel.kvm;
  const prepMs = Date.now() - t0;
  step(`ready (${vmRows.length ? `${kvm ? "KVM" : "TCG"}: ${accel.why}` : "no VM"})`);

  const results = {};
  const hostRows = rows.filter((r) => r.kind === "host");
  if (hostRows.length) {
    const bin = hostBin(bb, bins);
    try {
      const probe = JSON.parse(run(join(bin, "cordon-exec"), ["--probe"]).stdout);
      for (const row of hostRows) {
        step(`running ${row.id} (${row.what})`);
        results[row.id] = runHost(row, probe.kernel_abi, bin);
      }
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }
  const queue = [...vmRows];
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      step(`booting ${row.id} (${row.what})`);
      results[row.id] = await boot(row, kernels[row.kernel], initrd, kvm);
      step(`${row.id} done in ${secs(results[row.id].ms)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opt.jobs, vmRows.length) }, worker));

  // A real kernel must give the same enforcement report as the host told
  // to act as that ABI.
  for (const row of vmRows) {
    const sim = row.sim && results[row.sim];
    const res = results[row.id];
    if (!sim) continue;
    if (!sim.report) {
      res.results.push({ name: "matches-simulation", status: "skip", detail: `${row.sim} did not run` });
      continue;
    }
    const a = comparable(res.report);
    const b = comparable(sim.report);
    if (!a || !b) res.results.push({ name: "matches-simulation", status: "fail", detail: "a report is missing" });
    else if (a === b)
      res.results.push({ name: "matches-simulation", status: "pass", detail: `same report as ${row.sim}` });
    else
      res.results.push({
        name: "matches-simulation",
        status: "fail",
        detail: `differs from ${row.sim} in: ${diffKeys(a, b).join(", ")}`,
      });
  }

  // ------------------------------------------------------------- the tables
  const ran = rows.filter((r) => results[r.id]);
  const count = (res, s) => res.results.filter((x) => x.status === s).length;
  const abiOf = (res, row) => {
    const p = res.probe;
    if (!p) return "?";
    if (p.kernel_abi < 0) return p.landlock_errno ?? String(p.kernel_abi);
    return row?.cap !== undefined ? `${p.kernel_abi} as ${row.cap}` : String(p.kernel_abi);
  };
  console.log("");
  const summary = ran.map((r) => {
    const res = results[r.id];
    return [
      r.id,
      res.kernel,
      abiOf(res, r),
      res.accel,
      secs(res.ms),
      String(count(res, "pass")),
      String(count(res, "fail")),
      String(count(res, "skip")),
    ];
  });
  printTable(["row", "kernel", "Landlock ABI", "accel", "time", "pass", "fail", "skip"], summary);
  console.log("");
  const names = [];
  for (const r of ran) for (const x of results[r.id].results) if (!names.includes(x.name)) names.push(x.name);
  const cell = (r, n) => {
    const x = results[r.id].results.find((y) => y.name === n);
    return x ? (x.status === "fail" ? "FAIL" : x.status) : "-";
  };
  printTable(
    ["scenario", ...ran.map((r) => r.id)],
    names.map((n) => [n, ...ran.map((r) => cell(r, n))]),
  );
  for (const r of ran) {
    const res = results[r.id];
    for (const x of res.results.filter((y) => y.status === "fail")) console.log(`FAIL ${r.id} ${x.name}: ${x.detail}`);
  }
  for (const r of ran.filter((x) => x.kind === "vm"))
    console.log(`${r.id}: ${results[r.id].pkg}, lsm=${results[r.id].lsm}`);

  // JSON Lines (one row per line): a .json file here would be picked up by
  // the repository's biome check, which does not read .gitignore.
  const stamp = { date: new Date().toISOString(), prepare_s: prepMs / 1000, total_s: (Date.now() - t0) / 1000 };
  const lines = ran.map((r) => {
    const res = results[r.id];
    const { kernel, pkg, lsm, accel, probe, info } = res;
    return JSON.stringify({
      row: r.id,
      what: r.what,
      kernel,
      pkg,
      lsm,
      accel,
      seconds: res.ms / 1000,
      probe,
      info,
      results: res.results,
      ...stamp,
    });
  });
  writeFileSync(join(cache, "results.jsonl"), `${lines.join("\n")}\n`);
  if (opt.markdown) {
    console.log("");
    console.log(
      `| scenario | ${ran.map((r) => `${r.id} (${results[r.id].kernel}, ABI ${abiOf(results[r.id], r)})`).join(" | ")} |`,
    );
    console.log(`|---|${ran.map(() => "---").join("|")}|`);
    for (const n of names) console.log(`| ${n} | ${ran.map((r) => cell(r, n)).join(" | ")} |`);
  }
  const passed = ran.reduce((n, r) => n + count(results[r.id], "pass"), 0);
  const failed = ran.reduce((n, r) => n + count(results[r.id], "fail"), 0);
  const skipped = ran.reduce((n, r) => n + count(results[r.id], "skip"), 0);
  console.log("");
  console.log(
    `matrix took ${secs(Date.now() - t0)} (preparation ${secs(prepMs)}); ${skipped} skipped; results in ${join("test", "kernels", ".cache", "results.jsonl")}`,
  );
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

function printTable(head, body) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(line(head));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of body) console.log(line(r));
}

main().catch((e) => die(e.stack ?? String(e)));
