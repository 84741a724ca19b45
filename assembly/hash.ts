// SHA256d of many messages in one call: a block's txids, its sighash
// preimages and their per-transaction digests. JS lays the messages out in
// linear memory and a job table of (address u32, length u32) pairs; digest i
// goes to outPtr + 32 * i. Messages may have any length and sit anywhere, but
// outputs must not overlap unread messages.
//
// The SIMD build hashes four consecutive jobs at once (one per lane) when
// they pad to the same number of 64-byte blocks, which is the common case:
// transactions of one shape, preimages of one length. Other jobs take the
// scalar path, one at a time.
//
// JS owns all memory from dataPtr() up and grows the memory itself.
import {
  IV, PAD_WORD, loadBE, copyWords, compress,
  vsplat, vexpand, vrounds, vaddState, initVectorK, vLoadBlocks, vSecondHashStore,
} from './sha256';

const LEN_HASH: u32 = 256;

const W: usize = memory.data(256, 16);
const ST: usize = memory.data(32, 16);
const SCRATCH: usize = memory.data(32, 16);
/** One padded 64-byte block per lane. */
const LANES: usize = memory.data(4 * 64, 16);

const VW: usize = memory.data(64 * 16, 16);
const VW2: usize = memory.data(64 * 16, 16);
const VST: usize = memory.data(8 * 16, 16);
const VIV: usize = memory.data(8 * 16, 16);

if (ASC_FEATURE_SIMD) {
  initVectorK();
  for (let i: usize = 0; i < 8; i++) v128.store(VIV + (i << 4), vsplat(load<u32>(IV + (i << 2))));
  // Words 8..15 of the second hash's block: fixed padding for a 32-byte message.
  v128.store(VW2 + 8 * 16, vsplat(PAD_WORD));
  v128.store(VW2 + 15 * 16, vsplat(LEN_HASH));
}

/** First byte JS may use: past every static buffer, 16-byte aligned. */
export function dataPtr(): usize {
  return (__heap_base + 15) & ~15;
}

/** Blocks a message of `len` bytes pads to (0x80, then the 64-bit bit length). */
// @ts-ignore: decorator
@inline function blockCount(len: u32): u32 { return (len + 9 + 63) >>> 6; }

/** Block `b` of the padded message (`ptr`, `len`, `blocks` in all) as its 64 bytes at `dst`. */
function padBlock(ptr: usize, len: u32, b: u32, blocks: u32, dst: usize): void {
  const start = b << 6;
  if (start + 64 <= len) {
    memory.copy(dst, ptr + start, 64);
    return;
  }
  const have = len > start ? len - start : 0;
  memory.copy(dst, ptr + start, have);
  memory.fill(dst + have, 0, 64 - have);
  // The terminator follows the last message byte, in this block or the one before the length.
  if (len >= start) store<u8>(dst + have, 0x80);
  if (b == blocks - 1) store<u32>(dst + 60, bswap<u32>(len << 3));
}

/** SHA256d of one message into `out`. */
function hashOne(ptr: usize, len: u32, out: usize): void {
  const blocks = blockCount(len);
  copyWords(ST, IV, 8);
  for (let b: u32 = 0; b < blocks; b++) {
    padBlock(ptr, len, b, blocks, LANES);
    for (let i: usize = 0; i < 16; i++) store<u32>(W + (i << 2), loadBE(LANES + (i << 2)));
    compress(ST, W, SCRATCH);
  }
  memory.fill(W, 0, 64);
  copyWords(W, ST, 8);
  store<u32>(W, PAD_WORD, 32);
  store<u32>(W, LEN_HASH, 60);
  copyWords(ST, IV, 8);
  compress(ST, W, SCRATCH);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(ST + i)));
}

/** SHA256d of the four jobs at `jobs` (same block count) into out, out + 32, out + 64, out + 96. */
function hashFour(jobs: usize, blocks: u32, out: usize): void {
  memory.copy(VST, VIV, 128);
  for (let b: u32 = 0; b < blocks; b++) {
    for (let j: usize = 0; j < 4; j++) {
      padBlock(<usize>load<u32>(jobs + (j << 3)), load<u32>(jobs + (j << 3), 4), b, blocks, LANES + (j << 6));
    }
    vLoadBlocks(VW, LANES);
    vexpand(VW, 16, 64);
    memory.copy(VW2, VST, 128);
    vrounds(VST, VW, 0, 64);
    vaddState(VST, VW2);
  }
  // VW2's words 8..15 hold the padding (set at instantiation, never overwritten).
  vSecondHashStore(VST, VW2, VIV, out);
}

export function sha256dBatch(jobs: usize, count: u32, outPtr: usize): void {
  let i: u32 = 0;
  while (i < count) {
    const job = jobs + (<usize>i << 3);
    if (ASC_FEATURE_SIMD) {
      if (i + 4 <= count) {
        const blocks = blockCount(load<u32>(job, 4));
        if (blockCount(load<u32>(job, 12)) == blocks && blockCount(load<u32>(job, 20)) == blocks && blockCount(load<u32>(job, 28)) == blocks) {
          hashFour(job, blocks, outPtr + (<usize>i << 5));
          i += 4;
          continue;
        }
      }
    }
    hashOne(<usize>load<u32>(job), load<u32>(job, 4), outPtr + (<usize>i << 5));
    i++;
  }
}

// ---------------------------------------------------------------- HASH160

const RMD_R: usize = memory.data<u8>([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
  3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
  1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
  4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
]);
const RMD_R2: usize = memory.data<u8>([
  5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
  6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
  15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
  8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
  12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
]);
const RMD_S: usize = memory.data<u8>([
  11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
  7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
  11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
  11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
  9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
]);
const RMD_S2: usize = memory.data<u8>([
  8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
  9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
  9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
  15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
  8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
]);
const RMD_K: usize = memory.data<u32>([0x00000000, 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xa953fd4e]);
const RMD_K2: usize = memory.data<u32>([0x50a28be6, 0x5c4dd124, 0x6d703ef3, 0x7a6d76e9, 0x00000000]);
/** The RIPEMD-160 message block (16 little-endian words). */
const X: usize = memory.data(64, 16);

// @ts-ignore: decorator
@inline function rmdF(j: u32, x: u32, y: u32, z: u32): u32 {
  if (j == 0) return x ^ y ^ z;
  if (j == 1) return (x & y) | (~x & z);
  if (j == 2) return (x | ~y) ^ z;
  if (j == 3) return (x & z) | (y & ~z);
  return x ^ (y | ~z);
}

/** RIPEMD-160 of the 32-byte big-endian SHA-256 state at ST, 20 bytes to `out`. */
function ripemdOfState(out: usize): void {
  for (let i: usize = 0; i < 8; i++) store<u32>(X + (i << 2), bswap<u32>(load<u32>(ST + (i << 2))));
  store<u32>(X, 0x80, 32);
  for (let i: usize = 9; i < 16; i++) store<u32>(X + (i << 2), 0);
  store<u32>(X, 256, 56);
  const h0: u32 = 0x67452301, h1: u32 = 0xefcdab89, h2: u32 = 0x98badcfe, h3: u32 = 0x10325476, h4: u32 = 0xc3d2e1f0;
  let a = h0, b = h1, c = h2, d = h3, e = h4;
  let a2 = h0, b2 = h1, c2 = h2, d2 = h3, e2 = h4;
  for (let j: u32 = 0; j < 80; j++) {
    const round = j >>> 4;
    let t = rotl<u32>(a + rmdF(round, b, c, d) + load<u32>(X + (<usize>load<u8>(RMD_R + j) << 2)) + load<u32>(RMD_K + (<usize>round << 2)), load<u8>(RMD_S + j)) + e;
    a = e; e = d; d = rotl<u32>(c, 10); c = b; b = t;
    t = rotl<u32>(a2 + rmdF(4 - round, b2, c2, d2) + load<u32>(X + (<usize>load<u8>(RMD_R2 + j) << 2)) + load<u32>(RMD_K2 + (<usize>round << 2)), load<u8>(RMD_S2 + j)) + e2;
    a2 = e2; e2 = d2; d2 = rotl<u32>(c2, 10); c2 = b2; b2 = t;
  }
  store<u32>(out, h1 + c + d2, 0);
  store<u32>(out, h2 + d + e2, 4);
  store<u32>(out, h3 + e + a2, 8);
  store<u32>(out, h4 + a + b2, 12);
  store<u32>(out, h0 + b + c2, 16);
}

/** HASH160 (RIPEMD-160 of SHA-256) of each job's message; digest i goes to outPtr + 20 * i. */
export function hash160Batch(jobs: usize, count: u32, outPtr: usize): void {
  for (let i: u32 = 0; i < count; i++) {
    const job = jobs + (<usize>i << 3);
    const ptr = <usize>load<u32>(job), len = load<u32>(job, 4), blocks = blockCount(len);
    copyWords(ST, IV, 8);
    for (let b: u32 = 0; b < blocks; b++) {
      padBlock(ptr, len, b, blocks, LANES);
      for (let k: usize = 0; k < 16; k++) store<u32>(W + (k << 2), loadBE(LANES + (k << 2)));
      compress(ST, W, SCRATCH);
    }
    ripemdOfState(outPtr + <usize>i * 20);
  }
}
