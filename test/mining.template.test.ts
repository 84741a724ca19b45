// The block template: one rule for the node's miner loop and the RPC's
// generatetoaddress (same transactions, same coinbase value for the same
// mempool), fees summed exactly and with a checked sum, the size limit, and
// the coinbase rebuilt from Stratum-style extra-nonce bytes.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Block } from '../src/core/block.js';
import { MAX_MONEY } from '../src/core/amount.js';
import { ValidationError } from '../src/core/errors.js';
import { REGTEST } from '../src/core/params.js';
import { serializeTx, Tx, txid, txSize } from '../src/core/tx.js';
import { Mempool } from '../src/mempool/mempool.js';
import { createSingleThreadSearcher } from '../src/mining/singleThread.js';
import { BlockTemplate, blockTemplate, COINBASE_ROOM, templateTx } from '../src/mining/template.js';
import { createLogger } from '../src/node/logger.js';
import { MinerLoop } from '../src/node/minerLoop.js';
import { blockMiner } from '../src/rpc/context.js';
import { buildBlock, buildChain, Built, signedTx, Spendable, testKey, TestKey } from './helpers/chainFixtures.js';
import { rocksChain } from './helpers/chainSetup.js';

const alice = testKey(1);
const bob = testKey(2);
const miner = testKey(9);
const wallClock = (): number => Math.floor(Date.now() / 1000);

const pay = (coin: Spendable, to: TestKey, amount: number, fee: number): Tx =>
  signedTx([coin], [{ value: amount, pubKeyHash: to.pkh }, { value: coin.value - amount - fee, pubKeyHash: coin.key.pkh }]);
const hexTxs = (b: Block): string[] => b.txs.slice(1).map((t) => Buffer.from(serializeTx(t)).toString('hex'));

/** A chain on RocksDB (wall-clock time, so freshly mined blocks connect) with a mempool holding `fees.length` spends. */
async function poolWithFees(tag: string, fees: number[]) {
  const opened = await rocksChain(tag, { now: wallClock });
  const g = buildBlock({ parent: null, key: alice });
  await opened.chain.initGenesis(g.block);
  const blocks: Built[] = [g, ...buildChain(g, fees.length + 1, alice)];
  for (const b of blocks.slice(1)) await opened.chain.processBlock(b.block);
  const mempool = new Mempool(opened.chain);
  const txs: Tx[] = [];
  for (let i = 0; i < fees.length; i++) {
    const tx = pay(blocks[i]!.reward, bob, 1e8 + i, fees[i]!);
    await mempool.accept(tx);
    txs.push(tx);
  }
  return { ...opened, mempool, txs };
}

test('the miner loop and generatetoaddress mine the same template for the same mempool', async () => {
  // The coinbase must pay exactly subsidy plus every fee, to the unit.
  const fees = [1, 22_222, 333_333_333, 4_444, 55];
  const { chain, mempool, done } = await poolWithFees('template-paths', fees);
  const searcher = createSingleThreadSearcher();
  try {
    const tip = chain.tip!;
    // The miner loop's block, caught before it reaches the chain.
    let caught!: (b: Block) => void;
    const fromLoop = new Promise<Block>((resolve) => { caught = resolve; });
    const loop = new MinerLoop({
      chain, mempool, params: REGTEST, searcher, payoutPubKeyHash: miner.pkh, minTxs: 1, mineAlways: false,
      log: createLogger({ level: 'silent' }), onBlock: async (b) => { caught(b); },
    });
    loop.start();
    const loopBlock = await fromLoop;
    await loop.stop();
    assert.deepEqual(chain.tip!.hash, tip.hash, 'the loop block was not connected');

    // generatetoaddress on the same tip and mempool, connected through the chain.
    let rpcBlock: Block | null = null;
    const mine = blockMiner(chain, mempool, async (b) => { rpcBlock = b; await chain.processBlock(b); }, REGTEST);
    const [hash] = await mine(1, miner.pkh);
    assert.ok(rpcBlock);
    const rpc = rpcBlock as Block;
    assert.deepEqual(chain.tip!.hash, hash);

    assert.deepEqual(hexTxs(loopBlock), hexTxs(rpc));
    assert.equal(loopBlock.txs.length, fees.length + 1);
    assert.deepEqual(loopBlock.header.prevHash, rpc.header.prevHash);
    assert.equal(loopBlock.header.bits, rpc.header.bits);
    const expected = REGTEST.subsidy + fees.reduce((a, b) => a + b, 0);
    for (const b of [loopBlock, rpc]) {
      assert.equal(b.txs[0]!.outputs.length, 1);
      assert.equal(b.txs[0]!.outputs[0]!.value, expected);
      assert.deepEqual(b.txs[0]!.outputs[0]!.pubKeyHash, miner.pkh);
    }
    // The template the two paths built, checked directly.
    const t = new BlockTemplate(REGTEST, { height: tip.height + 1, prevHash: tip.hash, bits: rpc.header.bits, medianTimePast: 0 },
      mempool.selectEntriesForBlock(REGTEST.maxBlockSize - COINBASE_ROOM), miner.pkh);
    assert.equal(t.fees, fees.reduce((a, b) => a + b, 0));
    assert.equal(t.coinbaseValue, expected);
    assert.deepEqual(t.txs.map((x) => x.fee).sort((a, b) => a - b), [...fees].sort((a, b) => a - b));
  } finally {
    await searcher.close();
    await done();
  }
});

test('the template keeps COINBASE_ROOM free of transactions', async () => {
  const { chain, mempool, txs, done } = await poolWithFees('template-size', [5000, 4000, 3000]);
  try {
    const size = txSize(txs[0]!);
    assert.ok(txs.every((t) => txSize(t) === size));
    // Room for exactly two of the three (same size; the best fee rates go first).
    const params = { ...REGTEST, maxBlockSize: COINBASE_ROOM + 2 * size };
    const t = blockTemplate(params, await chain.nextBlockContext(), mempool, miner.pkh);
    assert.deepEqual(t.txs.map((x) => x.txid), [txid(txs[0]!), txid(txs[1]!)]);
    assert.equal(t.fees, 9000);
    const tight = blockTemplate({ ...params, maxBlockSize: params.maxBlockSize - 1 }, await chain.nextBlockContext(), mempool, miner.pkh);
    assert.equal(tight.txs.length, 1);
  } finally { await done(); }
});

test('fees are summed with the checked sum: a template whose fees pass MAX_MONEY is refused', () => {
  const tx = pay({ txid: new Uint8Array(32).fill(7), vout: 0, value: 2e8, key: alice }, bob, 1e8, 0);
  const ctx = { height: 2, prevHash: new Uint8Array(32), bits: REGTEST.genesisBits, medianTimePast: 0 };
  assert.throws(() => new BlockTemplate(REGTEST, ctx, [templateTx(tx, MAX_MONEY), templateTx(tx, 1)], miner.pkh),
    (e: unknown) => e instanceof ValidationError && e.code === 'amount-overflow');
  // Subsidy plus fees is checked too.
  assert.throws(() => new BlockTemplate(REGTEST, ctx, [templateTx(tx, MAX_MONEY)], miner.pkh),
    (e: unknown) => e instanceof ValidationError && e.code === 'amount-overflow');
});

test('the coinbase can be rebuilt from 8 extra-nonce bytes (Stratum extranonce1 ‖ extranonce2)', () => {
  const ctx = { height: 7, prevHash: new Uint8Array(32).fill(1), bits: REGTEST.genesisBits, medianTimePast: 100 };
  const t = new BlockTemplate(REGTEST, ctx, [], miner.pkh, { now: () => 50 });
  assert.equal(t.minTime, 101);
  assert.equal(t.time, 101, 'a clock behind the median is moved up to mintime');
  const bytes = Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb, 0xcc, 0xdd]);
  const small = Uint8Array.from([0x05, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(serializeTx(t.coinbase(small)), serializeTx(t.coinbase(5)));
  assert.deepEqual(t.coinbase(bytes).inputs[0]!.signature.subarray(4, 12), bytes);
  assert.notDeepEqual(t.block(bytes).header.merkleRoot, t.block(small).header.merkleRoot);
  assert.throws(() => t.coinbase(new Uint8Array(7)), RangeError);
});
