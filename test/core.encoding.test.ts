// Canonical bytes: every object has exactly one encoding. Parsing then
// serializing gives back the same bytes; truncated, padded, non-minimal or
// oversized variants fail with 'bad-encoding' (ban 20); arbitrary bytes never
// throw anything but a ValidationError.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { parseBlock, serializeBlock } from '../src/core/block.js';
import { concatBytes } from '../src/core/bytes.js';
import { ValidationError } from '../src/core/errors.js';
import { HEADER_SIZE, headerHash, parseHeader, serializeHeader } from '../src/core/header.js';
import { REGTEST } from '../src/core/params.js';
import { parseTx, serializeTx, Tx, txid } from '../src/core/tx.js';
import { coinbaseFor, throwsCode, validBlock, validSpend } from './helpers/coreFixtures.js';

const MAX = REGTEST.maxBlockSize;
const spendBytes = serializeTx(validSpend().tx);
const blockBytes = serializeBlock(validBlock().block);

/** Replaces `len` bytes at `at` with `bytes`. */
function splice(src: Uint8Array, at: number, len: number, bytes: number[]): Uint8Array {
  return concatBytes(src.subarray(0, at), Uint8Array.from(bytes), src.subarray(at + len));
}

function onlyTyped(fn: () => unknown): void {
  try { fn(); } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
  }
}

test('tx, header and block bytes round-trip exactly', () => {
  const { block } = validBlock();
  for (const tx of [validSpend().tx, coinbaseFor(9, 1)]) {
    const bytes = serializeTx(tx);
    assert.deepEqual(parseTx(bytes), tx);
    assert.deepEqual(serializeTx(parseTx(bytes)), bytes);
  }
  const h = serializeHeader(block.header);
  assert.equal(h.length, HEADER_SIZE);
  assert.deepEqual(serializeHeader(parseHeader(h)), h);
  assert.deepEqual(parseBlock(blockBytes, MAX), block);
  assert.deepEqual(serializeBlock(parseBlock(blockBytes, MAX)), blockBytes);
});

test('every structurally valid transaction survives serialize -> parse -> serialize (property)', () => {
  const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
  const input = fc.record({ prevTxid: bytes(32, 32), vout: fc.nat({ max: 0xffffffff }), signature: bytes(0, 100), pubKey: bytes(0, 33) }, { noNullPrototype: true });
  const output = fc.record({ value: fc.maxSafeNat(), pubKeyHash: bytes(20, 20) }, { noNullPrototype: true });
  const tx = fc.record({ version: fc.nat({ max: 0xffffffff }), inputs: fc.array(input, { maxLength: 4 }), outputs: fc.array(output, { maxLength: 4 }) }, { noNullPrototype: true });
  fc.assert(fc.property(tx, (t: Tx) => {
    const b = serializeTx(t);
    const back = parseTx(b);
    assert.deepEqual(back, t);
    assert.deepEqual(serializeTx(back), b);
  }), { numRuns: 300 });
});

test('bad-encoding: every truncation of a transaction, a header and a block', () => {
  for (let n = 0; n < spendBytes.length; n++) throwsCode(() => parseTx(spendBytes.subarray(0, n)), 'bad-encoding', 20);
  const h = blockBytes.subarray(0, HEADER_SIZE);
  for (let n = 0; n < HEADER_SIZE; n++) throwsCode(() => parseHeader(h.subarray(0, n)), 'bad-encoding', 20);
  for (let n = 0; n < blockBytes.length; n++) throwsCode(() => parseBlock(blockBytes.subarray(0, n), MAX), 'bad-encoding', 20);
});

test('bad-encoding: trailing bytes after a transaction, a header and a block', () => {
  throwsCode(() => parseTx(concatBytes(spendBytes, Uint8Array.of(0))), 'bad-encoding', 20);
  throwsCode(() => parseHeader(concatBytes(blockBytes.subarray(0, HEADER_SIZE), Uint8Array.of(0))), 'bad-encoding', 20);
  throwsCode(() => parseBlock(concatBytes(blockBytes, Uint8Array.of(0)), MAX), 'bad-encoding', 20);
});

test('bad-encoding: non-minimal varints for a count and for a length', () => {
  // Offsets in the spend: version (4), input count (1), txid (32), vout (4), signature length (1).
  assert.equal(spendBytes[4], 2);
  assert.equal(spendBytes[41], 64);
  for (const variant of [[0xfd, 2, 0], [0xfe, 2, 0, 0, 0], [0xff, 2, 0, 0, 0, 0, 0, 0, 0]]) {
    throwsCode(() => parseTx(splice(spendBytes, 4, 1, variant)), 'bad-encoding', 20);
  }
  throwsCode(() => parseTx(splice(spendBytes, 41, 1, [0xfd, 64, 0])), 'bad-encoding', 20);
  // The block's transaction count, too.
  assert.equal(blockBytes[HEADER_SIZE], 2);
  throwsCode(() => parseBlock(splice(blockBytes, HEADER_SIZE, 1, [0xfd, 2, 0]), MAX), 'bad-encoding', 20);
});

test('bad-encoding: an amount above 2^53, an over-long signature or key, and counts the bytes cannot hold', () => {
  const lastValue = spendBytes.length - 28;
  const top = Uint8Array.from(spendBytes);
  top[lastValue + 6] = 0x20; // 2^53: beyond what a JS number carries exactly
  throwsCode(() => parseTx(top), 'bad-encoding', 20);
  const safe = Uint8Array.from(spendBytes);
  safe.fill(0xff, lastValue, lastValue + 6);
  safe[lastValue + 6] = 0x1f;
  safe[lastValue + 7] = 0;
  assert.equal(parseTx(safe).outputs[1]!.value, Number.MAX_SAFE_INTEGER);

  const sig101 = splice(spendBytes, 41, 65, [101, ...new Uint8Array(101)]);
  throwsCode(() => parseTx(sig101), 'bad-encoding', 20);
  const key34 = splice(spendBytes, 41 + 65, 34, [34, ...new Uint8Array(34)]);
  throwsCode(() => parseTx(key34), 'bad-encoding', 20);
  const key65 = splice(spendBytes, 41 + 65, 34, [65, 4, ...new Uint8Array(64)]);
  throwsCode(() => parseTx(key65), 'bad-encoding', 20);

  throwsCode(() => parseTx(splice(spendBytes, 4, 1, [0xfe, 0xff, 0xff, 0xff, 0x0f])), 'bad-encoding', 20);
  const outCount = spendBytes.length - 2 * 28 - 1;
  assert.equal(spendBytes[outCount], 2);
  throwsCode(() => parseTx(splice(spendBytes, outCount, 1, [0xfd, 0xff, 0xff])), 'bad-encoding', 20);
  throwsCode(() => parseBlock(splice(blockBytes, HEADER_SIZE, 1, [0xfe, 0xff, 0xff, 0xff, 0xff]), MAX), 'bad-encoding', 20);
  // 2^32 elements is not even an allocatable array: the count must be refused before any allocation.
  const count2p32 = [0xff, 0, 0, 0, 0, 1, 0, 0, 0];
  throwsCode(() => parseTx(splice(spendBytes, 4, 1, count2p32)), 'bad-encoding', 20);
  throwsCode(() => parseTx(splice(spendBytes, outCount, 1, count2p32)), 'bad-encoding', 20);
  throwsCode(() => parseBlock(splice(blockBytes, HEADER_SIZE, 1, count2p32), MAX), 'bad-encoding', 20);
});

test('header: any length but 80 is bad-encoding', () => {
  for (const n of [0, 79, 81, 160]) throwsCode(() => parseHeader(new Uint8Array(n)), 'bad-encoding', 20);
  assert.equal(parseHeader(new Uint8Array(80)).bits, 0);
});

test('random bytes and single-byte corruptions never throw anything but a ValidationError (property)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
    onlyTyped(() => parseTx(b));
    onlyTyped(() => parseBlock(b, MAX));
    onlyTyped(() => parseHeader(b));
  }), { numRuns: 500 });
  fc.assert(fc.property(fc.nat({ max: blockBytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
    const b = Uint8Array.from(blockBytes);
    b[at]! ^= xor;
    onlyTyped(() => {
      // Whatever parses must be canonical: it re-serializes to the very same bytes.
      assert.deepEqual(serializeBlock(parseBlock(b, MAX)), b);
    });
  }), { numRuns: 500 });
});

test('txid and block hash are SHA256d of the canonical bytes (checked with node:crypto)', () => {
  const sha256d = (b: Uint8Array): Buffer => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
  assert.deepEqual(Buffer.from(txid(parseTx(spendBytes))), sha256d(spendBytes));
  assert.deepEqual(Buffer.from(headerHash(parseHeader(blockBytes.subarray(0, HEADER_SIZE)))), sha256d(blockBytes.subarray(0, HEADER_SIZE)));
});
