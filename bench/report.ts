// bench/report.html: one self-contained page (inline SVG, no scripts, no
// network) with the results table, a line chart per series group, and the
// trend of each gated ratio over the bench:baseline runs in history.jsonl.
import type { HistoryEntry } from './history.js';
import type { BenchResult, BenchSeries } from './types.js';

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]!));
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

function fmt(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (Math.abs(v) >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  return v.toFixed(v < 10 ? 2 : 0);
}

function chart(title: string, series: BenchSeries[]): string {
  const W = 560, H = 300, L = 70, R = 20, T = 30, B = 45;
  const pts = series.flatMap((s) => s.points);
  const xMax = Math.max(...pts.map((p) => p[0]));
  const xMin = Math.min(...pts.map((p) => p[0]));
  const yMax = Math.max(...pts.map((p) => p[1])) * 1.1 || 1;
  const log = xMax / Math.max(xMin, 1e-9) > 20;
  const sx = (x: number): number => L + (W - L - R) * (log ? Math.log(x / xMin) / Math.log(xMax / xMin) : (xMax === xMin ? 0.5 : (x - xMin) / (xMax - xMin)));
  const sy = (y: number): number => H - B - (H - T - B) * (y / yMax);
  const ticksY = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  const ticksX = [...new Set(pts.map((p) => p[0]))].sort((a, b) => a - b);
  const parts = [
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
    ...ticksY.map((y) => `<line x1="${L}" x2="${W - R}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/><text x="${L - 6}" y="${sy(y) + 4}" text-anchor="end" font-size="11">${fmt(y)}</text>`),
    ...ticksX.map((x) => `<text x="${sx(x)}" y="${H - B + 16}" text-anchor="middle" font-size="11">${fmt(x)}</text>`),
    `<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${esc(series[0]!.xLabel)}</text>`,
    `<text x="14" y="${(T + H - B) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${(T + H - B) / 2})">${esc(series[0]!.yLabel)}</text>`,
  ];
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${sorted.map((p) => `${sx(p[0])},${sy(p[1])}`).join(' ')}"/>`);
    for (const p of sorted) parts.push(`<circle cx="${sx(p[0])}" cy="${sy(p[1])}" r="3" fill="${c}"><title>${esc(s.label)}: ${fmt(p[1])} at ${p[0]}</title></circle>`);
    parts.push(`<rect x="${L + 10}" y="${T + 6 + i * 16}" width="10" height="10" fill="${c}"/><text x="${L + 26}" y="${T + 15 + i * 16}" font-size="11">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** One ratio across the history: x is the run (oldest first), each point titled with its commit and date. */
function trendChart(name: string, history: HistoryEntry[]): string {
  const W = 360, H = 200, L = 50, R = 15, T = 28, B = 30;
  const pts = history.flatMap((e, i) => (typeof e.ratios[name] === 'number' ? [{ i, v: e.ratios[name]!, e }] : []));
  const vMax = Math.max(...pts.map((p) => p.v)) * 1.15 || 1;
  const n = history.length;
  const sx = (i: number): number => L + (W - L - R) * (n === 1 ? 0.5 : i / (n - 1));
  const sy = (v: number): number => H - B - (H - T - B) * (v / vMax);
  const short = (c: string): string => (c === 'unknown' ? c : c.slice(0, 7));
  const parts = [
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(name)} over baseline runs">`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-weight="bold" font-size="13">${esc(name)}</text>`,
    ...[0, 0.5, 1].map((f) => `<line x1="${L}" x2="${W - R}" y1="${sy(f * vMax)}" y2="${sy(f * vMax)}" stroke="#ddd"/><text x="${L - 6}" y="${sy(f * vMax) + 4}" text-anchor="end" font-size="11">${fmt(f * vMax)}</text>`),
    `<text x="${sx(0)}" y="${H - B + 16}" text-anchor="middle" font-size="10">${esc(short(history[0]!.commit))}</text>`,
    ...(n > 1 ? [`<text x="${sx(n - 1)}" y="${H - B + 16}" text-anchor="middle" font-size="10">${esc(short(history[n - 1]!.commit))}</text>`] : []),
  ];
  if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${COLORS[0]}" stroke-width="2" points="${pts.map((p) => `${sx(p.i)},${sy(p.v)}`).join(' ')}"/>`);
  for (const p of pts) parts.push(`<circle cx="${sx(p.i)}" cy="${sy(p.v)}" r="3" fill="${COLORS[0]}"><title>${esc(`${p.v.toFixed(3)} at ${short(p.e.commit)}, ${p.e.date}`)}</title></circle>`);
  parts.push('</svg>');
  return parts.join('\n');
}

function trend(history: HistoryEntry[]): string {
  if (history.length === 0) return '<h2>Trend</h2>\n<p>No bench:baseline runs recorded in bench/history.jsonl yet.</p>';
  const names = [...new Set(history.flatMap((e) => Object.keys(e.ratios)))];
  return `<h2>Trend</h2>\n<p>Gated ratios over ${history.length} bench:baseline run${history.length === 1 ? '' : 's'} (bench/history.jsonl, oldest on the left).</p>\n<div>${names.map((name) => trendChart(name, history)).join('\n')}</div>`;
}

export function renderReport(machine: Record<string, unknown>, results: BenchResult[], series: BenchSeries[], history: HistoryEntry[] = []): string {
  const groups = new Map<string, BenchSeries[]>();
  for (const s of series) groups.set(s.chart, [...(groups.get(s.chart) ?? []), s]);
  const rows = results.map((r) => `<tr><td>${esc(r.name)}</td><td class="n">${fmt(r.value)}</td><td>${esc(r.unit)}</td><td>${esc(r.reference ?? '')}</td><td class="n">${r.ratio === undefined ? '' : r.ratio.toFixed(2)}</td></tr>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pubchain benchmarks</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #eee;text-align:left}.n{text-align:right;font-variant-numeric:tabular-nums}svg{margin:1em 1em 0 0;border:1px solid #eee}</style>
</head><body>
<h1>pubchain benchmarks</h1>
<p>${esc(Object.entries(machine).map(([k, v]) => `${k}: ${String(v)}`).join(' · '))}</p>
<table><thead><tr><th>name</th><th>value</th><th>unit</th><th>reference (same run)</th><th>ratio</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<div>${[...groups].map(([title, s]) => chart(title, s)).join('\n')}</div>
${trend(history)}
</body></html>
`;
}
