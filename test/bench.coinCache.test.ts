// CoinCache: coins are read through and written through, the store below
// sees exactly the batches it would see without the cache, the cache stays
// within its capacity (oldest out first), a read that a write overtook never
// leaves a stale coin behind, and the bytes per entry it counts cover what the
// heap really holds.
import test from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import v8 from 'node:v8';
import fc from 'fast-check';
import { BatchOp, KeyValueStore, RangeOptions } from '../src/storage/kvStore.js';
import { MemoryStore } from '../src/storage/memoryStore.js';
import { CoinCache, COIN_VALUE_BYTES } from '../bench/coinCache.js';
import { CoinTable } from '../bench/coinTable.js';
import { PREFIX } from '../src/storage/layout.js';

/** A coin key for small n (txid's first bytes = n), and a 33-byte coin value. */
const ck = (n: number): Uint8Array => { const k = new Uint8Array(37); k[0] = PREFIX.coin; k[1] = n & 0xff; k[2] = n >> 8; k[3] = n >> 16; return k; };
const cv = (n: number): Uint8Array => new Uint8Array(COIN_VALUE_BYTES).fill(n & 0xff);
/** Bytes for a cache of about n coins (coinTable.ts: 74 per entry and 8-16 of index). */
const entrySize = 90;

/** Counts the keys read from the inner store; `hold` keeps reads pending until `release`. */
class CountingStore implements KeyValueStore {
  reads = 0;
  readonly writes: BatchOp[][] = [];
  hold = false;
  private held: Array<() => void> = [];
  failNext = false;
  constructor(readonly inner = new MemoryStore()) {}
  private async gate(): Promise<void> { if (this.hold) await new Promise<void>((r) => this.held.push(r)); }
  release(): void { for (const r of this.held.splice(0)) r(); }
  async get(k: Uint8Array) { this.reads++; const v = await this.inner.get(k); await this.gate(); return v; }
  async getMany(ks: Uint8Array[]) { this.reads += ks.length; const vs = await this.inner.getMany(ks); await this.gate(); return vs; }
  put(k: Uint8Array, v: Uint8Array) { return this.write([{ type: 'put', key: k, value: v }]); }
  async write(ops: BatchOp[]) {
    if (this.failNext) { this.failNext = false; throw new Error('disk on fire'); }
    this.writes.push(ops);
    await this.inner.write(ops);
  }
  iterate(r: RangeOptions) { return this.inner.iterate(r); }
  close() { return this.inner.close(); }
}

test('a coin read once is then served from memory; other keys always go down', async () => {
  const inner = new CountingStore();
  await inner.inner.write([{ type: 'put', key: ck(1), value: cv(1) }, { type: 'put', key: Uint8Array.of(PREFIX.meta, 1), value: cv(9) }]);
  const cache = new CoinCache(inner, 100 * entrySize);
  assert.deepEqual(await cache.get(ck(1)), cv(1));
  assert.deepEqual(await cache.getMany([ck(1), ck(2), Uint8Array.of(PREFIX.meta, 1)]), [cv(1), null, cv(9)]);
  assert.equal(inner.reads, 3, 'the second read of coin 1 did not reach the inner store');
  await cache.get(Uint8Array.of(PREFIX.meta, 1));
  assert.equal(inner.reads, 4);
  assert.deepEqual(cache.stats().hits, 1);
  // A hit hands out a copy: changing it changes nothing cached.
  (await cache.get(ck(1)))!.fill(7);
  assert.deepEqual(await cache.get(ck(1)), cv(1));
});

test('batches reach the inner store unchanged; their coins are cached once written, spent coins dropped', async () => {
  const inner = new CountingStore();
  const cache = new CoinCache(inner, 100 * entrySize);
  const batch: BatchOp[] = [{ type: 'put', key: ck(1), value: cv(1) }, { type: 'put', key: ck(2), value: cv(2) }, { type: 'put', key: Uint8Array.of(PREFIX.address, 1), value: cv(1) }];
  await cache.write(batch);
  assert.equal(inner.writes[0], batch, 'the very same batch');
  assert.deepEqual(await cache.getMany([ck(1), ck(2)]), [cv(1), cv(2)]);
  assert.equal(inner.reads, 0);
  await cache.write([{ type: 'del', key: ck(1) }, { type: 'put', key: ck(2), value: cv(5) }]);
  assert.deepEqual(await cache.getMany([ck(1), ck(2)]), [null, cv(5)]);
  assert.equal(inner.reads, 1, 'only the spent coin was looked up below');
  await cache.write([{ type: 'delRange', gte: Uint8Array.of(PREFIX.coin), lt: Uint8Array.of(PREFIX.coin + 1) }]);
  assert.equal(cache.stats().entries, 0);
  assert.deepEqual(await cache.get(ck(2)), null);
});

test('the cache never holds more than its capacity; evicted coins are read from below', async () => {
  const inner = new CountingStore();
  const cache = new CoinCache(inner, 1000);
  assert.ok(cache.stats().bytes <= 1000);
  const cap = cache.capacity;
  assert.ok(cap >= 8, `capacity ${cap}`);
  for (let i = 0; i < 3 * cap; i++) await cache.write([{ type: 'put', key: ck(i), value: cv(i) }]);
  assert.equal(cache.stats().entries, cap);
  for (let i = 0; i < 3 * cap; i++) assert.deepEqual(await cache.get(ck(i)), cv(i));
  assert.ok(inner.reads >= 2 * cap && inner.reads <= 3 * cap, `${inner.reads} reads below`);
  assert.equal(cache.stats().entries, cap);
});

test('the table agrees with a Map through inserts, overwrites, deletes and evictions', () => {
  const table = new CoinTable(600 * 90);
  const model = new Map<number, number>();
  let x = 12345;
  const rand = (n: number): number => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x % n; };
  for (let step = 0; step < 20_000; step++) {
    const k = rand(2000);
    if (rand(3) === 0) { table.delete(ck(k)); model.delete(k); } else {
      const v = rand(256);
      table.set(ck(k), cv(v));
      model.set(k, v);
    }
    assert.ok(table.size <= table.capacity);
  }
  // Everything the table holds is right, and it holds all it has room for.
  let held = 0;
  for (let k = 0; k < 2000; k++) {
    const got = table.get(ck(k));
    if (got === null) continue;
    held++;
    assert.ok(model.has(k), `coin ${k} was deleted but is still held`);
    assert.deepEqual(got, cv(model.get(k)!));
  }
  assert.equal(held, table.size);
});

test('a read that a write overtook does not cache what it found', async () => {
  const inner = new CountingStore();
  await inner.inner.write([{ type: 'put', key: ck(1), value: cv(1) }]);
  const cache = new CoinCache(inner, 100 * entrySize);
  inner.hold = true;
  const reading = cache.getMany([ck(1)]);
  // Give the read time to reach the inner store and take its (old) value.
  await new Promise((r) => setImmediate(r));
  await cache.write([{ type: 'del', key: ck(1) }]);
  inner.release();
  assert.deepEqual(await reading, [cv(1)], 'the read saw the store as it was');
  inner.hold = false;
  assert.equal(await cache.get(ck(1)), null, 'the spent coin is not resurrected from the stale read');
});

test('a failed write leaves none of its coins cached', async () => {
  const inner = new CountingStore();
  const cache = new CoinCache(inner, 100 * entrySize);
  await cache.write([{ type: 'put', key: ck(1), value: cv(1) }]);
  inner.failNext = true;
  await assert.rejects(cache.write([{ type: 'put', key: ck(1), value: cv(2) }, { type: 'put', key: ck(2), value: cv(2) }]), /disk on fire/);
  assert.equal(cache.stats().entries, 0);
  assert.deepEqual(await cache.getMany([ck(1), ck(2)]), [cv(1), null], 'reads go to what the inner store holds');
});

test('every read through the cache equals a read of the store alone, for any mix of writes and reads', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.oneof(
      fc.record({ kind: fc.constant('write' as const), ops: fc.array(fc.tuple(fc.nat(30), fc.oneof(fc.nat(255), fc.constant(-1))), { minLength: 1, maxLength: 6 }) }),
      fc.record({ kind: fc.constant('read' as const), keys: fc.array(fc.nat(30), { minLength: 1, maxLength: 6 }) }),
    ), { maxLength: 60 }),
    async (steps) => {
      const plain = new MemoryStore();
      const cache = new CoinCache(new MemoryStore(), 8 * entrySize);
      for (const s of steps) {
        if (s.kind === 'write') {
          const ops: BatchOp[] = s.ops.map(([k, v]) => (v < 0 ? { type: 'del', key: ck(k) } : { type: 'put', key: ck(k), value: cv(v) }));
          await plain.write(ops);
          await cache.write(ops);
        } else {
          assert.deepEqual(await cache.getMany(s.keys.map(ck)), await plain.getMany(s.keys.map(ck)));
        }
        assert.ok(cache.stats().entries <= cache.capacity);
      }
    },
  ), { numRuns: 200 });
});

test('what the cache counts is what it allocates, and filling it adds nothing to the heap', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const n = 100_000;
  // An inner store that keeps nothing, so the memory's growth is the cache's alone.
  const nothing = new CountingStore();
  nothing.write = async () => undefined;
  const keys = Array.from({ length: n }, (_, i) => ck(i));
  gc();
  const before = process.memoryUsage();
  const cache = new CoinCache(nothing, n * entrySize);
  for (let i = 0; i < n; i += 1000) await cache.write(keys.slice(i, i + 1000).map((key, j) => ({ type: 'put', key, value: cv(i + j) })));
  gc();
  const after = process.memoryUsage();
  assert.equal(cache.stats().entries, n);
  const external = after.arrayBuffers - before.arrayBuffers;
  assert.ok(Math.abs(external - cache.stats().bytes) < 64 * 1024, `${external} bytes allocated, ${cache.stats().bytes} counted`);
  assert.ok(cache.stats().bytes <= n * entrySize);
  const heapPerEntry = (after.heapUsed - before.heapUsed) / n;
  assert.ok(heapPerEntry < 4, `the heap grew by ${heapPerEntry.toFixed(1)} bytes per coin`);
  await cache.close();
});
