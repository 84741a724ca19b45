// Proof-of-work search: double SHA-256 of an 80-byte header over a nonce range.
//
// JS writes the header at headerPtr() and the 32-byte little-endian target at
// targetPtr(), then calls search(). Per call, the first 64 header bytes are
// compressed once (the midstate), and everything in the second block that does
// not depend on the nonce is folded in: its first three rounds, the constant
// part of round 3, and the schedule words built only from fixed words; the
// second hash's round 0 (fixed IV) is folded the same way. Per nonce that
// leaves rounds 4..63 of the first hash and 1..60 of the second: the digest's
// last word (H7, the most significant 32 bits of the hash read as a
// little-endian integer) is final after round 60, rounds 57..60 only need the
// e chain, and nearly every nonce is rejected on H7 alone. Survivors are
// hashed again on the plain path and compared on all 256 bits.
//
// The SIMD build runs four consecutive nonces per iteration, one per lane.
import {
  K, IV, PAD_WORD, bsig0, bsig1, ssig0, ssig1, ch, maj, loadBE, copyWords, rounds, compress,
  vbsig1, vssig0, vssig1, vsplat, vbswap, vrounds, initVectorK, KV,
} from './sha256';

const HEADER: usize = memory.data(80, 16);
const TARGET: usize = memory.data(32, 16);

// Scalar work areas: schedules for the two hashes, states, scratch.
const W1: usize = memory.data(256, 16);
const W2: usize = memory.data(256, 16);
const ST: usize = memory.data(32, 16);
const MID: usize = memory.data(32, 16);
const S3: usize = memory.data(32, 16);
const SCRATCH: usize = memory.data(32, 16);
const FULL_W: usize = memory.data(256, 16);
const FULL_ST: usize = memory.data(32, 16);
const FULL_MID: usize = memory.data(32, 16);

// Four-lane work areas (16 bytes per word).
const VW1: usize = memory.data(64 * 16, 16);
const VW2: usize = memory.data(64 * 16, 16);
const VST: usize = memory.data(8 * 16, 16);

/** Bits in an 80-byte message, and in a 32-byte one: the length words of the padding. */
const LEN_HEADER: u32 = 640;
const LEN_HASH: u32 = 256;

// Per-call constants (see prepare()).
let c3: u32 = 0;   // round 3's T1 without W3
let t23: u32 = 0;  // round 3's T2
let w16: u32 = 0, w17: u32 = 0, w18c: u32 = 0, w19c: u32 = 0;
// Round 0 of the second hash starts from the fixed IV, so all but W0 folds into
// these: after it, a = W0 + A1 and e = W0 + E1; the other words are IV words.
let A1: u32 = 0, E1: u32 = 0;

if (ASC_FEATURE_SIMD) initVectorK();

export function headerPtr(): usize { return HEADER; }
export function targetPtr(): usize { return TARGET; }

function prepare(): void {
  for (let i: usize = 0; i < 16; i++) store<u32>(W1 + (i << 2), loadBE(HEADER + (i << 2)));
  copyWords(MID, IV, 8);
  compress(MID, W1, SCRATCH);

  const w0 = loadBE(HEADER + 64), w1 = loadBE(HEADER + 68), w2 = loadBE(HEADER + 72);
  // Second block: tail of the header, the nonce (W3), padding, length.
  memory.fill(W1, 0, 256);
  store<u32>(W1, w0, 0); store<u32>(W1, w1, 4); store<u32>(W1, w2, 8);
  store<u32>(W1, PAD_WORD, 16);
  store<u32>(W1, LEN_HEADER, 60);
  copyWords(S3, MID, 8);
  rounds(S3, W1, 0, 3);
  const a = load<u32>(S3, 0), b = load<u32>(S3, 4), c = load<u32>(S3, 8);
  const e = load<u32>(S3, 16), f = load<u32>(S3, 20), g = load<u32>(S3, 24), h = load<u32>(S3, 28);
  c3 = h + bsig1(e) + ch(e, f, g) + load<u32>(K, 12);
  t23 = bsig0(a) + maj(a, b, c);

  w16 = ssig0(w1) + w0;
  w17 = ssig1(LEN_HEADER) + ssig0(w2) + w1;
  w18c = ssig1(w16) + w2;
  w19c = ssig1(w17) + ssig0(PAD_WORD);
  store<u32>(W1, w16, 64); store<u32>(W1, w17, 68);

  {
    const a = load<u32>(IV, 0), b = load<u32>(IV, 4), c = load<u32>(IV, 8), d = load<u32>(IV, 12);
    const e = load<u32>(IV, 16), f = load<u32>(IV, 20), g = load<u32>(IV, 24), h = load<u32>(IV, 28);
    const t1 = h + bsig1(e) + ch(e, f, g) + load<u32>(K, 0);
    A1 = t1 + bsig0(a) + maj(a, b, c);
    E1 = d + t1;
  }

  // Second hash: a 32-byte message, so words 8..15 are fixed padding.
  memory.fill(W2, 0, 256);
  store<u32>(W2, PAD_WORD, 32);
  store<u32>(W2, LEN_HASH, 60);

  if (ASC_FEATURE_SIMD) {
    memory.fill(VW1, 0, 64 * 16);
    v128.store(VW1 + 4 * 16, vsplat(PAD_WORD));
    v128.store(VW1 + 15 * 16, vsplat(LEN_HEADER));
    v128.store(VW1 + 16 * 16, vsplat(w16));
    v128.store(VW1 + 17 * 16, vsplat(w17));
    memory.fill(VW2, 0, 64 * 16);
    v128.store(VW2 + 8 * 16, vsplat(PAD_WORD));
    v128.store(VW2 + 15 * 16, vsplat(LEN_HASH));
  }
}

// ---------------------------------------------------------------- scalar path

/** Schedule words 18..63 of the first hash for this nonce word (16, 17 and the fixed words are set). */
function schedule1(w3: u32): void {
  const x18 = w18c + ssig0(w3), x19 = w19c + w3;
  const x20 = ssig1(x18) + PAD_WORD, x21 = ssig1(x19);
  const x22 = ssig1(x20) + LEN_HEADER, x23 = ssig1(x21) + w16;
  const x24 = ssig1(x22) + w17, x25 = ssig1(x23) + x18;
  const x26 = ssig1(x24) + x19, x27 = ssig1(x25) + x20;
  const x28 = ssig1(x26) + x21, x29 = ssig1(x27) + x22;
  const x30 = ssig1(x28) + x23 + ssig0(LEN_HEADER);
  const x31 = ssig1(x29) + x24 + ssig0(w16) + LEN_HEADER;
  store<u32>(W1, x18, 72); store<u32>(W1, x19, 76); store<u32>(W1, x20, 80); store<u32>(W1, x21, 84);
  store<u32>(W1, x22, 88); store<u32>(W1, x23, 92); store<u32>(W1, x24, 96); store<u32>(W1, x25, 100);
  store<u32>(W1, x26, 104); store<u32>(W1, x27, 108); store<u32>(W1, x28, 112); store<u32>(W1, x29, 116);
  store<u32>(W1, x30, 120); store<u32>(W1, x31, 124);
  expandFrom32(W1, 64);
}

/** Schedule words 16..60 of the second hash, from the 8 digest words in W2[0..8). */
function schedule2(): void {
  const x0 = load<u32>(W2, 0), x1 = load<u32>(W2, 4), x2 = load<u32>(W2, 8), x3 = load<u32>(W2, 12);
  const x4 = load<u32>(W2, 16), x5 = load<u32>(W2, 20), x6 = load<u32>(W2, 24), x7 = load<u32>(W2, 28);
  const x16 = ssig0(x1) + x0;
  const x17 = ssig1(LEN_HASH) + ssig0(x2) + x1;
  const x18 = ssig1(x16) + ssig0(x3) + x2;
  const x19 = ssig1(x17) + ssig0(x4) + x3;
  const x20 = ssig1(x18) + ssig0(x5) + x4;
  const x21 = ssig1(x19) + ssig0(x6) + x5;
  const x22 = ssig1(x20) + LEN_HASH + ssig0(x7) + x6;
  const x23 = ssig1(x21) + x16 + ssig0(PAD_WORD) + x7;
  const x24 = ssig1(x22) + x17 + PAD_WORD;
  const x25 = ssig1(x23) + x18, x26 = ssig1(x24) + x19;
  const x27 = ssig1(x25) + x20, x28 = ssig1(x26) + x21;
  const x29 = ssig1(x27) + x22;
  const x30 = ssig1(x28) + x23 + ssig0(LEN_HASH);
  const x31 = ssig1(x29) + x24 + ssig0(x16) + LEN_HASH;
  store<u32>(W2, x16, 64); store<u32>(W2, x17, 68); store<u32>(W2, x18, 72); store<u32>(W2, x19, 76);
  store<u32>(W2, x20, 80); store<u32>(W2, x21, 84); store<u32>(W2, x22, 88); store<u32>(W2, x23, 92);
  store<u32>(W2, x24, 96); store<u32>(W2, x25, 100); store<u32>(W2, x26, 104); store<u32>(W2, x27, 108);
  store<u32>(W2, x28, 112); store<u32>(W2, x29, 116); store<u32>(W2, x30, 120); store<u32>(W2, x31, 124);
  expandFrom32(W2, 61);
}

function expandFrom32(w: usize, to: i32): void {
  for (let t = 32; t < to; t++) {
    const p = w + (<usize>t << 2);
    store<u32>(p, ssig1(load<u32>(p - 8)) + load<u32>(p - 28) + ssig0(load<u32>(p - 60)) + load<u32>(p - 64));
  }
}

/** The digest's last word (H7) for one nonce, via the precomputed path. */
function lastWord(nonce: u32): u32 {
  const w3 = bswap<u32>(nonce);
  const t1 = c3 + w3;
  store<u32>(ST, t1 + t23, 0);
  store<u32>(ST, load<u32>(S3, 0), 4);
  store<u32>(ST, load<u32>(S3, 4), 8);
  store<u32>(ST, load<u32>(S3, 8), 12);
  store<u32>(ST, load<u32>(S3, 12) + t1, 16);
  store<u32>(ST, load<u32>(S3, 16), 20);
  store<u32>(ST, load<u32>(S3, 20), 24);
  store<u32>(ST, load<u32>(S3, 24), 28);
  schedule1(w3);
  rounds(ST, W1, 4, 64);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(W2 + i, load<u32>(ST + i) + load<u32>(MID + i));
  schedule2();
  const x0 = load<u32>(W2);
  store<u32>(ST, x0 + A1, 0);
  copyWords(ST + 4, IV, 3);
  store<u32>(ST, x0 + E1, 16);
  copyWords(ST + 20, IV + 16, 3);
  rounds(ST, W2, 1, 57);
  return load<u32>(IV, 28) + lastE(ST, W2);
}

/**
 * Rounds 57..60 of the second hash, keeping only the chain of e words: e after
 * round 60 is the final H7 (less the IV word), and no later a is needed.
 */
function lastE(st: usize, w: usize): u32 {
  const a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12);
  const e = load<u32>(st, 16), f = load<u32>(st, 20), g = load<u32>(st, 24), h = load<u32>(st, 28);
  const e58 = d + h + bsig1(e) + ch(e, f, g) + load<u32>(K, 57 * 4) + load<u32>(w, 57 * 4);
  const e59 = c + g + bsig1(e58) + ch(e58, e, f) + load<u32>(K, 58 * 4) + load<u32>(w, 58 * 4);
  const e60 = b + f + bsig1(e59) + ch(e59, e58, e) + load<u32>(K, 59 * 4) + load<u32>(w, 59 * 4);
  return a + e + bsig1(e60) + ch(e60, e59, e58) + load<u32>(K, 60 * 4) + load<u32>(w, 60 * 4);
}

/**
 * The full double SHA-256 with this nonce, compared on all 256 bits. Independent
 * of the shortcuts above, so a candidate is only ever accepted on the real hash.
 */
function meetsTarget(nonce: u32): bool {
  copyWords(FULL_MID, MID, 8);
  memory.fill(FULL_W, 0, 256);
  for (let i: usize = 0; i < 3; i++) store<u32>(FULL_W + (i << 2), loadBE(HEADER + 64 + (i << 2)));
  store<u32>(FULL_W, bswap<u32>(nonce), 12);
  store<u32>(FULL_W, PAD_WORD, 16);
  store<u32>(FULL_W, LEN_HEADER, 60);
  compress(FULL_MID, FULL_W, SCRATCH);

  memory.fill(FULL_W, 0, 256);
  copyWords(FULL_W, FULL_MID, 8);
  store<u32>(FULL_W, PAD_WORD, 32);
  store<u32>(FULL_W, LEN_HASH, 60);
  copyWords(FULL_ST, IV, 8);
  compress(FULL_ST, FULL_W, SCRATCH);

  // Digest word i holds little-endian limb i byte-swapped; compare from the top limb down.
  for (let i = 7; i >= 0; i--) {
    const limb = bswap<u32>(load<u32>(FULL_ST + (<usize>i << 2)));
    const t = load<u32>(TARGET + (<usize>i << 2));
    if (limb != t) return limb < t;
  }
  return true;
}

function scanScalar(start: u32, count: u32, top: u32): i64 {
  for (let i: u32 = 0; i < count; i++) {
    const nonce = start + i;
    if (bswap<u32>(lastWord(nonce)) <= top && meetsTarget(nonce)) return <i64>nonce;
  }
  return -1;
}

// ---------------------------------------------------------------- 4-lane path

// State after round 3, lanes a and e differ per nonce; the rest are the splatted S3 words.
const VS3: usize = memory.data(8 * 16, 16);
const VMID: usize = memory.data(8 * 16, 16);
const VIV: usize = memory.data(8 * 16, 16);

function vprepare(): void {
  for (let i: usize = 0; i < 8; i++) {
    v128.store(VS3 + (i << 4), vsplat(load<u32>(S3 + (i << 2))));
    v128.store(VMID + (i << 4), vsplat(load<u32>(MID + (i << 2))));
    v128.store(VIV + (i << 4), vsplat(load<u32>(IV + (i << 2))));
  }
}

function vschedule1(w3: v128): void {
  const x18 = i32x4.add(vsplat(w18c), vssig0(w3));
  const x19 = i32x4.add(vsplat(w19c), w3);
  const x20 = i32x4.add(vssig1(x18), vsplat(PAD_WORD));
  const x21 = vssig1(x19);
  const x22 = i32x4.add(vssig1(x20), vsplat(LEN_HEADER));
  const x23 = i32x4.add(vssig1(x21), vsplat(w16));
  const x24 = i32x4.add(vssig1(x22), vsplat(w17));
  const x25 = i32x4.add(vssig1(x23), x18);
  const x26 = i32x4.add(vssig1(x24), x19);
  const x27 = i32x4.add(vssig1(x25), x20);
  const x28 = i32x4.add(vssig1(x26), x21);
  const x29 = i32x4.add(vssig1(x27), x22);
  const x30 = i32x4.add(i32x4.add(vssig1(x28), x23), vsplat(ssig0(LEN_HEADER)));
  const x31 = i32x4.add(i32x4.add(vssig1(x29), x24), vsplat(ssig0(w16) + LEN_HEADER));
  v128.store(VW1, x18, 18 * 16); v128.store(VW1, x19, 19 * 16); v128.store(VW1, x20, 20 * 16);
  v128.store(VW1, x21, 21 * 16); v128.store(VW1, x22, 22 * 16); v128.store(VW1, x23, 23 * 16);
  v128.store(VW1, x24, 24 * 16); v128.store(VW1, x25, 25 * 16); v128.store(VW1, x26, 26 * 16);
  v128.store(VW1, x27, 27 * 16); v128.store(VW1, x28, 28 * 16); v128.store(VW1, x29, 29 * 16);
  v128.store(VW1, x30, 30 * 16); v128.store(VW1, x31, 31 * 16);
  vexpandFrom32(VW1, 64);
}

function vschedule2(): void {
  const x0 = v128.load(VW2, 0), x1 = v128.load(VW2, 16), x2 = v128.load(VW2, 32), x3 = v128.load(VW2, 48);
  const x4 = v128.load(VW2, 64), x5 = v128.load(VW2, 80), x6 = v128.load(VW2, 96), x7 = v128.load(VW2, 112);
  const x16 = i32x4.add(vssig0(x1), x0);
  const x17 = i32x4.add(i32x4.add(vsplat(ssig1(LEN_HASH)), vssig0(x2)), x1);
  const x18 = i32x4.add(i32x4.add(vssig1(x16), vssig0(x3)), x2);
  const x19 = i32x4.add(i32x4.add(vssig1(x17), vssig0(x4)), x3);
  const x20 = i32x4.add(i32x4.add(vssig1(x18), vssig0(x5)), x4);
  const x21 = i32x4.add(i32x4.add(vssig1(x19), vssig0(x6)), x5);
  const x22 = i32x4.add(i32x4.add(vssig1(x20), vssig0(x7)), i32x4.add(x6, vsplat(LEN_HASH)));
  const x23 = i32x4.add(i32x4.add(vssig1(x21), x16), i32x4.add(x7, vsplat(ssig0(PAD_WORD))));
  const x24 = i32x4.add(i32x4.add(vssig1(x22), x17), vsplat(PAD_WORD));
  const x25 = i32x4.add(vssig1(x23), x18);
  const x26 = i32x4.add(vssig1(x24), x19);
  const x27 = i32x4.add(vssig1(x25), x20);
  const x28 = i32x4.add(vssig1(x26), x21);
  const x29 = i32x4.add(vssig1(x27), x22);
  const x30 = i32x4.add(i32x4.add(vssig1(x28), x23), vsplat(ssig0(LEN_HASH)));
  const x31 = i32x4.add(i32x4.add(vssig1(x29), x24), i32x4.add(vssig0(x16), vsplat(LEN_HASH)));
  v128.store(VW2, x16, 16 * 16); v128.store(VW2, x17, 17 * 16); v128.store(VW2, x18, 18 * 16);
  v128.store(VW2, x19, 19 * 16); v128.store(VW2, x20, 20 * 16); v128.store(VW2, x21, 21 * 16);
  v128.store(VW2, x22, 22 * 16); v128.store(VW2, x23, 23 * 16); v128.store(VW2, x24, 24 * 16);
  v128.store(VW2, x25, 25 * 16); v128.store(VW2, x26, 26 * 16); v128.store(VW2, x27, 27 * 16);
  v128.store(VW2, x28, 28 * 16); v128.store(VW2, x29, 29 * 16); v128.store(VW2, x30, 30 * 16);
  v128.store(VW2, x31, 31 * 16);
  vexpandFrom32(VW2, 61);
}

function vexpandFrom32(w: usize, to: i32): void {
  for (let t = 32; t < to; t++) {
    const p = w + (<usize>t << 4);
    v128.store(p, i32x4.add(
      i32x4.add(vssig1(v128.load(p - 32)), v128.load(p - 112)),
      i32x4.add(vssig0(v128.load(p - 240)), v128.load(p - 256)),
    ));
  }
}

/** H7 of four consecutive nonces starting at `base`, byte-swapped so lanes compare as integers. */
function vlastWords(base: u32): v128 {
  const nonces = i32x4.add(vsplat(base), i32x4(0, 1, 2, 3));
  const w3 = vbswap(nonces);
  const t1 = i32x4.add(vsplat(c3), w3);
  v128.store(VST, i32x4.add(t1, vsplat(t23)), 0);
  v128.store(VST, v128.load(VS3, 0), 16);
  v128.store(VST, v128.load(VS3, 16), 32);
  v128.store(VST, v128.load(VS3, 32), 48);
  v128.store(VST, i32x4.add(v128.load(VS3, 48), t1), 64);
  v128.store(VST, v128.load(VS3, 64), 80);
  v128.store(VST, v128.load(VS3, 80), 96);
  v128.store(VST, v128.load(VS3, 96), 112);
  vschedule1(w3);
  vrounds(VST, VW1, 4, 64);
  for (let i: usize = 0; i < 128; i += 16) v128.store(VW2 + i, i32x4.add(v128.load(VST + i), v128.load(VMID + i)));
  vschedule2();
  const x0 = v128.load(VW2);
  v128.store(VST, i32x4.add(x0, vsplat(A1)), 0);
  v128.store(VST, v128.load(VIV, 0), 16);
  v128.store(VST, v128.load(VIV, 16), 32);
  v128.store(VST, v128.load(VIV, 32), 48);
  v128.store(VST, i32x4.add(x0, vsplat(E1)), 64);
  v128.store(VST, v128.load(VIV, 64), 80);
  v128.store(VST, v128.load(VIV, 80), 96);
  v128.store(VST, v128.load(VIV, 96), 112);
  vrounds(VST, VW2, 1, 57);
  return vbswap(i32x4.add(vlastE(VST, VW2), vsplat(load<u32>(IV, 28))));
}

function vlastE(st: usize, w: usize): v128 {
  const a = v128.load(st, 0), b = v128.load(st, 16), c = v128.load(st, 32), d = v128.load(st, 48);
  const e = v128.load(st, 64), f = v128.load(st, 80), g = v128.load(st, 96), h = v128.load(st, 112);
  const e58 = i32x4.add(i32x4.add(i32x4.add(d, h), vbsig1(e)), i32x4.add(v128.bitselect(f, g, e), i32x4.add(v128.load(KV, 57 * 16), v128.load(w, 57 * 16))));
  const e59 = i32x4.add(i32x4.add(i32x4.add(c, g), vbsig1(e58)), i32x4.add(v128.bitselect(e, f, e58), i32x4.add(v128.load(KV, 58 * 16), v128.load(w, 58 * 16))));
  const e60 = i32x4.add(i32x4.add(i32x4.add(b, f), vbsig1(e59)), i32x4.add(v128.bitselect(e58, e, e59), i32x4.add(v128.load(KV, 59 * 16), v128.load(w, 59 * 16))));
  return i32x4.add(i32x4.add(i32x4.add(a, e), vbsig1(e60)), i32x4.add(v128.bitselect(e59, e58, e60), i32x4.add(v128.load(KV, 60 * 16), v128.load(w, 60 * 16))));
}

/**
 * First nonce in [start, start + count) whose double SHA-256 meets the target, or -1.
 * The caller keeps start + count <= 2^32: the range never wraps. Hashes done:
 * count when -1 is returned, nonce - start + 1 otherwise.
 */
export function search(start: u32, count: u32): i64 {
  prepare();
  const top = load<u32>(TARGET, 28);
  if (ASC_FEATURE_SIMD) {
    vprepare();
    const vtop = vsplat(top);
    const whole = count & ~3;
    for (let i: u32 = 0; i < whole; i += 4) {
      const base = start + i;
      const hit = i32x4.le_u(vlastWords(base), vtop);
      if (v128.any_true(hit)) {
        const lanes = i32x4.bitmask(hit);
        for (let j: u32 = 0; j < 4; j++) {
          if ((lanes >> j) & 1 && meetsTarget(base + j)) return <i64>(base + j);
        }
      }
    }
    return scanScalar(start + whole, count - whole, top);
  }
  return scanScalar(start, count, top);
}
