// A sandboxed bash tool for the Vercel AI SDK's tool interface (package
// `ai`, with `zod`). Not built with cordon; copy it into your agent.
import { tool } from "ai";
import { Sandbox } from "cordon";
import { z } from "zod";

export function sandboxedBash(workdir: string) {
  const sandbox = new Sandbox({ workdir });
  return tool({
    description: `Run a bash command in ${workdir}, inside a Landlock sandbox (no network, nothing outside the project).`,
    inputSchema: z.object({ command: z.string() }),
    execute: async ({ command }) => {
      const r = await sandbox.exec(command, { timeout: 120_000, maxBuffer: 30_000 });
      return {
        exitCode: r.exitCode,
        timedOut: r.timedOut,
        stdout: r.stdout,
        stderr: r.stderr,
        deniedBySandbox: r.violations.map((v) => v.path ?? v.message),
      };
    },
  });
}
