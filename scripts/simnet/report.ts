// The figures of a run: one JSON document, and a self-contained HTML page with
// inline SVG (propagation CDFs, each node's height through the partition).
import type { ChurnResult, PartitionResult, PropagationResult, Spread } from './scenarios.js';

export interface SimReport {
  scenario: string;
  nodes: number;
  isolation: 'netns' | 'loopback';
  note: string;
  shaping: string;
  topology: string;
  link: { latencyMs: number; jitterMs: number; lossPct: number };
  propagation: { p50Ms: number; p90Ms: number; maxMs: number } | null;
  txPropagation: { p50Ms: number; p90Ms: number; maxMs: number } | null;
  converged: boolean;
  convergeMs: number | null;
  reorgDepth: number | null;
  txLost: number | null;
  doubleSpends: number | null;
  churn: { kills: number; converged: boolean; utxoChecked: number; utxoMismatches: string[] } | null;
  ok: boolean;
  problems: string[];
}

const figures = (s: Spread): { p50Ms: number; p90Ms: number; maxMs: number } => ({ p50Ms: s.p50Ms, p90Ms: s.p90Ms, maxMs: s.maxMs });

export function summarise(base: Pick<SimReport, 'scenario' | 'nodes' | 'isolation' | 'note' | 'shaping' | 'topology' | 'link'>, p: PropagationResult | null, part: PartitionResult | null, ch: ChurnResult | null): SimReport {
  const problems: string[] = [];
  if (part && !part.converged) problems.push('partition: the nodes did not all reach the most-work chain after healing');
  if (part && part.txLost > 0) problems.push(`partition: ${part.txLost} transaction(s) of the losing side neither confirmed nor in a mempool`);
  if (part && part.doubleSpends > 0) problems.push(`partition: ${part.doubleSpends} conflicting spend(s) confirmed`);
  if (ch && !ch.converged) problems.push('churn: the nodes did not converge');
  if (ch) problems.push(...ch.utxoMismatches.map((m) => `churn: ${m}`));
  return {
    ...base,
    propagation: p ? figures(p.block) : null,
    txPropagation: p ? figures(p.tx) : null,
    converged: (part?.converged ?? true) && (ch?.converged ?? true),
    convergeMs: part?.convergeMs ?? ch?.convergeMs ?? null,
    reorgDepth: part?.reorgDepth ?? null,
    txLost: part?.txLost ?? null,
    doubleSpends: part?.doubleSpends ?? null,
    churn: ch ? { kills: ch.kills, converged: ch.converged, utxoChecked: ch.utxoChecked, utxoMismatches: ch.utxoMismatches } : null,
    ok: problems.length === 0,
    problems,
  };
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const W = 640;
const H = 260;
const PAD = 40;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

function axes(xMax: number, yLabel: string, xLabel: string, yMax: number): string {
  return `<line x1="${PAD}" y1="${H - PAD}" x2="${W - 10}" y2="${H - PAD}" stroke="#444"/><line x1="${PAD}" y1="10" x2="${PAD}" y2="${H - PAD}" stroke="#444"/>`
    + `<text x="${W / 2}" y="${H - 8}" font-size="12" text-anchor="middle">${esc(xLabel)} (max ${Math.round(xMax)})</text>`
    + `<text x="12" y="${H / 2}" font-size="12" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">${esc(yLabel)} (max ${yMax})</text>`;
}

function cdf(series: Array<{ name: string; samples: number[] }>): string {
  const xMax = Math.max(1, ...series.flatMap((s) => s.samples));
  const x = (v: number): number => PAD + (v / xMax) * (W - PAD - 10);
  const y = (q: number): number => H - PAD - q * (H - PAD - 10);
  const lines = series.map((s, k) => {
    const pts = s.samples.map((v, i) => `${x(v).toFixed(1)},${y((i + 1) / s.samples.length).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="2" points="${pts}"/><text x="${W - 150}" y="${30 + 16 * k}" fill="${COLOURS[k % COLOURS.length]}" font-size="12">${esc(s.name)}</text>`;
  });
  return `<svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">${axes(xMax, 'fraction of nodes', 'ms after the source', 1)}${lines.join('')}</svg>`;
}

export interface Timeline { node: number; side: number; points: Array<{ t: number; h: number }> }

function timeline(t0: number, lines: Timeline[], marks: Array<{ t: number; label: string }>): string {
  const all = lines.flatMap((l) => l.points);
  if (all.length === 0) return '<p>no height changes recorded</p>';
  const tMax = Math.max(1, ...all.map((p) => p.t - t0));
  const hMin = Math.min(...all.map((p) => p.h));
  const hMax = Math.max(hMin + 1, ...all.map((p) => p.h));
  const x = (t: number): number => PAD + ((t - t0) / tMax) * (W - PAD - 10);
  const y = (h: number): number => H - PAD - ((h - hMin) / (hMax - hMin)) * (H - PAD - 20);
  const paths = lines.map((l) => {
    const pts = l.points.filter((p) => p.t >= t0).map((p) => `${x(p.t).toFixed(1)},${y(p.h).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${COLOURS[l.side]}" stroke-opacity="0.6" stroke-width="1.5" points="${pts}"><title>node ${l.node}</title></polyline>`;
  });
  const ms = marks.map((m) => `<line x1="${x(m.t)}" y1="10" x2="${x(m.t)}" y2="${H - PAD}" stroke="#999" stroke-dasharray="4"/><text x="${x(m.t) + 3}" y="22" font-size="11">${esc(m.label)}</text>`);
  return `<svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">${axes(tMax, `height above ${hMin}`, 'ms', hMax - hMin)}${paths.join('')}${ms.join('')}</svg>`;
}

export function html(r: SimReport, p: PropagationResult | null, part: PartitionResult | null, lines: Timeline[]): string {
  const table = `<table border="1" cellpadding="4" style="border-collapse:collapse">${Object.entries(r).filter(([k]) => k !== 'churn' && k !== 'problems').map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(JSON.stringify(v))}</td></tr>`).join('')}</table>`;
  const parts = [`<h1>pubchain simnet: ${esc(r.scenario)}, ${r.nodes} nodes</h1><p>${esc(r.note)}</p>${table}`];
  if (r.problems.length) parts.push(`<h2>Problems</h2><ul>${r.problems.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`);
  if (p) parts.push(`<h2>Propagation CDF</h2>${cdf([{ name: `blocks (${p.block.samples.length})`, samples: p.block.samples }, { name: `transactions (${p.tx.samples.length})`, samples: p.tx.samples }])}`);
  if (part) {
    parts.push(`<h2>Heights through the partition (blue: the losing half, red: the winning half)</h2>${timeline(part.cutAt - 500, lines, [{ t: part.cutAt, label: 'cut' }, { t: part.healAt, label: 'heal' }])}`);
    parts.push(`<h2>The reorganisation</h2><p>The losing half's ${part.losingBlocks.length} block(s) ${esc(part.losingBlocks.join(', '))}: ${part.reorgDepth} left the chain on healing (reorg depth ${part.reorgDepth}); every node on the most-work tip ${part.convergeMs} ms after the heal; ${part.txLost} losing-side transaction(s) lost, ${part.doubleSpends} conflicting spend(s) confirmed.</p>`);
  }
  if (r.churn) parts.push(`<h2>Churn</h2><p>${r.churn.kills} kill -9 and restart(s); converged: ${r.churn.converged}; UTXO set equal to a reindex on ${r.churn.utxoChecked - r.churn.utxoMismatches.length} of ${r.churn.utxoChecked} nodes.</p>`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>pubchain simnet</title></head><body style="font-family:sans-serif">${parts.join('\n')}</body></html>\n`;
}
