// reindexUtxo() rebuilds the UTXO set, address index and undo data from the
// stored main-chain blocks; the result must equal the set maintained block by block.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { REGTEST, MAIN } from '../src/core/params.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { metaKey, PREFIX, prefixOf } from '../src/storage/layout.js';
import { buildBlock, Built, NOW, outputsOf, signedTx, Spendable, testKey } from './helpers/chainFixtures.js';
import { rocksChain } from './helpers/chainSetup.js';

const keys = [testKey(1), testKey(2), testKey(3)];

/** A chain with transfers among three keys, a reorg in the middle, and chained spends. */
async function busyChain(chain: Chain): Promise<void> {
  const g = buildBlock({ parent: null, key: keys[0]! });
  await chain.initGenesis(g.block);
  let parent: Built = g;
  let wallet: Spendable[] = [g.reward];
  for (let i = 0; i < 30; i++) {
    const txs = wallet.splice(0, 4).map((coin, k) => {
      const to = keys[(i + k) % 3]!;
      const half = Math.floor(coin.value / 2);
      return signedTx([coin], [{ value: half, pubKeyHash: to.pkh }, { value: coin.value - half - 10, pubKeyHash: coin.key.pkh }]);
    });
    const b = buildBlock({ parent, key: keys[i % 3]!, txs });
    if (i === 12) {
      // A competing block that wins: b is stored but then reorganised away.
      await chain.processBlock(b.block);
      const f1 = buildBlock({ parent, key: keys[2]!, extraNonce: 77 });
      const f2 = buildBlock({ parent: f1, key: keys[2]!, extraNonce: 77 });
      await chain.processBlock(f1.block);
      assert.equal((await chain.processBlock(f2.block)).status, 'reorg');
      parent = f2;
      // b's transactions are gone with it: the wallet is whatever the chain now says.
      wallet = [];
      for (const k of keys) for (const c of await chain.coinsOf(k.pkh)) wallet.push({ txid: c.txid, vout: c.vout, value: c.coin.value, key: k });
      continue;
    }
    assert.equal((await chain.processBlock(b.block)).status, 'connected');
    parent = b;
    wallet.push(b.reward, ...txs.flatMap((t) => keys.flatMap((k) => outputsOf(t, k))));
  }
}

async function snapshot(chain: Chain): Promise<string[]> {
  return [await chain.utxoSetHash(), await chain.utxo.addressIndexHash(), await chain.utxo.rangeHash(PREFIX.undo)];
}

test('reindexUtxo rebuilds exactly the UTXO set, address index and undo data kept block by block', async () => {
  const { chain, done } = await rocksChain('reindex');
  try {
    await busyChain(chain);
    const kept = await snapshot(chain);
    const balances = await Promise.all(keys.map((k) => chain.balanceOf(k.pkh)));
    await chain.reindexUtxo();
    assert.deepEqual(await snapshot(chain), kept);
    assert.deepEqual(await Promise.all(keys.map((k) => chain.balanceOf(k.pkh))), balances);
    assert.ok(balances.every((b) => b > 0));
  } finally { await done(); }
});

test('a reindex cut short (the marker left behind) is redone on open', async () => {
  const { chain, dir, done } = await rocksChain('reindex-resume');
  try {
    await busyChain(chain);
    const kept = await snapshot(chain);
    await chain.close();
    // What a crash mid-reindex leaves: the marker, and half a UTXO set.
    const store = await RocksStore.open(dir!);
    await store.write([{ type: 'put', key: metaKey('reindex'), value: Uint8Array.of(1) }, { type: 'delRange', gte: prefixOf(PREFIX.coin), lt: prefixOf(PREFIX.coin + 1) }]);
    await store.close();
    const again = await Chain.open(await RocksStore.open(dir!), REGTEST, { now: NOW });
    try {
      assert.deepEqual(await snapshot(again), kept);
    } finally { await again.close(); }
    const check = await RocksStore.open(dir!);
    assert.equal(await check.get(metaKey('reindex')), null);
    await check.close();
  } finally { await done(); }
});

test('a database of one network refuses to open as another', async () => {
  const { chain, dir, done } = await rocksChain('network');
  try {
    await chain.initGenesis(buildBlock({ parent: null, key: keys[0]! }).block);
    await chain.close();
    await assert.rejects(Chain.open(await RocksStore.open(dir!), MAIN), { code: 'wrong-network' });
    // The failed open released the database.
    const again = await Chain.open(await RocksStore.open(dir!), REGTEST, { now: NOW });
    assert.equal(again.tip!.height, 1);
    await again.close();
  } finally { await done(); }
});
