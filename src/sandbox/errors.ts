import type { EnforcementReport } from "../launcher/report.js";

/** cordon could not run the command in the sandbox it was asked for (exit
 * 125): the launcher refused, or the policy could not be applied. Carries the
 * command and whatever output and report there are, like execa's errors. */
export class SandboxError extends Error {
  override readonly name = "SandboxError";
  constructor(
    message: string,
    readonly details: {
      command: string;
      exitCode: number | null;
      stderr: string;
      report: EnforcementReport | null;
    },
  ) {
    super(message);
  }
  get command(): string {
    return this.details.command;
  }
  get exitCode(): number | null {
    return this.details.exitCode;
  }
  get stderr(): string {
    return this.details.stderr;
  }
  get report(): EnforcementReport | null {
    return this.details.report;
  }
}

/** The command ran and failed (non-zero exit, signal, timeout), and the
 * caller asked to be told with an exception (`reject: true`). */
export class CommandError extends Error {
  override readonly name = "CommandError";
  constructor(
    message: string,
    readonly result: import("./sandbox.js").ExecResult,
  ) {
    super(message);
  }
}
