// The connect pipeline: block N+1 is checked and its signatures posted while
// block N's are still verifying; if N fails, N+1 is never written and is
// judged again as a child of an invalid block. The verifier here is the real
// one (libsecp256k1 through verifyAll) behind a recorder that holds each
// batch's answer until the next batch is posted (or a few seconds pass), so
// whether the chain posts ahead shows as a count, not a timing.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { REGTEST } from '../src/core/params.js';
import type { SigCheck } from '../src/core/validate.js';
import { verifyFast } from '../src/crypto/keys.js';
import { verifyAll } from '../src/crypto/verifier.js';
import { PREFIX } from '../src/storage/layout.js';
import { buildBlock, Built, outputsOf, signedTx, Spendable, testKey } from './helpers/chainFixtures.js';
import { rocksChain } from './helpers/chainSetup.js';

const alice = testKey(1);
const FEE = 1000;
/** How long a held answer waits for the next batch at most: generous, only a bound. */
const HOLD_MS = 4000;

interface Recorder {
  verify: (checks: SigCheck[]) => Promise<void>;
  /** Batches posted while an earlier batch had no answer yet. */
  postedAhead: number;
  /** The next `n` batches: each but the last holds its answer until the one after it is posted. */
  expect: (n: number) => void;
  events: string[];
}

function recordingVerifier(): Recorder {
  let posted = 0;
  let outstanding = 0;
  let holdBelow = 0;
  const wake = new Set<() => void>();
  const rec: Recorder = {
    postedAhead: 0,
    events: [],
    expect: (n) => { holdBelow = posted + n; },
    verify: async (checks) => {
      // The genesis block and coinbase-only blocks have nothing to verify.
      if (checks.length === 0) return;
      const id = ++posted;
      if (outstanding > 0) rec.postedAhead++;
      outstanding++;
      rec.events.push(`post ${id}`);
      for (const w of [...wake]) w();
      try {
        if (id < holdBelow && posted === id) {
          await new Promise<void>((resolve) => {
            const done = (): void => { clearTimeout(timer); wake.delete(done); resolve(); };
            const timer = setTimeout(done, HOLD_MS);
            wake.add(done);
          });
        }
        verifyAll(verifyFast, checks);
        rec.events.push(`pass ${id}`);
      } catch (e) {
        rec.events.push(`fail ${id}`);
        throw e;
      } finally {
        outstanding--;
      }
    },
  };
  return rec;
}

/** A block on `parent` spending `coin` into one output to alice; `forge` breaks the signature. */
function spendBlock(parent: Built, coin: Spendable, extraNonce = 0, forge = false): { built: Built; out: Spendable } {
  const tx = signedTx([coin], [{ value: coin.value - FEE, pubKeyHash: alice.pkh }]);
  if (forge) tx.outputs[0]!.value -= 1;
  const built = buildBlock({ parent, key: alice, txs: [tx], extraNonce });
  return { built, out: outputsOf(tx, alice)[0]! };
}

async function snapshot(chain: Chain): Promise<string[]> {
  return [await chain.utxoSetHash(), await chain.utxo.addressIndexHash(), await chain.utxo.rangeHash(PREFIX.undo)];
}

async function reindexMatches(chain: Chain): Promise<void> {
  const before = await snapshot(chain);
  await chain.reindexUtxo();
  assert.deepEqual(await snapshot(chain), before, 'the UTXO set, address index and undo data equal a reindex');
}

test('pipeline: a block\'s signatures are posted before its parent\'s answer, and the blocks connect in order', async () => {
  const rec = recordingVerifier();
  const { chain, done } = await rocksChain('pipeline-overlap', { verifySigs: rec.verify });
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    // Each block spends the coin the one before it made: only a view of the parent's coins in memory can check it early.
    const blocks: Built[] = [];
    let parent = g;
    let coin = g.reward;
    for (let i = 0; i < 4; i++) {
      const { built, out } = spendBlock(parent, coin);
      blocks.push(built);
      parent = built;
      coin = out;
    }
    const connected: number[] = [];
    const tips: number[] = [];
    chain.on('connect', (_b, h) => connected.push(h));
    chain.on('tip', (e) => tips.push(e.height));
    rec.expect(blocks.length);
    const results = await Promise.all(blocks.map((b) => chain.processBlock(b.block)));
    assert.deepEqual(results.map((r) => r.status), ['connected', 'connected', 'connected', 'connected']);
    assert.deepEqual(connected, [2, 3, 4, 5]);
    assert.deepEqual(tips, [2, 3, 4, 5]);
    assert.equal(chain.tip!.height, 5);
    // Without the pipeline each batch would wait out its hold alone: none posted ahead.
    assert.equal(rec.postedAhead, 3, rec.events.join(', '));
    assert.deepEqual(rec.events.slice(0, 3), ['post 1', 'post 2', 'pass 1']);
    assert.notEqual(await chain.getCoin(coin.txid, coin.vout), null, 'the last block\'s coin is unspent');
    await reindexMatches(chain);
  } finally { await done(); }
});

test('pipeline: a bad signature in N rolls back N+1 (never connected), and a good N\' and N+1\' connect after', async () => {
  const rec = recordingVerifier();
  const { chain, dir, done } = await rocksChain('pipeline-rollback', { verifySigs: rec.verify });
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const b2 = spendBlock(g, g.reward);
    assert.equal((await chain.processBlock(b2.built.block)).status, 'connected');
    const before = await snapshot(chain);
    const connected: number[] = [];
    chain.on('connect', (_b, h) => connected.push(h));

    // N spends b2's coin with a forged signature; N+1 spends N's output, correctly signed.
    const n = spendBlock(b2.built, b2.out, 0, true);
    const n1 = spendBlock(n.built, n.out);
    rec.expect(2);
    const [rn, rn1] = await Promise.allSettled([chain.processBlock(n.built.block), chain.processBlock(n1.built.block)]);
    assert.equal(rn.status, 'rejected');
    assert.equal((rn as PromiseRejectedResult).reason.code, 'bad-signature');
    assert.equal(rn1.status, 'rejected');
    assert.equal((rn1 as PromiseRejectedResult).reason.code, 'bad-prevblk');
    // N+1 was checked and posted while N's answer was held: it really went ahead, and was rolled back.
    assert.deepEqual(rec.events.slice(0, 4), ['post 1', 'pass 1', 'post 2', 'post 3'], 'N+1 (batch 3) was posted before N (batch 2) had an answer');
    assert.ok(rec.events.includes('fail 2'));
    assert.deepEqual(connected, []);
    assert.equal(chain.tip!.height, 2);
    assert.deepEqual(chain.tip!.hash, b2.built.hash);
    assert.equal((await chain.getIndex(n.built.hash))!.status, 'failed');
    assert.equal(await chain.getIndex(n1.built.hash), null, 'N+1 was never written');
    assert.notEqual(await chain.getCoin(b2.out.txid, b2.out.vout), null, 'N\'s spend was undone');
    assert.equal(await chain.getCoin(n.out.txid, n.out.vout), null, 'N\'s coin never existed');
    assert.deepEqual(await snapshot(chain), before);
    await reindexMatches(chain);

    // The same coin, spent by a good N' with a good N+1' on top.
    const good = spendBlock(b2.built, b2.out, 7);
    const good1 = spendBlock(good.built, good.out, 7);
    rec.expect(2);
    const results = await Promise.all([chain.processBlock(good.built.block), chain.processBlock(good1.built.block)]);
    assert.deepEqual(results.map((r) => r.status), ['connected', 'connected']);
    assert.deepEqual(connected, [3, 4]);
    assert.deepEqual(chain.tip!.hash, good1.built.hash);
    assert.equal(await chain.getCoin(b2.out.txid, b2.out.vout), null);
    assert.notEqual(await chain.getCoin(good1.out.txid, good1.out.vout), null);
    await reindexMatches(chain);

    // What is on disk after a close is what a reopen sees.
    const after = await snapshot(chain);
    await chain.close();
    const { RocksStore } = await import('../src/storage/rocksStore.js');
    const again = await Chain.open(await RocksStore.open(dir!), REGTEST, { verifySigs: rec.verify });
    try {
      assert.deepEqual(again.tip!.hash, good1.built.hash);
      assert.deepEqual(await snapshot(again), after);
    } finally { await again.close(); }
  } finally { await done(); }
});
