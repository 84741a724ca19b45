// The tutorial's transaction defects, each with a test that would catch it:
// signatures that skip outputs, ids that depend on the clock, malleable
// signatures, and amounts that can overflow.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mock } from 'node:test';
import * as secp from '@noble/secp256k1';
import { addAmounts, COIN, formatCoins, isValidAmount, MAX_MONEY, parseCoins } from '../src/core/amount.js';
import { sighash, sighashCache } from '../src/core/sighash.js';
import { coinbaseHeight, createCoinbase, outpointKey, outpointLabel, parseOutpointKey, Tx, txid } from '../src/core/tx.js';
import { coinKey, coinKeyOf } from '../src/storage/layout.js';
import { checkTxInputs, checkTxSanity, verifySigChecks } from '../src/core/validate.js';
import { blockSubsidy, MAIN, REGTEST } from '../src/core/params.js';
import { verifyFast, verifyNoble } from '../src/crypto/keys.js';
import { alice, bigToBytes32, bob, bytes32ToBig, carol, cloneTx, CURVE_N, MapView, throwsCode, validSpend } from './helpers/coreFixtures.js';
import { Spendable } from './helpers/chainFixtures.js';

const sig = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('signatures cover every output and every outpoint: any change breaks every input\'s signature', () => {
  const { tx, coins } = validSpend('cover');
  const base = checkTxInputs(tx, new MapView(coins)).sigChecks;
  assert.deepEqual(base.map((c) => verifyFast(c.msg, c.signature, c.pubKey)), [true, true]);

  const moved: Spendable = { ...coins[0]!, vout: 5 };
  const edits: Array<[string, (t: Tx) => void, Spendable[]]> = [
    ['output 0 value', (t) => { t.outputs[0]!.value -= 1; }, []],
    ['output 1 value', (t) => { t.outputs[1]!.value += 1; }, []],
    ['output 0 pubKeyHash', (t) => { t.outputs[0]!.pubKeyHash = Uint8Array.from(bob.pkh); }, []],
    ['output 1 pubKeyHash', (t) => { t.outputs[1]!.pubKeyHash[19]! ^= 1; }, []],
    ['an added output', (t) => { t.outputs.push({ value: 0, pubKeyHash: bob.pkh }); }, []],
    ['a dropped output', (t) => { t.outputs.pop(); }, []],
    ['swapped outputs', (t) => { t.outputs.reverse(); }, []],
    ['input 0 outpoint', (t) => { t.inputs[0]!.vout = 5; }, [moved]],
    ['version', (t) => { t.version = 2; }, []],
  ];
  for (const [name, edit, extra] of edits) {
    const t = cloneTx(tx);
    edit(t);
    const checks = checkTxInputs(t, new MapView([...coins, ...extra])).sigChecks;
    assert.equal(checks.length, 2);
    checks.forEach((c, i) => {
      assert.notDeepEqual(c.msg, base[i]!.msg, `${name}: sighash of input ${i} must change`);
      assert.equal(verifyFast(c.msg, c.signature, c.pubKey), false, `${name}: input ${i} must no longer verify`);
      assert.equal(verifyNoble(c.msg, c.signature, c.pubKey), false, `${name}: input ${i} must no longer verify (noble)`);
    });
    throwsCode(() => verifySigChecks(checks, verifyFast), 'bad-signature', 100);
  }
});

test('signatures commit to the spent output\'s pubKeyHash and value', () => {
  const { tx, coins } = validSpend('commit');
  const a = coins[0]!;
  const cache = sighashCache(tx);
  const right = sighash(tx, 0, { value: a.value, pubKeyHash: a.key.pkh }, cache);
  const otherOwner = sighash(tx, 0, { value: a.value, pubKeyHash: carol.pkh }, cache);
  const otherValue = sighash(tx, 0, { value: a.value + 1, pubKeyHash: a.key.pkh }, cache);
  const otherIndex = sighash(tx, 1, { value: a.value, pubKeyHash: a.key.pkh }, cache);
  assert.equal(new Set([right, otherOwner, otherValue, otherIndex].map(sig)).size, 4);
  assert.equal(verifyFast(right, tx.inputs[0]!.signature, a.key.pub), true);
  for (const m of [otherOwner, otherValue, otherIndex]) assert.equal(verifyFast(m, tx.inputs[0]!.signature, a.key.pub), false);
  // The cache is only a speed-up: the uncached digest is the same.
  assert.deepEqual(sighash(tx, 0, { value: a.value, pubKeyHash: a.key.pkh }), right);
});

test('coinbase ids have no clock: same inputs give the same id at any wall-clock time', () => {
  const outs = [{ value: 25 * COIN, pubKeyHash: alice.pkh }];
  mock.timers.enable({ apis: ['Date'], now: 1_000_000_000_000 });
  try {
    const first = txid(createCoinbase(42, outs, 7));
    mock.timers.tick(86_400_000 * 365);
    assert.equal(Date.now(), 1_000_000_000_000 + 86_400_000 * 365, 'the clock did move');
    const later = txid(createCoinbase(42, outs, 7));
    assert.deepEqual(later, first);
  } finally {
    mock.timers.reset();
  }
});

test('coinbase ids differ by extra-nonce and by height (BIP34), and the height reads back', () => {
  const outs = [{ value: 25 * COIN, pubKeyHash: alice.pkh }];
  const ids = new Set<string>();
  for (const h of [1, 2, 256, 0xffffffff]) {
    for (const n of [0, 1, Number.MAX_SAFE_INTEGER]) {
      const cb = createCoinbase(h, outs, n);
      assert.equal(coinbaseHeight(cb), h);
      checkTxSanity(cb, REGTEST);
      ids.add(sig(txid(cb)));
    }
  }
  assert.equal(ids.size, 12);
  // A tag is free data after height and extra-nonce: it changes the id, not the height.
  const tagged = createCoinbase(1, outs, 0, new TextEncoder().encode('pubchain'));
  assert.equal(coinbaseHeight(tagged), 1);
  assert.ok(!ids.has(sig(txid(tagged))));
});

test('malleability: the high-S twin of a valid signature is valid ECDSA but not a valid transaction', () => {
  const { tx, coins } = validSpend('malleate');
  const view = new MapView(coins);
  const [check] = checkTxInputs(tx, view).sigChecks;
  const s = bytes32ToBig(tx.inputs[0]!.signature.subarray(32));
  assert.ok(s <= CURVE_N >> 1n, 'we sign low-S');
  const twin = cloneTx(tx);
  twin.inputs[0]!.signature = Uint8Array.from([...tx.inputs[0]!.signature.subarray(0, 32), ...bigToBytes32(CURVE_N - s)]);
  // Plain ECDSA accepts (r, n - s): that is what would let a relay change the txid.
  assert.equal(secp.verify(twin.inputs[0]!.signature, check!.msg, coins[0]!.key.pub, { prehash: false, lowS: false, format: 'compact' }), true);
  assert.notDeepEqual(txid(twin), txid(tx));
  throwsCode(() => checkTxSanity(twin, REGTEST), 'non-canonical-signature', 100);
  assert.equal(verifyFast(check!.msg, twin.inputs[0]!.signature, coins[0]!.key.pub), false);
  assert.equal(verifyNoble(check!.msg, twin.inputs[0]!.signature, coins[0]!.key.pub), false);
});

test('amounts: supply cap, negatives, fractions and overflowing sums', () => {
  assert.equal(MAX_MONEY, 21_000_000 * 100_000_000);
  assert.ok(MAX_MONEY * 2 < Number.MAX_SAFE_INTEGER, 'a sum of two amounts is still exact');
  for (const v of [0, 1, MAX_MONEY]) assert.equal(isValidAmount(v), true, String(v));
  for (const v of [-1, MAX_MONEY + 1, 0.5, 1e-8, Number.NaN, Infinity, -0.0001, 2 ** 53]) assert.equal(isValidAmount(v), false, String(v));
  assert.equal(addAmounts(MAX_MONEY - 1, 1), MAX_MONEY);
  throwsCode(() => addAmounts(MAX_MONEY, 1), 'amount-overflow', 100);
  throwsCode(() => addAmounts(-1, 2), 'amount-overflow', 100);
  throwsCode(() => addAmounts(0.5, 0.5), 'amount-overflow', 100);
  throwsCode(() => addAmounts(MAX_MONEY, MAX_MONEY, 'bad-txns-txouttotal-toolarge'), 'bad-txns-txouttotal-toolarge', 100);
});

test('amounts: the subsidy schedule never issues more than the supply cap', () => {
  for (const p of [MAIN, REGTEST]) {
    assert.equal(blockSubsidy(p, p.genesisHeight), 25 * COIN);
    assert.equal(blockSubsidy(p, p.genesisHeight + p.halvingInterval - 1), 25 * COIN);
    assert.equal(blockSubsidy(p, p.genesisHeight + p.halvingInterval), 12.5 * COIN);
    let total = 0;
    for (let era = 0; era < 64; era++) total += blockSubsidy(p, p.genesisHeight + era * p.halvingInterval) * p.halvingInterval;
    assert.ok(total <= MAX_MONEY, `issued ${total}`);
    assert.ok(total > MAX_MONEY - 2 * p.halvingInterval * 64, 'and nearly all of it');
    assert.equal(blockSubsidy(p, p.genesisHeight + 64 * p.halvingInterval), 0);
  }
});

test('amounts: parsing and formatting coins', () => {
  assert.equal(parseCoins('22'), 22 * COIN);
  assert.equal(parseCoins('0.5'), 50_000_000);
  assert.equal(parseCoins('0.00000001'), 1);
  assert.equal(parseCoins('21000000'), MAX_MONEY);
  for (const bad of ['-1', '1e3', '0.000000001', '0', '21000000.00000001', 'abc', '', '1.', '.5', '0x10']) {
    assert.throws(() => parseCoins(bad), RangeError, bad);
  }
  assert.equal(formatCoins(50_000_000), '0.5');
  assert.equal(formatCoins(22 * COIN), '22');
  assert.equal(formatCoins(1), '0.00000001');
  assert.equal(formatCoins(MAX_MONEY), '21000000');
});

test('outpoint keys are the 36 binary bytes of the coin key: round trip, distinct per vout, readable label', () => {
  const id = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 200) & 0xff);
  for (const vout of [0, 1, 255, 256, 0x01020304, 0xffffffff]) {
    const key = outpointKey(id, vout);
    assert.equal(key.length, 36);
    assert.deepEqual(parseOutpointKey(key), { txid: id, vout });
    assert.deepEqual(coinKeyOf(key), coinKey(id, vout));
    assert.equal(outpointLabel(key), `${Buffer.from(id).toString('hex')}:${vout}`);
  }
  assert.notEqual(outpointKey(id, 1), outpointKey(id, 256));
  assert.throws(() => parseOutpointKey('abc'), RangeError);
});
