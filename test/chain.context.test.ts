// Difficulty retargets and the median-time rule, computed along each block's
// own branch, on a regtest variant that retargets every 5 blocks.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
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
