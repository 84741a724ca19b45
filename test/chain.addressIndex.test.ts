// The address index deferred during initial sync (src/chain/addressIndex.ts):
// blocks skip its writes, reads stay right (a scan of the coins), and the build
// from the coins, with blocks and reorganisations connecting between its
// steps, ends with exactly the index a chain kept block by block.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Block } from '../src/core/block.js';
import { addressIndexValue, parseAddressIndexValue } from '../src/chain/addressIndex.js';
import { buildBlock, testKey } from './helpers/chainFixtures.js';
import { memoryChain, rocksChain } from './helpers/chainSetup.js';
import { busyStep } from './helpers/busyBlocks.js';

const keys = [testKey(21), testKey(22), testKey(23)];

test('deferred during sync and built after, the address index equals one kept block by block; reads are right throughout', async () => {
  const ref = await memoryChain();
  const { chain, done } = await rocksChain('addrindex');
  try {
    const g = buildBlock({ parent: null, key: keys[0]! });
    await ref.chain.initGenesis(g.block);
    await chain.initGenesis(g.block);
    const blocks: Block[] = [];
    for (let i = 0; i < 40; i++) blocks.push(...await busyStep(ref.chain, keys, i));
    const balances = async (c: typeof chain): Promise<number[]> => Promise.all(keys.map((k) => c.balanceOf(k.pkh)));
    const coins = async (c: typeof chain): Promise<string> => JSON.stringify(await Promise.all(keys.map(async (k) => (await c.coinsOf(k.pkh)).map((o) => [Buffer.from(o.txid).toString('hex'), o.vout, o.coin.value]))));

    const head = blocks.slice(0, 6);
    const deferred = blocks.slice(6, 30);
    const built = blocks.slice(30);
    for (const b of head) await chain.processBlock(b);
    await chain.deferAddressIndex();
    assert.equal(chain.addressIndexState, 'deferred');
    // A reference chain at the same tip, to compare reads block by block.
    const step = await memoryChain();
    await step.chain.initGenesis(g.block);
    for (const b of head) await step.chain.processBlock(b);
    let reorgs = 0;
    for (const b of deferred) {
      const r = await chain.processBlock(b);
      await step.chain.processBlock(b);
      if (r.status === 'reorg') reorgs++;
      assert.deepEqual(await balances(chain), await balances(step.chain));
    }
    assert.ok(reorgs >= 2, `reorganisations while deferred: ${reorgs}`);
    assert.equal(await coins(chain), await coins(step.chain));
    // The index really was left behind: the stale range does not match the coins.
    assert.equal((await chain.checkAddressIndex()).equal, false);
    assert.notEqual(await chain.utxo.addressIndexHash(), await step.chain.utxo.addressIndexHash());

    // The build in steps of 4 coins, while the last blocks (one reorganisation among them) connect between steps.
    const building = chain.buildAddressIndex(4);
    let sawBuilding = false;
    for (const b of built) {
      await chain.processBlock(b);
      await step.chain.processBlock(b);
      sawBuilding ||= (chain.addressIndexState as string) === 'building';
      assert.deepEqual(await balances(chain), await balances(step.chain));
    }
    await building;
    assert.ok(sawBuilding, 'blocks connected while the index was being built');
    assert.equal(chain.addressIndexState, 'current');
    assert.deepEqual(chain.tip!.hash, ref.chain.tip!.hash);
    const check = await chain.checkAddressIndex();
    assert.ok(check.equal && check.coins > 100, JSON.stringify(check));
    assert.equal(await chain.utxo.addressIndexHash(), await ref.chain.utxo.addressIndexHash());
    assert.equal(await chain.utxoSetHash(), await ref.chain.utxoSetHash());
    assert.equal(await coins(chain), await coins(ref.chain));
    await step.done();
  } finally {
    await done();
    await ref.done();
  }
});

test('a deferred index stays deferred across a reopen; a deferral during a build stops the build', async () => {
  const { chain, dir, done } = await rocksChain('addrindex-reopen');
  try {
    const g = buildBlock({ parent: null, key: keys[0]! });
    await chain.initGenesis(g.block);
    await chain.deferAddressIndex();
    for (let i = 0; i < 12; i++) await busyStep(chain, keys, i);
    await chain.close();
    const { Chain } = await import('../src/chain/chain.js');
    const { RocksStore } = await import('../src/storage/rocksStore.js');
    const { REGTEST } = await import('../src/core/params.js');
    const { NOW } = await import('./helpers/chainFixtures.js');
    const again = await Chain.open(await RocksStore.open(dir!), REGTEST, { now: NOW });
    try {
      assert.equal(again.addressIndexState, 'deferred');
      const building = again.buildAddressIndex(2);
      await again.deferAddressIndex();
      await building;
      assert.equal(again.addressIndexState, 'deferred');
      await again.buildAddressIndex();
      assert.equal(again.addressIndexState, 'current');
      assert.ok((await again.checkAddressIndex()).equal);
    } finally { await again.close(); }
  } finally { await done(); }
});

test('the "addrindex" marker reads back what was written, and an unreadable one is refused', () => {
  const after = Uint8Array.from({ length: 36 }, (_, i) => i);
  assert.deepEqual(parseAddressIndexValue(addressIndexValue({ kind: 'deferred', since: 123456 })), { kind: 'deferred', since: 123456 });
  assert.deepEqual(parseAddressIndexValue(addressIndexValue({ kind: 'building', after: null })), { kind: 'building', after: null });
  assert.deepEqual(parseAddressIndexValue(addressIndexValue({ kind: 'building', after })), { kind: 'building', after });
  assert.throws(() => parseAddressIndexValue(Uint8Array.of(0x62, 1, 2)), /unreadable "addrindex" marker/);
  assert.throws(() => parseAddressIndexValue(Uint8Array.of(0x7a)), /unreadable "addrindex" marker/);
});
