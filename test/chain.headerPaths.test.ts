// The header chain of headers-first sync checks each header synchronously
// against the times of its branch so far (BranchTimes); the chain checks each
// block from its cached index entries, or through the async walk of its index
// (childContextOn) when they are not all in memory. Both must give
// the same answer on the same headers: here on a regtest variant that
// retargets every 5 blocks, with blocks both too fast and too slow, and
// headers with a time just above the median, too old or too new, bad bits and no proof of work, at
// retarget heights and between them, alone and in the middle of a message.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { bytesEqual, bytesKey } from '../src/core/bytes.js';
import { sha256d } from '../src/core/hash.js';
import { headerHash, headerHashFrom, serializeHeader, type BlockHeader } from '../src/core/header.js';
import { NetworkParams, REGTEST } from '../src/core/params.js';
import { bitsToTarget, hashMeetsTarget, targetToBits } from '../src/core/pow.js';
import { HeaderChain } from '../src/node/headerSyncChain.js';
import { MemoryStore } from '../src/storage/memoryStore.js';
import { buildBlock, Built, NOW, T0, testKey } from './helpers/chainFixtures.js';

const key = testKey(8);
const params: NetworkParams = { ...REGTEST, noRetarget: false, retargetInterval: 5 };
const SPACING = [1, 30, 2, 18, 9, 3, 40, 10];
const LENGTH = 60;

interface Context { bits: number; medianTimePast: number }

/** A valid chain built through the chain's own (async) rule, and the context of each height. */
async function validChain(cacheSize?: number): Promise<{ chain: Chain; blocks: Built[]; ctx: Map<number, Context> }> {
  const chain = await Chain.open(new MemoryStore(), params, { now: NOW, cacheSize });
  const g = buildBlock({ parent: null, key, params, time: T0 });
  await chain.initGenesis(g.block);
  const blocks = [g];
  const ctx = new Map<number, Context>();
  for (let i = 1; i < LENGTH; i++) {
    const c = await chain.nextBlockContext();
    ctx.set(c.height, { bits: c.bits, medianTimePast: c.medianTimePast });
    const p = blocks[i - 1]!;
    const b = buildBlock({ parent: p, key, params, time: p.time + SPACING[i % SPACING.length]!, bits: c.bits });
    assert.equal((await chain.processBlock(b.block)).status, 'connected');
    blocks.push(b);
  }
  return { chain, blocks, ctx };
}

function headerChain(genesis: Built): HeaderChain {
  const g = { hash: genesis.hash, height: params.genesisHeight, work: 0n, header: genesis.block.header };
  const gk = bytesKey(g.hash);
  const stored = new Map<string, unknown>();
  return new HeaderChain({
    params, now: NOW,
    base: { has: (h) => bytesKey(h) === gk, get: async (h) => (bytesKey(h) === gk ? g : null), tipWork: () => 0n },
    store: { headerEntries: async () => [], writeHeaderEntries: async (put) => { for (const e of put) stored.set(bytesKey(e.hash), e); } },
  });
}

const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'accepted', (err: { code?: string }) => err.code ?? String(err));

/** A block on top of `parent` that breaks one header rule. */
function mutant(kind: string, parent: Built, c: Context): Built {
  const time = parent.time + 5;
  if (kind === 'accepted') return buildBlock({ parent, key, params, time: c.medianTimePast + 1, bits: c.bits, extraNonce: 7 });
  if (kind === 'time-too-old') return buildBlock({ parent, key, params, time: c.medianTimePast, bits: c.bits, extraNonce: 7 });
  if (kind === 'time-too-new') return buildBlock({ parent, key, params, time: NOW() + params.maxFutureSeconds + 1, bits: c.bits, extraNonce: 7 });
  if (kind === 'bad-diffbits') {
    const other = c.bits === params.genesisBits ? targetToBits(bitsToTarget(c.bits) / 2n) : params.genesisBits;
    return buildBlock({ parent, key, params, time, bits: other, extraNonce: 7 });
  }
  // No proof of work: the right bits, a nonce whose hash misses their target.
  const b = buildBlock({ parent, key, params, time, bits: c.bits, extraNonce: 7 });
  const target = bitsToTarget(c.bits);
  for (let n = 0; n < 1000 && hashMeetsTarget(headerHash(b.block.header), target); n++) b.block.header.nonce = n;
  assert.ok(!hashMeetsTarget(headerHash(b.block.header), target));
  return { ...b, hash: headerHash(b.block.header) };
}

test('the synchronous header path and the async block path accept and refuse the same headers', async () => {
  const { chain, blocks, ctx } = await validChain();
  // The same blocks on a chain whose index cache holds one entry: every context is the async walk of the store.
  const uncached = await validChain(1);
  try {
    assert.deepEqual(uncached.ctx, ctx);
    const headers: BlockHeader[] = blocks.map((b) => b.block.header);
    assert.ok(new Set(headers.map((h) => h.bits)).size >= 3, 'the chain retargets both ways');
    // Every valid header in one message (the window of times is trimmed on the way), and one at a time.
    const whole = headerChain(blocks[0]!);
    assert.equal(await codeOf(whole.accept('p', headers.slice(1))), 'accepted');
    assert.equal(whole.size, LENGTH - 1);
    const single = headerChain(blocks[0]!);
    for (const h of headers.slice(1)) assert.equal(await codeOf(single.accept('p', [h])), 'accepted');

    const kinds = ['accepted', 'time-too-old', 'time-too-new', 'bad-diffbits', 'high-hash'];
    let compared = 0;
    for (const height of [3, 6, 7, 11, 26, 46, 51, 55, 58]) {
      const parent = blocks[height - 1 - params.genesisHeight]!;
      const c = ctx.get(height)!;
      for (const kind of kinds) {
        const bad = mutant(kind, parent, c);
        const slow = await codeOf(uncached.chain.processBlock(bad.block));
        assert.equal(await codeOf(chain.processBlock(bad.block)), slow, 'the block index from its cache');
        // Alone, on top of stored headers (parents from the header chain's entries)...
        const alone = await codeOf(whole.accept(`alone-${kind}-${height}`, [bad.block.header]));
        // ...and at the end of a message from genesis (parents from the message itself).
        const fresh = headerChain(blocks[0]!);
        const inMessage = await codeOf(fresh.accept('m', [...headers.slice(1, height - params.genesisHeight), bad.block.header]));
        assert.equal(slow, kind, `the block path refuses a ${kind} block at height ${height}`);
        assert.deepEqual({ alone, inMessage }, { alone: slow, inMessage: slow }, `${kind} at height ${height}`);
        assert.equal(fresh.size, slow === 'accepted' ? height - params.genesisHeight : 0, 'nothing of a refused message is stored');
        compared++;
      }
    }
    assert.equal(compared, 45);
  } finally {
    await chain.close();
    await uncached.chain.close();
  }
});

test('a block of the header path takes its entry\'s hash only when its header is the same bytes', async () => {
  const { chain, blocks } = await validChain();
  try {
    const headers = headerChain(blocks[0]!);
    assert.equal(await codeOf(headers.accept('p', blocks.slice(1).map((b) => b.block.header))), 'accepted');
    // A header as a block message parses it: another object, never hashed.
    const copy = (h: BlockHeader): BlockHeader => ({ ...h, prevHash: Uint8Array.from(h.prevHash), merkleRoot: Uint8Array.from(h.merkleRoot) });
    const own = (h: BlockHeader): Uint8Array => sha256d(serializeHeader(h));
    for (const b of blocks.slice(1)) {
      const h = copy(b.block.header);
      const e = headers.pathEntryOf(h);
      assert.ok(e && bytesEqual(e.hash, b.hash), `the entry at height ${e?.height}`);
      const got = headerHashFrom(h, e);
      assert.deepEqual(got, b.hash);
      got[0] ^= 1; // a copy: the entry's hash is untouched
      assert.deepEqual(headerHashFrom(h, e), b.hash);
      assert.deepEqual(headerHash(h), b.hash, 'and remembered for the block\'s header');
    }
    // The same place on the path, any field different: hashed as its own bytes, never given the entry's hash.
    const at = blocks[30]!;
    const changes: Array<(x: BlockHeader) => void> = [
      (x) => { x.nonce ^= 1; }, (x) => { x.time += 1; }, (x) => { x.bits ^= 1; }, (x) => { x.version += 1; }, (x) => { x.merkleRoot[31] ^= 1; },
    ];
    for (const change of changes) {
      const h = copy(at.block.header);
      change(h);
      const e = headers.pathEntryOf(h);
      assert.ok(e && bytesEqual(e.hash, at.hash));
      const got = headerHashFrom(h, e);
      assert.deepEqual(got, own(h));
      assert.ok(!bytesEqual(got, at.hash));
    }
    // A header off the path (unknown parent): no entry, and hashed.
    const stray = copy(at.block.header);
    stray.prevHash[0] ^= 1;
    assert.equal(headers.pathEntryOf(stray), null);
    assert.deepEqual(headerHashFrom(stray, null), own(stray));
  } finally { await chain.close(); }
});
