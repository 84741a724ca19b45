// kill -9 at a random moment while a child process connects (and reorganises)
// blocks: on reopen, the UTXO set must equal the one rebuilt by replaying the
// stored main-chain blocks from genesis on a fresh chain, and every main-chain
// block's filter header equal the replay's.
import test from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Chain } from '../src/chain/chain.js';
import { REGTEST } from '../src/core/params.js';
import { MemoryStore } from '../src/storage/memoryStore.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { metaKey } from '../src/storage/layout.js';
import { toHex } from '../src/core/bytes.js';
import { NOW } from './helpers/chainFixtures.js';
import { killHard, spawnChild, waitForLine } from './helpers/childProcess.js';
import { tempDir } from './helpers/tempDir.js';

const ROUNDS = 5;

/** The filter headers of the main chain, genesis first, as hex. */
async function filterHeaders(chain: Chain): Promise<string[]> {
  const hashes: Uint8Array[] = [];
  for (let h = REGTEST.genesisHeight; h <= chain.tip!.height; h++) hashes.push((await chain.getHashAtHeight(h))!);
  return (await chain.filterIndex!.getEntries(hashes)).map((e) => (e ? toHex(e.header) : 'missing'));
}

async function replayHashes(chain: Chain): Promise<[string, string, string[]]> {
  const fresh = await Chain.open(new MemoryStore(), REGTEST, { now: NOW, blockFilters: true });
  try {
    await fresh.initGenesis((await chain.getBlock((await chain.getHashAtHeight(REGTEST.genesisHeight))!))!);
    for (let h = REGTEST.genesisHeight + 1; h <= chain.tip!.height; h++) {
      const block = await chain.getBlock((await chain.getHashAtHeight(h))!);
      assert.ok(block, `main-chain block at height ${h} is stored`);
      assert.equal((await fresh.processBlock(block)).status, 'connected');
    }
    assert.deepEqual(fresh.tip!.hash, chain.tip!.hash);
    return [await fresh.utxoSetHash(), await fresh.utxo.addressIndexHash(), await filterHeaders(fresh)];
  } finally { await fresh.close(); }
}

test('after kill -9 at random moments the chain reopens with tip and UTXO set in agreement', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir('crash');
  try {
    let lastHeight = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawnChild(['connect-loop', dir.dir]);
      try {
        await waitForLine(child, /^ready$/, 30_000);
        await waitForLine(child, /^height \d+$/, 30_000);
        await sleep(Math.floor(Math.random() * 600));
      } finally {
        await killHard(child);
      }
      const chain = await Chain.open(await RocksStore.open(dir.dir), REGTEST, { now: NOW, blockFilters: true });
      try {
        assert.ok(chain.tip, 'a tip is stored');
        assert.equal((await chain.getIndex(chain.tip.hash))!.status, 'valid');
        // Filters go in their block's connect batch: none is ever missing after a kill, and each is right.
        assert.equal(chain.filterIndex!.stats.caughtUp, 0, 'no main-chain block lacked its filter');
        assert.deepEqual([await chain.utxoSetHash(), await chain.utxo.addressIndexHash(), await filterHeaders(chain)], await replayHashes(chain));
        t.diagnostic(`round ${round}: killed at height ${chain.tip.height}`);
        // An interrupted reorganisation is finished on open, so the tip never goes back.
        assert.ok(chain.tip.height >= lastHeight, `height ${chain.tip.height} after ${lastHeight}`);
        lastHeight = chain.tip.height;
      } finally {
        await chain.close();
      }
    }
    // The pending-reorg marker never outlives an open.
    const store = await RocksStore.open(dir.dir);
    assert.equal(await store.get(metaKey('best')), null);
    await store.close();
  } finally {
    await dir.cleanup();
  }
});
