// The connect pipeline: blocks N+1 and N+2 are checked and their signatures
// posted while block N's are still verifying; if N fails, they are never
// written and are judged again as children of an invalid block. The verifier
// here is the real one (libsecp256k1 through verifyAll) behind a recorder that
// holds each batch's answer until the next batch (or the one after) is posted
// (or a few seconds pass), so whether the chain posts ahead shows as a count
// or an order of events, not a timing.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { MAX_AHEAD } from '../src/chain/pipeline.js';
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
  /** The next `n` batches: each but the last holds its answer until the `ahead`-th one after it is posted. */
  expect: (n: number, ahead?: number) => void;
  events: string[];
}

function recordingVerifier(): Recorder {
  let posted = 0;
  let outstanding = 0;
  let holdBelow = 0;
  let holdAhead = 1;
  const wake = new Set<() => void>();
  const rec: Recorder = {
    postedAhead: 0,
    events: [],
    expect: (n, ahead = 1) => { holdBelow = posted + n; holdAhead = ahead; },
    verify: async (checks) => {
      // The genesis block and coinbase-only blocks have nothing to verify.
      if (checks.length === 0) return;
      const id = ++posted;
      if (outstanding > 0) rec.postedAhead++;
      outstanding++;
      rec.events.push(`post ${id}`);
      for (const w of [...wake]) w();
      try {
        if (id < holdBelow && posted < id + holdAhead) {
          await new Promise<void>((resolve) => {
            const done = (): void => { clearTimeout(timer); wake.delete(check); resolve(); };
            const check = (): void => { if (posted >= id + holdAhead) done(); };
            const timer = setTimeout(done, HOLD_MS);
            wake.add(check);
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

/** `n` blocks on `parent`, each spending the coin the one before it made (the first spends `coin`). */
function spendChain(parent: Built, coin: Spendable, n: number, extraNonce = 0): Built[] {
  const out: Built[] = [];
  for (let i = 0; i < n; i++) {
    const next = spendBlock(parent, coin, extraNonce);
    out.push(next.built);
    parent = next.built;
    coin = next.out;
  }
  return out;
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

test('pipeline: N+1 and N+2 are checked and posted while N verifies, and no more than MAX_AHEAD blocks go ahead', async () => {
  const rec = recordingVerifier();
  const { chain, done } = await rocksChain('pipeline-depth', { verifySigs: rec.verify });
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const blocks = spendChain(g, g.reward, 6);
    const connected: number[] = [];
    chain.on('connect', (_b, h) => connected.push(h));
    // Each batch holds its answer until the second one after it is posted: only a pipeline two deep lets that happen.
    rec.expect(blocks.length, 2);
    const results = await Promise.all(blocks.map((b) => chain.processBlock(b.block)));
    assert.deepEqual(results.map((r) => r.status), Array(6).fill('connected'));
    assert.deepEqual(connected, [2, 3, 4, 5, 6, 7]);
    // Batch 3 (N+2) went out before batch 1 (N) had its answer; batch 4 waited for N to connect (MAX_AHEAD = 3).
    assert.deepEqual(rec.events.slice(0, 4), ['post 1', 'post 2', 'post 3', 'pass 1'], rec.events.join(', '));
    assert.equal(MAX_AHEAD, 3);
    for (let i = 0; i < rec.events.length; i++) {
      const m = /^post (\d+)$/.exec(rec.events[i]!);
      if (!m) continue;
      const answered = rec.events.slice(0, i).filter((e) => e.startsWith('pass ')).length;
      assert.ok(Number(m[1]) - answered <= MAX_AHEAD, `batch ${m[1]} posted with only ${answered} answered: ${rec.events.join(', ')}`);
    }
    await reindexMatches(chain);
  } finally { await done(); }
});

test('pipeline: a bad signature in N rolls back N+1 and N+2, both prepared on it; a good branch connects after', async () => {
  const rec = recordingVerifier();
  const { chain, done } = await rocksChain('pipeline-rollback-deep', { verifySigs: rec.verify });
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const b2 = spendBlock(g, g.reward);
    assert.equal((await chain.processBlock(b2.built.block)).status, 'connected');
    const before = await snapshot(chain);
    const connected: number[] = [];
    chain.on('connect', (_b, h) => connected.push(h));

    const n = spendBlock(b2.built, b2.out, 0, true);
    const [n1, n2] = spendChain(n.built, n.out, 2);
    rec.expect(3, 2);
    const settled = await Promise.allSettled([n.built, n1!, n2!].map((b) => chain.processBlock(b.block)));
    // N+1 is judged a child of an invalid block; N+2, whose parent was never stored, an orphan (as if it came after).
    assert.deepEqual(settled.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : r.value.status)), ['bad-signature', 'bad-prevblk', 'orphan']);
    // N+1 and N+2 (batches 3 and 4) were both posted before N (batch 2) failed.
    assert.deepEqual(rec.events.slice(0, 5), ['post 1', 'pass 1', 'post 2', 'post 3', 'post 4'], rec.events.join(', '));
    assert.ok(rec.events.includes('fail 2'));
    assert.deepEqual(connected, []);
    assert.deepEqual(chain.tip!.hash, b2.built.hash);
    assert.equal((await chain.getIndex(n.built.hash))!.status, 'failed');
    for (const b of [n1!, n2!]) {
      const entry = await chain.getIndex(b.hash);
      assert.ok(entry === null || entry.status === 'failed', 'a block prepared on N was never connected');
    }
    assert.deepEqual(await snapshot(chain), before);
    await reindexMatches(chain);

    const good = spendChain(b2.built, b2.out, 3, 7);
    rec.expect(3, 2);
    const results = await Promise.all(good.map((b) => chain.processBlock(b.block)));
    assert.deepEqual(results.map((r) => r.status), ['connected', 'connected', 'connected']);
    assert.deepEqual(connected, [3, 4, 5]);
    assert.deepEqual(chain.tip!.hash, good[2]!.hash);
    await reindexMatches(chain);
  } finally { await done(); }
});
