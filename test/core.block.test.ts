// Block rules, one failing case per error code, each against a valid twin: the
// context-free checks (proof of work, structure, Merkle root), the checks
// against the block's place in the chain, and connecting it to a coin view.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MONEY } from '../src/core/amount.js';
import { Block, blockSize, parseBlock, serializeBlock } from '../src/core/block.js';
import { concatBytes } from '../src/core/bytes.js';
import { medianTimePast } from '../src/core/difficulty.js';
import { headerHash } from '../src/core/header.js';
import { merkleRootJs } from '../src/core/merkle.js';
import { blockSubsidy, REGTEST } from '../src/core/params.js';
import { bitsToTarget, hashMeetsTarget } from '../src/core/pow.js';
import { createCoinbase, outpointKey, Tx, txid } from '../src/core/tx.js';
import { checkBlockContext, checkBlockSanity, connectBlockTxs, verifySigChecks } from '../src/core/validate.js';
import { verifyFast } from '../src/crypto/keys.js';
import { outputsOf, signedTx } from './helpers/chainFixtures.js';
import {
  alice, bob, BLOCK_HEIGHT, carol, cloneTx, coinbaseFor, fakeCoin, MapView, seal, throwsCode, validBlock, validSpend,
} from './helpers/coreFixtures.js';

const P = REGTEST;
const SUBSIDY = blockSubsidy(P, BLOCK_HEIGHT);

function sanity(b: Block): void {
  checkBlockSanity(b, P);
}

test('the valid twin passes sanity, context, connect and signature checks', () => {
  const { block, view, ctx, spend } = validBlock();
  const s = checkBlockSanity(block, P);
  assert.deepEqual(s.hash, headerHash(block.header));
  assert.deepEqual(s.txids, block.txs.map(txid));
  checkBlockContext(block, ctx, P);
  const r = connectBlockTxs(block, s.txids, view, ctx.height, P);
  assert.equal(r.fees, spend.fee);
  assert.equal(r.spent.length, 2);
  assert.equal(r.created.length, 3);
  verifySigChecks(r.sigChecks, verifyFast);
});

test('bad-diffbits: negative, overflowing, zero and above-the-limit bits', () => {
  const { block } = validBlock();
  for (const bits of [0x04923456, 0x01fedcba, 0x22000100, 0xff123456, 0x00000000, 0x03000000, 0x04800000, 0x2100ffff, 0x20800000 + 0x1234]) {
    throwsCode(() => sanity({ ...block, header: { ...block.header, bits } }), 'bad-diffbits', 100);
  }
});

test('bad-diffbits: valid bits that are not the bits the chain expects', () => {
  const harder = 0x207ffffe;
  const { block, ctx } = validBlock();
  const b = seal(block.txs, { bits: harder });
  sanity(b);
  checkBlockContext(b, { ...ctx, expectedBits: harder }, P);
  throwsCode(() => checkBlockContext(b, ctx, P), 'bad-diffbits', 100);
});

test('high-hash: a header whose hash is above its target, ban 50', () => {
  const { block } = validBlock();
  const target = bitsToTarget(block.header.bits);
  let nonce = 0;
  while (hashMeetsTarget(headerHash({ ...block.header, nonce }), target)) nonce++;
  throwsCode(() => sanity({ ...block, header: { ...block.header, nonce } }), 'high-hash', 50);
});

test('bad-blk-length: no transactions, and one byte-group above the size limit', () => {
  const { block } = validBlock();
  throwsCode(() => sanity({ ...block, txs: [] }), 'bad-blk-length', 100);
  const fat = (n: number): Block => seal([createCoinbase(BLOCK_HEIGHT, Array.from({ length: n }, () => ({ value: 0, pubKeyHash: alice.pkh })))]);
  // A coinbase output is 28 bytes; everything else in this block is a fixed overhead.
  const most = Math.floor((P.maxBlockSize - (blockSize(fat(1000)) - 1000 * 28)) / 28);
  const fits = fat(most);
  assert.ok(blockSize(fits) <= P.maxBlockSize);
  sanity(fits);
  const over = fat(most + 1);
  assert.ok(blockSize(over) > P.maxBlockSize && blockSize(over) - 28 <= P.maxBlockSize);
  throwsCode(() => sanity(over), 'bad-blk-length', 100);
});

test('bad-blk-length at parse: a payload above the limit, and a zero transaction count', () => {
  const { block } = validBlock();
  const bytes = serializeBlock(block);
  assert.deepEqual(parseBlock(bytes, bytes.length).txs.length, 2);
  throwsCode(() => parseBlock(bytes, bytes.length - 1), 'bad-blk-length', 100);
  throwsCode(() => parseBlock(concatBytes(bytes.subarray(0, 80), Uint8Array.of(0)), P.maxBlockSize), 'bad-blk-length', 100);
});

test('bad-cb-missing: the first transaction is not a coinbase', () => {
  const { spend } = validBlock();
  throwsCode(() => sanity(seal([spend.tx])), 'bad-cb-missing', 100);
});

test('bad-cb-multiple: a second coinbase later in the block', () => {
  const { block } = validBlock();
  throwsCode(() => sanity(seal([...block.txs, coinbaseFor(BLOCK_HEIGHT, 1, 99)])), 'bad-cb-multiple', 100);
});

test('bad-txns-duplicate (CVE-2012-2459): repeating the last txid keeps the Merkle root and is rejected', () => {
  const cb = coinbaseFor(BLOCK_HEIGHT, SUBSIDY);
  const a = validSpend('dup-a').tx;
  const b = validSpend('dup-b').tx;
  const honest = seal([cb, a, b]);
  sanity(honest);
  const forged: Block = { header: honest.header, txs: [cb, a, b, b] };
  assert.deepEqual(merkleRootJs(forged.txs.map(txid)), honest.header.merkleRoot, 'the two lists share a root');
  assert.deepEqual(headerHash(forged.header), headerHash(honest.header), 'and so a block hash');
  throwsCode(() => sanity(forged), 'bad-txns-duplicate', 100);
  // The same hole one level up: [cb, a, b, c, d, e] and [cb, a, b, c, d, e, d, e] share a root too.
  const [c, d, e] = ['dup-c', 'dup-d', 'dup-e'].map((l) => validSpend(l).tx) as [Tx, Tx, Tx];
  const six = seal([cb, a, b, c, d, e]);
  sanity(six);
  const eight: Block = { header: six.header, txs: [cb, a, b, c, d, e, d, e] };
  assert.deepEqual(merkleRootJs(eight.txs.map(txid)), six.header.merkleRoot);
  throwsCode(() => sanity(eight), 'bad-txns-duplicate', 100);
});

test('bad-txnmrklroot: a transaction changed after the header was mined', () => {
  const { block } = validBlock();
  const changed = cloneTx(block.txs[0]!);
  changed.outputs[0]!.value -= 1;
  throwsCode(() => sanity({ header: block.header, txs: [changed, block.txs[1]!] }), 'bad-txnmrklroot', 100);
  throwsCode(() => sanity({ header: block.header, txs: [block.txs[0]!] }), 'bad-txnmrklroot', 100);
});

test('bad-cb-height: the coinbase commits to another height', () => {
  const { block, ctx } = validBlock();
  throwsCode(() => checkBlockContext(block, { ...ctx, height: BLOCK_HEIGHT + 1 }, P), 'bad-cb-height', 100);
  const wrong = seal([coinbaseFor(BLOCK_HEIGHT - 1, 1)]);
  sanity(wrong);
  throwsCode(() => checkBlockContext(wrong, ctx, P), 'bad-cb-height', 100);
});

test('bad-cb-amount: one unit above subsidy plus fees (exact and less pass)', () => {
  const { spend, ctx } = validBlock();
  const withReward = (v: number): Block => seal([coinbaseFor(BLOCK_HEIGHT, v), spend.tx]);
  for (const v of [SUBSIDY + spend.fee, SUBSIDY, 0]) {
    const b = withReward(v);
    connectBlockTxs(b, b.txs.map(txid), spend.view, ctx.height, P);
  }
  const greedy = withReward(SUBSIDY + spend.fee + 1);
  sanity(greedy);
  throwsCode(() => connectBlockTxs(greedy, greedy.txs.map(txid), spend.view, ctx.height, P), 'bad-cb-amount', 100);
});

test('time-too-old: a time equal to the median of the last 11 (one second later passes)', () => {
  const { block, ctx } = validBlock();
  const at = (time: number): Block => seal(block.txs, { time });
  checkBlockContext(at(ctx.medianTimePast + 1), ctx, P);
  throwsCode(() => checkBlockContext(at(ctx.medianTimePast), ctx, P), 'time-too-old', 100);
  throwsCode(() => checkBlockContext(at(ctx.medianTimePast - 600), ctx, P), 'time-too-old', 100);
});

test('time-too-new: more than two hours ahead of the clock is "not yet", ban 0', () => {
  const { block, ctx } = validBlock();
  const at = (time: number): Block => seal(block.txs, { time });
  checkBlockContext(at(ctx.now + 2 * 3600), ctx, P);
  throwsCode(() => checkBlockContext(at(ctx.now + 2 * 3600 + 1), ctx, P), 'time-too-new', 0);
});

test('median time past is the middle of the last 11 times, in any order', () => {
  const times = [50, 10, 90, 30, 70, 20, 100, 40, 60, 80, 0];
  assert.equal(medianTimePast(times), 50);
  assert.equal(medianTimePast([5]), 5);
  assert.equal(medianTimePast([]), 0);
});

test('amount-overflow: fees of two transactions summing above the supply', () => {
  const big = [fakeCoin('whale-1', MAX_MONEY, alice), fakeCoin('whale-2', MAX_MONEY, bob)];
  const t1 = signedTx([big[0]!], [{ value: 1, pubKeyHash: carol.pkh }]);
  const t2 = signedTx([big[1]!], [{ value: 1, pubKeyHash: carol.pkh }]);
  const b = seal([coinbaseFor(BLOCK_HEIGHT, 1), t1, t2]);
  sanity(b);
  throwsCode(() => connectBlockTxs(b, b.txs.map(txid), new MapView(big), BLOCK_HEIGHT, P), 'amount-overflow', 100);
  // The twin: the same shape with coins a quarter of the supply each.
  const quarter = [fakeCoin('whale-1', MAX_MONEY / 4, alice), fakeCoin('whale-2', MAX_MONEY / 4, bob)];
  const q = seal([coinbaseFor(BLOCK_HEIGHT, 1), ...quarter.map((c) => signedTx([c], [{ value: 1, pubKeyHash: carol.pkh }]))]);
  assert.equal(connectBlockTxs(q, q.txs.map(txid), new MapView(quarter), BLOCK_HEIGHT, P).fees, MAX_MONEY / 2 - 2);
});

test('connect: a coin created and spent in one block never reaches the created or spent lists', () => {
  const { spend } = validBlock();
  const child = signedTx(outputsOf(spend.tx, carol), [{ value: 6e8 - 500, pubKeyHash: bob.pkh }]);
  const b = seal([coinbaseFor(BLOCK_HEIGHT, SUBSIDY + spend.fee + 500), spend.tx, child]);
  const ids = b.txs.map(txid);
  const r = connectBlockTxs(b, ids, spend.view, BLOCK_HEIGHT, P);
  assert.equal(r.fees, spend.fee + 500);
  const carolKey = outpointKey(ids[1]!, 0);
  assert.ok(!r.created.some((c) => c.key === carolKey));
  assert.ok(!r.spent.some((c) => c.key === carolKey));
  assert.deepEqual(r.spent.map((c) => c.key).sort(), spend.coins.map((c) => outpointKey(c.txid, c.vout)).sort());
  verifySigChecks(r.sigChecks, verifyFast);
  // Spending it before it exists, or twice, is a missing input.
  const early = seal([coinbaseFor(BLOCK_HEIGHT, 1), child, spend.tx]);
  throwsCode(() => connectBlockTxs(early, early.txs.map(txid), spend.view, BLOCK_HEIGHT, P), 'missing-inputs', 0);
  const again = signedTx(outputsOf(spend.tx, carol), [{ value: 1, pubKeyHash: alice.pkh }]);
  const twice = seal([coinbaseFor(BLOCK_HEIGHT, 1), spend.tx, child, again]);
  sanity(twice);
  throwsCode(() => connectBlockTxs(twice, twice.txs.map(txid), spend.view, BLOCK_HEIGHT, P), 'missing-inputs', 0);
});
