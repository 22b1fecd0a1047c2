#!/usr/bin/env node
// Markdown tables of a bench run, for docs/benchmarks.md: every ratio with the
// absolute time beside it. bench/run.mjs writes them to
// bench/results/latest.md; this also runs on its own:
//
//   node bench/report.mjs [RESULTS_JSON]   (default: bench/results/latest.json)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const fmtMs = (x) => {
  const a = Math.abs(x);
  return a >= 100 ? `${a.toFixed(0)} ms` : a >= 10 ? `${a.toFixed(1)} ms` : `${a.toFixed(2)} ms`;
};
const signed = (x, fmt) => `${x >= 0 ? "+" : "−"}${fmt(Math.abs(x))}`;
const cell = (s) => String(s).replace(/\|/g, "\\|");

function scenarioTable(s) {
  const mem = s.metric === "maxrss";
  const rows = [];
  if (mem) {
    rows.push("| contender | peak RSS (median) | p95 | ratio | Δ median |", "|---|---:|---:|---:|---:|");
  } else {
    rows.push(
      "| contender | median | p95 | ratio | Δ median | paired ratio [95% CI] |",
      "|---|---:|---:|---:|---:|---:|",
    );
  }
  for (const c of s.contenders) {
    if (c.status !== "ok") {
      rows.push(`| ${cell(c.label)} | ${cell(`${c.status} (${c.reason})`)} | | | | ${mem ? "" : "|"}`);
      continue;
    }
    const base = c.kind === "baseline";
    if (mem) {
      rows.push(
        `| ${cell(c.label)} | ${Math.round(c.maxrss_kb_median)} KB | ${Math.round(c.maxrss_kb_p95)} KB | ` +
          `${base ? "1 (baseline)" : `${c.ratio.toFixed(2)}x`} | ${base ? "" : signed(c.delta_kb, (x) => `${Math.round(x)} KB`)} |`,
      );
    } else {
      const [lo, hi] = c.paired_ratio_ci95 ?? [];
      rows.push(
        `| ${cell(c.label)} | ${fmtMs(c.median_ms)} | ${fmtMs(c.p95_ms)} | ` +
          `${base ? "1 (baseline)" : `${c.ratio.toFixed(2)}x`} | ${base ? "" : signed(c.delta_ms, fmtMs)} | ` +
          `${base ? "" : `${c.paired_ratio.toFixed(3)}x [${lo.toFixed(3)}, ${hi.toFixed(3)}]`} |`,
      );
    }
  }
  for (const c of s.contenders) {
    if (c.versus_paired_ratio === undefined) continue;
    const [lo, hi] = c.versus_paired_ratio_ci95;
    const versus = s.contenders.find((x) => x.id === c.versus);
    rows.push(
      "",
      `Landlock's share (${c.label} against ${versus.label}, paired): ` +
        `**${c.versus_paired_ratio.toFixed(3)}x** [${lo.toFixed(3)}, ${hi.toFixed(3)}], ${signed(c.versus_paired_delta_ms, fmtMs)}.`,
    );
  }
  return rows.join("\n");
}

/** Markdown for RESULTS (the object bench/run.mjs writes). */
export function markdown(results) {
  const out = [];
  for (const s of results.scenarios) {
    out.push(
      `### ${s.title} (\`${s.id}\`)`,
      "",
      `${s.iterations} interleaved iterations after ${s.warmup} warm-up; ${s.harness}.`,
      "",
      scenarioTable(s),
      "",
    );
  }
  out.push("### Budgets (shared/DESIGN.md)", "", "| budget | measured | verdict |", "|---|---|---|");
  for (const b of results.budgets) {
    out.push(`| ${cell(b.budget)} | ${cell(b.measured)} | **${b.verdict}**${b.gap ? ` (${b.gap})` : ""} |`);
  }
  return `${out.join("\n")}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const input = process.argv[2] ?? join(fileURLToPath(import.meta.url), "..", "results", "latest.json");
  process.stdout.write(markdown(JSON.parse(readFileSync(input, "utf8"))));
}
