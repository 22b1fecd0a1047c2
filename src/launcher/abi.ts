/** What each Landlock ABI brings to cordon's runs, and what stands in for it
 * on an older kernel: shown by `cordon check` and `cordon policy explain`. */
export interface AbiFeature {
  abi: number;
  name: string;
  what: string;
  /** What protects instead when the kernel lacks this ABI, if anything. */
  fallback?: string;
}

export const ABI_FEATURES: readonly AbiFeature[] = [
  { abi: 1, name: "filesystem", what: "deny-by-default filesystem access (read, write, execute, create, remove)" },
  { abi: 2, name: "refer", what: "rename and link across directories inside writable grants (without it: EXDEV)" },
  { abi: 3, name: "truncate", what: "truncation denied outside writable grants" },
  {
    abi: 4,
    name: "net-tcp",
    what: "TCP bind and connect denied by Landlock, or pinned to listed ports",
    fallback: "seccomp refuses inet sockets while the network is off",
  },
  { abi: 5, name: "ioctl-dev", what: "device ioctls denied outside writable grants" },
  { abi: 6, name: "scopes", what: "signals and abstract unix sockets confined to the sandbox" },
  { abi: 7, name: "audit", what: "denials logged to the audit log (LOG_NEW_EXEC_ON)" },
  {
    abi: 9,
    name: "resolve-unix",
    what: "connect() to pathname unix sockets held by Landlock, granted per path (access c)",
    fallback: "seccomp refuses unix sockets unless allowed; a c rule is the gap resolve-unix",
  },
  {
    abi: 10,
    name: "net-udp",
    what: "UDP bind and send denied by Landlock, also on sockets passed in",
    fallback: "seccomp refuses inet sockets other than TCP; a UDP socket passed in sends anywhere",
  },
];
