// The benchmark results in the shapes CI tools read (Bencher's BMF and
// github-action-benchmark's customBiggerIsBetter), the history of baseline
// runs, and its trend in report.html. Pure functions on a fixed results object.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { biggerIsBetter, FORMAT_FILES, formatsOf, render, toBmf, toGithubActionBenchmark, writeFormats } from '../bench/formats.js';
import { appendHistory, currentCommit, readHistory, type HistoryEntry } from '../bench/history.js';
import { renderReport } from '../bench/report.js';
import type { BenchResult } from '../bench/types.js';
import { tempDir } from './helpers/tempDir.js';

const RESULTS: BenchResult[] = [
  { name: 'connect.inline.txPerSec', value: 5200, unit: 'tx/s' },
  { name: 'connect.txPerSec', value: 6100, unit: 'tx/s', reference: 'connect.inline.txPerSec', ratio: 6100 / 5200, low: 5900, high: 6300 },
  { name: 'mining.pool.scaling', value: 1.9, unit: 'x', ratio: 1.9 },
  { name: 'stratum.notifyDelay.p50', value: 0.35, unit: 'ms' },
  { name: 'cli.nodeStartupMs', value: 41, unit: 'ms (node -e 0, median)' },
  { name: 'cli.routedSpeed', value: 1.4, unit: 'x node start-up (lower is quicker)', reference: 'cli.nodeStartupMs', ratio: 1 / 1.4 },
  { name: 'sync.peakRssMB', value: 900, unit: 'MB' },
  { name: 'odd.score', value: 3, unit: 'points', better: 'lower' },
];

const REPO = fileURLToPath(new URL('../..', import.meta.url));

test('BMF: one benchmark per result, its unit as the measure, the ratio as a second measure, the spread as lower/upper', () => {
  const bmf = toBmf(RESULTS);
  assert.deepEqual(Object.keys(bmf), RESULTS.map((r) => r.name));
  assert.deepEqual(bmf['connect.txPerSec'], { 'tx/s': { value: 6100, lower_value: 5900, upper_value: 6300 }, ratio: { value: 6100 / 5200 } });
  assert.deepEqual(bmf['connect.inline.txPerSec'], { 'tx/s': { value: 5200 } });
  assert.deepEqual(bmf['stratum.notifyDelay.p50'], { ms: { value: 0.35 } });
  // The schema: every benchmark maps measures to { value: number, lower_value?: number, upper_value?: number }.
  for (const [name, measures] of Object.entries(bmf)) {
    assert.ok(name.length > 0 && Object.keys(measures).length > 0, name);
    for (const [m, metric] of Object.entries(measures)) {
      assert.ok(m.length > 0 && m.length <= 64, `measure name ${m}`);
      assert.equal(typeof metric.value, 'number');
      for (const k of Object.keys(metric)) assert.ok(['value', 'lower_value', 'upper_value'].includes(k), `${name}/${m}: ${k}`);
    }
  }
  assert.deepEqual(JSON.parse(render('bmf', RESULTS)), bmf);
});

test('github-action-benchmark: bigger-is-better entries only; each ratio is an entry of its own', () => {
  const entries = toGithubActionBenchmark(RESULTS);
  assert.ok(Array.isArray(entries));
  for (const e of entries) {
    assert.equal(typeof e.name, 'string');
    assert.equal(typeof e.unit, 'string');
    assert.equal(typeof e.value, 'number');
    for (const k of Object.keys(e)) assert.ok(['name', 'unit', 'value', 'range', 'extra'].includes(k), `${e.name}: ${k}`);
    if (e.range !== undefined) assert.equal(typeof e.range, 'string');
    if (e.extra !== undefined) assert.equal(typeof e.extra, 'string');
  }
  const names = entries.map((e) => e.name);
  assert.equal(new Set(names).size, names.length, 'names are unique');
  assert.deepEqual(names, [
    'connect.inline.txPerSec', 'connect.txPerSec', 'connect.txPerSec (ratio)', 'mining.pool.scaling', 'mining.pool.scaling (ratio)', 'cli.routedSpeed (ratio)',
  ]);
  const tx = entries.find((e) => e.name === 'connect.txPerSec')!;
  assert.deepEqual(tx, { name: 'connect.txPerSec', unit: 'tx/s', value: 6100, range: '5900 - 6300', extra: 'ratio 1.173 against connect.inline.txPerSec' });
  assert.deepEqual(entries.find((e) => e.name === 'cli.routedSpeed (ratio)'), { name: 'cli.routedSpeed (ratio)', unit: 'x cli.nodeStartupMs', value: 1 / 1.4, extra: '1.4 x node start-up (lower is quicker)' });
  assert.deepEqual(JSON.parse(render('github-action-benchmark', RESULTS)), entries);
});

test('which way is better: times and sizes lower, rates and ratios higher, `better` overrides', () => {
  const by = Object.fromEntries(RESULTS.map((r) => [r.name, biggerIsBetter(r)]));
  assert.deepEqual(by, {
    'connect.inline.txPerSec': true, 'connect.txPerSec': true, 'mining.pool.scaling': true, 'stratum.notifyDelay.p50': false,
    'cli.nodeStartupMs': false, 'cli.routedSpeed': false, 'sync.peakRssMB': false, 'odd.score': false,
  });
});

test('--format: both names, repeatable, an unknown one refused before anything runs', () => {
  assert.deepEqual(formatsOf(['--check']), []);
  assert.deepEqual(formatsOf(['--format', 'bmf', '--check', '--format', 'github-action-benchmark', '--format', 'bmf']), ['bmf', 'github-action-benchmark']);
  assert.throws(() => formatsOf(['--format', 'csv']), /unknown --format "csv": use bmf or github-action-benchmark/);
  assert.throws(() => formatsOf(['--format']), /unknown --format ""/);
});

test('writeFormats writes one file per format, each the converter\'s JSON', async (t) => {
  const tmp = await tempDir('bench-formats');
  t.after(tmp.cleanup);
  const paths = await writeFormats(['bmf', 'github-action-benchmark'], RESULTS, tmp.dir);
  assert.deepEqual(paths, [join(tmp.dir, FORMAT_FILES.bmf), join(tmp.dir, FORMAT_FILES['github-action-benchmark'])]);
  assert.deepEqual(JSON.parse(await readFile(paths[0]!, 'utf8')), toBmf(RESULTS));
  assert.deepEqual(JSON.parse(await readFile(paths[1]!, 'utf8')), toGithubActionBenchmark(RESULTS));
  assert.deepEqual(await writeFormats([], RESULTS, tmp.dir), []);
});

const entry = (commit: string, ratio: number, date: string): HistoryEntry => ({
  date, commit, machine: { cores: 2 }, ratios: { 'connect.txPerSec': ratio, 'mining.pool.scaling': 1.8 }, results: RESULTS.slice(0, 2),
});

test('history.jsonl: one line per baseline run, read back oldest first; a broken line is named', async (t) => {
  const tmp = await tempDir('bench-history');
  t.after(tmp.cleanup);
  const path = join(tmp.dir, 'history.jsonl');
  assert.deepEqual(await readHistory(path), [], 'no file yet: no runs');
  const a = entry('a'.repeat(40), 1.1, '2026-01-01T00:00:00.000Z');
  const b = entry('unknown', 1.2, '2026-01-02T00:00:00.000Z');
  await appendHistory(path, a);
  await appendHistory(path, b);
  const text = await readFile(path, 'utf8');
  assert.equal(text.split('\n').filter((l) => l !== '').length, 2);
  assert.deepEqual(await readHistory(path), [a, b]);
  await writeFile(path, `${text}{"date":"x"}\n`);
  await assert.rejects(readHistory(path), /history\.jsonl:3: not a history entry/);
});

test('the commit is git rev-parse HEAD in a checkout, "unknown" outside one', async (t) => {
  let head: string | null = null;
  try { head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { /* not a checkout */ }
  assert.equal(currentCommit(REPO), head ?? 'unknown');
  const tmp = await tempDir('bench-nogit');
  t.after(tmp.cleanup);
  assert.equal(currentCommit(tmp.dir), 'unknown');
});

test('report.html: a trend chart per gated ratio from the history, self-contained', () => {
  const history = [entry('1234567'.padEnd(40, '0'), 1.1, '2026-01-01'), entry('unknown', 1.3, '2026-01-02'), entry('89abcde'.padEnd(40, 'f'), 1.2, '2026-01-03')];
  const html = renderReport({ cores: 2 }, RESULTS, [], history);
  assert.match(html, /<h2>Trend<\/h2>/);
  assert.match(html, /over 3 bench:baseline runs/);
  assert.equal(html.match(/aria-label="[^"]* over baseline runs"/g)?.length, 2, 'one chart per ratio named in the history');
  assert.match(html, /aria-label="connect\.txPerSec over baseline runs"/);
  assert.match(html, /<title>1\.300 at unknown, 2026-01-02<\/title>/);
  assert.match(html, />1234567</);
  assert.match(html, />89abcde</);
  assert.doesNotMatch(html, /<script|https?:\/\/|<link/i, 'no scripts, no network');
  const empty = renderReport({ cores: 2 }, RESULTS, []);
  assert.match(empty, /No bench:baseline runs recorded in bench\/history\.jsonl yet/);
  assert.doesNotMatch(empty, /over baseline runs/);
});
