// The mempool: what it admits, conflicts, chained unconfirmed spends, block
// selection, eviction by fee rate, block removal, and the return of
// transactions after a reorganisation.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { hashToHex } from '../src/core/bytes.js';
import { ValidationError } from '../src/core/errors.js';
import { REGTEST } from '../src/core/params.js';
import { outpointKey, Tx, txid, txSize } from '../src/core/tx.js';
import { Mempool } from '../src/mempool/mempool.js';
import { buildBlock, buildChain, Built, outputsOf, signedTx, Spendable, testKey, TestKey } from './helpers/chainFixtures.js';
import { memoryChain, rocksChain } from './helpers/chainSetup.js';

const alice = testKey(1);
const bob = testKey(2);
const carol = testKey(3);
const SUBSIDY = REGTEST.subsidy;

/** A chain whose tip is 5 blocks past genesis, every coinbase paying alice. */
async function fundedChain(chain: Chain): Promise<Built[]> {
  const g = buildBlock({ parent: null, key: alice });
  await chain.initGenesis(g.block);
  const rest = buildChain(g, 5, alice);
  for (const b of rest) await chain.processBlock(b.block);
  return [g, ...rest];
}

const pay = (coin: Spendable, to: TestKey, amount: number, fee: number): Tx =>
  signedTx([coin], [{ value: amount, pubKeyHash: to.pkh }, { value: coin.value - amount - fee, pubKeyHash: coin.key.pkh }]);
const code = (c: string) => (e: unknown) => e instanceof ValidationError && e.code === c;
const ids = (txs: Tx[]): string[] => txs.map((t) => hashToHex(txid(t)));

test('accepts a valid spend and refuses duplicates, conflicts, coinbases, forgeries and unknown coins', async () => {
  const { chain, done } = await memoryChain();
  try {
    const blocks = await fundedChain(chain);
    const pool = new Mempool(chain);
    const coin = blocks[1]!.reward;
    const t1 = pay(coin, bob, 1e8, 5000);
    const r = await pool.accept(t1);
    assert.deepEqual(r, { txid: txid(t1), fee: 5000 });
    assert.ok(pool.has(txid(t1)));
    assert.equal(pool.get(txid(t1)), t1);
    assert.equal(pool.feeOf(t1), 5000);
    assert.equal(pool.size, 1);
    assert.equal(pool.bytes, txSize(t1));
    assert.ok(pool.isSpent(outpointKey(coin.txid, coin.vout)));
    assert.equal(pool.isSpent(outpointKey(coin.txid, 1)), false);

    await assert.rejects(pool.accept(t1), code('txn-already-in-mempool'));
    await assert.rejects(pool.accept(pay(coin, carol, 2e8, 5000)), code('txn-mempool-conflict'));
    await assert.rejects(pool.accept(pay({ ...blocks[2]!.reward, vout: 3 }, bob, 1, 0)), code('missing-inputs'));
    await assert.rejects(pool.accept(pay({ ...blocks[2]!.reward, key: bob }, bob, 1, 0)), code('bad-txns-wrong-owner'));
    const forged = pay(blocks[2]!.reward, bob, 1e8, 10);
    forged.outputs[0]!.value += 1;
    await assert.rejects(pool.accept(forged), code('bad-signature'));
    await assert.rejects(pool.accept(signedTx([blocks[2]!.reward], [{ value: SUBSIDY + 1, pubKeyHash: bob.pkh }])), code('bad-txns-in-belowout'));
    assert.equal(pool.size, 1);
  } finally { await done(); }
});

test('a transaction already in the chain, or spending a coin the chain spent, is refused', async () => {
  const { chain, done } = await memoryChain();
  try {
    const blocks = await fundedChain(chain);
    const mined = pay(blocks[1]!.reward, bob, 1e8, 100);
    const block = buildBlock({ parent: blocks.at(-1)!, key: alice, txs: [mined] });
    assert.equal((await chain.processBlock(block.block)).status, 'connected');
    const pool = new Mempool(chain);
    await assert.rejects(pool.accept(mined), code('txn-already-known'));
    await assert.rejects(pool.accept(pay(blocks[1]!.reward, carol, 1e8, 100)), code('missing-inputs'));
    assert.equal(pool.size, 0);
  } finally { await done(); }
});

test('a coinbase is refused with code coinbase', async () => {
  const { chain, done } = await memoryChain();
  try {
    const blocks = await fundedChain(chain);
    await assert.rejects(new Mempool(chain).accept(blocks[3]!.block.txs[0]!), code('coinbase'));
  } finally { await done(); }
});

test('chained unconfirmed spends: selection puts parents first and the set connects as a block', async () => {
  const { chain, done } = await rocksChain('mempool-chain');
  try {
    const blocks = await fundedChain(chain);
    const pool = new Mempool(chain);
    const parent = pay(blocks[1]!.reward, bob, 10e8, 100);
    const child = pay(outputsOf(parent, bob)[0]!, carol, 4e8, 50_000); // a much higher fee rate than its parent
    const grandchild = pay(outputsOf(child, carol)[0]!, alice, 1e8, 50_000);
    const other = pay(blocks[2]!.reward, carol, 1e8, 10_000);
    for (const t of [parent, child, grandchild, other]) await pool.accept(t);
    await assert.rejects(pool.accept(pay(outputsOf(parent, bob)[0]!, alice, 1e8, 0)), code('txn-mempool-conflict'));

    const chosen = pool.selectForBlock(1_000_000);
    assert.equal(chosen.length, 4);
    const order = ids(chosen);
    assert.ok(order.indexOf(hashToHex(txid(parent))) < order.indexOf(hashToHex(txid(child))));
    assert.ok(order.indexOf(hashToHex(txid(child))) < order.indexOf(hashToHex(txid(grandchild))));
    assert.equal(order[0], hashToHex(txid(other)), 'the best fee rate that is ready goes first');

    const tip = blocks.at(-1)!;
    const block = buildBlock({ parent: tip, key: alice, txs: chosen });
    assert.equal((await chain.processBlock(block.block)).status, 'connected');
    pool.removeForBlock(block.block);
    assert.equal(pool.size, 0);
    assert.equal(pool.bytes, 0);
    assert.equal(await chain.balanceOf(carol.pkh), 4e8 - 1e8 - 50_000 + 1e8);
  } finally { await done(); }
});

test('selection stays within the byte budget and never takes a child without its parent', async () => {
  const { chain, done } = await memoryChain();
  try {
    const blocks = await fundedChain(chain);
    const pool = new Mempool(chain);
    const big = pay(blocks[1]!.reward, bob, 1e8, 1000);
    const kid = pay(outputsOf(big, bob)[0]!, bob, 1e7, 900_000);
    const small = pay(blocks[2]!.reward, bob, 1e8, 2000);
    for (const t of [big, kid, small]) await pool.accept(t);
    const size = txSize(small);
    assert.deepEqual(ids(pool.selectForBlock(size)), ids([small]));
    assert.deepEqual(pool.selectForBlock(size - 1), []);
    assert.deepEqual(ids(pool.selectForBlock(txSize(big) + size)), ids([small, big]));
  } finally { await done(); }
});

test('over maxBytes, the lowest fee rate is evicted with its descendants; a too-cheap newcomer is refused', async () => {
  const { chain, done } = await memoryChain();
  try {
    const blocks = await fundedChain(chain);
    const one = txSize(pay(blocks[1]!.reward, bob, 1e8, 0));
    const pool = new Mempool(chain, { maxBytes: 3 * one });
    const cheap = pay(blocks[1]!.reward, bob, 1e8, 100);
    const cheapKid = pay(outputsOf(cheap, bob)[0]!, carol, 1e7, 1_000_000);
    const mid = pay(blocks[2]!.reward, bob, 1e8, 5_000);
    for (const t of [cheap, cheapKid, mid]) await pool.accept(t);
    assert.equal(pool.size, 3);
    const rich = pay(blocks[3]!.reward, bob, 1e8, 50_000);
    await pool.accept(rich);
    assert.deepEqual(new Set(ids(pool.txids().map((id) => pool.get(id)!))), new Set(ids([mid, rich])));
    assert.ok(pool.bytes <= 3 * one);
    assert.equal(pool.isSpent(outpointKey(blocks[1]!.reward.txid, 0)), false, 'the evicted spend no longer reserves its coin');
    await pool.accept(pay(blocks[4]!.reward, bob, 1e8, 40_000));
    await assert.rejects(pool.accept(pay(blocks[5]!.reward, bob, 1e8, 10)), code('mempool-full'));
    assert.equal(pool.size, 3);
  } finally { await done(); }
});

test('a block spending a pool transaction\'s coin removes that transaction and its descendants', async () => {
  const { chain, done } = await memoryChain();
  try {
    const blocks = await fundedChain(chain);
    const pool = new Mempool(chain);
    const mine = pay(blocks[1]!.reward, bob, 1e8, 100);
    const kid = pay(outputsOf(mine, bob)[0]!, carol, 1e7, 100);
    const unrelated = pay(blocks[2]!.reward, bob, 1e8, 100);
    for (const t of [mine, kid, unrelated]) await pool.accept(t);
    const rival = pay(blocks[1]!.reward, carol, 3e8, 100);
    const block = buildBlock({ parent: blocks.at(-1)!, key: alice, txs: [rival] });
    assert.equal((await chain.processBlock(block.block)).status, 'connected');
    pool.removeForBlock(block.block);
    assert.deepEqual(ids(pool.txids().map((id) => pool.get(id)!)), ids([unrelated]));
    assert.equal(pool.isSpent(outpointKey(blocks[1]!.reward.txid, 0)), false);
  } finally { await done(); }
});

test('two conflicting transactions sent at once: exactly one gets in', async () => {
  const { chain, done } = await memoryChain();
  try {
    const blocks = await fundedChain(chain);
    const pool = new Mempool(chain);
    const a = pay(blocks[1]!.reward, bob, 1e8, 100);
    const b = pay(blocks[1]!.reward, carol, 1e8, 100);
    const results = await Promise.allSettled([pool.accept(a), pool.accept(b)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.equal(pool.size, 1);
  } finally { await done(); }
});

test('after a reorg, disconnected transactions return and spends of vanished coins leave', async () => {
  const { chain, done } = await rocksChain('mempool-reorg');
  try {
    const blocks = await fundedChain(chain);
    const [, b1, b2, , , b5] = blocks as [Built, Built, Built, Built, Built, Built];
    const pool = new Mempool(chain);
    // t1 and its child t2 get mined in block x; t3 spends x's coinbase and t4 spends t2, both pending.
    const t1 = pay(b1.reward, bob, 5e8, 1000);
    const t2 = pay(outputsOf(t1, bob)[0]!, carol, 2e8, 1000);
    const x = buildBlock({ parent: b5, key: carol, txs: [t1, t2] });
    assert.equal((await chain.processBlock(x.block)).status, 'connected');
    const t3 = pay(x.reward, alice, 1e8, 1000);
    const t4 = pay(outputsOf(t2, carol)[0]!, alice, 1e8, 1000);
    const t5 = pay(b2.reward, bob, 1e8, 1000);
    for (const t of [t3, t4, t5]) await pool.accept(t);

    // A heavier fork from b5 without x: y1 includes t5, y2 is empty.
    const y1 = buildBlock({ parent: b5, key: alice, txs: [t5], extraNonce: 8 });
    const y2 = buildBlock({ parent: y1, key: alice, extraNonce: 8 });
    assert.equal((await chain.processBlock(y1.block)).status, 'side');
    const r = await chain.processBlock(y2.block);
    assert.equal(r.status, 'reorg');
    for (const b of r.connected) pool.removeForBlock(b);
    await pool.readdDisconnected(r.disconnected.flatMap((b) => b.txs.slice(1)));

    // t1, t2 back; t4 still there (its parent t2 is pending again); t3 spent x's coinbase: gone; t5 mined in y1.
    assert.deepEqual(new Set(ids(pool.txids().map((id) => pool.get(id)!))), new Set(ids([t1, t2, t4])));
    const order = ids(pool.selectForBlock(1_000_000));
    assert.deepEqual(order, ids([t1, t2, t4]));
    const z = buildBlock({ parent: y2, key: alice, txs: pool.selectForBlock(1_000_000) });
    assert.equal((await chain.processBlock(z.block)).status, 'connected');
  } finally { await done(); }
});
