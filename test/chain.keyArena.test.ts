// A block's coin keys, address keys and coin values carved from one off-heap
// arena (chain/utxoSet.ts KeyArena): the batch holds the same bytes as one
// built from separate arrays, and RocksStore, which hands views of larger
// buffers to RocksDB as they are, stores them under their own keys.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Coin } from '../src/core/coin.js';
import { outpointKey } from '../src/core/tx.js';
import { KeyArena, UtxoSet } from '../src/chain/utxoSet.js';
import { BatchOp, WriteBatch } from '../src/storage/kvStore.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { tempDir } from './helpers/tempDir.js';

function coins(n: number): Array<{ key: string; coin: Coin }> {
  return Array.from({ length: n }, (_, i) => ({
    key: outpointKey(new Uint8Array(randomBytes(32)), i % 3 === 0 ? 70_000 + i : i % 5),
    coin: { value: 2 ** 45 + i, pubKeyHash: new Uint8Array(randomBytes(20)), height: 1000 + i, coinbase: i % 7 === 0 },
  }));
}

/** The batch connectBatch builds for these coins, with or without an arena (too small an arena runs out part-way). */
function batchOf(created: Array<{ key: string; coin: Coin }>, spent: Array<{ key: string; coin: Coin }>, arena?: KeyArena): BatchOp[] {
  const b = new WriteBatch();
  spent.forEach(({ key, coin }, i) => UtxoSet.removeKey(b, key, coin.pubKeyHash, i % 2 === 0, arena));
  created.forEach(({ key, coin }, i) => UtxoSet.addKey(b, key, coin, i % 2 === 1, arena));
  return b.ops;
}

const plainOps = (ops: BatchOp[]): unknown[] => ops.map((o) => (o.type === 'put' ? ['put', Buffer.from(o.key), Buffer.from(o.value)] : o.type === 'del' ? ['del', Buffer.from(o.key)] : o));

test('arena-built coin and undo-side ops equal the ones built from separate arrays, also when the arena runs out', () => {
  const created = coins(50);
  const spent = coins(30);
  const plain = plainOps(batchOf(created, spent));
  assert.deepEqual(plainOps(batchOf(created, spent, KeyArena.forBlock(created.length, spent.length))), plain);
  assert.deepEqual(plainOps(batchOf(created, spent, new KeyArena(500))), plain);
});

test('RocksStore writes arena views (offsets inside one buffer) under their own keys', async () => {
  const t = await tempDir('key-arena');
  const store = await RocksStore.open(t.dir);
  try {
    const created = coins(40);
    const ops = batchOf(created, [], KeyArena.forBlock(created.length, 0));
    await store.write(ops);
    const puts = ops.filter((o): o is Extract<BatchOp, { type: 'put' }> => o.type === 'put');
    const got = await store.getMany(puts.map((o) => o.key));
    puts.forEach((o, i) => assert.deepEqual(Buffer.from(got[i]!), Buffer.from(o.value), `op ${i}`));
    // Deleting by arena-built keys removes every coin; the address entries it does not name stay.
    await store.write(batchOf([], created, KeyArena.forBlock(0, created.length)));
    const coinPrefix = puts[0]!.key[0];
    const after = await store.getMany(puts.map((o) => o.key));
    assert.equal(puts.filter((o) => o.key[0] !== coinPrefix).length, created.length / 2);
    puts.forEach((o, i) => {
      if (o.key[0] === coinPrefix) assert.equal(after[i], null, `coin op ${i} still there`);
      else assert.deepEqual(Buffer.from(after[i]!), Buffer.from(o.value), `address op ${i}`);
    });
  } finally {
    await store.close();
    await t.cleanup();
  }
});
