// Proof-of-work hash rate: the WASM kernel on one core (SIMD and scalar
// builds) against node:crypto hashing the same 80-byte headers, and the
// worker pool from 1 to every core. Each figure is the median of a few
// fixed-duration windows; targets are impossible, so every window hashes.
// Run: node dist/bench/mining.js [--long]
import crypto from 'node:crypto';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { createPoolSearcher } from '../src/mining/pool.js';
import { compileKernel } from '../src/wasm/loader.js';
import { PowKernel } from '../src/wasm/pow.js';
import type { BenchModuleOutput, BenchOptions, BenchSeries } from './types.js';

const CHUNK = 1 << 18;
const IMPOSSIBLE = new Uint8Array(32);

function benchHeader(): Uint8Array {
  const h = new Uint8Array(80);
  for (let i = 0; i < 76; i++) h[i] = (i * 151 + 7) & 0xff;
  return h;
}

/** Items per second of `round` over `seconds` of wall time. */
async function rate(seconds: number, round: () => number | Promise<number>): Promise<number> {
  let items = 0;
  const t0 = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  do {
    items += await round();
    elapsed = process.hrtime.bigint() - t0;
  } while (elapsed < limit);
  return items / (Number(elapsed) / 1e9);
}

async function medianRate(repeats: number, seconds: number, round: () => number | Promise<number>): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < repeats; i++) rates.push(await rate(seconds, round));
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

async function kernelRate(kernel: PowKernel, repeats: number, seconds: number): Promise<number> {
  const header = benchHeader();
  let nonce = 0;
  const round = (): number => {
    if (nonce + CHUNK > 2 ** 32) nonce = 0;
    const r = kernel.search(header, IMPOSSIBLE, nonce, CHUNK);
    nonce += CHUNK;
    return r.hashes;
  };
  await rate(0.3, round); // past the baseline tier
  return medianRate(repeats, seconds, round);
}

type Sha256 = (data: Uint8Array) => Uint8Array;
const nodeSha256: Sha256 = typeof (crypto as { hash?: unknown }).hash === 'function'
  ? (data) => (crypto as unknown as { hash(alg: string, d: Uint8Array, enc: 'buffer'): Buffer }).hash('sha256', data, 'buffer')
  : (data) => crypto.createHash('sha256').update(data).digest();

async function nodeCryptoRate(repeats: number, seconds: number): Promise<number> {
  const header = Buffer.from(benchHeader());
  let nonce = 0;
  const batch = 2000;
  const round = (): number => {
    for (let i = 0; i < batch; i++) {
      header.writeUInt32LE(nonce, 76);
      nonce = (nonce + 1) >>> 0;
      const hash = nodeSha256(nodeSha256(header));
      if (hash[31] === 0 && hash[30] === 0 && hash[29] === 0 && hash[28] === 0 && hash[27] === 0) throw new Error('impossible');
    }
    return batch;
  };
  await rate(0.2, round);
  return medianRate(repeats, seconds, round);
}

/** Hash rate of a pool of `workers`: searches of the whole space, each aborted after `seconds`. */
async function poolRate(workers: number, repeats: number, seconds: number): Promise<number> {
  const pool = createPoolSearcher({ threads: workers });
  const header = benchHeader();
  const window = async (s: number): Promise<number> => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), s * 1000);
    const t0 = process.hrtime.bigint();
    const r = await pool.search(header, IMPOSSIBLE, { signal: ac.signal });
    clearTimeout(timer);
    return r.hashes / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  try {
    await window(0.4); // workers started and past the baseline tier
    const rates: number[] = [];
    for (let i = 0; i < repeats; i++) rates.push(await window(seconds));
    rates.sort((a, b) => a - b);
    return rates[Math.floor(rates.length / 2)]!;
  } finally {
    await pool.close();
  }
}

export async function benchMining(opts: BenchOptions): Promise<BenchModuleOutput> {
  const repeats = opts.quick ? 3 : 5;
  const seconds = opts.quick ? 0.7 : 2;
  const cores = os.availableParallelism();

  const simd = new PowKernel();
  const wasm = await kernelRate(simd, repeats, seconds);
  const scalar = await kernelRate(new PowKernel(compileKernel('pow', 'scalar')), repeats, seconds);
  const node = await nodeCryptoRate(repeats, seconds);

  const points: Array<[number, number]> = [];
  for (let w = 1; w <= cores; w++) points.push([w, Math.round(await poolRate(w, repeats, opts.quick ? 1 : 2))]);
  const one = points[0]![1];
  const all = points[points.length - 1]![1];

  const series: BenchSeries[] = [
    { chart: 'mining.workers', label: `WASM pool (${simd.kind})`, xLabel: 'workers', yLabel: 'hashes/s', points },
    { chart: 'mining.workers', label: 'linear (1 worker × n)', xLabel: 'workers', yLabel: 'hashes/s', points: points.map(([w]) => [w, one * w]) },
  ];
  return {
    results: [
      { name: 'mining.nodeCrypto.perCore', value: Math.round(node), unit: 'H/s' },
      { name: 'mining.wasm.perCore', value: Math.round(wasm), unit: 'H/s', reference: 'mining.nodeCrypto.perCore', ratio: wasm / node },
      { name: 'mining.wasm.scalar.perCore', value: Math.round(scalar), unit: 'H/s', reference: 'mining.nodeCrypto.perCore', ratio: scalar / node },
      { name: 'mining.pool.hashRate', value: all, unit: 'H/s', reference: 'mining.wasm.perCore', ratio: all / wasm },
      // n workers over 1 worker, n = every core: 1.0 would mean no gain at all.
      { name: 'mining.pool.scaling', value: all / one, unit: 'x', ratio: all / one },
    ],
    series,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchMining({ quick: !process.argv.includes('--long') });
  for (const r of out.results) console.log(JSON.stringify(r));
  for (const s of out.series ?? []) console.log(JSON.stringify(s));
}
