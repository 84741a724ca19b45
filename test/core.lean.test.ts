// The connect path's cheaper encodings (lean connect) against the general forms
// they stand in for: the same bytes, or the same verdict, every time.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, ByteWriter } from '../src/core/bytes.js';
import { parseCoin, serializeCoin } from '../src/core/coin.js';
import { hasDuplicateLeaves } from '../src/core/merkle.js';
import { sighash, sighashes } from '../src/core/sighash.js';
import { checkTxSanity } from '../src/core/validate.js';
import { outpointKey, Tx, TX_VERSION } from '../src/core/tx.js';
import { REGTEST } from '../src/core/params.js';
import { parseUndo, serializeSpent, serializeUndo } from '../src/chain/undoData.js';
import { bob, throwsCode, validSpend } from './helpers/coreFixtures.js';

let seed = 12345;
const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const randBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rnd(256));

function randomTx(inputs: number, outputs: number): Tx {
  return {
    version: rnd(2) ? TX_VERSION : 0xfffffff0 + rnd(15),
    inputs: Array.from({ length: inputs }, () => ({ prevTxid: randBytes(32), vout: rnd(2) ? rnd(4) : 0x80000000 + rnd(1000), signature: randBytes(64), pubKey: randBytes(33) })),
    outputs: Array.from({ length: outputs }, () => ({ value: rnd(2) ? rnd(100000) : 2 ** 52 + rnd(1000), pubKeyHash: randBytes(20) })),
  };
}

test('sighashes gives, input by input, the bytes sighash gives', () => {
  for (let n = 0; n < 60; n++) {
    const tx = randomTx(1 + rnd(5), 1 + rnd(4));
    const spent = tx.inputs.map(() => ({ value: rnd(2) ? rnd(1_000_000) : 2 ** 53 - 1 - rnd(10), pubKeyHash: randBytes(20) }));
    const all = sighashes(tx, spent);
    assert.equal(all.length, tx.inputs.length);
    all.forEach((m, i) => assert.deepEqual(m, sighash(tx, i, spent[i]!)));
    // Results are fresh arrays, not views of a shared buffer.
    if (all.length > 1) assert.notEqual(all[0]!.buffer, all[1]!.buffer);
  }
});

test('ByteWriter and ByteReader integers equal DataView little-endian at the edges', () => {
  const u32s = [0, 1, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
  const u64s = [0, 1, 0xffffffff, 0x100000000, 2 ** 52 + 7, Number.MAX_SAFE_INTEGER];
  const w = new ByteWriter(2);
  for (const v of u32s) w.u32(v);
  for (const v of u64s) w.u64(v);
  for (const v of [0, 0xfc, 0xfd, 0xffff, 0x10000, 0xffffffff, 0x100000000]) w.varint(v);
  const bytes = w.finish();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  u32s.forEach((v, i) => assert.equal(dv.getUint32(i * 4, true), v));
  u64s.forEach((v, i) => assert.equal(Number(dv.getBigUint64(u32s.length * 4 + i * 8, true)), v));
  const r = new ByteReader(bytes);
  for (const v of u32s) assert.equal(r.u32(), v);
  for (const v of u64s) assert.equal(r.u64(), v);
  for (const v of [0, 0xfc, 0xfd, 0xffff, 0x10000, 0xffffffff, 0x100000000]) assert.equal(r.varint(), v);
  r.end();
  // Above 2^53 is refused, and a copy owns its bytes.
  throwsCode(() => new ByteReader(Uint8Array.of(0, 0, 0, 0, 0, 0, 0x20, 0)).u64(), 'bad-encoding', 20);
  const src = Uint8Array.of(1, 2, 3);
  const c = new ByteReader(src).copy(3);
  src[0] = 9;
  assert.deepEqual(c, Uint8Array.of(1, 2, 3));
});

test('coins round-trip through their 33 bytes, and undo written from outpoint keys equals undo written from outpoints', () => {
  const spent = Array.from({ length: 40 }, (_, i) => ({
    txid: randBytes(32), vout: i % 3 === 0 ? 0xffffff00 + i : i,
    coin: { value: i % 2 ? 2 ** 53 - 1 - i : i, pubKeyHash: randBytes(20), height: i * 1000, coinbase: i % 5 === 0 },
  }));
  for (const s of spent) assert.deepEqual(parseCoin(serializeCoin(s.coin)), s.coin);
  const fromKeys = serializeSpent(spent.map((s) => ({ key: outpointKey(s.txid, s.vout), coin: s.coin })));
  assert.deepEqual(fromKeys, serializeUndo(spent));
  assert.deepEqual(parseUndo(fromKeys), spent);
  assert.deepEqual(serializeSpent([]), serializeUndo([]));
});

test('a repeated outpoint is caught with two inputs and with more, wherever the repeat is', () => {
  const base = validSpend('dup').tx;
  const make = (n: number, a: number, b: number): Tx => {
    const inputs = Array.from({ length: n }, (_, i) => ({ ...base.inputs[0]!, prevTxid: Uint8Array.from(randBytes(32)), vout: i }));
    inputs[b] = { ...inputs[b]!, prevTxid: Uint8Array.from(inputs[a]!.prevTxid), vout: inputs[a]!.vout };
    return { ...base, inputs, outputs: [{ value: 1, pubKeyHash: bob.pkh }] };
  };
  for (const [n, a, b] of [[2, 0, 1], [3, 0, 2], [3, 1, 2], [5, 2, 4]] as const) throwsCode(() => checkTxSanity(make(n, a, b), REGTEST), 'bad-txns-inputs-duplicate', 100);
  // Same txid with another vout is another coin.
  const ok = make(2, 0, 1);
  ok.inputs[1] = { ...ok.inputs[1]!, vout: 7 };
  checkTxSanity(ok, REGTEST);
});

test('hasDuplicateLeaves gives the verdict a set of byte strings gives, for any count and any repeat position', () => {
  const bySet = (leaves: Uint8Array[]): boolean => new Set(leaves.map((l) => Buffer.from(l).toString('hex'))).size !== leaves.length;
  const cases: Uint8Array[][] = [[], [randBytes(32)], [new Uint8Array(32), new Uint8Array(32)]];
  for (const n of [2, 3, 7, 8, 9, 16, 17, 100, 1000, 4097]) {
    const ids = Array.from({ length: n }, () => randBytes(32));
    cases.push(ids);
    // A repeat at the ends, in the middle, and of the last (CVE-2012-2459), as a copy in another buffer.
    for (const [a, b] of [[0, n - 1], [n - 2, n - 1], [Math.floor(n / 3), Math.floor(n / 2)]] as const) {
      if (a === b) continue;
      const dup = [...ids];
      dup[b] = Uint8Array.from(ids[a]!);
      cases.push(dup, [...ids, Uint8Array.from(ids[n - 1]!)]);
    }
    // Leaves alike in their first eight bytes (one slot) that differ later are not repeats, until one is.
    const alike = ids.map((id) => { const c = Uint8Array.from(ids[0]!); c.set(id.subarray(8), 8); return c; });
    cases.push(alike, [...alike, Uint8Array.from(alike[n - 1]!)]);
    // Views into one buffer, as the batch hash kernel returns them.
    const flat = new Uint8Array(32 * n + 5);
    ids.forEach((id, i) => flat.set(id, 5 + 32 * i));
    cases.push(ids.map((_, i) => flat.subarray(5 + 32 * i, 37 + 32 * i)));
  }
  // Other lengths: a prefix is not a repeat.
  cases.push([Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2)], [Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3)], [new Uint8Array(0), new Uint8Array(0)]);
  for (const leaves of cases) assert.equal(hasDuplicateLeaves(leaves), bySet(leaves), `${leaves.length} leaves`);
  // A large call then a small one: the reused table holds nothing of the first.
  const big = Array.from({ length: 3000 }, () => randBytes(32));
  assert.equal(hasDuplicateLeaves([...big, Uint8Array.from(big[0]!)]), true);
  const pair = [randBytes(32), randBytes(32)];
  assert.equal(hasDuplicateLeaves(pair), false);
});

test('parseCoin reads the pubKeyHash in place, and a coin equals its copy-reading twin', () => {
  const coin = { value: 2 ** 53 - 1, pubKeyHash: randBytes(20), height: 123456, coinbase: true };
  const bytes = serializeCoin(coin);
  const parsed = parseCoin(bytes);
  assert.equal(parsed.pubKeyHash.buffer, bytes.buffer);
  assert.equal(parsed.pubKeyHash.byteOffset, bytes.byteOffset + 8);
  assert.deepEqual(parsed, coin);
  throwsCode(() => parseCoin(bytes.subarray(0, 32)), 'bad-encoding', 20);
  throwsCode(() => parseCoin(Uint8Array.from([...bytes, 0])), 'bad-encoding', 20);
});
