// `pubchain bench [--threads 1,2,…] [--seconds N] [--json] [--out DIR]`: the
// mining benchmark from an installed package (src/mining/hashBench.ts), with
// pubchain-bench.json and an HTML chart (pubchain-bench.html) written to DIR.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderHashBenchHtml, runHashBench } from '../../mining/hashBench.js';
import { UsageError } from '../cliErrors.js';
import { emit, table } from '../output.js';

export interface BenchFlags { threads?: string; seconds?: string; json?: boolean; out?: string }

export function parseThreads(text: string | undefined): number[] {
  if (text === undefined) {
    const cores = os.availableParallelism();
    return [...new Set([1, 2, 4, 8, 16, 32, 64].filter((n) => n < cores).concat(cores))].sort((a, b) => a - b);
  }
  const list = text.split(',').map((s) => s.trim());
  if (list.length === 0 || list.length > 32 || list.some((s) => !/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 256)) {
    throw new UsageError(`invalid --threads "${text}": give thread counts from 1 to 256, comma-separated (e.g. 1,2,4)`);
  }
  return [...new Set(list.map(Number))];
}

export function parseSeconds(text: string | undefined): number {
  if (text === undefined) return 2;
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) < 0.1 || Number(text) > 600) throw new UsageError(`invalid --seconds "${text}": give a number from 0.1 to 600`);
  return Number(text);
}

export async function benchCommand(f: BenchFlags): Promise<void> {
  const threads = parseThreads(f.threads);
  const seconds = parseSeconds(f.seconds);
  const out = path.resolve(f.out ?? '.');
  const report = await runHashBench(threads, seconds, (msg) => process.stderr.write(`bench: ${msg}…\n`));
  const jsonPath = path.join(out, 'pubchain-bench.json');
  const htmlPath = path.join(out, 'pubchain-bench.html');
  await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(htmlPath, renderHashBenchHtml(report));
  const fmt = (v: number | null): string => (v === null ? 'unavailable' : Math.round(v).toLocaleString('en-US'));
  emit(f.json === true, { ...report, files: { json: jsonPath, html: htmlPath } }, () => [
    table([['kernel (one core)', 'H/s'], ['WASM SIMD', fmt(report.kernels.simd)], ['WASM scalar', fmt(report.kernels.scalar)], ['node:crypto', fmt(report.kernels.nodeCrypto)]], [1]),
    '',
    table([['threads', 'H/s', 'speed-up'], ...report.threads.map((t) => [String(t.threads), fmt(t.hashesPerSecond), `${t.speedup}x`])], [0, 1, 2]),
    '',
    `wrote ${jsonPath} and ${htmlPath}`,
  ].join('\n'));
}
