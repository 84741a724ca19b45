// The light wallet's coin store (src/wallet/lightCoins.ts): the sink the light
// sync hands blocks to. Connect and disconnect are exact inverses, pending
// sends count until a block settles them, and a kill -9 at any moment leaves
// the coins of the marker's block on disk.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import test from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { hashToHex, toHex } from '../src/core/bytes.js';
import { txid } from '../src/core/tx.js';
import type { KeyValueStore } from '../src/storage/kvStore.js';
import { LIGHT_WALLET_PREFIX, lightWalletRange } from '../src/storage/layout.js';
import { MemoryStore } from '../src/storage/memoryStore.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { PENDING_EXPIRY_S } from '../src/wallet/pendingSpends.js';
import { LightCoins, type AppliedBlock } from '../src/wallet/lightCoins.js';
import { buildBlock, signedTx, testKey } from './helpers/chainFixtures.js';
import { killHard, waitForLine } from './helpers/childProcess.js';
import { SCRIPT_BLOCKS } from './helpers/lightCoinsChild.js';
import { lightScript, OTHER, WALLET } from './helpers/lightScript.js';
import { tempDir } from './helpers/tempDir.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'lightCoinsChild.js');

/** Every key of the light wallet's prefix, as hex pairs (the whole on-disk state). */
async function dump(store: KeyValueStore, kind?: 'coin' | 'pending'): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of store.iterate({ prefix: kind ? lightWalletRange(kind) : Uint8Array.of(LIGHT_WALLET_PREFIX) })) out.push(`${toHex(k)}=${toHex(v)}`);
  return out;
}

/** The script's blocks up to `upTo` applied to a fresh store; with `sent`, the wallet's spends were first sent by it (pending). */
async function applied(blocks: AppliedBlock[], upTo: number, sent = false): Promise<{ store: MemoryStore; coins: LightCoins }> {
  const store = new MemoryStore();
  const coins = await LightCoins.open(store, [WALLET.pkh]);
  if (sent) for (const tx of walletSpends(blocks)) await coins.addPending(tx, SENT_AT);
  for (const b of blocks.slice(0, upTo)) await coins.connect(b);
  await coins.flush();
  return { store, coins };
}

const SENT_AT = 1_800_000_000;
const walletSpends = (blocks: AppliedBlock[]) => blocks.flatMap((b) => (b.block?.txs ?? []).filter((tx) => tx.inputs.some((i) => Buffer.from(i.pubKey).equals(Buffer.from(WALLET.pub)))));

const balance = (c: LightCoins): number => (c.spendable([WALLET.pkh]).get(hashToHex(WALLET.pkh)) ?? []).reduce((s, x) => s + x.coin.value, 0);

test('light coins: connecting blocks and disconnecting them again equals never having applied them', async () => {
  const blocks = lightScript(40);
  assert.ok(blocks.some((b) => b.block === null) && blocks.some((b) => b.block !== null), 'the script has header-only and full blocks');
  assert.ok(walletSpends(blocks).length >= 5);
  for (const keep of [0, 1, 9, 17, 33]) {
    const { store, coins } = await applied(blocks, blocks.length, true);
    assert.ok(balance(coins) > 0);
    for (let h = blocks.length; h > keep; h--) await coins.disconnect(blocks[h - 1]!);
    const never = await applied(blocks, keep, true);
    // Coins, undo, heights, marker and the pending sends, key for key.
    assert.deepEqual(await dump(store), await dump(never.store), `state after going back to ${keep} blocks`);
    assert.deepEqual(coins.spendable([WALLET.pkh], SENT_AT), never.coins.spendable([WALLET.pkh], SENT_AT));
    assert.deepEqual(await coins.lastApplied(), await never.coins.lastApplied());
    // And forward again: the same state as a straight run.
    for (const b of blocks.slice(keep)) await coins.connect(b);
    await coins.flush();
    assert.deepEqual(await dump(store), await dump((await applied(blocks, blocks.length, true)).store));
  }
});

test('light coins: outputs to the wallet are added, its spent coins removed, a coin made and spent in one block leaves no trace', async () => {
  const blocks = lightScript(12);
  const { coins } = await applied(blocks, 12);
  // By hand: rewards at i = 0, 3, 6, 9; i = 1 spends r0 and its change in-block, i = 5 spends r3
  // keeping change c5, i = 9 spends c5 and its change in-block. Left: r6 and r9.
  const reward = (i: number) => blocks[i]!.block!.txs[0]!.outputs[0]!.value;
  const mine = coins.spendable([WALLET.pkh]).get(hashToHex(WALLET.pkh))!;
  assert.equal(blocks[5]!.block!.txs.length, 2);
  assert.equal(blocks[9]!.block!.txs.length, 3);
  assert.equal(balance(coins), reward(6) + reward(9));
  assert.deepEqual(mine.map((c) => c.coin.height).sort(), [10, 7]);
  assert.ok(mine.every((c) => c.coin.height > 0), 'all confirmed');
  assert.equal(coins.confirmedBalance(WALLET.pkh), balance(coins));
  assert.equal(coins.confirmedBalance(OTHER.pkh), 0, 'outputs to others are not kept');
});

test('light coins: a block must extend the last applied one, and only the tip is disconnected', async () => {
  const blocks = lightScript(5);
  const { coins } = await applied(blocks, 3);
  await assert.rejects(coins.connect(blocks[4]!), /does not extend/);
  await assert.rejects(coins.disconnect(blocks[1]!), /cannot disconnect/);
  await coins.connect(blocks[3]!);
  assert.equal((await coins.lastApplied())!.height, 4);
});

test('light coins: a sent transaction spends its coins and offers its change until a block confirms it', async () => {
  const blocks = lightScript(1);
  const { coins } = await applied(blocks, 1);
  const reward = blocks[0]!.block!.txs[0]!;
  const coin = { txid: txid(reward), vout: 0, value: reward.outputs[0]!.value, key: WALLET };
  const send = signedTx([coin], [{ value: 1000, pubKeyHash: OTHER.pkh }, { value: coin.value - 1000, pubKeyHash: WALLET.pkh }]);
  const t0 = Math.floor(Date.now() / 1000);
  await coins.addPending(send, t0);
  const view = coins.spendable([WALLET.pkh], t0).get(hashToHex(WALLET.pkh))!;
  assert.deepEqual(view.map((c) => [toHex(c.txid), c.vout, c.coin.value, c.coin.height]), [[toHex(txid(send)), 1, coin.value - 1000, 0]]);
  // Expired: the coin is back, the change gone.
  assert.equal(coins.spendable([WALLET.pkh], t0 + PENDING_EXPIRY_S + 1).get(hashToHex(WALLET.pkh))![0]!.coin.height, 1);
  // A block holding it: the change is confirmed, nothing is pending any more.
  const b2 = buildBlock({ parent: { hash: blocks[0]!.hash, height: 1, time: blocks[0]!.header.time }, key: OTHER, txs: [send] });
  await coins.connect({ height: 2, hash: b2.hash, header: b2.block.header, block: b2.block });
  assert.equal((await dump((coins as unknown as { store: KeyValueStore }).store, 'pending')).length, 0);
  const after = coins.spendable([WALLET.pkh], t0 + PENDING_EXPIRY_S + 1).get(hashToHex(WALLET.pkh))!;
  assert.deepEqual(after.map((c) => [c.vout, c.coin.height]), [[1, 2]]);
  // Taken off again (a reorganisation): pending once more, with its first send time.
  await coins.disconnect({ height: 2, hash: b2.hash });
  assert.deepEqual(coins.spendable([WALLET.pkh], t0).get(hashToHex(WALLET.pkh))!.map((c) => c.coin.height), [0]);
  assert.equal(coins.spendable([WALLET.pkh], t0 + PENDING_EXPIRY_S + 1).get(hashToHex(WALLET.pkh))![0]!.coin.height, 1);
});

test('light coins: a block that spends a pending transaction\'s coin otherwise ends it; a foreign spend taken off is pending', async () => {
  const blocks = lightScript(1);
  const { coins } = await applied(blocks, 1);
  const reward = blocks[0]!.block!.txs[0]!;
  const coin = { txid: txid(reward), vout: 0, value: reward.outputs[0]!.value, key: WALLET };
  await coins.addPending(signedTx([coin], [{ value: coin.value, pubKeyHash: OTHER.pkh }]));
  assert.equal(balance(coins), 0);
  // The same wallet, used elsewhere (a full node holding the same keys), spends it to itself.
  const other = signedTx([coin], [{ value: coin.value, pubKeyHash: testKey(63).pkh }]);
  const b2 = buildBlock({ parent: { hash: blocks[0]!.hash, height: 1, time: blocks[0]!.header.time }, key: OTHER, txs: [other] });
  await coins.connect({ height: 2, hash: b2.hash, header: b2.block.header, block: b2.block });
  assert.equal(balance(coins), 0);
  assert.equal((await dump((coins as unknown as { store: KeyValueStore }).store, 'pending')).length, 0);
  await coins.disconnect({ height: 2, hash: b2.hash });
  // Both spends are pending again (as both would be back in a full node's mempool): the coin stays spent.
  assert.equal((await dump((coins as unknown as { store: KeyValueStore }).store, 'pending')).length, 2);
  assert.equal(balance(coins), 0);
  assert.equal(coins.confirmedBalance(WALLET.pkh), coin.value);
});

test('light coins: header-only blocks only move the marker, in batches, and a reopen resumes from a consistent point', async () => {
  const { dir, cleanup } = await tempDir('lightcoins');
  try {
    const blocks = lightScript(32);
    let store = await RocksStore.open(dir);
    let coins = await LightCoins.open(store, [WALLET.pkh]);
    for (const b of blocks) await coins.connect(b);
    const last = blocks[blocks.length - 1]!;
    assert.equal(last.block, null, 'the script ends on a header-only block');
    await store.close();
    store = await RocksStore.open(dir);
    coins = await LightCoins.open(store, [WALLET.pkh]);
    const resumed = (await coins.lastApplied())!;
    const lastFull = blocks.filter((b) => b.block).pop()!;
    assert.ok(resumed.height >= lastFull.height, 'never behind a block that changed coins');
    assert.deepEqual(resumed.hash, blocks[resumed.height - 1]!.hash);
    for (const b of blocks.slice(resumed.height)) await coins.connect(b);
    await coins.flush();
    assert.deepEqual(await dump(store), await dump((await applied(blocks, blocks.length)).store));
    await store.close();
  } finally { await cleanup(); }
});

test('light coins: after kill -9 at random moments the coins on disk are those of the marker\'s block', { timeout: 180_000 }, async (t) => {
  const { dir, cleanup } = await tempDir('lightcrash');
  const blocks = lightScript(SCRIPT_BLOCKS);
  try {
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, [CHILD, 'connect-loop', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        await waitForLine(child, /^ready$/, 30_000);
        await waitForLine(child, /^height \d+$/, 30_000);
        await sleep(Math.floor(Math.random() * 400));
      } finally { await killHard(child); }
      const store = await RocksStore.open(dir);
      try {
        const coins = await LightCoins.open(store, [WALLET.pkh]);
        const at = (await coins.lastApplied())!;
        assert.ok(at, 'a marker is stored');
        assert.deepEqual(at.hash, blocks[at.height - 1]!.hash, 'the marker names a block of the chain');
        const replay = await applied(blocks, at.height);
        assert.deepEqual(await dump(store, 'coin'), await dump(replay.store, 'coin'), `coins at height ${at.height}`);
        t.diagnostic(`round ${round}: killed at height ${at.height}`);
      } finally { await store.close(); }
    }
  } finally { await cleanup(); }
});
