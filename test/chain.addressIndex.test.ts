// The address index deferred during initial sync (src/chain/addressIndex.ts):
// blocks skip its writes, reads stay right (a scan of the coins), and the build
// from the coins, with blocks and reorganisations connecting between its
// steps, ends with exactly the index a chain kept block by block.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Block } from '../src/core/block.js';
import { addressIndexValue, parseAddressIndexValue } from '../src/chain/addressIndex.js';
import { metaKey } from '../src/storage/layout.js';
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

test('after kill -9 while the address index is deferred or being built, reopen and build give exactly the index derived from the coins', { timeout: 180_000 }, async (t) => {
  const { setTimeout: sleep } = await import('node:timers/promises');
  const { Chain } = await import('../src/chain/chain.js');
  const { RocksStore } = await import('../src/storage/rocksStore.js');
  const { REGTEST } = await import('../src/core/params.js');
  const { NOW } = await import('./helpers/chainFixtures.js');
  const { killHard, spawnChild, waitForLine } = await import('./helpers/childProcess.js');
  const { tempDir } = await import('./helpers/tempDir.js');
  const dir = await tempDir('addrindex-crash');
  try {
    const states: string[] = [];
    const left: string[] = [];
    for (let round = 0; round < 5; round++) {
      const child = spawnChild(['addrindex-loop', dir.dir]);
      try {
        await waitForLine(child, /^ready$/, 30_000);
        // Into a build: the kill lands during its steps, or just after.
        await waitForLine(child, /^building$/, 60_000);
        await sleep(Math.floor(Math.random() * 40));
      } finally {
        await killHard(child);
      }
      // What the kill left: 'b' (mid-build), 'd' (deferred) or none (current).
      const raw = await RocksStore.open(dir.dir);
      const marker = await raw.get(metaKey('addrindex'));
      await raw.close();
      left.push(marker ? String.fromCharCode(marker[0]!) : '-');
      const chain = await Chain.open(await RocksStore.open(dir.dir), REGTEST, { now: NOW });
      try {
        // A build under way is finished at open; a deferral stays until the owner builds.
        const opened = chain.addressIndexState;
        states.push(opened);
        assert.notEqual(opened, 'building');
        if (opened === 'deferred') await chain.buildAddressIndex();
        const check = await chain.checkAddressIndex();
        assert.ok(check.equal && check.coins > 0, `round ${round}: ${JSON.stringify(check)}`);
        // And the same bytes as a fresh chain that kept the index block by block.
        const ref = await memoryChain();
        try {
          await ref.chain.initGenesis((await chain.getBlock((await chain.getHashAtHeight(REGTEST.genesisHeight))!))!);
          for (let h = REGTEST.genesisHeight + 1; h <= chain.tip!.height; h++) await ref.chain.processBlock((await chain.getBlock((await chain.getHashAtHeight(h))!))!);
          assert.equal(await chain.utxo.addressIndexHash(), await ref.chain.utxo.addressIndexHash());
          assert.equal(await chain.utxoSetHash(), await ref.chain.utxoSetHash());
        } finally { await ref.done(); }
        t.diagnostic(`round ${round}: killed at height ${chain.tip!.height}, marker '${left[round]}', index ${opened} at open, ${check.coins} coins`);
      } finally {
        await chain.close();
      }
    }
    // The kills did land inside a deferral or a build (each round kills within 40 ms of a build's start).
    assert.ok(left.some((m) => m !== '-'), `markers left: ${left.join(' ')}`);
  } finally {
    await dir.cleanup();
  }
});
