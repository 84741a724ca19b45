// Genesis, connecting blocks with spends, the address index, and the rules a
// block is held to against its parent and the UTXO set.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Block } from '../src/core/block.js';
import { ValidationError } from '../src/core/errors.js';
import { REGTEST } from '../src/core/params.js';
import { txid } from '../src/core/tx.js';
import { OrphanPool } from '../src/node/orphanPool.js';
import { blockSize } from '../src/core/block.js';
import { buildBlock, buildChain, Built, NOW, outputsOf, signedTx, testKey } from './helpers/chainFixtures.js';
import { memoryChain, rocksChain } from './helpers/chainSetup.js';

const alice = testKey(1);
const bob = testKey(2);
const SUBSIDY = REGTEST.subsidy;

test('genesis: accepted once, then chain-exists; tip, height and genesis hash are set', async () => {
  const { chain, done } = await rocksChain('genesis');
  try {
    assert.equal(chain.tip, null);
    await assert.rejects(chain.processBlock(buildBlock({ parent: null, key: alice }).block), { code: 'no-chain' });
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    assert.deepEqual(chain.genesisHash, g.hash);
    assert.equal(chain.tip!.height, 1);
    assert.deepEqual(await chain.getHashAtHeight(1), g.hash);
    assert.equal(await chain.balanceOf(alice.pkh), SUBSIDY);
    await assert.rejects(chain.initGenesis(buildBlock({ parent: null, key: bob }).block), { code: 'chain-exists' });
  } finally { await done(); }
});

test('genesis: wrong bits, wrong coinbase height and a non-null parent are refused', async () => {
  const { chain, done } = await memoryChain();
  try {
    await assert.rejects(chain.initGenesis(buildBlock({ parent: null, key: alice, bits: 0x207ffffe }).block), { code: 'bad-diffbits' });
    await assert.rejects(chain.initGenesis(buildBlock({ parent: null, key: alice, coinbaseHeight: 0 }).block), { code: 'bad-cb-height' });
    const g = buildBlock({ parent: null, key: alice });
    const child = buildBlock({ parent: g, key: alice });
    await assert.rejects(chain.initGenesis(child.block), { code: 'bad-genesis' });
    assert.equal(chain.tip, null);
  } finally { await done(); }
});

test('connecting blocks with spends updates coins, balances and the address index', async () => {
  const { chain, done } = await rocksChain('connect');
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    // alice pays bob 10 coins, keeps the change minus a fee of 1000 units.
    const pay = signedTx([g.reward], [{ value: 10 * 1e8, pubKeyHash: bob.pkh }, { value: SUBSIDY - 10 * 1e8 - 1000, pubKeyHash: alice.pkh }]);
    const b2 = buildBlock({ parent: g, key: alice, txs: [pay] });
    const r = await chain.processBlock(b2.block);
    assert.equal(r.status, 'connected');
    assert.equal(r.height, 2);
    assert.equal(r.connected.length, 1);
    assert.equal(await chain.balanceOf(bob.pkh), 10 * 1e8);
    assert.equal(await chain.balanceOf(alice.pkh), 2 * SUBSIDY - 10 * 1e8 - 1000);
    assert.equal(await chain.getCoin(g.reward.txid, 0), null, 'the genesis coin is spent');
    const bobCoins = await chain.coinsOf(bob.pkh);
    assert.equal(bobCoins.length, 1);
    assert.deepEqual(bobCoins[0]!.txid, txid(pay));
    assert.equal(bobCoins[0]!.coin.height, 2);
    assert.equal(bobCoins[0]!.coin.coinbase, false);

    // bob spends his coin and a chained spend of it, within one block.
    const [bobCoin] = outputsOf(pay, bob);
    const first = signedTx([bobCoin!], [{ value: 6e8, pubKeyHash: bob.pkh }, { value: 4e8, pubKeyHash: alice.pkh }]);
    const second = signedTx([outputsOf(first, bob)[0]!], [{ value: 6e8, pubKeyHash: alice.pkh }]);
    const b3 = buildBlock({ parent: b2, key: bob, txs: [first, second] });
    assert.equal((await chain.processBlock(b3.block)).status, 'connected');
    assert.equal(await chain.balanceOf(bob.pkh), SUBSIDY);
    assert.equal(await chain.getCoin(txid(first), 0), null, 'spent inside the block, never stored');
    assert.equal((await chain.getCoin(txid(second), 0))!.value, 6e8);

    assert.equal((await chain.processBlock(b3.block)).status, 'duplicate');
    assert.deepEqual(await chain.getBlockBytes(b3.hash), (await chain.getBlockBytes(b3.hash)));
    const stored = await chain.getBlock(b3.hash);
    assert.deepEqual(stored!.txs.map(txid), b3.block.txs.map(txid));
    assert.equal((await chain.getIndex(b3.hash))!.status, 'valid');
    assert.ok(await chain.hasBlock(b3.hash));
  } finally { await done(); }
});

test('context rules: wrong bits, stale time and wrong coinbase height are rejected and remembered', async () => {
  const { chain, done } = await memoryChain();
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const badBits = buildBlock({ parent: g, key: alice, bits: 0x207ffffe });
    await assert.rejects(chain.processBlock(badBits.block), { code: 'bad-diffbits' });
    const stale = buildBlock({ parent: g, key: alice, time: g.time });
    await assert.rejects(chain.processBlock(stale.block), { code: 'time-too-old' });
    const wrongHeight = buildBlock({ parent: g, key: alice, coinbaseHeight: 7 });
    await assert.rejects(chain.processBlock(wrongHeight.block), { code: 'bad-cb-height' });
    // Too far ahead is "not yet", so it is not remembered as invalid.
    const future = buildBlock({ parent: g, key: alice, time: NOW() + 3 * 3600 });
    await assert.rejects(chain.processBlock(future.block), { code: 'time-too-new' });
    assert.equal(await chain.hasBlock(future.hash), false);
    assert.ok(await chain.hasBlock(badBits.hash), 'a rejected block is known');
    await assert.rejects(chain.processBlock(badBits.block), { code: 'bad-diffbits' });
    assert.equal(chain.tip!.height, 1);
  } finally { await done(); }
});

test('a block spending a missing coin or overpaying is invalid; it and its children are refused again', async () => {
  const { chain, done } = await rocksChain('invalid');
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const ghost = signedTx([{ ...g.reward, vout: 5 }], [{ value: 1, pubKeyHash: bob.pkh }]);
    const bad = buildBlock({ parent: g, key: alice, txs: [ghost] });
    await assert.rejects(chain.processBlock(bad.block), (e: unknown) => e instanceof ValidationError && e.code === 'bad-txns-inputs-missingorspent' && e.banScore === 100);
    assert.equal((await chain.getIndex(bad.hash))!.status, 'failed');
    await assert.rejects(chain.processBlock(bad.block), { code: 'bad-txns-inputs-missingorspent' });
    const child = buildBlock({ parent: bad, key: alice });
    await assert.rejects(chain.processBlock(child.block), { code: 'bad-prevblk' });
    const greedy = buildBlock({ parent: g, key: alice, reward: SUBSIDY + 1 });
    await assert.rejects(chain.processBlock(greedy.block), { code: 'bad-cb-amount' });
    // A bad signature (signed by the owner over another message) is caught by the verifier.
    const forged = signedTx([g.reward], [{ value: 1, pubKeyHash: bob.pkh }]);
    forged.outputs[0]!.value = 2;
    await assert.rejects(chain.processBlock(buildBlock({ parent: g, key: alice, txs: [forged] }).block), { code: 'bad-signature' });
    assert.equal(chain.tip!.height, 1);
    assert.equal(await chain.balanceOf(alice.pkh), SUBSIDY);
    const ok = buildBlock({ parent: g, key: alice, extraNonce: 9 });
    assert.equal((await chain.processBlock(ok.block)).status, 'connected');
  } finally { await done(); }
});

test('sanity failures throw before anything is stored', async () => {
  const { chain, done } = await memoryChain();
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const b2 = buildBlock({ parent: g, key: alice });
    const tampered: Block = { header: { ...b2.block.header }, txs: [...b2.block.txs, b2.block.txs[0]!] };
    await assert.rejects(chain.processBlock(tampered), (e: unknown) => e instanceof ValidationError);
    assert.equal(await chain.hasBlock(b2.hash), false, 'a malleated copy does not poison the real block');
    assert.equal((await chain.processBlock(b2.block)).status, 'connected');
  } finally { await done(); }
});

test('an orphan waits in the pool until its parent arrives', async () => {
  const { chain, done } = await memoryChain();
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const [b2, b3, b4] = buildChain(g, 3, alice) as [Built, Built, Built];
    const pool = new OrphanPool(10);
    for (const b of [b4, b3]) {
      const r = await chain.processBlock(b.block);
      assert.equal(r.status, 'orphan');
      pool.add(b.block, r.hash);
    }
    assert.deepEqual(pool.missingAncestor(b4.hash), b2.hash);
    const queue: Block[] = [b2.block];
    const statuses: string[] = [];
    for (let i = 0; i < 10 && queue.length > 0; i++) {
      const r = await chain.processBlock(queue.shift()!);
      statuses.push(r.status);
      queue.push(...pool.takeChildren(r.hash));
    }
    assert.deepEqual(statuses, ['connected', 'connected', 'connected']);
    assert.equal(chain.tip!.height, 4);
    assert.equal(pool.size, 0);
  } finally { await done(); }
});

test('the orphan pool is bounded and evicts its oldest block', () => {
  const g = buildBlock({ parent: null, key: alice });
  const blocks = buildChain(g, 5, alice);
  const pool = new OrphanPool(3);
  for (const b of blocks) pool.add(b.block, b.hash);
  assert.equal(pool.size, 3);
  assert.equal(pool.has(blocks[0]!.hash), false);
  assert.equal(pool.has(blocks[1]!.hash), false);
  assert.ok(pool.has(blocks[4]!.hash));
  assert.equal(pool.add(blocks[4]!.block, blocks[4]!.hash), false);
  assert.equal(pool.takeChildren(blocks[2]!.hash).length, 1);
  assert.equal(pool.size, 2);
});

test('the orphan pool is also bounded by bytes', () => {
  const g = buildBlock({ parent: null, key: alice });
  const blocks = buildChain(g, 10, alice);
  const one = blockSize(blocks[0]!.block);
  const pool = new OrphanPool(100, one * 4);
  for (const b of blocks) pool.add(b.block, b.hash);
  assert.equal(pool.size, 4, 'four blocks fit the byte bound');
  assert.ok(pool.totalBytes <= one * 4);
  assert.ok(pool.has(blocks[9]!.hash) && !pool.has(blocks[5]!.hash), 'the oldest went first');
  pool.takeChildren(blocks[8]!.hash);
  assert.equal(pool.totalBytes, one * 3);
});

test('concurrent processBlock calls are serialised', async () => {
  const { chain, done } = await rocksChain('concurrent');
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const blocks = buildChain(g, 20, alice);
    const results = await Promise.all(blocks.map((b) => chain.processBlock(b.block)));
    assert.ok(results.every((r) => r.status === 'connected'));
    assert.equal(chain.tip!.height, 21);
    assert.equal(await chain.balanceOf(alice.pkh), 21 * SUBSIDY);
  } finally { await done(); }
});
