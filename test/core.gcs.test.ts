// BIP158 Golomb-Rice coded sets and SipHash-2-4 against their published vectors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex, reversed, toHex } from '../src/core/bytes.js';
import { ValidationError } from '../src/core/errors.js';
import { buildFilter, decodeFilter, filterHeader, filterMatchesAny, GCS_M } from '../src/core/gcs.js';
import { siphash24, sipKey } from '../src/core/siphash.js';
import { BIP158_VECTORS, bitcoinOutputScripts } from './helpers/bip158Vectors.js';

const seq = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);

test('SipHash-2-4 matches the reference vectors (key 00..0f, messages 00..n-1)', () => {
  const key = sipKey(seq(16));
  // The SipHash paper's vectors, as u64 numbers (their bytes are little-endian).
  assert.equal(siphash24(key, seq(0)), 0x726fdb47dd0e0e31n);
  assert.equal(siphash24(key, seq(1)), 0x74f839c593dc67fdn);
  assert.equal(siphash24(key, seq(7)), 0xab0200f58b01d137n);
  assert.equal(siphash24(key, seq(8)), 0x93f5f5799a932462n);
  assert.equal(siphash24(key, seq(15)), 0xa129ca6149be45e5n);
  assert.equal(siphash24(key, seq(63)), 0x958a324ceb064572n);
});

for (const [height, hashHex, blockHex, prevScripts, prevHeaderHex, filterHex, headerHex, note] of BIP158_VECTORS) {
  test(`BIP158 vector at height ${height}${note ? ` (${note})` : ''}: filter bytes and filter header`, () => {
    // The basic filter's elements: every output script but empty and OP_RETURN ones, and every spent output's script.
    const outputs = bitcoinOutputScripts(fromHex(blockHex)).filter((s) => s.length > 0 && s[0] !== 0x6a);
    const spent = prevScripts.map(fromHex).filter((s) => s.length > 0);
    const key = reversed(fromHex(hashHex)).subarray(0, 16);
    const filter = buildFilter([...outputs, ...spent], key);
    assert.equal(toHex(filter), filterHex);
    assert.equal(toHex(reversed(filterHeader(filter, reversed(fromHex(prevHeaderHex))))), headerHex);
    for (const e of [...outputs, ...spent]) assert.equal(filterMatchesAny(filter, key, [e]), true);
  });
}

test('a filter decodes to as many sorted values as distinct elements, and every element matches', () => {
  const key = seq(16);
  const elements = Array.from({ length: 300 }, (_, i) => Uint8Array.of(i & 0xff, i >> 8, 7, 7));
  const filter = buildFilter([...elements, ...elements.slice(0, 50)], key);
  const { n, values } = decodeFilter(filter);
  assert.equal(n, 300);
  for (let i = 1; i < values.length; i++) assert.ok(values[i]! >= values[i - 1]!);
  assert.ok(values.at(-1)! < 300 * GCS_M);
  for (const e of elements) assert.equal(filterMatchesAny(filter, key, [Uint8Array.of(1, 2), e]), true);
  assert.equal(filterMatchesAny(buildFilter([], key), key, elements), false);
  assert.equal(toHex(buildFilter([], key)), '00');
});

test('elements not in a filter match at about 1/M', () => {
  const key = Uint8Array.from({ length: 16 }, (_, i) => 200 - i);
  const members = Array.from({ length: 1000 }, (_, i) => Uint8Array.of(1, i & 0xff, i >> 8));
  const filter = buildFilter(members, key);
  let hits = 0;
  const tries = 20_000;
  for (let i = 0; i < tries; i++) if (filterMatchesAny(filter, key, [Uint8Array.of(2, i & 0xff, i >> 8)])) hits++;
  // Expected 20000 / 784931 ≈ 0.025 hits: more than 5 would mean the coding is far off 1/M.
  assert.ok(hits <= 5, `${hits} false positives in ${tries}`);
});

test('hostile filter bytes give a bad-encoding error, never a hang or a wrong answer', () => {
  const key = seq(16);
  const good = buildFilter([Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)], key);
  const cases: Uint8Array[] = [
    new Uint8Array(0), // no count
    good.subarray(0, good.length - 2), // truncated
    Uint8Array.of(0xfe, 0xff, 0xff, 0xff, 0x0f, 0, 0), // a count the bytes cannot hold
    Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff), // a unary run that never ends
    Uint8Array.of(...good, 0, 0), // trailing bytes
  ];
  for (const c of cases) assert.throws(() => decodeFilter(c), (e: unknown) => e instanceof ValidationError && e.code === 'bad-encoding', toHex(c));
});
