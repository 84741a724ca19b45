// Forks on RocksDB: a heavier branch takes over and gives way again, equal work
// never moves the tip, and an invalid block on a heavier branch changes nothing.
// After each move the UTXO set (and address index) must equal that of a chain
// that saw only the winning blocks.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { hashToHex } from '../src/core/bytes.js';
import { ValidationError } from '../src/core/errors.js';
import { REGTEST } from '../src/core/params.js';
import { headerHash } from '../src/core/header.js';
import { Block } from '../src/core/block.js';
import { buildBlock, buildChain, Built, signedTx, testKey } from './helpers/chainFixtures.js';
import { memoryChain, rocksChain } from './helpers/chainSetup.js';

const alice = testKey(1);
const bob = testKey(2);
const SUBSIDY = REGTEST.subsidy;

/** UTXO-set and address-index hashes of a fresh in-memory chain fed exactly `blocks`. */
async function referenceHashes(blocks: Built[]): Promise<[string, string]> {
  const { chain, done } = await memoryChain();
  try {
    await chain.initGenesis(blocks[0]!.block);
    for (const b of blocks.slice(1)) assert.equal((await chain.processBlock(b.block)).status, 'connected');
    return [await chain.utxoSetHash(), await chain.utxo.addressIndexHash()];
  } finally { await done(); }
}

async function hashes(chain: Chain): Promise<[string, string]> {
  return [await chain.utxoSetHash(), await chain.utxo.addressIndexHash()];
}

const ids = (blocks: Block[]): string[] => blocks.map((b) => hashToHex(headerHash(b.header)));
const idsOf = (built: Built[]): string[] => built.map((b) => hashToHex(b.hash));

test('a heavier fork takes over, then the first branch wins back; undo data restores every coin', async () => {
  const { chain, done } = await rocksChain('reorg');
  const events: string[] = [];
  chain.on('connect', (_b, h) => events.push(`+${h}`));
  chain.on('disconnect', (_b, h) => events.push(`-${h}`));
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const a2 = buildBlock({ parent: g, key: alice });
    const pay = signedTx([g.reward], [{ value: 7e8, pubKeyHash: bob.pkh }, { value: SUBSIDY - 7e8, pubKeyHash: alice.pkh }]);
    const a3 = buildBlock({ parent: a2, key: alice, txs: [pay] });
    const a4 = buildBlock({ parent: a3, key: alice });
    for (const b of [a2, a3, a4]) assert.equal((await chain.processBlock(b.block)).status, 'connected');
    assert.equal(await chain.balanceOf(bob.pkh), 7e8);

    const [b3, b4, b5] = buildChain(a2, 3, bob, 1) as [Built, Built, Built];
    assert.equal((await chain.processBlock(b3.block)).status, 'side');
    assert.equal((await chain.processBlock(b4.block)).status, 'side', 'equal work leaves the tip alone');
    assert.deepEqual(chain.tip!.hash, a4.hash);
    events.length = 0;
    const r = await chain.processBlock(b5.block);
    assert.equal(r.status, 'reorg');
    assert.deepEqual(ids(r.disconnected), idsOf([a4, a3]));
    assert.deepEqual(ids(r.connected), idsOf([b3, b4, b5]));
    assert.deepEqual(events, ['-4', '-3', '+3', '+4', '+5']);
    assert.deepEqual(chain.tip!.hash, b5.hash);
    assert.deepEqual(await chain.getHashAtHeight(3), b3.hash);
    // bob's payment was in a3 only: gone; the genesis coin is alice's again.
    assert.equal(await chain.balanceOf(bob.pkh), 3 * SUBSIDY);
    assert.equal((await chain.getCoin(g.reward.txid, 0))!.value, SUBSIDY);
    assert.deepEqual(await hashes(chain), await referenceHashes([g, a2, b3, b4, b5]));

    const [a5, a6] = buildChain(a4, 2, alice, 2) as [Built, Built];
    assert.equal((await chain.processBlock(a5.block)).status, 'side');
    const back = await chain.processBlock(a6.block);
    assert.equal(back.status, 'reorg');
    assert.deepEqual(ids(back.disconnected), idsOf([b5, b4, b3]));
    assert.deepEqual(ids(back.connected), idsOf([a3, a4, a5, a6]));
    assert.equal(await chain.balanceOf(bob.pkh), 7e8);
    assert.deepEqual(await hashes(chain), await referenceHashes([g, a2, a3, a4, a5, a6]));
    assert.equal((await chain.getIndex(b5.hash))!.status, 'valid', 'the losing branch stays stored and valid');
  } finally { await done(); }
});

test('an invalid block on a heavier branch is marked failed and the old chain is restored', async () => {
  const { chain, done } = await rocksChain('reorg-invalid');
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const [a2, a3, a4] = buildChain(g, 3, alice) as [Built, Built, Built];
    for (const b of [a2, a3, a4]) await chain.processBlock(b.block);
    const before = await hashes(chain);

    const b3 = buildBlock({ parent: a2, key: bob, extraNonce: 1 });
    // Spends an output that does not exist: context rules pass, connecting fails.
    const ghost = signedTx([{ ...a2.reward, vout: 3 }], [{ value: 1, pubKeyHash: bob.pkh }]);
    const b4 = buildBlock({ parent: b3, key: bob, txs: [ghost], extraNonce: 1 });
    const b5 = buildBlock({ parent: b4, key: bob, extraNonce: 1 });
    assert.equal((await chain.processBlock(b3.block)).status, 'side');
    assert.equal((await chain.processBlock(b4.block)).status, 'side');
    const tipEvents: string[] = [];
    chain.on('tip', (e) => tipEvents.push(hashToHex(e.hash)));
    await assert.rejects(chain.processBlock(b5.block), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.code, 'bad-txns-inputs-missingorspent');
      assert.equal(e.banScore, 100);
      assert.equal(e.meta.tipChanged, false);
      return true;
    });
    assert.deepEqual(chain.tip!.hash, a4.hash);
    assert.deepEqual(tipEvents, [], 'net, the tip never moved');
    assert.deepEqual(await hashes(chain), before);
    assert.equal((await chain.getIndex(b3.hash))!.status, 'valid');
    assert.equal((await chain.getIndex(b4.hash))!.status, 'failed');
    assert.equal((await chain.getIndex(b5.hash))!.status, 'failed-child');
    await assert.rejects(chain.processBlock(b4.block), { code: 'bad-txns-inputs-missingorspent' });
    await assert.rejects(chain.processBlock(buildBlock({ parent: b5, key: bob }).block), { code: 'bad-prevblk' });
    // The main chain goes on as before.
    const a5 = buildBlock({ parent: a4, key: alice });
    assert.equal((await chain.processBlock(a5.block)).status, 'connected');
  } finally { await done(); }
});

test('failed statuses and the tip survive a restart; a known-invalid block is refused from the index', async () => {
  const { chain, dir, done } = await rocksChain('reorg-restart');
  try {
    const g = buildBlock({ parent: null, key: alice });
    await chain.initGenesis(g.block);
    const a2 = buildBlock({ parent: g, key: alice });
    await chain.processBlock(a2.block);
    const bad = buildBlock({ parent: a2, key: alice, txs: [signedTx([{ ...a2.reward, vout: 9 }], [{ value: 1, pubKeyHash: bob.pkh }])] });
    await assert.rejects(chain.processBlock(bad.block), { code: 'bad-txns-inputs-missingorspent' });
    const hashBefore = await chain.utxoSetHash();
    await chain.close();
    const { RocksStore } = await import('../src/storage/rocksStore.js');
    const again = await Chain.open(await RocksStore.open(dir!), REGTEST);
    try {
      assert.deepEqual(again.tip!.hash, a2.hash);
      assert.deepEqual(again.genesisHash, g.hash);
      assert.equal(await again.utxoSetHash(), hashBefore);
      await assert.rejects(again.processBlock(bad.block), { code: 'duplicate-invalid' });
    } finally { await again.close(); }
  } finally { await done(); }
});
