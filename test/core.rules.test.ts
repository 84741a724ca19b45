// Transaction rules, one failing case per error code: each test takes a valid
// transaction (which it first shows passing), breaks exactly one thing, and
// checks the code and ban score that a peer sending it would earn.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MONEY } from '../src/core/amount.js';
import { REGTEST } from '../src/core/params.js';
import { COINBASE_VOUT, NULL_HASH, Tx, txSize } from '../src/core/tx.js';
import { checkTxInputs, checkTxSanity, isCanonicalSignature, verifySigChecks } from '../src/core/validate.js';
import { verifyFast, verifyNoble } from '../src/crypto/keys.js';
import { signedTx } from './helpers/chainFixtures.js';
import {
  alice, bigToBytes32, bob, carol, cloneTx, coinbaseFor, CURVE_N, fakeCoin, MapView, throwsCode, validSpend,
} from './helpers/coreFixtures.js';

const HALF_N = CURVE_N >> 1n;
const P = REGTEST;

function sanity(tx: Tx): void {
  checkTxSanity(tx, P);
}

/** A valid spend with one edit applied to a copy. */
function broken(edit: (tx: Tx) => void): Tx {
  const tx = cloneTx(validSpend().tx);
  edit(tx);
  return tx;
}

function withSig(r: bigint, s: bigint): Tx {
  return broken((tx) => { tx.inputs[0]!.signature = Uint8Array.from([...bigToBytes32(r), ...bigToBytes32(s)]); });
}

test('the valid twin: a signed two-input spend passes sanity, inputs and both verifiers', () => {
  const { tx, view, fee } = validSpend();
  sanity(tx);
  const r = checkTxInputs(tx, view);
  assert.equal(r.fee, fee);
  assert.equal(r.sigChecks.length, 2);
  verifySigChecks(r.sigChecks, verifyFast);
  verifySigChecks(r.sigChecks, verifyNoble);
  sanity(coinbaseFor(5, 1));
});

test('bad-txns-vin-empty / bad-txns-vout-empty', () => {
  throwsCode(() => sanity(broken((tx) => { tx.inputs = []; })), 'bad-txns-vin-empty', 100);
  throwsCode(() => sanity(broken((tx) => { tx.outputs = []; })), 'bad-txns-vout-empty', 100);
  throwsCode(() => sanity({ ...coinbaseFor(5, 1), outputs: [] }), 'bad-txns-vout-empty', 100);
});

test('bad-txns-oversize: a transaction one output above the block size limit', () => {
  const base = validSpend().tx;
  const many = (n: number): Tx => ({ ...cloneTx(base), outputs: Array.from({ length: n }, () => ({ value: 0, pubKeyHash: carol.pkh })) });
  // Each output is 28 bytes; the rest (version, counts, two inputs) is fixed once the count needs 3 bytes.
  const most = Math.floor((P.maxBlockSize - (txSize(many(1000)) - 1000 * 28)) / 28);
  const fits = many(most);
  assert.ok(txSize(fits) <= P.maxBlockSize && txSize(fits) > P.maxBlockSize - 28);
  sanity(fits);
  const over = many(most + 1);
  assert.ok(txSize(over) > P.maxBlockSize);
  throwsCode(() => sanity(over), 'bad-txns-oversize', 100);
});

test('bad-txns-vout-toolarge: above the supply, negative, fractional, NaN', () => {
  for (const value of [MAX_MONEY + 1, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    throwsCode(() => sanity(broken((tx) => { tx.outputs[1]!.value = value; })), 'bad-txns-vout-toolarge', 100);
  }
  sanity(broken((tx) => { tx.outputs[0]!.value = 0; tx.outputs[1]!.value = MAX_MONEY; }));
  sanity(broken((tx) => { tx.outputs[1]!.value = 0; }));
});

test('bad-txns-pkh: an output hash of 19 or 21 bytes', () => {
  for (const n of [0, 19, 21, 32]) throwsCode(() => sanity(broken((tx) => { tx.outputs[0]!.pubKeyHash = new Uint8Array(n); })), 'bad-txns-pkh', 100);
});

test('bad-txns-txouttotal-toolarge: each output in range, their sum above the supply', () => {
  const tx = broken((t) => { t.outputs[0]!.value = MAX_MONEY; t.outputs[1]!.value = 1; });
  throwsCode(() => sanity(tx), 'bad-txns-txouttotal-toolarge', 100);
  sanity(broken((t) => { t.outputs[0]!.value = MAX_MONEY - 1; t.outputs[1]!.value = 1; }));
});

test('bad-cb-length: coinbase data of 11 or 101 bytes (12 and 100 pass)', () => {
  const cb = (n: number): Tx => { const t = coinbaseFor(3, 1); t.inputs[0]!.signature = new Uint8Array(n); return t; };
  sanity(cb(12));
  sanity(cb(100));
  throwsCode(() => sanity(cb(11)), 'bad-cb-length', 100);
  throwsCode(() => sanity(cb(101)), 'bad-cb-length', 100);
});

test('bad-cb-pubkey: a coinbase input carrying a key', () => {
  const cb = coinbaseFor(3, 1);
  cb.inputs[0]!.pubKey = alice.pub;
  throwsCode(() => sanity(cb), 'bad-cb-pubkey', 100);
});

test('bad-txns-prevout: an input txid that is not 32 bytes', () => {
  for (const n of [0, 31, 33]) throwsCode(() => sanity(broken((tx) => { tx.inputs[1]!.prevTxid = new Uint8Array(n).fill(7); })), 'bad-txns-prevout', 100);
});

test('bad-txns-inputs-duplicate: one outpoint spent twice in one transaction', () => {
  const tx = broken((t) => { t.inputs[1]!.prevTxid = Uint8Array.from(t.inputs[0]!.prevTxid); t.inputs[1]!.vout = t.inputs[0]!.vout; });
  throwsCode(() => sanity(tx), 'bad-txns-inputs-duplicate', 100);
  // Same txid, other vout is a different coin.
  sanity(broken((t) => { t.inputs[1]!.prevTxid = Uint8Array.from(t.inputs[0]!.prevTxid); t.inputs[1]!.vout = 1; }));
});

test('bad-txns-prevout-null: a non-coinbase input spending the null outpoint', () => {
  // With two inputs the transaction is not a coinbase, so its null input spends nothing.
  const tx = broken((t) => { t.inputs[1]!.prevTxid = Uint8Array.from(NULL_HASH); t.inputs[1]!.vout = COINBASE_VOUT; });
  throwsCode(() => sanity(tx), 'bad-txns-prevout-null', 100);
});

test('non-canonical-signature: high-S, r or s zero, r >= n, wrong length', () => {
  const cases: Array<[string, Tx]> = [
    ['s = n/2 + 1 (high-S)', withSig(1n, HALF_N + 1n)],
    ['s = n - 1', withSig(1n, CURVE_N - 1n)],
    ['r = 0', withSig(0n, 1n)],
    ['s = 0', withSig(1n, 0n)],
    ['r = n', withSig(CURVE_N, 1n)],
    ['r = 2^256 - 1', withSig((1n << 256n) - 1n, 1n)],
    ['63 bytes', broken((t) => { t.inputs[0]!.signature = t.inputs[0]!.signature.subarray(0, 63); })],
    ['65 bytes', broken((t) => { t.inputs[0]!.signature = Uint8Array.from([...t.inputs[0]!.signature, 1]); })],
  ];
  for (const [name, tx] of cases) {
    assert.equal(isCanonicalSignature(tx.inputs[0]!.signature), false, name);
    throwsCode(() => sanity(tx), 'non-canonical-signature', 100);
  }
  // The boundaries themselves are canonical.
  assert.equal(isCanonicalSignature(Uint8Array.from([...bigToBytes32(CURVE_N - 1n), ...bigToBytes32(HALF_N)])), true);
  sanity(withSig(1n, 1n));
});

test('bad-pubkey: uncompressed prefix, bad prefix, wrong length', () => {
  const keyed = (pub: Uint8Array): Tx => broken((t) => { t.inputs[0]!.pubKey = pub; });
  const prefixed = (p: number): Uint8Array => { const k = Uint8Array.from(alice.pub); k[0] = p; return k; };
  for (const pub of [prefixed(4), prefixed(0), prefixed(5), alice.pub.subarray(0, 32), new Uint8Array(0), Uint8Array.from([...alice.pub, 0])]) {
    throwsCode(() => sanity(keyed(pub)), 'bad-pubkey', 100);
  }
  sanity(keyed(prefixed(alice.pub[0] === 2 ? 3 : 2)));
});

test('missing-inputs: an unknown or spent coin costs no ban', () => {
  const { tx, coins } = validSpend();
  const e = throwsCode(() => checkTxInputs(tx, new MapView([coins[0]!])), 'missing-inputs', 0);
  assert.match(String(e.meta['outpoint']), /:1$/);
});

test('bad-txns-wrong-owner: the key does not hash to the spent coin\'s owner', () => {
  const { tx, coins } = validSpend();
  const stolen = new MapView([coins[0]!, { ...coins[1]!, key: carol }]);
  throwsCode(() => checkTxInputs(tx, stolen), 'bad-txns-wrong-owner', 100);
});

test('bad-txns-inputvalues-outofrange: input coins summing above the supply', () => {
  const coins = [fakeCoin('max-1', MAX_MONEY, alice), fakeCoin('max-2', 1, bob)];
  const tx = signedTx(coins, [{ value: 1, pubKeyHash: carol.pkh }]);
  sanity(tx);
  throwsCode(() => checkTxInputs(tx, new MapView(coins)), 'bad-txns-inputvalues-outofrange', 100);
  const fine = [fakeCoin('max-1', MAX_MONEY - 1, alice), fakeCoin('max-2', 1, bob)];
  assert.equal(checkTxInputs(signedTx(fine, [{ value: 1, pubKeyHash: carol.pkh }]), new MapView(fine)).fee, MAX_MONEY - 1);
});

test('bad-txns-in-belowout: outputs one unit above the inputs (equal passes, fee 0)', () => {
  const coins = [fakeCoin('exact', 1000, alice)];
  const over = signedTx(coins, [{ value: 1001, pubKeyHash: bob.pkh }]);
  throwsCode(() => checkTxInputs(over, new MapView(coins)), 'bad-txns-in-belowout', 100);
  assert.equal(checkTxInputs(signedTx(coins, [{ value: 1000, pubKeyHash: bob.pkh }]), new MapView(coins)).fee, 0);
});

test('bad-signature: a flipped signature bit, and a signature by the wrong key', () => {
  const { tx, view } = validSpend();
  const flipped = cloneTx(tx);
  flipped.inputs[1]!.signature[10]! ^= 1;
  sanity(flipped);
  for (const verify of [verifyFast, verifyNoble]) {
    throwsCode(() => verifySigChecks(checkTxInputs(flipped, view).sigChecks, verify), 'bad-signature', 100);
  }
  // alice's signature over bob's input: right message, right owner key hash, wrong signer.
  const swapped = cloneTx(tx);
  swapped.inputs[1]!.signature = Uint8Array.from(tx.inputs[0]!.signature);
  throwsCode(() => verifySigChecks(checkTxInputs(swapped, view).sigChecks, verifyFast), 'bad-signature', 100);
});
