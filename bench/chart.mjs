#!/usr/bin/env node
// The chart of a bench run: one horizontal bar per contender, grouped by
// scenario, its length the ratio to the scenario's baseline on a log scale,
// labelled with the ratio and the absolute time (or memory) beside it. A red
// dash marks a DESIGN.md budget on the row it applies to. Plain SVG, no
// dependency.
//
//   node bench/chart.mjs [RESULTS_JSON] [OUT_SVG]
//   (defaults: bench/results/latest.json, docs/benchmarks.svg)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const COLORS = { baseline: "#8a8f98", cordon: "#2b6cb0", peer: "#dd6b20", reference: "#b8c2cc" };
const WIDTH = 1060;
const LABEL_X = 12;
const BAR_X = 470;
const BAR_W = 380;
const ROW_H = 20;
const HEAD_H = 30;

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function fmtMs(x) {
  const a = Math.abs(x);
  return a >= 100 ? `${a.toFixed(0)} ms` : a >= 10 ? `${a.toFixed(1)} ms` : `${a.toFixed(2)} ms`;
}

function fmtRatio(r) {
  return r >= 100 ? `${r.toFixed(0)}x` : r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

function valueText(scenario, c) {
  if (scenario.metric === "maxrss") return `${fmtRatio(c.ratio)}  ·  ${Math.round(c.maxrss_kb_median)} KB`;
  if (c.kind === "baseline") return `1x  ·  ${fmtMs(c.median_ms)}`;
  return `${fmtRatio(c.ratio)}  ·  ${c.delta_ms >= 0 ? "+" : "-"}${fmtMs(c.delta_ms)}`;
}

/** The SVG text of RESULTS (the object bench/run.mjs writes). */
export function renderChart(results) {
  const ok = results.scenarios.flatMap((s) => s.contenders.filter((c) => c.status === "ok"));
  const ratios = ok.map((c) => c.ratio).concat(ok.map((c) => c.budget_ratio ?? 1));
  const ticks = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
  const lo = [...ticks].reverse().find((t) => t <= Math.min(0.5, ...ratios)) ?? 0.1;
  const hi = ticks.find((t) => t >= Math.max(2, ...ratios)) ?? 5000;
  const x = (r) => BAR_X + (BAR_W * (Math.log(Math.max(r, lo)) - Math.log(lo))) / (Math.log(hi) - Math.log(lo));
  const shown = ticks.filter((t) => t >= lo && t <= hi);

  const body = [];
  let y = 78;
  const top = y;
  for (const s of results.scenarios) {
    y += HEAD_H;
    const unit = s.metric === "maxrss" ? "peak RSS" : "wall time";
    body.push(
      `<text x="${LABEL_X}" y="${y - 9}" class="h">${esc(s.title)}</text>`,
      `<text x="${BAR_X + BAR_W + 8}" y="${y - 9}" class="n">${esc(`${unit}, median of ${s.iterations}`)}</text>`,
    );
    for (const c of s.contenders) {
      const mid = y + ROW_H / 2;
      body.push(`<text x="${LABEL_X + 10}" y="${mid + 4}" class="l">${esc(clip(c.label, 72))}</text>`);
      if (c.status !== "ok") {
        body.push(
          `<text x="${BAR_X + 4}" y="${mid + 4}" class="s">${esc(clip(`${c.status} (${c.reason})`, 80))}</text>`,
        );
      } else {
        const w = Math.max(1, x(c.ratio) - BAR_X);
        body.push(
          `<rect x="${BAR_X}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW_H - 6}" fill="${COLORS[c.kind] ?? COLORS.cordon}"/>`,
        );
        if (c.budget_ratio) {
          const bx = x(c.budget_ratio).toFixed(1);
          body.push(`<line x1="${bx}" x2="${bx}" y1="${y}" y2="${y + ROW_H}" class="b"/>`);
        }
        body.push(`<text x="${(BAR_X + w + 6).toFixed(1)}" y="${mid + 4}" class="v">${esc(valueText(s, c))}</text>`);
      }
      y += ROW_H;
    }
  }
  const bottom = y + 6;
  const grid = shown.map((t) => {
    const gx = x(t).toFixed(1);
    return (
      `<line x1="${gx}" x2="${gx}" y1="${top}" y2="${bottom}" class="${t === 1 ? "one" : "g"}"/>` +
      `<text x="${gx}" y="${top - 6}" class="t">${t}x</text><text x="${gx}" y="${bottom + 14}" class="t">${t}x</text>`
    );
  });
  const m = results.machine;
  const height = bottom + 56;
  const legend = Object.entries({
    baseline: "baseline",
    cordon: "cordon",
    peer: "peer sandbox",
    reference: "reference",
  }).map(
    ([k, name], i) =>
      `<rect x="${LABEL_X + i * 130}" y="${bottom + 30}" width="12" height="12" fill="${COLORS[k]}"/>` +
      `<text x="${LABEL_X + i * 130 + 18}" y="${bottom + 40}" class="l">${name}</text>`,
  );
  legend.push(
    `<line x1="${LABEL_X + 530}" x2="${LABEL_X + 530}" y1="${bottom + 28}" y2="${bottom + 44}" class="b"/>` +
      `<text x="${LABEL_X + 540}" y="${bottom + 40}" class="l">budget (shared/DESIGN.md)</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">
<style>
.h { font-size: 13px; font-weight: 600; fill: #1a202c; }
.l { font-size: 11.5px; fill: #2d3748; }
.v { font-size: 11.5px; fill: #1a202c; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
.s { font-size: 11.5px; fill: #718096; font-style: italic; }
.n { font-size: 11px; fill: #718096; }
.t { font-size: 10px; fill: #718096; text-anchor: middle; }
.g { stroke: #e2e8f0; stroke-width: 1; }
.one { stroke: #4a5568; stroke-width: 1; stroke-dasharray: 3 2; }
.b { stroke: #e53e3e; stroke-width: 2.5; stroke-dasharray: 4 2; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="${LABEL_X}" y="24" font-size="16" font-weight="700" fill="#1a202c">cordon benchmarks: ratio to each scenario's baseline (log scale; lower is better)</text>
<text x="${LABEL_X}" y="44" class="n">${esc(`${results.date.slice(0, 10)} · ${m.cpu_model}, ${m.nproc} CPUs · Linux ${m.kernel}, Landlock ABI ${m.landlock_abi} · Node ${m.node} · ${results.command}`)}</text>
<text x="${LABEL_X}" y="60" class="n">Baseline and contenders run alternately in the same run; bars: ratio of medians; beside them: the ratio and the absolute difference (or peak RSS).</text>
${grid.join("\n")}
${body.join("\n")}
${legend.join("\n")}
</svg>
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bench = join(fileURLToPath(import.meta.url), "..");
  const input = process.argv[2] ?? join(bench, "results", "latest.json");
  const output = process.argv[3] ?? join(bench, "..", "docs", "benchmarks.svg");
  writeFileSync(output, renderChart(JSON.parse(readFileSync(input, "utf8"))));
  console.log(`wrote ${output}`);
}
