// The parallel download window of headers-first sync (src/node/headerSyncDownload.ts),
// driven as HeaderSync drives it: requests planned over a header path, blocks
// delivered, handed to the chain and settled. Counts only, no timings.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { HeaderEntry } from '../src/chain/blockIndex.js';
import { DEFAULT_WINDOW, DownloadWindow } from '../src/node/headerSyncDownload.js';
import type { ProtocolPeer } from '../src/node/peerPort.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';

const BLOCKS = buildChain(null, 600, testKey(31));
const ENTRIES: HeaderEntry[] = BLOCKS.map((b, i) => ({ hash: b.hash, height: i + 1, work: BigInt(i + 1), header: b.block.header }));

/** The path from `off` on: what HeaderChain shows once the blocks before `off` connected. */
function pathFrom(off: number): { pathLength: number; pathAt(i: number): HeaderEntry | undefined } {
  return { pathLength: ENTRIES.length - off, pathAt: (i) => ENTRIES[off + i] };
}

// The window only tells peers apart and skips closed ones.
const peer = (id: string): ProtocolPeer => ({ id, closed: false }) as unknown as ProtocolPeer;
const none = (): boolean => false;
const planned = (m: Map<ProtocolPeer, HeaderEntry[]>): HeaderEntry[] => [...m.values()].flat();

test('download window: more blocks in flight per peer while blocks are small, fewer as soon as they grow', () => {
  const w = new DownloadWindow({ ...DEFAULT_WINDOW });
  const a = peer('a');
  const reach = new Map([[a, ENTRIES.length - 1]]);
  const first = planned(w.plan(pathFrom(0), 0, reach, none, 0));
  assert.equal(first.length, DEFAULT_WINDOW.maxInFlightPerPeer, 'before any block size is known: the base allowance');
  for (const e of first) w.deliver(e.hash, { block: BLOCKS[e.height - 1]!.block, size: 200, from: a });
  assert.equal(w.maxInFlight, DEFAULT_WINDOW.maxInFlightSmall, 'near-empty blocks: the most allowed');
  const second = planned(w.plan(pathFrom(0), 0, reach, none, 0));
  assert.equal(second.length, DEFAULT_WINDOW.maxInFlightSmall);
  const sizes: number[] = [];
  for (const e of second.slice(0, 3)) {
    w.deliver(e.hash, { block: BLOCKS[e.height - 1]!.block, size: 1 << 20, from: a });
    sizes.push(w.maxInFlight);
  }
  assert.ok(sizes[0]! < DEFAULT_WINDOW.maxInFlightSmall / 4, `one 1 MiB block cuts the allowance (${sizes.join(', ')})`);
  assert.ok(sizes[2]! <= sizes[0]! && sizes[2]! >= DEFAULT_WINDOW.maxInFlightPerPeer, `never below the base allowance (${sizes.join(', ')})`);
});

test('download window: a full window is refilled by batches, not a getdata per connected block, but a stalled request at the chain\'s next block is asked again at once', () => {
  const w = new DownloadWindow({ ...DEFAULT_WINDOW, maxInFlightPerPeer: 32, maxInFlightSmall: 32, windowBlocks: 64 });
  const a = peer('a');
  const reach = new Map([[a, ENTRIES.length - 1]]);
  const deliver = (es: HeaderEntry[]): void => { for (const e of es) w.deliver(e.hash, { block: BLOCKS[e.height - 1]!.block, size: 200, from: a }); };
  const r1 = planned(w.plan(pathFrom(0), 0, reach, none, 0));
  assert.equal(r1.length, 32);
  // All but the chain's next block arrive; that one stays in flight.
  deliver(r1.slice(1));
  const r2 = planned(w.plan(pathFrom(0), 0, reach, none, 0));
  assert.deepEqual(r2.map((e) => e.height), Array.from({ length: 31 }, (_, i) => 33 + i));
  deliver(r2);
  // One slot of the window is left: not worth a getdata while blocks are waiting for the chain.
  assert.equal(planned(w.plan(pathFrom(0), 0, reach, none, 0)).length, 0);
  // The request for the chain's next block stalls and is given back: it is asked for at once.
  assert.deepEqual(w.reassignStalled(DEFAULT_WINDOW.blockStallMs + 1), [a]);
  const again = planned(w.plan(pathFrom(0), 0, reach, none, DEFAULT_WINDOW.blockStallMs + 1));
  assert.deepEqual(again.map((e) => e.height), [1, 64]);
  // Connecting blocks one at a time slides the window; a getdata goes out once it slid by a quarter (8).
  deliver(again);
  let off = 0;
  const sizes: number[] = [];
  for (let n = 0; n < 16; n++) {
    const e = ENTRIES[off]!;
    w.submit(e.hash);
    w.settled(e.hash);
    off++;
    sizes.push(planned(w.plan(pathFrom(off), 0, reach, none, 0)).length);
  }
  assert.deepEqual(sizes, [0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 8]);
});

test('download window: with several peers, each refill gives one peer a run of consecutive blocks (one getdata, one batched read), not the same blocks dealt round-robin', () => {
  const w = new DownloadWindow({ ...DEFAULT_WINDOW });
  const [a, b, c] = [peer('a'), peer('b'), peer('c')];
  const reach = new Map([[a, ENTRIES.length - 1], [b, ENTRIES.length - 1], [c, ENTRIES.length - 1]]);
  const first = w.plan(pathFrom(0), 0, reach, none, 0);
  const runs = [...first.values()].map((es) => es.map((e) => e.height));
  assert.equal(runs.length, 3, 'every peer is asked');
  for (const r of runs) {
    assert.equal(r.length, DEFAULT_WINDOW.maxInFlightPerPeer);
    assert.deepEqual(r, Array.from({ length: r.length }, (_, i) => r[0]! + i), `consecutive heights (${r.join(',')})`);
  }
  // Peer a delivers its run: the refill (its whole allowance of near-empty blocks, less what b and c hold) goes to a alone, in order.
  for (const e of first.get(a)!) w.deliver(e.hash, { block: BLOCKS[e.height - 1]!.block, size: 200, from: a });
  const refill = w.plan(pathFrom(0), 0, reach, none, 0);
  const heights = refill.get(a)!.map((e) => e.height);
  assert.ok(heights.length >= DEFAULT_WINDOW.maxInFlightPerPeer * 4, `a large run for the idle peer (${heights.length})`);
  assert.deepEqual(heights, Array.from({ length: heights.length }, (_, i) => 49 + i));
});

test('download window: past the byte bound, only the holes before the first block waiting are asked for, so the window still drains', () => {
  const w = new DownloadWindow({ ...DEFAULT_WINDOW, maxInFlightPerPeer: 16, maxInFlightSmall: 16, maxBufferBytes: 1000 });
  const [a, b] = [peer('a'), peer('b')];
  const all = ENTRIES.length - 1;
  // a is asked for the first 16 and withholds them; b delivers the 16 after, past the bound.
  const first = planned(w.plan(pathFrom(0), 0, new Map([[a, all]]), none, 0));
  assert.deepEqual(first.map((e) => e.height), Array.from({ length: 16 }, (_, i) => i + 1));
  const second = planned(w.plan(pathFrom(0), 0, new Map([[b, all]]), none, 0));
  for (const e of second) w.deliver(e.hash, { block: BLOCKS[e.height - 1]!.block, size: 200, from: b });
  assert.deepEqual(planned(w.plan(pathFrom(0), 0, new Map([[b, all]]), none, 0)), [], 'nothing new while the holes are in flight');
  // a's requests stall and go back: the holes are asked of b, and nothing past the blocks waiting.
  w.reassignStalled(DEFAULT_WINDOW.blockStallMs + 1);
  const again = planned(w.plan(pathFrom(0), 0, new Map([[b, all]]), none, DEFAULT_WINDOW.blockStallMs + 1));
  assert.deepEqual(again.map((e) => e.height), first.map((e) => e.height));
});

test('download window: which peers stalled on a block is forgotten once the block leaves the path or its last such peer leaves, delivered or not', () => {
  const w = new DownloadWindow({ ...DEFAULT_WINDOW, maxInFlightPerPeer: 16, maxInFlightSmall: 16, windowBlocks: 64 });
  const [a, b] = [peer('a'), peer('b')];
  const all = ENTRIES.length - 1;
  // a is asked for the first 16, b for the 16 after; both let them stall, and none is ever delivered.
  const asked = w.plan(pathFrom(0), 0, new Map([[a, all], [b, all]]), none, 0);
  const byA = asked.get(a)!;
  assert.deepEqual(asked.get(b)!.map((e) => e.height), Array.from({ length: 16 }, (_, i) => i + 17));
  assert.deepEqual(w.reassignStalled(DEFAULT_WINDOW.blockStallMs + 1).sort((x, y) => x.id.localeCompare(y.id)), [a, b]);
  assert.equal(w.stalledCount, 32);
  assert.ok(w.wasAsked(byA[0]!.hash), 'a late block of a stalled request is still taken');
  // The first 8 connect by another route: the path no longer holds them, nor does the window remember them.
  assert.equal(w.dropOffPath(pathFrom(8), 64), 0, 'nothing had arrived to drop');
  assert.equal(w.stalledCount, 24);
  assert.ok(!w.wasAsked(byA[0]!.hash));
  // a leaves: the blocks only a stalled on are forgotten, b's stay.
  w.releasePeer(a);
  assert.equal(w.stalledCount, 16);
  // The path moves to another branch altogether: nothing of the old one is remembered.
  const other = { pathLength: 0, pathAt: (): HeaderEntry | undefined => undefined };
  w.dropOffPath(other, 0);
  assert.equal(w.stalledCount, 0);
});
