import type { NetState } from "../launcher/report.js";
import { SandboxError } from "../sandbox/errors.js";
import type { ExecResult } from "../sandbox/sandbox.js";

/** The network as the command met it, from the report's TCP state. */
const NETWORK: Record<NetState, string> = {
  denied: "off",
  "listed ports only": "only through the listed ports (cordon's proxy, or direct ports)",
  allowed: "open",
  "not restricted": "open (not restricted on this kernel)",
};

/** The tool result text when cordon itself failed: the sandbox could not be
 * applied (`outcome` says what then did not happen), or something else. */
export function failureText(error: unknown, outcome: string): string {
  return error instanceof SandboxError
    ? `the sandbox could not be applied, so ${outcome}: ${error.report?.failure ?? error.message}`
    : `cordon failed: ${(error as Error).message}`;
}

/** How much of each stream a model gets back (head and tail kept). */
export const TOOL_OUTPUT_BYTES = 30_000;

/** The tool result a model reads: the outcome, the output, and a short
 * account of the sandbox, so that a denial reads as a policy decision to
 * work with rather than a mystery to retry. */
export function summarize(result: ExecResult): string {
  const lines: string[] = [];
  const outcome = result.timedOut
    ? "timed out and was killed"
    : result.aborted
      ? "was cancelled"
      : result.signal
        ? `was killed by ${result.signal}`
        : `exit code ${result.exitCode}`;
  lines.push(outcome);
  if (result.stdout) lines.push(`--- stdout ---\n${result.stdout.trimEnd()}`);
  if (result.stderr) lines.push(`--- stderr ---\n${result.stderr.trimEnd()}`);
  if (result.truncated) lines.push("(output was long: its middle was dropped)");
  const report = result.report;
  const sandbox = report
    ? `sandbox: ${report.enforced === "full" ? "enforced" : `${report.enforced} (${report.gaps.map((g) => g.name).join(", ")})`}; network ${NETWORK[report.net.tcp]}; writable: the project directory${report.rules.some((r) => r.path.includes("/cordon-") && r.access.includes("w")) ? " and $TMPDIR/$HOME" : ""}`
    : "sandbox: no report";
  lines.push(sandbox);
  if (result.violations.length) {
    lines.push(
      "denied by the sandbox policy (not a transient error; retrying will not help):\n" +
        result.violations.map((v) => `  ${v.kind}${v.path ? ` ${v.path}` : ""}: ${v.message}`).join("\n"),
    );
  }
  return lines.join("\n");
}
