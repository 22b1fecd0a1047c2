import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { promisify } from "node:util";
import { ABI_FEATURES, type AbiFeature } from "../launcher/abi.js";
import { launcherPath } from "../launcher/binary.js";
import { parseOptions, UsageError } from "./args.js";

export const CHECK_HELP = `usage: cordon check [--json] [--max-abi N]

Says what this kernel and this process can enforce: the Landlock ABI and
errata, each right and scope, whether Landlock's syscalls are blocked (and by
what errno), no_new_privs, seccomp filters already on this process, and user
namespaces (for information: cordon does not need them). Exit status 0 only
when Landlock is usable here.
`;

/** `cordon-exec --probe` output; see native/probe.c. */
export interface Probe {
  cordon_exec: string;
  kernel_abi: number;
  abi: number;
  known_abi: number;
  landlock_errno?: string;
  landlock_hint?: string;
  errata: number;
  restrict_self?: string;
  restrict_self_errno?: string;
  seccomp_filter: string;
  seccomp_filter_errno?: string;
  user_namespaces: string;
  user_namespaces_errno?: string;
  no_new_privs: boolean;
  seccomp_mode: number;
  seccomp_filters: number;
  uid: number;
  cap_effective: string;
  cap_bounding: string;
}

export interface CheckResult {
  kernel: string;
  usable: boolean;
  probe: Probe;
  lsm: string | null;
  features: (AbiFeature & { available: boolean })[];
  remediation: string[];
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
}

export async function checkHost(maxAbi?: number): Promise<CheckResult> {
  const args = ["--probe", ...(maxAbi === undefined ? [] : ["--max-abi", String(maxAbi)])];
  const { stdout } = await promisify(execFile)(launcherPath(), args);
  const probe = JSON.parse(stdout) as Probe;
  const lsm = readText("/sys/kernel/security/lsm");
  const usable = probe.abi >= 1 && probe.restrict_self === "ok";
  const remediation: string[] = [];

  if (probe.kernel_abi < 0) {
    remediation.push(`Landlock answered ${probe.landlock_errno}: ${probe.landlock_hint}.`);
    if (probe.landlock_errno === "EOPNOTSUPP" && lsm !== null) {
      remediation.push(`The active LSMs are '${lsm}'; boot with lsm=landlock,${lsm}.`);
    }
  } else if (probe.restrict_self !== "ok" && probe.restrict_self !== undefined) {
    remediation.push(
      `landlock_restrict_self failed with ${probe.restrict_self_errno} (${probe.restrict_self}): ` +
        "a seccomp filter on this process may block syscall 446; allow it.",
    );
  }
  if (probe.seccomp_filter !== "ok") {
    remediation.push(
      `A seccomp filter cannot be installed here (${probe.seccomp_filter_errno}): cordon's hard mode refuses ` +
        "to run without it (gap 'seccomp'); the kernel needs CONFIG_SECCOMP_FILTER, and a container " +
        "profile must allow the seccomp() syscall.",
    );
  }
  if (probe.abi >= 1 && probe.abi < 6) {
    remediation.push(
      `ABI ${probe.abi} lacks protections cordon asks for by default; hard mode refuses them ` +
        "unless accepted with --accept-gap NAME (or run with --compat best). Linux 6.12+ gives ABI 6.",
    );
  }
  return {
    kernel: release(),
    usable,
    probe,
    lsm,
    features: ABI_FEATURES.map((f) => ({ ...f, available: probe.abi >= f.abi })),
    remediation,
  };
}

function describe(result: CheckResult): string {
  const { probe } = result;
  const lines: string[] = [];
  const abiText =
    probe.kernel_abi < 0
      ? `Landlock unavailable (${probe.landlock_errno})`
      : `Landlock ABI ${probe.kernel_abi}${probe.abi !== probe.kernel_abi ? ` (capped to ${probe.abi})` : ""}, errata ${probe.errata}`;
  lines.push(`cordon check: Linux ${result.kernel}, ${abiText}`);
  for (const f of result.features) {
    lines.push(`  ${f.available ? "ok  " : "no  "}  ABI ${String(f.abi).padEnd(2)} ${f.name}: ${f.what}`);
  }
  if (probe.restrict_self !== undefined) {
    lines.push(
      `  ${probe.restrict_self === "ok" ? "ok  " : "FAIL"}  restrict_self in this process: ${probe.restrict_self}`,
    );
  }
  lines.push(
    `  ${probe.seccomp_filter === "ok" ? "ok  " : "FAIL"}  seccomp filter can be installed: ${probe.seccomp_filter}`,
  );
  lines.push(
    `  info  no_new_privs already set: ${
      probe.no_new_privs ? "yes (a no-new-privileges container or parent; fine: cordon sets it anyway)" : "no"
    }`,
  );
  lines.push(
    `  info  seccomp on this process: ${
      probe.seccomp_mode === 2
        ? `${probe.seccomp_filters} filter(s) (a container profile; cordon stacks its own)`
        : probe.seccomp_mode === 0
          ? "none"
          : "strict"
    }`,
  );
  lines.push(
    `  info  user namespaces: ${
      probe.user_namespaces === "ok"
        ? "available"
        : `blocked (${probe.user_namespaces_errno}): bubblewrap-style sandboxes cannot start here`
    } (cordon does not need them)`,
  );
  const capless = probe.cap_effective === "0x0";
  lines.push(
    `  info  uid ${probe.uid}, ${capless ? "no capabilities" : `capabilities ${probe.cap_effective}`}` +
      (probe.uid === 0 && capless ? " (capless root: fine for cordon, which needs no capability)" : "") +
      (!capless ? " (cordon drops them all for the command)" : ""),
  );
  for (const line of result.remediation) lines.push(`  fix   ${line}`);
  lines.push(result.usable ? "Landlock is usable here." : "Landlock is NOT usable here: cordon run will refuse.");
  return `${lines.join("\n")}\n`;
}

export async function checkCommand(argv: string[]): Promise<number> {
  const { options, rest } = parseOptions(
    argv,
    { "--json": { value: false }, "--max-abi": { value: true }, "--help": { value: false } },
    { stopAtPositional: false },
  );
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  if (options.has("--help")) {
    process.stdout.write(CHECK_HELP);
    return 0;
  }
  const maxAbi = options.get("--max-abi")?.[0];
  if (maxAbi !== undefined && !/^\d+$/.test(maxAbi)) throw new UsageError(`--max-abi: '${maxAbi}' is not a number`);
  const result = await checkHost(maxAbi === undefined ? undefined : Number(maxAbi));
  process.stdout.write(options.has("--json") ? `${JSON.stringify(result, null, 2)}\n` : describe(result));
  return result.usable ? 0 : 1;
}
