// RocksStore copies a batch's small keys and values into one off-heap slab
// (rocksStore.ts): every op must still land under its own key with its own
// bytes, whatever the mix of sizes, and the caller's arrays stay untouched.
import test from 'node:test';
import assert from 'node:assert/strict';
import { BatchOp } from '../src/storage/kvStore.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { tempDir } from './helpers/tempDir.js';

const fill = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (seed * 131 + i * 7) & 0xff);

test('a batch mixing small and large keys and values, puts and deletes, reads back exactly', async () => {
  const t = await tempDir('rocks-batch');
  const store = await RocksStore.open(t.dir);
  try {
    const sizes = [1, 20, 33, 37, 63, 64, 65, 100, 4000];
    const ops: BatchOp[] = [];
    const expected = new Map<string, Uint8Array | null>();
    let seed = 1;
    for (const ks of sizes) {
      for (const vs of [0, ...sizes]) {
        const key = fill(ks, seed);
        key[0] = seed & 0xff;
        if (ks > 1) key[ks - 1] = (seed >> 8) & 0xff;
        const value = fill(vs, seed + 1000);
        ops.push({ type: 'put', key, value });
        expected.set(Buffer.from(key).toString('hex'), value);
        seed++;
      }
    }
    // Delete every third key, in the same batch, after its put.
    const before = ops.slice();
    before.forEach((op, i) => {
      if (i % 3 !== 0 || op.type !== 'put') return;
      ops.push({ type: 'del', key: Uint8Array.from(op.key) });
      expected.set(Buffer.from(op.key).toString('hex'), null);
    });
    const copies = ops.map((op) => (op.type === 'put' ? [Uint8Array.from(op.key), Uint8Array.from(op.value)] : []));
    await store.write(ops);
    ops.forEach((op, i) => { if (op.type === 'put') { assert.deepEqual(op.key, copies[i]![0]); assert.deepEqual(op.value, copies[i]![1]); } });
    const keys = [...expected.keys()].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
    const got = await store.getMany(keys);
    keys.forEach((k, i) => {
      const want = expected.get(Buffer.from(k).toString('hex'))!;
      if (want === null) assert.equal(got[i], null);
      else assert.deepEqual(Buffer.from(got[i]!), Buffer.from(want));
    });
    for (const k of keys.slice(0, 20)) assert.deepEqual(await store.get(k), got[keys.indexOf(k)]);
  } finally {
    await store.close();
    await t.cleanup();
  }
});
