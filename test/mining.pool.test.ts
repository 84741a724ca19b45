// The worker-pool and single-thread nonce searchers on real worker threads,
// and mineHeader's extra-nonce bump.
import test from 'node:test';
import assert from 'node:assert/strict';
import { sha256, sha256d } from '../src/core/hash.js';
import { serializeHeader } from '../src/core/header.js';
import { bitsToTarget, hashMeetsTarget, targetToBytesLE } from '../src/core/pow.js';
import { mineHeader } from '../src/mining/mineHeader.js';
import { createPoolSearcher } from '../src/mining/noncePool.js';
import { createSingleThreadSearcher } from '../src/mining/singleThread.js';
import type { NonceSearcher } from '../src/wasm/nonceSearch.js';
import { GENESIS_NONCE, genesisHeader } from './helpers/bitcoinVectors.js';
import { osThreads, waitForThreads } from './helpers/osThreads.js';

const genesisTarget = targetToBytesLE(bitsToTarget(0x1d00ffff));
/** Only an all-zero hash meets it: a search that never ends on its own. */
const impossible = new Uint8Array(32);
const genesisRange = { startNonce: GENESIS_NONCE - 1_500_000, count: 2_000_000 };

function withNonce(header: Uint8Array, nonce: number): Uint8Array {
  const h = Uint8Array.from(header);
  new DataView(h.buffer).setUint32(76, nonce, true);
  return h;
}

test('pool of 2 workers: genesis nonce, first-of-many solutions, abort, search after abort, close', async (t) => {
  const threadsBefore = osThreads();
  const pool = createPoolSearcher({ threads: 2 });
  const single = createSingleThreadSearcher();
  t.after(() => single.close());
  assert.equal(pool.threads, 2);
  try {
    await t.test('finds the genesis nonce, like the single-thread searcher', async () => {
      const r = await pool.search(genesisHeader, genesisTarget, genesisRange);
      assert.equal(r.nonce, GENESIS_NONCE);
      assert.ok(r.hashes >= 1_500_001, `hashes ${r.hashes}`);
      assert.ok(hashMeetsTarget(sha256d(withNonce(genesisHeader, r.nonce!)), bitsToTarget(0x1d00ffff)));
      assert.deepEqual(await single.search(genesisHeader, genesisTarget, genesisRange), { nonce: GENESIS_NONCE, hashes: 1_500_001 });
    });

    await t.test('with many solutions and small chunks, returns the first one, as a single thread does', async () => {
      const small = createPoolSearcher({ threads: 2, chunk: 64 });
      try {
        const easy = targetToBytesLE(1n << 247n); // about one nonce in 512
        for (let seed = 0; seed < 6; seed++) {
          const header = sha256d(new TextEncoder().encode(`pool seed ${seed}`));
          const h = new Uint8Array(80);
          h.set(header, 4);
          const want = await single.search(h, easy, { startNonce: 1000, count: 20_000 });
          assert.notEqual(want.nonce, null);
          assert.equal((await small.search(h, easy, { startNonce: 1000, count: 20_000 })).nonce, want.nonce, `seed ${seed}`);
        }
      } finally {
        await small.close();
      }
    });

    await t.test('an abort stops a search that would never end; the next search works', async () => {
      const ac = new AbortController();
      const running = pool.search(genesisHeader, impossible, { signal: ac.signal });
      setTimeout(() => ac.abort(), 200);
      const r = await running;
      assert.equal(r.nonce, null);
      assert.ok(r.hashes > 0 && r.hashes < 2 ** 32);
      assert.equal((await pool.search(genesisHeader, genesisTarget, genesisRange)).nonce, GENESIS_NONCE);
    });

    await t.test('concurrent searches keep their own cancel state', async () => {
      const ac = new AbortController();
      const doomed = pool.search(genesisHeader, impossible, { signal: ac.signal });
      const kept = pool.search(genesisHeader, genesisTarget, genesisRange);
      setTimeout(() => ac.abort(), 100);
      assert.equal((await doomed).nonce, null);
      assert.equal((await kept).nonce, GENESIS_NONCE);
      const pre = new AbortController();
      pre.abort();
      assert.deepEqual(await pool.search(genesisHeader, genesisTarget, { ...genesisRange, signal: pre.signal }), { nonce: null, hashes: 0 });
    });

    await t.test('rejects bad ranges and inputs', async () => {
      await assert.rejects(pool.search(genesisHeader, genesisTarget, { startNonce: 2 ** 32 - 1, count: 2 }), RangeError);
      await assert.rejects(pool.search(genesisHeader.subarray(1), genesisTarget), RangeError);
      assert.throws(() => createPoolSearcher({ threads: 0 }), RangeError);
    });
  } finally {
    const ac = new AbortController();
    const inFlight = pool.search(genesisHeader, impossible, { signal: ac.signal });
    await pool.close();
    // close() stops the search in flight within a chunk, then ends the workers.
    assert.equal((await inFlight).nonce, null);
  }
  await assert.rejects(pool.search(genesisHeader, genesisTarget, genesisRange), /closed/);
  if (threadsBefore !== null) {
    // A worker's OS thread goes away shortly after its 'exit' event: poll, bounded.
    const threadsAfter = (await waitForThreads(threadsBefore))!;
    assert.ok(threadsAfter <= threadsBefore, `worker threads ended (${threadsAfter} threads now, ${threadsBefore} before)`);
  }
});

test('single-thread searcher: abort, and the event loop keeps turning while it mines', async () => {
  const single = createSingleThreadSearcher({ chunk: 1 << 14 });
  try {
    const ac = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => { ticks++; if (ticks === 5) ac.abort(); }, 10);
    const r = await single.search(genesisHeader, impossible, { signal: ac.signal });
    clearInterval(timer);
    assert.equal(r.nonce, null);
    assert.ok(ticks >= 5);
  } finally {
    await single.close();
  }
  await assert.rejects(single.search(genesisHeader, genesisTarget), /closed/);
});

/** A header whose Merkle root commits to the extra-nonce, as a coinbase would. */
function headerFor(extraNonce: number): Uint8Array {
  const en = new Uint8Array(4);
  new DataView(en.buffer).setUint32(0, extraNonce, true);
  return serializeHeader({ version: 1, prevHash: new Uint8Array(32), merkleRoot: sha256(en), time: 1_700_000_001, bits: 0x207fffff, nonce: 0 });
}

function firstSolutionJs(header: Uint8Array, target: bigint, space: number): number | null {
  for (let n = 0; n < space; n++) if (hashMeetsTarget(sha256d(withNonce(header, n)), target)) return n;
  return null;
}

for (const [name, make] of [['single thread', () => createSingleThreadSearcher()], ['pool', () => createPoolSearcher({ threads: 2, chunk: 16 })]] as const) {
  test(`mineHeader (${name}): bumps the extra-nonce, wrapping at 2^32, until a header has a solution`, async () => {
    const searcher: NonceSearcher = make();
    try {
      const target = 1n << 245n; // one hash in 2048: a 64-nonce space usually fails
      const space = 64;
      const start = 0xfffffffe;
      const tried: number[] = [];
      const found = await mineHeader(searcher, (en) => { tried.push(en); return headerFor(en); }, targetToBytesLE(target), { startExtraNonce: start, nonceSpace: space });
      assert.ok(found);
      assert.deepEqual(tried.slice(0, 3), [0xfffffffe, 0xffffffff, 0], 'extra-nonce wraps');
      assert.ok(tried.length > 3, `needed ${tried.length} headers`);
      assert.equal(found.extraNonce, tried[tried.length - 1]);
      for (const en of tried.slice(0, -1)) assert.equal(firstSolutionJs(headerFor(en), target, space), null, `extra-nonce ${en} has no solution`);
      assert.equal(found.nonce, firstSolutionJs(headerFor(found.extraNonce), target, space));
      assert.deepEqual(found.header, withNonce(headerFor(found.extraNonce), found.nonce));
      assert.ok(hashMeetsTarget(sha256d(found.header), target));
      // Every failed header costs its whole space; the pool may also finish chunks past the winner.
      const exact = (tried.length - 1) * space + found.nonce + 1;
      if (name === 'single thread') assert.equal(found.hashes, exact);
      else assert.ok(found.hashes >= exact && found.hashes <= tried.length * space, `hashes ${found.hashes}`);

      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      assert.equal(await mineHeader(searcher, headerFor, impossible, { signal: ac.signal, nonceSpace: 1 << 12 }), null);
    } finally {
      await searcher.close();
    }
  });
}
