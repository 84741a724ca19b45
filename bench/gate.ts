// The benchmark gate's arithmetic: a ratio regresses when it falls more than
// the tolerance below its committed baseline. Missing ratios fail too, so a
// benchmark cannot pass the gate by disappearing. A ratio with a fixed bound
// (`bounds`: a target the code must meet, such as the CLI within 1.5x Node's
// start-up) is held to that bound instead of to its baseline. On GitHub
// Actions the table also goes to the job summary, as Markdown.
import { appendFile } from 'node:fs/promises';
import type { BenchResult } from './types.js';

/**
 * The ratios the gate compares: each is a figure over a reference measured beside it.
 * connect.scale.lastToFirst is the short scale run's (500k coins): the last quarter's tx/s over
 * the first's, held to the 0.85 by a bound in baseline.json.
 */
export const GATED = [
  'mining.wasm.perCore', 'mining.pool.scaling', 'merkle.wasm.nodesPerSec',
  'verify.wasm.perSec', 'connect.txPerSec', 'connect.scale.lastToFirst', 'sync.blocksPerSec', 'cli.routedSpeed',
];

/**
 * Ratios that need a second free core (parallel speed-up; the verify pool beside the chain; two
 * node processes syncing), which another process's load takes away.
 */
export const NEEDS_IDLE_CORES = ['mining.pool.scaling', 'connect.txPerSec', 'connect.scale.lastToFirst', 'sync.blocksPerSec'];

export interface Baseline { tolerance: number; ratios: Record<string, number>; bounds?: Record<string, number> }

export function tolerance(args: string[], fallback: number): number {
  const i = args.indexOf('--tolerance');
  const text = i >= 0 ? args[i + 1] : process.env.BENCH_TOLERANCE;
  if (text === undefined) return fallback;
  const t = Number(text);
  if (!(t >= 0 && t < 1)) throw new Error(`invalid tolerance "${text}": give a fraction such as 0.15`);
  return t;
}

/** Rows of the gate table and whether every gated ratio holds. */
export function compare(results: BenchResult[], baseline: Baseline, tol: number): { ok: boolean; rows: string[][] } {
  const rows = [['ratio', 'baseline', 'now', 'floor', 'verdict']];
  let ok = true;
  for (const [name, base] of Object.entries(baseline.ratios)) {
    const r = results.find((x) => x.name === name);
    const floor = baseline.bounds?.[name] ?? base * (1 - tol);
    const now = r?.ratio;
    const pass = now !== undefined && now >= floor;
    ok &&= pass;
    rows.push([name, base.toFixed(2), now === undefined ? 'missing' : now.toFixed(2), floor.toFixed(2), pass ? 'ok' : 'REGRESSION']);
  }
  return { ok, rows };
}


const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The gate's table as GitHub-flavoured Markdown, with its verdict. */
export function gateMarkdown(rows: string[][], tol: number, ok: boolean): string {
  const [head, ...body] = rows;
  const line = (r: string[]): string => `| ${r.map(cell).join(' | ')} |`;
  return [
    '### Benchmark gate',
    '',
    `A ratio may fall at most ${(tol * 100).toFixed(0)}% below its baseline (bench/baseline.json).`,
    '',
    line(head!),
    `|${head!.map((_, i) => (i >= 1 && i <= 3 ? ' ---: ' : ' --- ')).join('|')}|`,
    ...body.map(line),
    '',
    ok ? '**bench:check passed**' : '**bench:check FAILED**: a ratio fell below its floor (REGRESSION above)',
    '',
  ].join('\n');
}

/**
 * On GitHub Actions, appends the gate's table to the job summary: the file
 * named by GITHUB_STEP_SUMMARY. Elsewhere does nothing. Returns the path written, if any.
 */
export async function appendStepSummary(rows: string[][], tol: number, ok: boolean, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return null;
  await appendFile(path, gateMarkdown(rows, tol, ok));
  return path;
}
