// WriteBehindStore: reads see a batch the moment it is given, batches reach
// the inner store whole and in order (joined while one is in flight), a
// failed write stops everything after it, and the chain reports a block only
// once its batch is durable.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { REGTEST } from '../src/core/params.js';
import { BatchOp, KeyValueStore, RangeOptions } from '../src/storage/kvStore.js';
import { MemoryStore } from '../src/storage/memoryStore.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { WriteBehindStore } from '../src/storage/writeBehindStore.js';
import { buildChain, NOW, testKey } from './helpers/chainFixtures.js';
import { tempDir } from './helpers/tempDir.js';

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const put = (k: number, v: number): BatchOp => ({ type: 'put', key: b(k), value: b(v) });
const del = (k: number): BatchOp => ({ type: 'del', key: b(k) });
const val = (v: Uint8Array | null): number | null => (v ? v[0]! : null);

/** Holds every write until release() (or fails it with failNext), and records what reached it. */
class GatedStore implements KeyValueStore {
  readonly writes: BatchOp[][] = [];
  private held: Array<{ ops: BatchOp[]; go: () => void; fail: (e: Error) => void }> = [];
  private gated = true;
  failNext: Error | null = null;
  constructor(readonly inner: KeyValueStore) {}
  get(k: Uint8Array) { return this.inner.get(k); }
  getMany(ks: Uint8Array[]) { return this.inner.getMany(ks); }
  put(k: Uint8Array, v: Uint8Array) { return this.write([{ type: 'put', key: k, value: v }]); }
  iterate(r: RangeOptions) { return this.inner.iterate(r); }
  /** Leaves the inner store open: tests reopen a chain on it. */
  async close(): Promise<void> {}
  write(ops: BatchOp[]): Promise<void> {
    if (!this.gated) return this.land(ops);
    return new Promise((resolve, reject) => {
      this.held.push({ ops, go: () => { this.land(ops).then(resolve, reject); }, fail: reject });
    });
  }
  private async land(ops: BatchOp[]): Promise<void> {
    if (this.failNext) { const e = this.failNext; this.failNext = null; throw e; }
    this.writes.push(ops);
    await this.inner.write(ops);
  }
  get waiting(): number { return this.held.length; }
  /** Lets the oldest held write through. */
  release(): void { this.held.shift()?.go(); }
  open(): void { this.gated = false; for (const h of this.held.splice(0)) h.go(); }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('reads see a batch at once; it is durable only when the inner write lands; batches given meanwhile are joined in order', async () => {
  const gate = new GatedStore(new MemoryStore());
  const s = new WriteBehindStore(gate);
  let firstDone = false;
  const first = s.writeBehind([put(1, 10), put(2, 20)]).then(() => { firstDone = true; });
  assert.equal(val(await s.get(b(1))), 10, 'visible before it is written');
  await tick();
  assert.equal(firstDone, false, 'not durable while the inner write is held');
  assert.equal(gate.waiting, 1);
  // Given while the first is in flight: these two become one inner write, applied in order.
  const second = s.writeBehind([put(1, 11), del(2), put(3, 30)]);
  const third = s.writeBehind([put(3, 31), put(4, 40)]);
  assert.deepEqual((await s.getMany([b(1), b(2), b(3), b(4), b(5)])).map(val), [11, null, 31, 40, null]);
  assert.equal(s.unwritten, 3);
  gate.release();
  await first;
  assert.equal(firstDone, true);
  await tick();
  assert.equal(gate.waiting, 1, 'the two later batches went out as one write');
  gate.release();
  await Promise.all([second, third]);
  assert.equal(s.unwritten, 0);
  assert.equal(gate.writes.length, 2);
  assert.equal(gate.writes[1]!.length, 5);
  // What the inner store holds now equals what reads through the wrapper said.
  assert.deepEqual((await gate.inner.getMany([b(1), b(2), b(3), b(4)])).map(val), [11, null, 31, 40]);
  await s.close();
});

test('room() waits until at most N batches are unwritten; flushed() and iterate() wait for all of them', async () => {
  const gate = new GatedStore(new MemoryStore());
  const s = new WriteBehindStore(gate);
  void s.writeBehind([put(1, 1)]);
  void s.writeBehind([put(2, 2)]);
  void s.writeBehind([put(3, 3)]);
  let roomy = false;
  const room = s.room(1).then(() => { roomy = true; });
  const listed: string[] = [];
  const iterated = (async () => { for await (const [k] of s.iterate({})) listed.push(String(k[0])); })();
  await tick();
  assert.equal(roomy, false);
  gate.release(); // the first write; the other two are then joined into one
  await tick();
  await tick();
  assert.equal(roomy, false, 'two batches are still unwritten');
  assert.deepEqual(listed, [], 'iterate waits for every pending batch');
  gate.release();
  await room;
  await iterated;
  assert.deepEqual(listed, ['1', '2', '3']);
  await s.flushed();
  await s.close();
});

test('a range delete waits for pending batches and is written on its own', async () => {
  const gate = new GatedStore(new MemoryStore());
  const s = new WriteBehindStore(gate);
  void s.writeBehind([put(1, 1), put(2, 2), put(9, 9)]);
  const ranged = s.write([{ type: 'delRange', gte: b(1), lt: b(5) }]);
  await tick();
  assert.equal(gate.waiting, 1, 'the range delete has not been sent alongside the pending batch');
  gate.open();
  await ranged;
  assert.deepEqual((await s.getMany([b(1), b(2), b(9)])).map(val), [null, null, 9]);
  await s.close();
});

test('a range delete is a barrier: a batch given after it reaches the store after it, and survives it', async () => {
  const gate = new GatedStore(new MemoryStore());
  const s = new WriteBehindStore(gate);
  const first = s.writeBehind([put(1, 1), put(5, 5)]);
  const ranged = s.write([{ type: 'delRange', gte: b(1), lt: b(9) }]);
  const after = s.writeBehind([put(5, 50)]);
  assert.equal(val(await s.get(b(5))), 50, 'reads see the newest batch');
  for (let i = 0; i < 3; i++) { gate.release(); await tick(); await tick(); }
  await Promise.all([first, ranged, after]);
  assert.deepEqual(gate.writes.map((w) => w.map((op) => op.type).join(',')), ['put,put', 'delRange', 'put'], 'written in the order given');
  assert.deepEqual((await gate.inner.getMany([b(1), b(5)])).map(val), [null, 50], 'the later put outlives the range delete');
  assert.deepEqual((await s.getMany([b(1), b(5)])).map(val), [null, 50]);
  await s.close();
});

test('while a range delete is unwritten, reads see its keys as deleted (except those written after it)', async () => {
  const gate = new GatedStore(new MemoryStore());
  const s = new WriteBehindStore(gate);
  const seeded = s.writeBehind([put(1, 1), put(2, 2), put(9, 9)]);
  gate.release();
  await seeded;
  // Inside one batch, op order counts: 3 is put then deleted by the range, 4 is put after it.
  const ranged = s.write([put(3, 3), { type: 'delRange', gte: b(1), lt: b(5) }, put(4, 4)]);
  await tick();
  assert.equal(val(await s.get(b(1))), null, 'a key being deleted is not read from the store');
  assert.deepEqual((await s.getMany([b(1), b(2), b(3), b(4), b(9)])).map(val), [null, null, null, 4, 9]);
  const later = s.writeBehind([put(2, 22)]);
  assert.deepEqual((await s.getMany([b(1), b(2), b(9)])).map(val), [null, 22, 9]);
  gate.open();
  await Promise.all([ranged, later]);
  assert.deepEqual((await gate.inner.getMany([b(1), b(2), b(3), b(4), b(9)])).map(val), [null, 22, null, 4, 9]);
  await s.close();
});

test('a failed write fails its batch, every batch after it and every later call; nothing after it reaches the store', async () => {
  const gate = new GatedStore(new MemoryStore());
  const heard: string[] = [];
  const s = new WriteBehindStore(gate, (e) => heard.push(e.message));
  const ok = s.writeBehind([put(1, 1)]);
  gate.release();
  await ok;
  gate.failNext = new Error('disk full');
  const failing = s.writeBehind([put(2, 2)]);
  const queued = s.writeBehind([put(3, 3)]);
  assert.equal(gate.waiting, 1, 'the failing batch is in flight, the next one queued behind it');
  gate.release();
  await assert.rejects(failing, /disk full/);
  await assert.rejects(queued, /disk full/);
  await assert.rejects(s.get(b(1)), /disk full/);
  assert.throws(() => s.writeBehind([put(4, 4)]), /disk full/);
  await assert.rejects(s.flushed(), /disk full/);
  assert.equal(gate.waiting, 0);
  assert.deepEqual(gate.writes.map((w) => w.length), [1], 'only the batch before the failure landed');
  assert.deepEqual(heard, ['disk full'], 'the failure is announced once');
  assert.deepEqual((await gate.inner.getMany([b(1), b(2), b(3)])).map(val), [1, null, null]);
  await s.close();
});

test('close() writes what is pending to RocksDB before closing it', async () => {
  const t = await tempDir('write-behind');
  try {
    const s = new WriteBehindStore(await RocksStore.open(t.dir));
    const writes = Array.from({ length: 50 }, (_, i) => s.writeBehind([put(i, i), ...(i > 0 ? [del(i - 1)] : [])]));
    await s.close();
    await Promise.all(writes);
    const reopened = await RocksStore.open(t.dir);
    assert.deepEqual((await reopened.getMany([b(48), b(49)])).map(val), [null, 49]);
    await reopened.close();
  } finally {
    await t.cleanup();
  }
});

/** A chain on an open gate with its genesis connected, and four blocks to give it. */
async function gatedChain(seed: number): Promise<{ gate: GatedStore; chain: Chain; blocks: ReturnType<typeof buildChain> }> {
  const gate = new GatedStore(new MemoryStore());
  gate.open();
  const chain = await Chain.open(gate, REGTEST, { now: NOW });
  const blocks = buildChain(null, 4, testKey(seed));
  await chain.initGenesis(blocks[0]!.block);
  return { gate, chain, blocks };
}

test('chain: a block is validated while the one before it is written, but neither is reported before its batch lands', async () => {
  const { gate, chain, blocks } = await gatedChain(3);
  await chain.processBlock(blocks[1]!.block);
  // From here every write is held until released.
  const gated = new GatedStore(gate.inner);
  await chain.close();
  const c = await Chain.open(gated, REGTEST, { now: NOW });
  const h = (i: number): number => REGTEST.genesisHeight + i;
  const tips: number[] = [];
  c.on('tip', (e) => tips.push(e.height));
  const done: number[] = [];
  const p2 = c.processBlock(blocks[2]!.block).then((r) => { done.push(r.height!); });
  const p3 = c.processBlock(blocks[3]!.block).then((r) => { done.push(r.height!); });
  for (let i = 0; i < 50 && c.tip!.height < h(3); i++) await tick();
  assert.equal(c.tip!.height, h(3), 'block 3 was validated and connected in memory while block 2 was being written');
  assert.deepEqual(done, []);
  assert.deepEqual(tips, [], 'no tip reported before a batch is durable');
  assert.equal(gated.waiting, 1);
  gated.release();
  await p2;
  assert.deepEqual(done, [h(2)]);
  assert.deepEqual(tips, [h(2)]);
  for (let i = 0; i < 50 && (gated.waiting as number) === 0; i++) await tick();
  gated.release();
  await p3;
  assert.deepEqual(done, [h(2), h(3)]);
  assert.deepEqual(tips, [h(2), h(3)]);
  await c.close();
  const reopened = await Chain.open(gated.inner, REGTEST, { now: NOW });
  assert.equal(reopened.tip!.height, h(3));
  await reopened.close();
});

test('chain: a failed batch rejects the block, is announced once as storage-failed, and the chain refuses further blocks', async () => {
  const { gate, chain, blocks } = await gatedChain(4);
  const failures: string[] = [];
  chain.on('storage-failed', (e) => failures.push(e.message));
  gate.failNext = new Error('I/O error');
  await assert.rejects(chain.processBlock(blocks[1]!.block), /I\/O error/);
  await assert.rejects(chain.processBlock(blocks[2]!.block), /I\/O error/);
  assert.deepEqual(failures, ['I/O error']);
  await chain.close();
  // On disk: the genesis only, consistent.
  const reopened = await Chain.open(gate.inner, REGTEST, { now: NOW });
  assert.equal(reopened.tip!.height, REGTEST.genesisHeight);
  await reopened.close();
});
