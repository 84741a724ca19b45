// Sync throughput between node processes over loopback. Each figure's
// reference is measured in the same run: connecting the same blocks in-process
// on RocksDB with no network, submitted as sync submits them
// (bench/submitBlocks.ts), so a ratio says what the wire, framing and download
// scheduling cost on top of block validation.
// - sync.blocksPerSec: N near-empty regtest blocks from one source process.
// - sync.txHeavy: blocks of 1,000 signed transactions from one source, against
//   in-process connect with the node's own verifier (the pool and its cache).
// - sync.parallel: the near-empty chain from three sources against one.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain } from '../src/chain/chain.js';
import type { Block } from '../src/core/block.js';
import { REGTEST } from '../src/core/params.js';
import { cachedVerifier } from '../src/crypto/cachedVerifier.js';
import { SigCache } from '../src/crypto/sigCache.js';
import { createVerifyPool } from '../src/crypto/verifyPool.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { buildChain, testKey } from '../test/helpers/chainFixtures.js';
import { buildBenchChain } from './connect.js';
import { submitBlocks } from './submitBlocks.js';
import { timedSync } from './syncRun.js';
import type { BenchModuleOutput, BenchOptions, BenchResult } from './types.js';

function now(): number { return Number(process.hrtime.bigint()) / 1e9; }

/**
 * Connects genesis + blocks into a RocksDB at `dir` (the source nodes' data); returns the seconds the blocks took.
 * The chain keeps the indexes a syncing node keeps: BIP158 filters built with each block (startnode's
 * default) and the address index deferred (as during initial sync), then built untimed, so the
 * reference does the node's work and the sources start with nothing left to index.
 */
async function connectLocally(dir: string, genesis: Block, blocks: Block[], withPool: boolean): Promise<number> {
  // The node's verifier: a pool of min(cores, 4) threads behind a signature cache.
  const pool = withPool ? createVerifyPool({ threads: Math.min(os.availableParallelism(), 4) }) : null;
  const verifier = pool ? { verifySigs: cachedVerifier(pool.verify, new SigCache(100_000)) } : {};
  const chain = await Chain.open(await RocksStore.open(join(dir, 'chain')), REGTEST, { ...verifier, blockFilters: true });
  try {
    await chain.initGenesis(genesis);
    await chain.deferAddressIndex();
    const t0 = now();
    await submitBlocks(chain, blocks);
    const seconds = now() - t0;
    await chain.buildAddressIndex();
    return seconds;
  } finally {
    await chain.close();
    await pool?.close();
  }
}

export async function benchSync(opts: BenchOptions): Promise<BenchModuleOutput> {
  const root = await mkdtemp(join(tmpdir(), 'pubchain-bench-sync-'));
  const results: BenchResult[] = [];
  try {
    const n = opts.quick ? 3000 : 10_000;
    const small = buildChain(null, n, testKey(11)).map((b) => b.block);
    const smallDir = join(root, 'small');
    const localRate = (n - 1) / (await connectLocally(smallDir, small[0]!, small.slice(1), false));
    const one = (n - 1) / (await timedSync(root, smallDir, 1, n, 'one'));
    results.push(
      { name: 'sync.blocksPerSec', value: one, unit: 'blocks/s', reference: 'sync.localConnect.blocksPerSec', ratio: one / localRate },
      { name: 'sync.localConnect.blocksPerSec', value: localRate, unit: 'blocks/s' },
    );
    const three = (n - 1) / (await timedSync(root, smallDir, 3, n, 'three'));
    results.push({ name: 'sync.parallel.blocksPerSec', value: three, unit: 'blocks/s', reference: 'sync.blocksPerSec', ratio: three / one });

    const heavyBlocks = 300;
    const { genesis, blocks } = buildBenchChain(heavyBlocks);
    const txs = blocks.reduce((s, b) => s + b.txs.length, 0);
    const heavyDir = join(root, 'heavy');
    const localTx = txs / (await connectLocally(heavyDir, genesis, blocks, true));
    const syncTx = txs / (await timedSync(root, heavyDir, 1, REGTEST.genesisHeight + blocks.length, 'heavy'));
    results.push(
      { name: 'sync.txHeavy.txPerSec', value: syncTx, unit: 'tx/s', reference: 'sync.txHeavy.localConnect.txPerSec', ratio: syncTx / localTx },
      { name: 'sync.txHeavy.localConnect.txPerSec', value: localTx, unit: 'tx/s' },
    );
    return { results };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
