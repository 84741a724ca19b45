// SHA-256, double SHA-256 and HASH160 on hash-wasm hashers created once at load.
// Single-message hashing is synchronous after the top-level await, so the pure
// consensus code can call it without becoming async.
//
// hash-wasm reads its input through `.buffer`, and for a small Uint8Array on
// V8's heap (every txid, sighash preimage and public key of a block) that read
// first moves the bytes off the heap: an allocation per call that costs more
// than the rounds. So messages up to SCRATCH_BYTES are copied into one off-heap
// buffer first, and the hasher reads views of it made once at load.
import { createRIPEMD160, createSHA256, IHasher } from 'hash-wasm';

const sha = await createSHA256();
const ripemd = await createRIPEMD160();

/** Messages up to this size go through the off-heap scratch buffer; longer ones are fed as they are. */
export const SCRATCH_BYTES = 1024;
const scratch = new Uint8Array(new ArrayBuffer(SCRATCH_BYTES));
const views: Uint8Array[] = Array.from({ length: SCRATCH_BYTES + 1 }, (_, n) => scratch.subarray(0, n));

function feed(h: IHasher, data: Uint8Array): void {
  if (data.length > SCRATCH_BYTES) {
    h.update(data);
    return;
  }
  scratch.set(data);
  h.update(views[data.length]!);
}

export function sha256(data: Uint8Array): Uint8Array {
  sha.init();
  feed(sha, data);
  return sha.digest('binary');
}

export function sha256d(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/** sha256d written into `out` at `at`: for digests that are part of a longer message. */
export function sha256dInto(data: Uint8Array, out: Uint8Array, at: number): Uint8Array {
  out.set(sha256d(data), at);
  return out;
}

/**
 * SHA256d of `count` messages lying back to back in `bytes`, message i ending
 * at ends[i] (message 0 starts at 0): digest i is bytes [32i, 32i + 32) of
 * the result, a new array. The block-sized batch form (txids, sighashes); the
 * chain passes the WASM kernel's (src/wasm/hashBatch.ts), this is the reference.
 */
export type Sha256dSpans = (bytes: Uint8Array, ends: readonly number[], count: number) => Uint8Array;

/** A Sha256dSpans of any digest: `hash` of each message, digest i at bytes [size*i, size*i + size). */
function spansOf(hash: (data: Uint8Array) => Uint8Array, size: number): Sha256dSpans {
  return (bytes, ends, count) => {
    const out = new Uint8Array(count * size);
    for (let i = 0, start = 0; i < count; i++) {
      out.set(hash(bytes.subarray(start, ends[i]!)), size * i);
      start = ends[i]!;
    }
    return out;
  };
}

/** The batched hashes a block's checks use; the chain passes the WASM kernel's (src/wasm/hashBatch.ts). */
export interface BatchHashers {
  sha256d: Sha256dSpans;
  /** HASH160 of each message, like Sha256dSpans: digest i is bytes [20i, 20i + 20). */
  hash160: Sha256dSpans;
}

export const batchHashersJs: BatchHashers = { sha256d: spansOf(sha256d, 32), hash160: spansOf(hash160, 20) };

/** Digest i of a Sha256dSpans result, as a view. */
export const spanDigest = (digests: Uint8Array, i: number): Uint8Array => digests.subarray(32 * i, 32 * i + 32);

export function ripemd160(data: Uint8Array): Uint8Array {
  ripemd.init();
  feed(ripemd, data);
  return ripemd.digest('binary');
}

export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}
