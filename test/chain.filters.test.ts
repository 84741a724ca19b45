// The block filter index on RocksDB: one BIP158 filter per block over outputs'
// and spent outputs' public-key hashes, a filter header chain, kept right
// across reorganisations, and built for a chain made before the index existed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { toHex } from '../src/core/bytes.js';
import { filterKeyOf } from '../src/core/blockFilter.js';
import { filterHeader, filterMatchesAny, GENESIS_PREV_FILTER_HEADER } from '../src/core/gcs.js';
import { REGTEST } from '../src/core/params.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { buildBlock, buildChain, Built, NOW, signedTx, testKey } from './helpers/chainFixtures.js';
import { memoryChain, rocksChain } from './helpers/chainSetup.js';
import { tempDir } from './helpers/tempDir.js';

const alice = testKey(11);
const bob = testKey(12);
const carol = testKey(13);

/** Every main-chain block's [hash, filter header, filter] as hex, checking the header chain links as it goes. */
async function filterChain(chain: Chain): Promise<string[][]> {
  const out: string[][] = [];
  let prev: Uint8Array = GENESIS_PREV_FILTER_HEADER;
  for (let h = REGTEST.genesisHeight; h <= chain.tip!.height; h++) {
    const hash = (await chain.getHashAtHeight(h))!;
    const [e] = await chain.filterIndex!.getEntries([hash]);
    assert.ok(e, `block at height ${h} has a filter`);
    assert.deepEqual(e.header, filterHeader(e.filter, prev), `filter header at height ${h} chains on the previous one`);
    prev = e.header;
    out.push([toHex(hash), toHex(e.header), toHex(e.filter)]);
  }
  return out;
}

/** The filter chain of a fresh in-memory chain fed exactly `blocks`. */
async function referenceFilters(blocks: Built[]): Promise<string[][]> {
  const { chain, done } = await memoryChain({ blockFilters: true });
  try {
    await chain.initGenesis(blocks[0]!.block);
    for (const b of blocks.slice(1)) assert.equal((await chain.processBlock(b.block)).status, 'connected');
    return await filterChain(chain);
  } finally { await done(); }
}

async function filterOf(chain: Chain, b: Built): Promise<Uint8Array> {
  const [e] = await chain.filterIndex!.getEntries([b.hash]);
  return e!.filter;
}

test('each block gets a filter over its outputs and spent outputs; a reorganisation leaves the main chain\'s filters right', async () => {
  const { chain, done } = await rocksChain('filters', { blockFilters: true });
  try {
    const g = buildBlock({ parent: null, key: carol });
    await chain.initGenesis(g.block);
    const a2 = buildBlock({ parent: g, key: alice });
    // carol's genesis coin goes to bob: carol's hash is in a3's filter only as a spent output.
    const pay = signedTx([g.reward], [{ value: g.reward.value, pubKeyHash: bob.pkh }]);
    const a3 = buildBlock({ parent: a2, key: alice, txs: [pay] });
    for (const b of [a2, a3]) assert.equal((await chain.processBlock(b.block)).status, 'connected');
    const f3 = await filterOf(chain, a3);
    const key3 = filterKeyOf(a3.hash);
    assert.equal(filterMatchesAny(f3, key3, [carol.pkh]), true, 'the spent output\'s owner');
    assert.equal(filterMatchesAny(f3, key3, [bob.pkh]), true, 'the payee');
    assert.equal(filterMatchesAny(f3, key3, [alice.pkh]), true, 'the miner');
    assert.equal(filterMatchesAny(await filterOf(chain, a2), filterKeyOf(a2.hash), [bob.pkh, carol.pkh]), false);
    assert.deepEqual(await filterChain(chain), await referenceFilters([g, a2, a3]));

    // A heavier branch without the payment takes over: the filters at heights 3.. are its blocks'.
    const [b3, b4] = buildChain(a2, 2, carol, 1) as [Built, Built];
    assert.equal((await chain.processBlock(b3.block)).status, 'side');
    assert.equal((await chain.processBlock(b4.block)).status, 'reorg');
    assert.deepEqual(await filterChain(chain), await referenceFilters([g, a2, b3, b4]));
    // And back: a3 rejoins the main chain with the filter it had.
    const [a4, a5] = buildChain(a3, 2, alice, 2) as [Built, Built];
    assert.equal((await chain.processBlock(a4.block)).status, 'side');
    assert.equal((await chain.processBlock(a5.block)).status, 'reorg');
    assert.deepEqual(await filterChain(chain), await referenceFilters([g, a2, a3, a4, a5]));
    assert.deepEqual(await filterOf(chain, a3), f3);
  } finally { await done(); }
});

test('a chain built without the index gets every filter at open, and one built in parts catches up from where it stopped', async () => {
  const t = await tempDir('filters-upgrade');
  const open = (blockFilters: boolean): Promise<Chain> => RocksStore.open(t.dir).then((s) => Chain.open(s, REGTEST, { now: NOW, blockFilters }));
  try {
    const g = buildBlock({ parent: null, key: alice });
    const first = buildChain(g, 5, bob);
    const pay = signedTx([g.reward], [{ value: 1000, pubKeyHash: carol.pkh }, { value: g.reward.value - 1000, pubKeyHash: alice.pkh }]);
    const withPay = buildBlock({ parent: first.at(-1)!, key: alice, txs: [pay] });
    const rest = buildChain(withPay, 4, carol);
    const all = [g, ...first, withPay, ...rest];

    let chain = await open(false);
    await chain.initGenesis(g.block);
    for (const b of first) await chain.processBlock(b.block);
    assert.equal(chain.filterIndex, null);
    await chain.close();

    chain = await open(true);
    assert.equal(chain.filterIndex!.stats.caughtUp, first.length + 1, 'every block so far, genesis included');
    await chain.processBlock(withPay.block);
    await chain.close();

    // Off again for a while: the blocks connected meanwhile get their filters at the next open with it on.
    chain = await open(false);
    for (const b of rest) await chain.processBlock(b.block);
    await chain.close();
    chain = await open(true);
    try {
      assert.equal(chain.filterIndex!.stats.caughtUp, rest.length);
      assert.deepEqual(await filterChain(chain), await referenceFilters(all));
      assert.equal(filterMatchesAny(await filterOf(chain, withPay), filterKeyOf(withPay.hash), [carol.pkh]), true);
    } finally { await chain.close(); }
    chain = await open(true);
    assert.equal(chain.filterIndex!.stats.caughtUp, 0, 'nothing left to build');
    await chain.close();
  } finally { await t.cleanup(); }
});
