// One Merkle level: SHA256d(left || right) for each of `count` 64-byte pairs.
//
// The 64-byte message takes two blocks; the second is pure padding, so its
// whole schedule is a constant computed once at instantiation. The second
// SHA-256 hashes 32 bytes: words 8..15 of its block are fixed padding.
// The SIMD build hashes four pairs at a time (one per lane); a scalar loop
// takes the remainder. Output i goes to outPtr + 32 * i; outPtr may equal
// inPtr (in place), because each group is read before any of it is written
// and outputs never overtake unread inputs.
//
// JS owns all memory from dataPtr() up and grows the memory itself.
import {
  IV, PAD_WORD, loadBE, copyWords, expand, rounds, compress, addState,
  vsplat, vexpand, vrounds, vaddState, initVectorK, vLoadBlocks, vSecondHashStore,
} from './sha256';

const LEN_PAIR: u32 = 512;
const LEN_HASH: u32 = 256;

const PAD_W: usize = memory.data(256, 16);
const W: usize = memory.data(256, 16);
const ST: usize = memory.data(32, 16);
const FIRST: usize = memory.data(32, 16);
const SCRATCH: usize = memory.data(32, 16);

const VPAD_W: usize = memory.data(64 * 16, 16);
const VW: usize = memory.data(64 * 16, 16);
const VW2: usize = memory.data(64 * 16, 16);
const VST: usize = memory.data(8 * 16, 16);
const VFIRST: usize = memory.data(8 * 16, 16);
const VIV: usize = memory.data(8 * 16, 16);

store<u32>(PAD_W, PAD_WORD, 0);
store<u32>(PAD_W, LEN_PAIR, 60);
expand(PAD_W, 16, 64);

if (ASC_FEATURE_SIMD) {
  initVectorK();
  for (let t: usize = 0; t < 64; t++) v128.store(VPAD_W + (t << 4), vsplat(load<u32>(PAD_W + (t << 2))));
  for (let i: usize = 0; i < 8; i++) v128.store(VIV + (i << 4), vsplat(load<u32>(IV + (i << 2))));
  v128.store(VW2 + 8 * 16, vsplat(PAD_WORD));
  v128.store(VW2 + 15 * 16, vsplat(LEN_HASH));
}

/** First byte JS may use for level data: past every static buffer, 16-byte aligned. */
export function dataPtr(): usize {
  return (__heap_base + 15) & ~15;
}

function hashPair(inp: usize, out: usize): void {
  for (let i: usize = 0; i < 16; i++) store<u32>(W + (i << 2), loadBE(inp + (i << 2)));
  copyWords(ST, IV, 8);
  compress(ST, W, SCRATCH);
  copyWords(FIRST, ST, 8);
  rounds(ST, PAD_W, 0, 64);
  addState(ST, FIRST);

  memory.fill(W, 0, 64);
  copyWords(W, ST, 8);
  store<u32>(W, PAD_WORD, 32);
  store<u32>(W, LEN_HASH, 60);
  copyWords(ST, IV, 8);
  compress(ST, W, SCRATCH);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(ST + i)));
}

function hashFourPairs(inp: usize, out: usize): void {
  vLoadBlocks(VW, inp);
  vexpand(VW, 16, 64);
  memory.copy(VST, VIV, 128);
  vrounds(VST, VW, 0, 64);
  vaddState(VST, VIV);
  memory.copy(VFIRST, VST, 128);
  vrounds(VST, VPAD_W, 0, 64);
  vaddState(VST, VFIRST);

  // Lane j's digest goes to out + 32j.
  vSecondHashStore(VST, VW2, VIV, out);
}

export function hashLevel(inPtr: usize, count: u32, outPtr: usize): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= count; i += 4) hashFourPairs(inPtr + (<usize>i << 6), outPtr + (<usize>i << 5));
  }
  for (; i < count; i++) hashPair(inPtr + (<usize>i << 6), outPtr + (<usize>i << 5));
}
