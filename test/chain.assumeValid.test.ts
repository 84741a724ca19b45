// --assumevalid on a real RocksDB chain: a block whose signature is bad is
// accepted only when it is an ancestor of the assumed-valid block in the block
// index; with the hash elsewhere, unknown, or not yet seen, the signature is
// verified and the block refused. Every other rule is still checked below it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { REGTEST } from '../src/core/params.js';
import { Tx } from '../src/core/tx.js';
import { buildBlock, buildChain, Built, signedTx, testKey } from './helpers/chainFixtures.js';
import { rocksChain } from './helpers/chainSetup.js';

const alice = testKey(1);
const bob = testKey(2);
const SUBSIDY = REGTEST.subsidy;

interface Fixture { g: Built; main: Built[]; branch: Built[] }

/** Genesis, a main chain of 3, and a 4-block branch from genesis whose first block carries `tx`. */
function fixture(makeTx: (g: Built) => Tx): Fixture {
  const g = buildBlock({ parent: null, key: alice });
  const main = buildChain(g, 3, alice, 1);
  const first = buildBlock({ parent: g, key: alice, txs: [makeTx(g)], extraNonce: 2 });
  return { g, main, branch: [first, ...buildChain(first, 3, alice, 2)] };
}

/** Alice's coinbase paid to Bob, then the output value changed after signing: a bad signature. */
const forged = (g: Built): Tx => {
  const tx = signedTx([g.reward], [{ value: 1_000, pubKeyHash: bob.pkh }, { value: SUBSIDY - 2_000, pubKeyHash: alice.pkh }]);
  tx.outputs[0]!.value = 1_001;
  return tx;
};

/** Feeds genesis and the main chain, then the branch: its last block outweighs the main chain and forces a reorg through the bad block. */
async function run(f: Fixture, assumeValid: Uint8Array | null): Promise<{ reorg: Promise<unknown>; tip: () => Uint8Array; bob: () => Promise<number>; done: () => Promise<void> }> {
  const { chain, done } = await rocksChain('assumevalid', { assumeValid });
  await chain.initGenesis(f.g.block);
  for (const b of f.main) assert.equal((await chain.processBlock(b.block)).status, 'connected');
  for (const b of f.branch.slice(0, 3)) assert.equal((await chain.processBlock(b.block)).status, 'side');
  return { reorg: chain.processBlock(f.branch[3]!.block), tip: () => chain.tip!.hash, bob: () => chain.balanceOf(bob.pkh), done };
}

test('assumevalid: a bad signature in an ancestor of the assumed-valid block is not verified, and the chain moves there', async () => {
  const f = fixture(forged);
  const r = await run(f, f.branch[3]!.hash);
  try {
    assert.equal(((await r.reorg) as { status: string }).status, 'reorg');
    assert.deepEqual(r.tip(), f.branch[3]!.hash);
    assert.equal(await r.bob(), 1_001, 'the unverified transaction was connected');
  } finally { await r.done(); }
});

test('assumevalid: the same bad signature is refused when the hash is on another branch, unknown, or not given', async () => {
  const f = fixture(forged);
  for (const hash of [f.main[2]!.hash, new Uint8Array(32).fill(7), null]) {
    const r = await run(f, hash);
    try {
      await assert.rejects(r.reorg, { code: 'bad-signature' });
      assert.deepEqual(r.tip(), f.main[2]!.hash, 'the main chain stays');
      assert.equal(await r.bob(), 0);
    } finally { await r.done(); }
  }
});

test('assumevalid: a block that arrives before the assumed-valid block is in the index is verified in full', async () => {
  const f = fixture(forged);
  const { chain, done } = await rocksChain('assumevalid-linear', { assumeValid: f.branch[3]!.hash });
  try {
    await chain.initGenesis(f.g.block);
    await assert.rejects(chain.processBlock(f.branch[0]!.block), { code: 'bad-signature' });
    assert.deepEqual(chain.tip!.hash, f.g.hash);
  } finally { await done(); }
});

test('assumevalid: every rule but the signature is still checked below the assumed-valid block', async () => {
  // Signed by Bob for Alice's coin: the signature itself is fine, the owner is not.
  const wrongOwner = (g: Built): Tx => signedTx([{ ...g.reward, key: bob }], [{ value: 1_000, pubKeyHash: bob.pkh }]);
  const f = fixture(wrongOwner);
  const r = await run(f, f.branch[3]!.hash);
  try {
    await assert.rejects(r.reorg, { code: 'bad-txns-wrong-owner' });
    assert.deepEqual(r.tip(), f.main[2]!.hash);
  } finally { await r.done(); }
});
