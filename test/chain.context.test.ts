// Difficulty retargets and the median-time rule, computed along each block's
// own branch, on a regtest variant that retargets every 5 blocks.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { BlockIndexEntry } from '../src/chain/blockIndex.js';
import { BlockTree, ChildContext, childContextOn } from '../src/chain/blockTree.js';
import type { ChainStore } from '../src/chain/chainStore.js';
import { bytesEqual, bytesKey } from '../src/core/bytes.js';
import { retargetBits } from '../src/core/difficulty.js';
import { NetworkParams, REGTEST } from '../src/core/params.js';
import { MemoryStore } from '../src/storage/memoryStore.js';
import { buildBlock, Built, NOW, T0, testKey } from './helpers/chainFixtures.js';

const key = testKey(4);
const params: NetworkParams = { ...REGTEST, noRetarget: false, retargetInterval: 5 };

function grow(from: Built, n: number, spacing: number, extraNonce: number): Built[] {
  const out: Built[] = [];
  let p = from;
  for (let i = 0; i < n; i++) {
    p = buildBlock({ parent: p, key, params, time: p.time + spacing, extraNonce });
    out.push(p);
  }
  return out;
}

test('retarget bits come from the block\'s own branch; other bits are refused', async () => {
  const chain = await Chain.open(new MemoryStore(), params, { now: NOW });
  try {
    const g = buildBlock({ parent: null, key, params, time: T0 });
    await chain.initGenesis(g.block);
    const main = grow(g, 4, 1, 0); // heights 2..5, one second apart: too fast
    for (const b of main) assert.equal((await chain.processBlock(b.block)).status, 'connected');
    const b5 = main.at(-1)!;
    const harder = retargetBits(params, params.genesisBits, g.time, b5.time);
    assert.notEqual(harder, params.genesisBits);
    const ctx = await chain.nextBlockContext();
    assert.deepEqual({ height: ctx.height, bits: ctx.bits, medianTimePast: ctx.medianTimePast }, { height: 6, bits: harder, medianTimePast: main[1]!.time });

    await assert.rejects(chain.processBlock(buildBlock({ parent: b5, key, params, time: b5.time + 1 }).block), { code: 'bad-diffbits' });
    const b6 = buildBlock({ parent: b5, key, params, time: b5.time + 1, bits: harder, extraNonce: 1 });
    assert.equal((await chain.processBlock(b6.block)).status, 'connected');
    // Between retargets the bits carry over.
    const b7 = buildBlock({ parent: b6, key, params, time: b6.time + 1, bits: harder });
    assert.equal((await chain.processBlock(b7.block)).status, 'connected');

    // A slow branch from height 3: its retarget at height 6 eases back to the limit.
    const side = grow(main[1]!, 2, 100, 5); // heights 4, 5
    for (const b of side) assert.equal((await chain.processBlock(b.block)).status, 'side');
    const s5 = side.at(-1)!;
    const easier = retargetBits(params, params.genesisBits, g.time, s5.time);
    assert.equal(easier, params.genesisBits, 'capped at the proof-of-work limit');
    await assert.rejects(chain.processBlock(buildBlock({ parent: s5, key, params, time: s5.time + 1, bits: harder, extraNonce: 5 }).block), { code: 'bad-diffbits' });
    const s6 = buildBlock({ parent: s5, key, params, time: s5.time + 1, bits: easier, extraNonce: 5 });
    assert.equal((await chain.processBlock(s6.block)).status, 'side');
  } finally { await chain.close(); }
});

test('a block time must be above the median of the previous 11', async () => {
  const chain = await Chain.open(new MemoryStore(), REGTEST, { now: NOW });
  try {
    const g = buildBlock({ parent: null, key, time: T0 });
    await chain.initGenesis(g.block);
    let p = g;
    for (let i = 0; i < 12; i++) {
      p = buildBlock({ parent: p, key, time: p.time + 100 });
      await chain.processBlock(p.block);
    }
    const { medianTimePast } = await chain.nextBlockContext();
    assert.equal(medianTimePast, p.time - 500);
    // Earlier than its parent but above the median: allowed, as in Bitcoin.
    const early = buildBlock({ parent: p, key, time: medianTimePast + 1 });
    assert.equal((await chain.processBlock(early.block)).status, 'connected');
    const stale = buildBlock({ parent: early, key, time: medianTimePast, extraNonce: 3 });
    await assert.rejects(chain.processBlock(stale.block), { code: 'time-too-old' });
  } finally { await chain.close(); }
});

test('the context carried from block to block equals the one rebuilt by walking, along a branch, across a reorg and with pending blocks', async () => {
  let seed = 99;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const byHash = new Map<string, BlockIndexEntry>();
  const main = new Map<number, Uint8Array>();
  const db = {
    getIndexEntry: async (h: Uint8Array) => byHash.get(bytesKey(h)) ?? null,
    getIndexEntries: async (hs: Uint8Array[]) => hs.map((h) => byHash.get(bytesKey(h)) ?? null),
    indexedHashes: async () => new Set(byHash.keys()),
    getMainHash: async (height: number) => main.get(height) ?? null,
    getMainHashes: async (heights: number[]) => heights.map((h) => main.get(h) ?? null),
  } as unknown as ChainStore;
  // A small cache: some walks find an entry missing and take the awaited path.
  const tree = new BlockTree(db, params, 9);
  await tree.loadKnown();
  const make = (parent: BlockIndexEntry | null): BlockIndexEntry => ({
    hash: Uint8Array.from({ length: 32 }, () => rnd(256)),
    height: parent ? parent.height + 1 : params.genesisHeight,
    work: 0n,
    // Times that go back now and then, so the median is not simply the sixth newest.
    header: { version: 1, prevHash: parent ? parent.hash : new Uint8Array(32), merkleRoot: new Uint8Array(32), time: (parent?.header.time ?? T0) + rnd(1200) - 300, bits: params.genesisBits - rnd(3), nonce: 0 },
    status: 'valid',
  } as BlockIndexEntry);
  const index = (e: BlockIndexEntry, onMain: boolean): BlockIndexEntry => {
    byHash.set(bytesKey(e.hash), e);
    tree.remember(e);
    if (onMain) { main.set(e.height, e.hash); tree.setMain(e.height, e.hash); }
    return e;
  };
  const rebuilt = (e: BlockIndexEntry, pending: BlockIndexEntry[] = []): Promise<ChildContext> =>
    childContextOn(params, e, async (x) => pending.find((p) => bytesEqual(p.hash, x.header.prevHash)) ?? byHash.get(bytesKey(x.header.prevHash))!);
  let checked = 0;
  const check = async (e: BlockIndexEntry, pending: BlockIndexEntry[] = []): Promise<void> => {
    assert.deepEqual(await tree.childContext(e, pending), await rebuilt(e, pending), `child of height ${e.height}`);
    checked++;
  };

  const chainA = [index(make(null), true)];
  for (let i = 0; i < 40; i++) { const e = index(make(chainA.at(-1)!), true); chainA.push(e); await check(e); await check(e); }
  // A side branch from height 21 grows past the main chain, and the main chain moves to it.
  const chainB = [chainA[20]!];
  for (let i = 0; i < 30; i++) { const e = index(make(chainB.at(-1)!), false); chainB.push(e); await check(e); }
  for (let h = 21; h <= 40; h++) { main.delete(h + params.genesisHeight); tree.unsetMain(h + params.genesisHeight); }
  for (const e of chainB.slice(1)) { main.set(e.height, e.hash); tree.setMain(e.height, e.hash); }
  // Back and forth between the branches, then along each again.
  for (let i = 21; i < 30; i++) { await check(chainA[i]!); await check(chainB[i - 20]!); }
  for (const e of chainA.slice(25)) await check(e);
  for (const e of chainB.slice(1)) await check(e);
  // Blocks prepared ahead of the tip, not in the index yet, oldest first.
  const pending: BlockIndexEntry[] = [];
  for (let i = 0; i < 8; i++) { const e = make(pending.at(-1) ?? chainB.at(-1)!); pending.push(e); await check(e, pending); }
  // Anywhere in the index, in any order.
  const all = [...chainA, ...chainB.slice(1)];
  for (let i = 0; i < 200; i++) await check(all[rnd(all.length)]!);
  assert.ok(checked > 300);
});
