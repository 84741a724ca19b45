// The CI benchmark gate: which ratios pass, which regress, that a missing
// benchmark fails rather than slipping through, and its table in the GitHub
// Actions job summary.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { appendStepSummary, compare, GATED, gateMarkdown, NEEDS_IDLE_CORES, tolerance, type Baseline } from '../bench/gate.js';
import { tempDir } from './helpers/tempDir.js';

const baseline = { tolerance: 0.15, ratios: { 'mining.wasm.perCore': 10, 'sync.blocksPerSec': 0.5 } };
const result = (name: string, ratio: number) => ({ name, value: 1, unit: 'x', ratio });

test('a ratio within the tolerance passes; one more than 15% below fails', () => {
  assert.equal(compare([result('mining.wasm.perCore', 8.6), result('sync.blocksPerSec', 0.43)], baseline, 0.15).ok, true);
  const r = compare([result('mining.wasm.perCore', 8.4), result('sync.blocksPerSec', 0.6)], baseline, 0.15);
  assert.equal(r.ok, false);
  assert.deepEqual(r.rows.find((row) => row[0] === 'mining.wasm.perCore')!.slice(-1), ['REGRESSION']);
  assert.deepEqual(r.rows.find((row) => row[0] === 'sync.blocksPerSec')!.slice(-1), ['ok']);
});

test('a benchmark missing from the run fails the gate', () => {
  const r = compare([result('mining.wasm.perCore', 10)], baseline, 0.15);
  assert.equal(r.ok, false);
  assert.equal(r.rows.find((row) => row[0] === 'sync.blocksPerSec')![2], 'missing');
});

test('the tolerance is configurable and validated', () => {
  const saved = process.env.BENCH_TOLERANCE;
  try {
    delete process.env.BENCH_TOLERANCE;
    assert.equal(tolerance([], 0.15), 0.15, 'the baseline\'s tolerance when nothing is given');
    assert.equal(tolerance(['--tolerance', '0.3'], 0.15), 0.3);
    process.env.BENCH_TOLERANCE = '0.25';
    assert.equal(tolerance([], 0.15), 0.25, 'BENCH_TOLERANCE');
    assert.equal(tolerance(['--tolerance', '0.3'], 0.15), 0.3, '--tolerance wins over BENCH_TOLERANCE');
    process.env.BENCH_TOLERANCE = '1.5';
    assert.throws(() => tolerance([], 0.15), /invalid tolerance "1.5"/);
  } finally {
    if (saved === undefined) delete process.env.BENCH_TOLERANCE;
    else process.env.BENCH_TOLERANCE = saved;
  }
  assert.throws(() => tolerance(['--tolerance', 'lots'], 0.15), /invalid tolerance/);
  assert.equal(compare([result('mining.wasm.perCore', 7.5), result('sync.blocksPerSec', 0.5)], baseline, 0.3).ok, true);
});

test('a ratio with a fixed bound is held to the bound, not to its baseline', () => {
  // cli.routedSpeed = node start-up / CLI command time: at least 1/1.5, whatever the baseline says.
  const bounded = { tolerance: 0.15, ratios: { 'cli.routedSpeed': 0.9 }, bounds: { 'cli.routedSpeed': 0.667 } };
  assert.equal(compare([result('cli.routedSpeed', 0.7)], bounded, 0.15).ok, true, 'below baseline - 15% but within the bound');
  const r = compare([result('cli.routedSpeed', 0.6)], bounded, 0.15);
  assert.equal(r.ok, false);
  assert.deepEqual(r.rows[1], ['cli.routedSpeed', '0.90', '0.60', '0.67', 'REGRESSION']);
});

test('on GitHub Actions the gate appends its table to GITHUB_STEP_SUMMARY as Markdown; elsewhere it writes nothing', async (t) => {
  const tmp = await tempDir('gate-summary');
  t.after(tmp.cleanup);
  const path = join(tmp.dir, 'step_summary.md');
  await writeFile(path, '## an earlier step\n');
  const { ok, rows } = compare([result('mining.wasm.perCore', 8.4), result('sync.blocksPerSec', 0.6)], baseline, 0.15);
  rows[2]![4] = 'not judged: busy | loaded';
  assert.equal(await appendStepSummary(rows, 0.15, ok, { GITHUB_STEP_SUMMARY: path }), path);
  const md = await readFile(path, 'utf8');
  assert.ok(md.startsWith('## an earlier step\n### Benchmark gate\n'), 'appended after what was there');
  const lines = md.split('\n');
  const at = lines.indexOf('| ratio | baseline | now | floor | verdict |');
  assert.ok(at > 0, md);
  assert.equal(lines[at + 1], '| --- | ---: | ---: | ---: | --- |');
  assert.equal(lines[at + 2], '| mining.wasm.perCore | 10.00 | 8.40 | 8.50 | REGRESSION |');
  assert.equal(lines[at + 3], '| sync.blocksPerSec | 0.50 | 0.60 | 0.42 | not judged: busy \\| loaded |', 'a pipe in a cell is escaped');
  assert.match(md, /at most 15% below its baseline/);
  assert.match(md, /\*\*bench:check FAILED\*\*/);
  // A second step appends again; without the variable nothing is written.
  await appendStepSummary(rows, 0.15, true, { GITHUB_STEP_SUMMARY: path });
  const twice = await readFile(path, 'utf8');
  assert.equal(twice, md + gateMarkdown(rows, 0.15, true));
  assert.match(twice, /\*\*bench:check passed\*\*/);
  assert.equal(await appendStepSummary(rows, 0.15, ok, {}), null);
  assert.equal(await readFile(path, 'utf8'), twice);
});

test('the committed baseline gates every ratio the gate names, and holds the scale curve to the issue\'s 0.85', async () => {
  const committed = JSON.parse(await readFile(new URL('../../bench/baseline.json', import.meta.url), 'utf8')) as Baseline;
  assert.deepEqual(Object.keys(committed.ratios).sort(), [...GATED].sort(), 'baseline.json and GATED name the same ratios');
  assert.equal(committed.bounds?.['connect.scale.lastToFirst'], 0.85);
  assert.ok(NEEDS_IDLE_CORES.every((n) => GATED.includes(n)), 'only gated ratios can be excused on a busy machine');
  // A curve that sags to 0.8 of its first window fails however high its baseline is; 0.9 passes.
  const run = (curve: number) => GATED.map((n) => result(n, n === 'connect.scale.lastToFirst' ? curve : 100));
  assert.equal(compare(run(0.8), committed, 0.15).ok, false);
  assert.equal(compare(run(0.9), committed, 0.15).ok, true);
});
