// The same benchmark results in the JSON shapes CI tools read, chosen with
// `--format` (repeatable):
// - `bmf`, Bencher Metric Format: { "<benchmark>": { "<measure>": { value,
//   lower_value?, upper_value? } } }. Each result is one benchmark; its unit is
//   the measure, and a result with a ratio has a second measure, `ratio`.
// - `github-action-benchmark`, the action's `customBiggerIsBetter` input: an
//   array of { name, unit, value, range?, extra? }. Only figures where bigger
//   is better belong there, so a time or size (ms, MB) is left out, and every
//   ratio (the gate's figures, all bigger-is-better) is an entry of its own.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResult } from './types.js';

export const FORMATS = ['bmf', 'github-action-benchmark'] as const;
export type BenchFormat = (typeof FORMATS)[number];

/** The file each format is written to, beside results.json. */
export const FORMAT_FILES: Record<BenchFormat, string> = {
  bmf: 'results.bmf.json',
  'github-action-benchmark': 'results.github-action-benchmark.json',
};

export interface BmfMetric { value: number; lower_value?: number; upper_value?: number }
export type Bmf = Record<string, Record<string, BmfMetric>>;

export interface GabEntry { name: string; unit: string; value: number; range?: string; extra?: string }

/** Every `--format NAME` in `args`, checked before anything runs. */
export function formatsOf(args: string[]): BenchFormat[] {
  const out: BenchFormat[] = [];
  args.forEach((a, i) => {
    if (a !== '--format') return;
    const f = args[i + 1];
    if (!FORMATS.includes(f as BenchFormat)) throw new Error(`unknown --format "${f ?? ''}": use ${FORMATS.join(' or ')}`);
    if (!out.includes(f as BenchFormat)) out.push(f as BenchFormat);
  });
  return out;
}

const LOWER_IS_BETTER = /^(ns|µs|us|ms|s|sec|seconds|B|bytes|KB|KiB|MB|MiB|GB|GiB)\b|lower is/i;

/** Whether a bigger value of `r` is the better one: `better` when set, else read from the unit. */
export function biggerIsBetter(r: BenchResult): boolean {
  return r.better !== undefined ? r.better === 'higher' : !LOWER_IS_BETTER.test(r.unit);
}

/** Bencher measures are named by at most 64 characters. */
const measure = (unit: string): string => unit.slice(0, 64);

export function toBmf(results: BenchResult[]): Bmf {
  const out: Bmf = {};
  for (const r of results) {
    const metric: BmfMetric = { value: r.value };
    if (r.low !== undefined) metric.lower_value = r.low;
    if (r.high !== undefined) metric.upper_value = r.high;
    const b: Record<string, BmfMetric> = { [measure(r.unit)]: metric };
    if (r.ratio !== undefined) b.ratio = { value: r.ratio };
    out[r.name] = b;
  }
  return out;
}

export function toGithubActionBenchmark(results: BenchResult[]): GabEntry[] {
  const out: GabEntry[] = [];
  for (const r of results) {
    if (biggerIsBetter(r)) {
      const e: GabEntry = { name: r.name, unit: r.unit, value: r.value };
      if (r.low !== undefined && r.high !== undefined) e.range = `${r.low} - ${r.high}`;
      if (r.ratio !== undefined) e.extra = `ratio ${r.ratio.toFixed(3)}${r.reference ? ` against ${r.reference}` : ''}`;
      out.push(e);
    }
    if (r.ratio !== undefined) {
      out.push({ name: `${r.name} (ratio)`, unit: r.reference ? `x ${r.reference}` : 'x', value: r.ratio, extra: `${r.value} ${r.unit}` });
    }
  }
  return out;
}

export function render(format: BenchFormat, results: BenchResult[]): string {
  const body = format === 'bmf' ? toBmf(results) : toGithubActionBenchmark(results);
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** Writes each format's file into `dir`; returns the paths written. */
export async function writeFormats(formats: BenchFormat[], results: BenchResult[], dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (const f of formats) {
    const path = join(dir, FORMAT_FILES[f]);
    await writeFile(path, render(f, results));
    paths.push(path);
  }
  return paths;
}
