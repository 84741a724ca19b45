// The KeyValueStore contract, run against RocksStore and its in-memory twin.
import test from 'node:test';
import assert from 'node:assert/strict';
import { KeyValueStore, prefixEnd, WriteBatch } from '../src/storage/kvStore.js';
import { MemoryStore } from '../src/storage/memoryStore.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { tempDir } from './helpers/tempDir.js';

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

async function collect(it: AsyncIterable<[Uint8Array, Uint8Array]>): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of it) out.push(`${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`);
  return out;
}

const stores: Array<[string, () => Promise<{ store: KeyValueStore; done: () => Promise<void> }>]> = [
  ['memory', async () => {
    const store = new MemoryStore();
    return { store, done: () => store.close() };
  }],
  ['rocksdb', async () => {
    const t = await tempDir('kv');
    const store = await RocksStore.open(t.dir);
    return { store, done: async () => { await store.close(); await t.cleanup(); } };
  }],
];

for (const [name, make] of stores) {
  test(`${name}: get, put, getMany, empty values and missing keys`, async () => {
    const { store, done } = await make();
    try {
      assert.equal(await store.get(b(1)), null);
      await store.put(b(1), b(9, 9));
      await store.put(b(2), new Uint8Array(0));
      assert.deepEqual([...(await store.get(b(1)))!], [9, 9]);
      assert.deepEqual([...(await store.get(b(2)))!], []);
      const many = await store.getMany([b(2), b(3), b(1)]);
      assert.deepEqual(many.map((v) => (v ? [...v] : null)), [[], null, [9, 9]]);
      assert.deepEqual(await store.getMany([]), []);
    } finally { await done(); }
  });

  test(`${name}: a batch applies puts, deletes and range deletes in order`, async () => {
    const { store, done } = await make();
    try {
      const w = new WriteBatch();
      for (let i = 0; i < 10; i++) w.put(b(5, i), b(i));
      w.put(b(6), b(66)).del(b(5, 3)).delRange(b(5, 7), b(5, 9)).put(b(5, 8), b(88));
      await store.write(w.ops);
      assert.deepEqual(await collect(store.iterate({ prefix: b(5) })),
        ['0500=00', '0501=01', '0502=02', '0504=04', '0505=05', '0506=06', '0508=58', '0509=09']);
      assert.equal(await store.get(b(5, 7)), null);
    } finally { await done(); }
  });

  test(`${name}: iteration is bytewise ascending, bounded by prefix, range and limit`, async () => {
    const { store, done } = await make();
    try {
      const w = new WriteBatch();
      for (const k of [[0xff], [0xff, 0xff], [1, 0xff], [1], [2, 0], [1, 0x80], [0]]) w.put(Uint8Array.from(k), b(k.length));
      await store.write(w.ops);
      assert.deepEqual(await collect(store.iterate({})), ['00=01', '01=01', '0180=02', '01ff=02', '0200=02', 'ff=01', 'ffff=02']);
      assert.deepEqual(await collect(store.iterate({ prefix: b(1) })), ['01=01', '0180=02', '01ff=02']);
      assert.deepEqual(await collect(store.iterate({ prefix: b(0xff) })), ['ff=01', 'ffff=02']);
      assert.deepEqual(await collect(store.iterate({ gte: b(1, 0x80), lt: b(2, 0) })), ['0180=02', '01ff=02']);
      assert.deepEqual(await collect(store.iterate({ prefix: b(1), limit: 2 })), ['01=01', '0180=02']);
      assert.deepEqual(await collect(store.iterate({ prefix: b(7) })), []);
      // Leaving a loop early releases the iterator; the store stays usable and closes cleanly.
      for await (const [k] of store.iterate({})) { assert.deepEqual([...k], [0]); break; }
      assert.deepEqual([...(await store.get(b(0xff)))!], [1]);
    } finally { await done(); }
  });

  test(`${name}: operations after close fail with db-closed`, async () => {
    const { store, done } = await make();
    await done();
    await assert.rejects(store.get(b(1)), { code: 'db-closed' });
  });
}

test('prefixEnd is the first key past a prefix', () => {
  assert.deepEqual([...prefixEnd(b(1, 2))!], [1, 3]);
  assert.deepEqual([...prefixEnd(b(1, 0xff))!], [2]);
  assert.equal(prefixEnd(b(0xff, 0xff)), null);
});

test('rocksdb: data survives close and reopen', async () => {
  const t = await tempDir('kv-reopen');
  try {
    const s1 = await RocksStore.open(t.dir);
    await s1.write(new WriteBatch().put(b(1), b(2)).put(b(3), b(4)).ops);
    await s1.close();
    const s2 = await RocksStore.open(t.dir);
    assert.deepEqual((await s2.getMany([b(1), b(3)])).map((v) => [...v!]), [[2], [4]]);
    await s2.close();
  } finally { await t.cleanup(); }
});
