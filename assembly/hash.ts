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
  vsplat, vexpand, vrounds, vaddState, initVectorK, transposeStore,
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
    for (let g: usize = 0; g < 64; g += 16) {
      transposeStore(VW + (g << 2), 16,
        v128.load(LANES + g), v128.load(LANES + 64 + g), v128.load(LANES + 128 + g), v128.load(LANES + 192 + g));
    }
    vexpand(VW, 16, 64);
    memory.copy(VW2, VST, 128);
    vrounds(VST, VW, 0, 64);
    vaddState(VST, VW2);
  }
  // VW2's words 8..15 hold the padding (set at instantiation, never overwritten).
  memory.copy(VW2, VST, 128);
  vexpand(VW2, 16, 64);
  memory.copy(VST, VIV, 128);
  vrounds(VST, VW2, 0, 64);
  vaddState(VST, VIV);
  for (let g: usize = 0; g < 2; g++) {
    const s = VST + (g << 6);
    transposeStore(out + (g << 4), 32, v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48));
  }
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
