// SHA-256, double SHA-256 and HASH160 (src/core/hash.ts, hash-wasm fed through an
// off-heap scratch buffer for small messages) against Node's OpenSSL, at every
// length across the hand-off from the scratch buffer to direct feeding, and for
// inputs that are views into larger buffers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hash160, ripemd160, SCRATCH_BYTES, sha256, sha256d, sha256dInto } from '../src/core/hash.js';

const ref = (alg: string, b: Uint8Array): Buffer => createHash(alg).update(b).digest();
const refD = (b: Uint8Array): Buffer => ref('sha256', ref('sha256', b));
const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 3)) & 0xff);

test('sha256, sha256d and hash160 equal OpenSSL at every length from 0 to past the scratch buffer', () => {
  for (let n = 0; n <= SCRATCH_BYTES + 140; n++) {
    const m = bytes(n, n);
    assert.deepEqual(Buffer.from(sha256(m)), ref('sha256', m), `sha256 of ${n} bytes`);
    assert.deepEqual(Buffer.from(sha256d(m)), refD(m), `sha256d of ${n} bytes`);
    assert.deepEqual(Buffer.from(hash160(m)), ref('ripemd160', ref('sha256', m)), `hash160 of ${n} bytes`);
  }
});

test('long messages, views at an offset, and digests written into a given buffer', () => {
  for (const n of [4096, 10_001]) {
    const m = bytes(n, 3);
    assert.deepEqual(Buffer.from(sha256(m)), ref('sha256', m));
    assert.deepEqual(Buffer.from(ripemd160(m)), ref('ripemd160', m));
  }
  const big = bytes(300, 9);
  const view = big.subarray(17, 17 + 119);
  assert.deepEqual(Buffer.from(sha256d(view)), refD(view));
  // Writing into a given buffer at an offset leaves the rest alone.
  const out = new Uint8Array(40).fill(0xaa);
  sha256dInto(view, out, 4);
  assert.deepEqual(Buffer.from(out.subarray(4, 36)), refD(view));
  assert.ok(out.subarray(0, 4).every((b) => b === 0xaa) && out.subarray(36).every((b) => b === 0xaa));
});

test('each call returns a fresh digest: results are never overwritten by the next hash', () => {
  const a = sha256d(bytes(36, 1));
  const b = sha256d(bytes(36, 2));
  assert.notDeepEqual(a, b);
  assert.deepEqual(Buffer.from(a), refD(bytes(36, 1)));
});
