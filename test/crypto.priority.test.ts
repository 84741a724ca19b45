// Verification priority on real worker threads: a block's batch overtakes
// mempool work still queued in the pool, through the signature cache too, and
// the mempool asks for the mempool priority. Order of completion is asserted,
// never durations: with one worker, chunks run one after another in the order
// the pool hands them out.
import test from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '../src/core/hash.js';
import type { SigCheck } from '../src/core/validate.js';
import { cachedVerifier } from '../src/crypto/cachedVerifier.js';
import { publicKeyOf, signHash } from '../src/crypto/keys.js';
import { SigCache } from '../src/crypto/sigCache.js';
import type { SigBatchVerifier, VerifyPriority } from '../src/crypto/verifier.js';
import { createVerifyPool } from '../src/crypto/verifyPool.js';
import { Mempool } from '../src/mempool/mempool.js';
import { buildBlock, buildChain, signedTx, testKey } from './helpers/chainFixtures.js';
import { memoryChain } from './helpers/chainSetup.js';

function checks(count: number, tag: string): SigCheck[] {
  const priv = sha256(new TextEncoder().encode(`priority key ${tag}`));
  const pubKey = publicKeyOf(priv);
  return Array.from({ length: count }, (_, i) => {
    const msg = sha256(new TextEncoder().encode(`${tag} ${i}`));
    return { msg, signature: signHash(msg, priv), pubKey };
  });
}

/** Starts a mempool batch, then a block batch, and returns the order in which they finished. */
async function finishOrder(verify: SigBatchVerifier, mempoolBatch: SigCheck[], blockBatch: SigCheck[], blockPriority: VerifyPriority): Promise<string[]> {
  const order: string[] = [];
  const mempoolDone = Promise.resolve(verify(mempoolBatch, { priority: 'mempool' })).then(() => { order.push('mempool'); });
  const blockDone = Promise.resolve(verify(blockBatch, { priority: blockPriority })).then(() => { order.push('block'); });
  await Promise.all([mempoolDone, blockDone]);
  return order;
}

const MEMPOOL_BATCH = checks(400, 'mempool'); // 4 chunks of 100 with minBatch 4 on one thread
const BLOCK_BATCH = checks(8, 'block'); // 2 chunks of 4

test('a block batch overtakes mempool chunks still queued; at the same priority it waits its turn', async () => {
  const pool = createVerifyPool({ threads: 1, minBatch: 4 });
  try {
    assert.deepEqual(await finishOrder(pool.verify, MEMPOOL_BATCH, BLOCK_BATCH, 'block'), ['block', 'mempool']);
    // The control: the same two batches, both queued as mempool work, finish first-come first-served.
    assert.deepEqual(await finishOrder(pool.verify, MEMPOOL_BATCH, BLOCK_BATCH, 'mempool'), ['mempool', 'block']);
    // Both were verified in full: a bad check in the overtaking batch is still found.
    const bad = BLOCK_BATCH.slice();
    bad[6] = { ...bad[6]!, signature: Uint8Array.from(bad[6]!.signature, (b, i) => (i === 40 ? b ^ 1 : b)) };
    await assert.rejects(pool.verify(bad, { priority: 'block' }), { code: 'bad-signature', meta: { index: 6 } });
  } finally { await pool.close(); }
});

test('the signature cache passes the priority on to the pool', async () => {
  const pool = createVerifyPool({ threads: 1, minBatch: 4 });
  try {
    const verify = cachedVerifier(pool.verify, new SigCache(10_000));
    assert.deepEqual(await finishOrder(verify, checks(400, 'cached mempool'), checks(8, 'cached block'), 'block'), ['block', 'mempool']);
  } finally { await pool.close(); }
});

test('close() lets queued chunks of accepted batches finish', async () => {
  const pool = createVerifyPool({ threads: 1, minBatch: 4 });
  const running = pool.verify(checks(400, 'closing'), { priority: 'mempool' });
  await pool.close();
  await running;
  await assert.rejects(pool.verify(BLOCK_BATCH), /closed/);
});

test('the mempool verifies at mempool priority', async () => {
  const alice = testKey(1);
  const { chain, done } = await memoryChain();
  const pool = createVerifyPool({ threads: 1, minBatch: 1 });
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    for (const b of buildChain(g, 2, alice)) await chain.processBlock(b.block);
    const asked: Array<VerifyPriority | undefined> = [];
    const mempool = new Mempool(chain, { verifySigs: (c, o) => { asked.push(o?.priority); return pool.verify(c, o); } });
    await mempool.accept(signedTx([g.reward], [{ value: g.reward.value - 1000, pubKeyHash: alice.pkh }]));
    assert.deepEqual(asked, ['mempool']);
  } finally {
    await pool.close();
    await done();
  }
});
