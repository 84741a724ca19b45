// A reorganisation is several batches. Cutting the process off after each
// possible number of them (a store that stops writing, standing in for a
// crash), then reopening, must always end on the right tip with the right UTXO
// set: the reorg is finished, or rolled back when its branch is invalid.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { REGTEST } from '../src/core/params.js';
import { BatchOp, KeyValueStore, RangeOptions } from '../src/storage/kvStore.js';
import { MemoryStore } from '../src/storage/memoryStore.js';
import { buildBlock, buildChain, Built, NOW, signedTx, testKey } from './helpers/chainFixtures.js';

const alice = testKey(1);
const bob = testKey(2);

/** Lets `budget` writes through, then fails every write, as if the process had died. */
class DyingStore implements KeyValueStore {
  constructor(private readonly inner: MemoryStore, private budget: number) {}
  get(k: Uint8Array) { return this.inner.get(k); }
  getMany(ks: Uint8Array[]) { return this.inner.getMany(ks); }
  put(k: Uint8Array, v: Uint8Array) { return this.write([{ type: 'put', key: k, value: v }]); }
  async write(ops: BatchOp[]): Promise<void> {
    if (this.budget-- <= 0) throw new Error('simulated crash');
    return this.inner.write(ops);
  }
  iterate(r: RangeOptions) { return this.inner.iterate(r); }
  async close(): Promise<void> {}
}

async function setup(branchTxs: (a2: Built) => { b4txs: ReturnType<typeof signedTx>[] }) {
  const g = buildBlock({ parent: null, key: alice });
  const a2 = buildBlock({ parent: g, key: alice });
  const pay = signedTx([g.reward], [{ value: 5e8, pubKeyHash: bob.pkh }, { value: REGTEST.subsidy - 5e8, pubKeyHash: alice.pkh }]);
  const a3 = buildBlock({ parent: a2, key: alice, txs: [pay] });
  const a4 = buildBlock({ parent: a3, key: alice });
  const b3 = buildBlock({ parent: a2, key: bob, extraNonce: 1 });
  const b4 = buildBlock({ parent: b3, key: bob, extraNonce: 1, txs: branchTxs(a2).b4txs });
  const [b5] = buildChain(b4, 1, bob, 1) as [Built];
  return { g, a2, a3, a4, b3, b4, b5 };
}

async function stateAfter(blocks: Built[]): Promise<string> {
  const chain = await Chain.open(new MemoryStore(), REGTEST, { now: NOW });
  await chain.initGenesis(blocks[0]!.block);
  for (const b of blocks.slice(1)) await chain.processBlock(b.block);
  const h = `${await chain.utxoSetHash()}/${await chain.utxo.addressIndexHash()}`;
  await chain.close();
  return h;
}

async function runCutAt(budget: number, s: Awaited<ReturnType<typeof setup>>): Promise<{ chain: Chain; crashed: boolean }> {
  const mem = new MemoryStore();
  const first = await Chain.open(mem, REGTEST, { now: NOW });
  await first.initGenesis(s.g.block);
  for (const b of [s.a2, s.a3, s.a4, s.b3, s.b4]) await first.processBlock(b.block);
  const dying = await Chain.open(new DyingStore(mem, budget), REGTEST, { now: NOW });
  let crashed = false;
  await dying.processBlock(s.b5.block).catch((e: Error) => { crashed = e.message === 'simulated crash'; if (!crashed && !('code' in e)) throw e; });
  return { chain: await Chain.open(mem, REGTEST, { now: NOW }), crashed };
}

test('a reorganisation cut off after any number of batches is finished on reopen', async () => {
  const s = await setup(() => ({ b4txs: [] }));
  const expected = await stateAfter([s.g, s.a2, s.b3, s.b4, s.b5]);
  const untouched = await stateAfter([s.g, s.a2, s.a3, s.a4]);
  let cuts = 0;
  for (let budget = 0; budget < 20; budget++) {
    const { chain, crashed } = await runCutAt(budget, s);
    // With no batch written, b5 was never stored: the chain is as it was.
    const [tip, state] = budget === 0 ? [s.a4.hash, untouched] : [s.b5.hash, expected];
    assert.deepEqual(chain.tip!.hash, tip, `cut after ${budget} batches`);
    assert.equal(`${await chain.utxoSetHash()}/${await chain.utxo.addressIndexHash()}`, state, `cut after ${budget} batches`);
    await chain.close();
    if (!crashed) break;
    cuts++;
  }
  // store+mark, 2 disconnects, 3 connects, clear mark: six cut points before the last batch.
  assert.ok(cuts >= 6, `only ${cuts} cut points were exercised`);
});

test('a cut-off reorganisation onto an invalid branch is rolled back on reopen', async () => {
  const s = await setup((a2) => ({ b4txs: [signedTx([{ ...a2.reward, vout: 4 }], [{ value: 1, pubKeyHash: bob.pkh }])] }));
  const expected = await stateAfter([s.g, s.a2, s.a3, s.a4]);
  let cuts = 0;
  for (let budget = 0; budget < 25; budget++) {
    const { chain, crashed } = await runCutAt(budget, s);
    assert.deepEqual(chain.tip!.hash, s.a4.hash, `cut after ${budget} batches`);
    assert.equal(`${await chain.utxoSetHash()}/${await chain.utxo.addressIndexHash()}`, expected, `cut after ${budget} batches`);
    if (budget > 0) assert.equal((await chain.getIndex(s.b4.hash))!.status, 'failed', `cut after ${budget} batches`);
    await chain.close();
    if (!crashed) break;
    cuts++;
  }
  assert.ok(cuts >= 6, `only ${cuts} cut points were exercised`);
});
