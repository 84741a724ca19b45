// Proof-of-work hash rate: the WASM kernel on one core (SIMD and scalar
// builds) against node:crypto hashing the same 80-byte headers, and the
// worker pool from 1 to every core. Subject and reference run in alternating
// windows (bench/paired.ts); targets are impossible, so every window hashes.
// Run: node dist/bench/mining.js [--long]
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { benchHeader, nodeSha256 } from '../src/mining/hashBench.js';
import { createPoolSearcher } from '../src/mining/noncePool.js';
import type { NonceSearcher } from '../src/wasm/nonceSearch.js';
import { compileKernel } from '../src/wasm/loader.js';
import { PowKernel } from '../src/wasm/pow.js';
import { median, paired, type Round } from './paired.js';
import type { BenchModuleOutput, BenchOptions, BenchSeries } from './types.js';

const CHUNK = 1 << 18;
const IMPOSSIBLE = new Uint8Array(32);


function kernelRound(kernel: PowKernel): Round {
  const header = benchHeader();
  let nonce = 0;
  return () => {
    if (nonce + CHUNK > 2 ** 32) nonce = 0;
    const r = kernel.search(header, IMPOSSIBLE, nonce, CHUNK);
    nonce += CHUNK;
    return r.hashes;
  };
}


function nodeCryptoRound(): Round {
  const header = Buffer.from(benchHeader());
  let nonce = 0;
  const batch = 2000;
  return () => {
    for (let i = 0; i < batch; i++) {
      header.writeUInt32LE(nonce, 76);
      nonce = (nonce + 1) >>> 0;
      const hash = nodeSha256(nodeSha256(header));
      if (hash[31] === 0 && hash[30] === 0 && hash[29] === 0 && hash[28] === 0 && hash[27] === 0) throw new Error('impossible');
    }
    return batch;
  };
}

/** A window of pool hashing: a search of the whole space, aborted after `seconds`; returns H/s. */
async function poolWindow(pool: NonceSearcher, seconds: number): Promise<number> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), seconds * 1000);
  const t0 = process.hrtime.bigint();
  const r = await pool.search(benchHeader(), IMPOSSIBLE, { signal: ac.signal });
  clearTimeout(timer);
  return r.hashes / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export async function benchMining(opts: BenchOptions): Promise<BenchModuleOutput> {
  const pairs = opts.quick ? 5 : 9;
  const seconds = opts.quick ? 0.4 : 1;
  const cores = os.availableParallelism();

  const simd = new PowKernel();
  const wasm = await paired(pairs, seconds, kernelRound(simd), nodeCryptoRound());
  const scalar = await paired(pairs, seconds, kernelRound(new PowKernel(compileKernel('pow', 'scalar'))), nodeCryptoRound());

  // Pools of every size stay up together (idle workers cost nothing), and each
  // size's windows alternate with the 1-worker pool's, so scaling is a paired ratio.
  const pools = Array.from({ length: cores }, (_, i) => createPoolSearcher({ threads: i + 1 }));
  try {
    for (const p of pools) await poolWindow(p, 0.3);
    const points: Array<[number, number]> = [];
    let scaling = 1;
    let all = 0;
    for (let w = 1; w <= cores; w++) {
      const rates: number[] = [];
      const ratios: number[] = [];
      for (let i = 0; i < (opts.quick ? 3 : 5); i++) {
        const n = await poolWindow(pools[w - 1]!, seconds * 1.5);
        const one = await poolWindow(pools[0]!, seconds * 1.5);
        rates.push(n);
        ratios.push(n / one);
      }
      points.push([w, Math.round(median(rates))]);
      if (w === cores) { scaling = median(ratios); all = median(rates); }
    }
    const one = points[0]![1];
    const series: BenchSeries[] = [
      { chart: 'mining.workers', label: `WASM pool (${simd.kind})`, xLabel: 'workers', yLabel: 'hashes/s', points },
      { chart: 'mining.workers', label: 'linear (1 worker × n)', xLabel: 'workers', yLabel: 'hashes/s', points: points.map(([w]) => [w, one * w]) },
    ];
    return {
      results: [
        { name: 'mining.nodeCrypto.perCore', value: Math.round(wasm.reference), unit: 'H/s' },
        { name: 'mining.wasm.perCore', value: Math.round(wasm.subject), unit: 'H/s', reference: 'mining.nodeCrypto.perCore', ratio: wasm.ratio },
        { name: 'mining.wasm.scalar.perCore', value: Math.round(scalar.subject), unit: 'H/s', reference: 'mining.nodeCrypto.perCore', ratio: scalar.ratio },
        { name: 'mining.pool.hashRate', value: Math.round(all), unit: 'H/s', reference: 'mining.wasm.perCore', ratio: all / wasm.subject },
        // n workers over 1 worker, n = every core: 1.0 would mean no gain at all.
        { name: 'mining.pool.scaling', value: scaling, unit: 'x', ratio: scaling },
      ],
      series,
    };
  } finally {
    for (const p of pools) await p.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchMining({ quick: !process.argv.includes('--long') });
  for (const r of out.results) console.log(JSON.stringify(r));
  for (const s of out.series ?? []) console.log(JSON.stringify(s));
}
