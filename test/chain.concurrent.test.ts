// Blocks handed to the chain together, as sync hands them (the next before
// the last has an answer): a bad signature in block N refuses N+1 on top of it
// without ever connecting it, the UTXO set equals a reindex, and a good N' and
// N+1' then connect. The rule a connect pipeline across blocks would have to
// keep (docs/storage.md, "Connect throughput": one was built and measured).
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { REGTEST } from '../src/core/params.js';
import { PREFIX } from '../src/storage/layout.js';
import { buildBlock, Built, outputsOf, signedTx, Spendable, testKey } from './helpers/chainFixtures.js';
import { rocksChain } from './helpers/chainSetup.js';

const alice = testKey(1);
const FEE = 1000;

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

test('blocks submitted together: a bad signature in N refuses N+1 (never connected), and a good N\' and N+1\' connect after', async () => {
  const { chain, dir, done } = await rocksChain('concurrent-bad-parent');
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
    const [rn, rn1] = await Promise.allSettled([chain.processBlock(n.built.block), chain.processBlock(n1.built.block)]);
    assert.equal(rn.status, 'rejected');
    assert.equal((rn as PromiseRejectedResult).reason.code, 'bad-signature');
    assert.equal(rn1.status, 'rejected');
    assert.equal((rn1 as PromiseRejectedResult).reason.code, 'bad-prevblk');
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
    const again = await Chain.open(await RocksStore.open(dir!), REGTEST);
    try {
      assert.deepEqual(again.tip!.hash, good1.built.hash);
      assert.deepEqual(await snapshot(again), after);
    } finally { await again.close(); }
  } finally { await done(); }
});
