// The connect curve as the UTXO set grows (bench/scaleChain.ts builds the
// blocks): throughput of the last window of transactions against the first,
// on RocksDB, with every signature fresh and verified on the worker pool behind
// the signature cache (as the node runs it: lookups, no fills during connect),
// the blocks parsed from bytes as sync receives them. The short form (the
// gate's, 500k coins) uses windows of a quarter of the transactions; with
// `--scale` (2M coins, or `--scale=N`) the windows are 100k transactions.
// Peak RSS is sampled while the blocks connect; it includes the serialized
// blocks waiting to be connected (~45 MB per 1M coins).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Chain } from '../src/chain/chain.js';
import { parseBlock } from '../src/core/block.js';
import { REGTEST } from '../src/core/params.js';
import { cachedVerifier } from '../src/crypto/cachedVerifier.js';
import { SigCache } from '../src/crypto/sigCache.js';
import { createVerifyPool } from '../src/crypto/verifyPool.js';
import type { KeyValueStore } from '../src/storage/kvStore.js';
import { DEFAULT_DBCACHE_MIB, RocksStore } from '../src/storage/rocksStore.js';
import { buildScaleChain, ScaleChain, SCALE_T0, SCALE_TXS_PER_BLOCK } from './scaleChain.js';
import type { BenchModuleOutput, BenchOptions } from './types.js';

export const SHORT_SCALE_COINS = 500_000;
export const LONG_SCALE_COINS = 2_000_000;
const FULL_WINDOW_TXS = 100_000;
/** Blocks connected before the clock starts: the fan-out and a few spends, to warm the workers up. */
const WARMUP_BLOCKS = 3;
const OUTSTANDING = 4;
const RSS_SAMPLE_MS = 200;

export interface ScaleRunOptions {
  /** Coins the UTXO set grows to. */
  coins: number;
  /** --dbcache for the RocksDB store (default 300). */
  dbcacheMiB?: number;
  /** false: no signature checks at all, so storage is what is measured (bench/coinCacheProbe.ts). Default true. */
  sigs?: boolean;
  /** Puts a layer between RocksDB and the chain (the coin-cache probe's cache). */
  wrapStore?: (store: KeyValueStore) => KeyValueStore;
  /** The chain to connect (default: built here, for `coins`). */
  built?: ScaleChain;
  /** Reported once the blocks are connected, before the store closes. */
  onConnected?: () => void;
}

export interface ScaleRun {
  /** Per block connected after the warm-up: cumulative transactions and seconds. */
  done: Array<[number, number]>;
  peakRss: number;
  coins: number;
  /** What verified the signatures ('none' with sigs off). */
  verifier: string;
}

/** Builds the scale chain and connects it on a fresh RocksDB store; the per-block clock and the peak RSS. */
export async function runScale(opts: ScaleRunOptions): Promise<ScaleRun> {
  const t0 = Date.now();
  const built = opts.built ?? buildScaleChain(opts.coins);
  if (!opts.built) process.stderr.write(` [built ${built.blocks.length} blocks, ${built.coins.toLocaleString('en-US')} coins, ${((Date.now() - t0) / 1000).toFixed(0)} s]`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pubchain-bench-scale-'));
  const pool = opts.sigs === false ? null : createVerifyPool({ threads: os.availableParallelism() });
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, RSS_SAMPLE_MS);
  try {
    const rocks = await RocksStore.open(dir, { dbcacheMiB: opts.dbcacheMiB ?? DEFAULT_DBCACHE_MIB });
    const chain = await Chain.open(opts.wrapStore ? opts.wrapStore(rocks) : rocks, REGTEST, {
      now: () => SCALE_T0 + 100_000_000, verifySigs: pool ? cachedVerifier(pool.verify, new SigCache()) : () => undefined,
    });
    const done: Array<[number, number]> = [];
    try {
      await chain.initGenesis(built.genesis);
      for (const b of built.blocks.slice(0, WARMUP_BLOCKS)) await chain.processBlock(parseBlock(b, REGTEST.maxBlockSize));
      const start = process.hrtime.bigint();
      let txs = 0;
      const outstanding = new Set<Promise<void>>();
      for (const bytes of built.blocks.slice(WARMUP_BLOCKS)) {
        const block = parseBlock(bytes, REGTEST.maxBlockSize);
        const p: Promise<void> = chain.processBlock(block).then((r) => {
          if (r.status !== 'connected') throw new Error(`scale bench block not connected: ${r.status}`);
          txs += block.txs.length - 1;
          done.push([txs, Number(process.hrtime.bigint() - start) / 1e9]);
        }).finally(() => { outstanding.delete(p); });
        outstanding.add(p);
        if (outstanding.size >= OUTSTANDING) await Promise.race(outstanding);
      }
      await Promise.all(outstanding);
      opts.onConnected?.();
    } finally {
      await chain.close();
    }
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { done, peakRss, coins: built.coins, verifier: pool ? `pool of ${pool.threads} (${pool.backend})` : 'none' };
  } finally {
    clearInterval(sampler);
    await pool?.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** tx/s of the first and the last `window` transactions. */
export function firstAndLast(done: Array<[number, number]>, window: number): { first: number; last: number } {
  const total = done[done.length - 1]![0];
  const at = (n: number): [number, number] => done.find(([t]) => t >= n)!;
  const [firstTxs, firstS] = at(window);
  const [fromTxs, fromS] = at(total - window);
  return { first: firstTxs / firstS, last: (total - fromTxs) / (done[done.length - 1]![1] - fromS) };
}

/** The curve: thousands of coins in the set against tx/s, about 40 points. */
export function curve(done: Array<[number, number]>): Array<[number, number]> {
  const coinsAt = (txsDone: number): number => Math.round((WARMUP_BLOCKS * SCALE_TXS_PER_BLOCK * 7 + txsDone * 7) / 1000);
  const points: Array<[number, number]> = [];
  const step = Math.max(5, Math.floor(done.length / 40));
  for (let i = step; i < done.length; i += step) {
    const [a, sa] = done[i - step]!;
    const [b, sb] = done[i]!;
    points.push([coinsAt(b), Math.round((b - a) / (sb - sa))]);
  }
  return points;
}

export async function benchScale(opts: BenchOptions): Promise<BenchModuleOutput> {
  const run = await runScale({ coins: opts.scaleCoins ?? SHORT_SCALE_COINS });
  const total = run.done[run.done.length - 1]![0];
  const window = opts.scaleCoins === undefined ? Math.floor(total / 4) : Math.min(FULL_WINDOW_TXS, Math.floor(total / 2));
  const { first, last } = firstAndLast(run.done, window);
  const label = `${(run.coins / 1e6).toFixed(1)}M coins`;
  return {
    results: [
      { name: 'connect.scale.firstTxPerSec', value: Math.round(first), unit: 'tx/s' },
      { name: 'connect.scale.lastTxPerSec', value: Math.round(last), unit: 'tx/s' },
      { name: 'connect.scale.lastToFirst', value: Number((last / first).toFixed(3)), unit: `ratio (${label}, windows of ${window} tx)`, reference: 'connect.scale.firstTxPerSec', ratio: last / first },
      { name: 'connect.scale.peakRssMB', value: Math.round(run.peakRss / 2 ** 20), unit: `MB (dbcache ${DEFAULT_DBCACHE_MIB})` },
      { name: 'connect.scale.coins', value: run.coins, unit: 'coins' },
    ],
    series: [{ chart: 'connect.scale', label: `RocksDB, ${run.verifier}`, xLabel: 'thousand coins in the UTXO set', yLabel: 'tx/s', points: curve(run.done) }],
  };
}

/** `--scale` gives the long form (2M coins); `--scale=N` sets the coins. Undefined: the short form. */
export function scaleCoinsArg(args: string[]): number | undefined {
  const a = args.find((x) => x === '--scale' || x.startsWith('--scale='));
  if (a === undefined) return undefined;
  if (a === '--scale') return LONG_SCALE_COINS;
  const n = Number(a.slice('--scale='.length));
  if (!(Number.isInteger(n) && n >= 100_000 && n <= 50_000_000)) throw new Error(`invalid ${a}: give a whole number of coins from 100000 to 50000000`);
  return n;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchScale({ quick: true, scaleCoins: scaleCoinsArg(process.argv) });
  for (const r of out.results) console.log(JSON.stringify(r));
  for (const s of out.series ?? []) console.log(JSON.stringify(s));
}
