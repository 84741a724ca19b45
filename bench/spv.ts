// The light wallet against a full node's sync, in one run. The filters bench's
// chain (bench/filters.ts: 5,000 blocks, 1,000 with --quick, the wallet's 5
// addresses paid in about 1% of them), here with 50 transactions a block
// (about 11 KB; a light node's share is some 280 bytes a block whatever the
// block's size, so on 10-transaction blocks of 2.2 KB it was 0.12), is
// served by an in-process full node with its filter index over loopback TCP;
// a fresh full node syncs it, then a fresh light node (LightNode with the
// wallet's coin store, watching the wallet's addresses) does.
//   spv.bytesRatio      bytes the light node received / bytes the full node received (target ≤ 0.05)
//   spv.syncTimeRatio   light sync seconds / full sync seconds
//   spv.blocksFetched   block bodies the light node asked for, against the blocks paying the wallet
// The filters module's figures (filters.connectShare, filters.falsePositiveRate, ...)
// come from the same module run, so `--only spv` reports all four the issue names.
// Not gated (bench/run.ts GATED): reported only. Run: node dist/bench/spv.js [--quick]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Chain } from '../src/chain/chain.js';
import { REGTEST } from '../src/core/params.js';
import { createLogger } from '../src/node/logger.js';
import { LightNode } from '../src/node/spv/lightNode.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { LightCoins } from '../src/wallet/lightCoins.js';
import { addressOf, startTestNode } from '../test/helpers/nodeHarness.js';
import { benchFilters, buildFilterBenchChain } from './filters.js';
import { submitBlocks } from './submitBlocks.js';
import type { BenchModuleOutput, BenchOptions, BenchResult } from './types.js';

const T0 = 1_700_000_000;
const SYNC_LIMIT_MS = 600_000;
/** Transactions a block (besides the coinbase). */
const TXS_PER_BLOCK = 50;

const now = (): number => Number(process.hrtime.bigint()) / 1e9;

async function until(what: string, pred: () => boolean, ms = SYNC_LIMIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`spv bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function benchSpv(opts: BenchOptions): Promise<BenchModuleOutput> {
  const filters = await benchFilters(opts);
  const n = opts.quick ? 1000 : 5000;
  const built = buildFilterBenchChain(n, TXS_PER_BLOCK);
  const height = REGTEST.genesisHeight + built.blocks.length;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pubchain-bench-spv-'));
  const log = createLogger({ level: 'silent', format: 'json' });
  try {
    const srcDir = path.join(root, 'source');
    const chain = await Chain.open(await RocksStore.open(path.join(srcDir, 'chain')), REGTEST, { now: () => T0 + 10_000_000, blockFilters: true });
    try {
      await chain.initGenesis(built.genesis);
      await submitBlocks(chain, built.blocks, 4);
    } finally { await chain.close(); }
    const source = await startTestNode(srcDir);
    try {
      let walletUnits = 0;
      for (const k of built.wallet) walletUnits += await source.chain.balanceOf(k.pkh);

      // A full node's sync of the whole chain.
      const t0 = now();
      const full = await startTestNode(path.join(root, 'full'), { connect: [addressOf(source)] });
      let fullBytes: number;
      let fullS: number;
      try {
        await until('the full sync', () => (full.chain.tip?.height ?? 0) >= height);
        fullS = now() - t0;
        fullBytes = full.network.manager.peers().reduce((s, p) => s + p.bytesIn, 0);
      } finally { await full.stop(); }

      // The light wallet's: headers, filter headers, filters, and the wallet's blocks.
      const t1 = now();
      let coins: LightCoins | null = null;
      const light = await LightNode.start({
        datadir: path.join(root, 'light'), params: REGTEST, connect: [addressOf(source)], log,
        sink: async (kv) => (coins = await LightCoins.open(kv, built.wallet.map((k) => k.pkh))),
      });
      let lightS: number;
      let progress: ReturnType<LightNode['progress']>;
      try {
        await until('the light sync', () => (light.syncedTip()?.height ?? 0) >= height);
        lightS = now() - t1;
        progress = light.progress();
        const got = [...coins!.spendable(built.wallet.map((k) => k.pkh)).values()].flat().reduce((s, c) => s + c.coin.value, 0);
        if (got !== walletUnits) throw new Error(`spv bench: the light wallet holds ${got} units, the full node says ${walletUnits}`);
      } finally { await light.stop(); }

      const results: BenchResult[] = [
        { name: 'spv.bytesRatio', value: progress.bytesIn / fullBytes, unit: `light ${progress.bytesIn} B / full ${fullBytes} B (target ≤ 0.05)`, better: 'lower' },
        { name: 'spv.syncTimeRatio', value: lightS / fullS, unit: `light ${lightS.toFixed(2)} s / full ${fullS.toFixed(2)} s`, better: 'lower' },
        { name: 'spv.blocksFetched', value: progress.blocksRequested, unit: `block bodies asked for; ${built.walletBlocks.size} blocks pay the wallet, ${height} in the chain` },
      ];
      return { results: [...filters.results, ...results], series: filters.series };
    } finally {
      await source.stop();
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchSpv({ quick: process.argv.includes('--quick') });
  for (const r of out.results) process.stdout.write(`${r.name.padEnd(30)} ${r.value < 1 ? r.value.toExponential(3) : r.value.toFixed(3)}  ${r.unit}${r.ratio === undefined ? '' : `  (ratio ${r.ratio.toFixed(3)})`}\n`);
}
