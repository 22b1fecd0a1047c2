import type { PolicyDocument, RuleDocument } from "./schema.js";

/** Built-in profiles, written as policy documents so that `extends: agent`
 * and `--profile agent` go through the same code as a policy file. */

/** System directories: programs and their libraries. Optional because the
 * merged-/usr layout makes some of them symlinks and others absent. */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

/** The parts of /etc that ordinary tools read. Not /etc as a whole: a root
 * caller keeps uid 0, and /etc holds shadow, gshadow and SSH host keys. */
const ETC_FILES = [
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/ld.so.preload",
  "/etc/passwd",
  "/etc/group",
  "/etc/nsswitch.conf",
  "/etc/hosts",
  "/etc/host.conf",
  "/etc/resolv.conf",
  "/etc/gai.conf",
  "/etc/services",
  "/etc/protocols",
  "/etc/networks",
  "/etc/localtime",
  "/etc/timezone",
  "/etc/locale.alias",
  "/etc/locale.conf",
  "/etc/default/locale",
  "/etc/ssl",
  "/etc/ca-certificates",
  "/etc/ca-certificates.conf",
  "/etc/pki",
  "/etc/crypto-policies",
  "/etc/gitconfig",
  "/etc/bash.bashrc",
  "/etc/profile",
  "/etc/profile.d",
  "/etc/inputrc",
  "/etc/terminfo",
  "/etc/mime.types",
  "/etc/magic",
  "/etc/magic.mime",
  "/etc/os-release",
  "/etc/debian_version",
  "/etc/lsb-release",
  "/etc/alternatives",
  "/etc/python3",
  "/etc/perl",
  "/etc/npmrc",
  "/etc/pip.conf",
  "/etc/manpath.config",
];

/** System facts that tools size themselves by (CPU count, memory). Not /proc
 * as a whole: /proc/PID/cmdline of other processes is readable without any
 * ptrace check, and command lines carry secrets. */
const SYSTEM_INFO = [
  "/proc/cpuinfo",
  "/proc/meminfo",
  "/proc/stat",
  "/proc/loadavg",
  "/proc/uptime",
  "/proc/version",
  "/proc/filesystems",
  "/sys/devices/system/cpu",
];

/** Character devices a shell expects. Not /dev/pts or /dev/shm: they reach
 * other sessions' terminals and other processes' shared memory. */
const DEVICES: RuleDocument[] = [
  { path: "/dev/null", access: "rw" },
  { path: "/dev/zero", access: "rw" },
  { path: "/dev/full", access: "rw" },
  { path: "/dev/random", access: "r" },
  { path: "/dev/urandom", access: "r" },
  { path: "/dev/tty", access: "rw", optional: true },
];

/** `agent`: what an AI agent's shell needs to work on one project. */
const agent: PolicyDocument = {
  version: 1,
  filesystem_policy: {
    include_workdir: true,
    private_tmp: true,
    rules: [
      ...SYSTEM_DIRS.map((path) => ({ path, access: "rx", optional: true })),
      ...ETC_FILES.map((path) => ({ path, access: "r", optional: true })),
      ...SYSTEM_INFO.map((path) => ({ path, access: "r", optional: true })),
      ...DEVICES,
    ],
  },
  // No core dumps: a crashing tool's memory would land in the workdir.
  process: { rlimits: { core: 0 } },
};

/** `none`: nothing implicit, only what the policy or flags add. */
const none: PolicyDocument = { version: 1 };

export const PROFILES: ReadonlyMap<string, { description: string; policy: PolicyDocument }> = new Map([
  [
    "agent",
    {
      description:
        "system directories read+exec, the workdir read+write+exec, a private TMPDIR and HOME per run; " +
        "no access to the real home directory or to sibling directories of the workdir",
      policy: agent,
    },
  ],
  ["none", { description: "nothing implicit: only the rules given by the policy or flags", policy: none }],
]);

export function isProfile(name: string): boolean {
  return PROFILES.has(name);
}
