// The JavaScript SHA-256 behind txids and sighashes (src/core/sha256.ts) against
// Node's OpenSSL, at every length across the padding edges and the hand-off to
// hash-wasm, and for inputs that are views into larger buffers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hash160, JS_MAX, sha256, sha256d } from '../src/core/hash.js';
import { sha256dJs, sha256Js } from '../src/core/sha256.js';

const ref = (alg: string, b: Uint8Array): Buffer => createHash(alg).update(b).digest();
const refD = (b: Uint8Array): Buffer => ref('sha256', ref('sha256', b));
const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 3)) & 0xff);

test('sha256, sha256d and hash160 equal OpenSSL at every length from 0 to past the hash-wasm threshold', () => {
  for (let n = 0; n <= JS_MAX + 140; n++) {
    const m = bytes(n, n);
    assert.deepEqual(Buffer.from(sha256(m)), ref('sha256', m), `sha256 of ${n} bytes`);
    assert.deepEqual(Buffer.from(sha256d(m)), refD(m), `sha256d of ${n} bytes`);
    assert.deepEqual(Buffer.from(hash160(m)), ref('ripemd160', ref('sha256', m)), `hash160 of ${n} bytes`);
  }
});

test('the JavaScript rounds agree with OpenSSL on long messages and on views at an offset', () => {
  for (const n of [1000, 4096, 10_001]) {
    const m = bytes(n, 3);
    assert.deepEqual(Buffer.from(sha256Js(m)), ref('sha256', m));
    assert.deepEqual(Buffer.from(sha256dJs(m)), refD(m));
  }
  const big = bytes(300, 9);
  const view = big.subarray(17, 17 + 119);
  assert.deepEqual(Buffer.from(sha256d(view)), refD(view));
  // Writing into a given buffer at an offset leaves the rest alone.
  const out = new Uint8Array(40).fill(0xaa);
  sha256dJs(view, out, 4);
  assert.deepEqual(Buffer.from(out.subarray(4, 36)), refD(view));
  assert.ok(out.subarray(0, 4).every((b) => b === 0xaa) && out.subarray(36).every((b) => b === 0xaa));
});

test('each call returns a fresh digest: results are never overwritten by the next hash', () => {
  const a = sha256d(bytes(36, 1));
  const b = sha256d(bytes(36, 2));
  assert.notDeepEqual(a, b);
  assert.deepEqual(Buffer.from(a), refD(bytes(36, 1)));
});
