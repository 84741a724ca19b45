// SHA-256, double SHA-256 and HASH160. Messages below JS_MAX bytes (every
// txid, sighash, Merkle pair and key hash of a block) are hashed in plain
// JavaScript (sha256.ts); longer ones, and RIPEMD-160, on hash-wasm hashers
// created once at load. Either way hashing is synchronous after the top-level
// await, so the pure consensus code can call it without becoming async.
import { createRIPEMD160, createSHA256 } from 'hash-wasm';
import { sha256dJs, sha256Js } from './sha256.js';

const sha = await createSHA256();
const ripemd = await createRIPEMD160();

/** Below this many bytes the JavaScript rounds beat hash-wasm's per-call cost (bench/micro on 2 cores). */
export const JS_MAX = 512;

/** An off-heap 32-byte buffer for the SHA-256 inside HASH160: hash-wasm reads it without V8 moving it off the heap first. */
const inner = new Uint8Array(new ArrayBuffer(32));

function sha256Wasm(data: Uint8Array): Uint8Array {
  sha.init();
  sha.update(data);
  return sha.digest('binary');
}

export function sha256(data: Uint8Array): Uint8Array {
  return data.length < JS_MAX ? sha256Js(data) : sha256Wasm(data);
}

export function sha256d(data: Uint8Array): Uint8Array {
  return data.length < JS_MAX ? sha256dJs(data) : sha256Js(sha256Wasm(data));
}

/** sha256d written into `out` at `at` (no fresh array): for digests that are part of a longer message. */
export function sha256dInto(data: Uint8Array, out: Uint8Array, at: number): Uint8Array {
  if (data.length < JS_MAX) return sha256dJs(data, out, at);
  out.set(sha256d(data), at);
  return out;
}

export function ripemd160(data: Uint8Array): Uint8Array {
  ripemd.init();
  ripemd.update(data);
  return ripemd.digest('binary');
}

export function hash160(data: Uint8Array): Uint8Array {
  if (data.length >= JS_MAX) return ripemd160(sha256Wasm(data));
  return ripemd160(sha256Js(data, inner));
}
