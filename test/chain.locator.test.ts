// A 2000-block regtest chain on RocksDB, then block locators and the
// getblocks answer (hashes after a locator) against it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { locatorHeights } from '../src/chain/blockLocator.js';
import { hashToHex } from '../src/core/bytes.js';
import { buildBlock, buildChain, Built, testKey } from './helpers/chainFixtures.js';
import { rocksChain } from './helpers/chainSetup.js';

const key = testKey(5);
const LENGTH = 2000;

async function heightOf(chain: Chain, hash: Uint8Array): Promise<number> {
  return (await chain.getIndex(hash))!.height;
}

test('locator heights: ten steps of one, then doubling, ending at genesis', () => {
  assert.deepEqual(locatorHeights(1, 1), [1]);
  assert.deepEqual(locatorHeights(5, 1), [5, 4, 3, 2, 1]);
  assert.deepEqual(locatorHeights(30, 1), [30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 19, 15, 7, 1]);
  const big = locatorHeights(2 ** 32 - 1, 1);
  assert.ok(big.length <= 101);
  assert.equal(big.at(-1), 1);
});

test('a 2000-block chain: locator shape and hashes after a locator', { timeout: 120_000 }, async () => {
  const { chain, done } = await rocksChain('locator');
  try {
    const g = buildBlock({ parent: null, key });
    await chain.initGenesis(g.block);
    const blocks: Built[] = [g];
    let midLocator: Uint8Array[] = [];
    for (let i = 1; i < LENGTH; i++) {
      const b = buildBlock({ parent: blocks[i - 1]!, key });
      assert.equal((await chain.processBlock(b.block)).status, 'connected');
      blocks.push(b);
      if (b.height === 1200) midLocator = await chain.blockLocator();
    }
    assert.equal(chain.tip!.height, LENGTH);
    assert.equal(await chain.balanceOf(key.pkh), LENGTH * chain.params.subsidy);

    const locator = await chain.blockLocator();
    assert.ok(locator.length <= 101);
    assert.deepEqual(locator[0], chain.tip!.hash);
    assert.deepEqual(locator.at(-1), g.hash);
    const heights = await Promise.all(locator.map((h) => heightOf(chain, h)));
    assert.deepEqual(heights, locatorHeights(LENGTH, 1));
    for (let i = 1; i < heights.length; i++) assert.ok(heights[i]! < heights[i - 1]!);

    // A peer at height 1200 gets 1201..1700.
    const after = await chain.hashesAfterLocator(midLocator);
    assert.equal(after.length, 500);
    assert.deepEqual(after[0], blocks[1200]!.hash);
    assert.deepEqual(after.at(-1), blocks[1699]!.hash);
    // Up to our tip only, a smaller max, and a stop hash.
    assert.equal((await chain.hashesAfterLocator([blocks[1899]!.hash])).length, 100);
    assert.equal((await chain.hashesAfterLocator([blocks[10]!.hash], 3)).length, 3);
    assert.equal((await chain.hashesAfterLocator([blocks[10]!.hash], 10_000)).length, 500, 'max is capped at 500');
    const stopped = await chain.hashesAfterLocator([blocks[10]!.hash], 500, blocks[14]!.hash);
    assert.deepEqual(stopped.map(hashToHex), blocks.slice(11, 15).map((b) => hashToHex(b.hash)));
    assert.deepEqual(await chain.hashesAfterLocator([chain.tip!.hash]), []);
    // Nothing we know: start after genesis. Junk hashes and a huge locator are harmless.
    const junk = Array.from({ length: 5000 }, (_, i) => Uint8Array.from({ length: i % 3 === 0 ? 7 : 32 }, () => i & 0xff));
    const fromGenesis = await chain.hashesAfterLocator(junk);
    assert.deepEqual(fromGenesis[0], blocks[1]!.hash);
    assert.equal(fromGenesis.length, 500);

    // A peer on a fork from height 1500: its own hashes come first, ours after the fork point.
    const fork = buildChain(blocks[1499]!, 30, testKey(6), 3);
    for (const f of fork) await chain.processBlock(f.block);
    const peerLocator = [fork.at(-1)!.hash, fork[10]!.hash, fork[0]!.hash, blocks[1499]!.hash, blocks[1000]!.hash, g.hash];
    const answer = await chain.hashesAfterLocator(peerLocator);
    assert.deepEqual(answer[0], blocks[1500]!.hash);
    assert.equal(answer.length, 500);
    assert.deepEqual(chain.tip!.hash, blocks[LENGTH - 1]!.hash, 'a shorter fork is only stored');
  } finally { await done(); }
});
