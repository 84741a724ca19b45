// SHA-256 building blocks shared by the proof-of-work and Merkle kernels.
// State and message schedules live in linear memory (8 and 64 words), so one
// round loop serves every caller; the kernels precompute what they can and
// call these for the rest. The v128 variants run four independent messages,
// one per i32x4 lane; they are only compiled when SIMD is enabled, because
// callers reach them behind `if (ASC_FEATURE_SIMD)`.

export const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

export const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** 0x80 terminator as the first word of padding, in SHA-256's big-endian word order. */
export const PAD_WORD: u32 = 0x80000000;

// ---------------------------------------------------------------- scalar

// @ts-ignore: decorator
@inline export function bsig0(x: u32): u32 { return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22); }
// @ts-ignore: decorator
@inline export function bsig1(x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25); }
// @ts-ignore: decorator
@inline export function ssig0(x: u32): u32 { return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3); }
// @ts-ignore: decorator
@inline export function ssig1(x: u32): u32 { return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >>> 10); }
// @ts-ignore: decorator
@inline export function ch(e: u32, f: u32, g: u32): u32 { return g ^ (e & (f ^ g)); }
// @ts-ignore: decorator
@inline export function maj(a: u32, b: u32, c: u32): u32 { return (a & b) | (c & (a | b)); }

/** Reads the big-endian 32-bit word SHA-256 sees at `p`. */
// @ts-ignore: decorator
@inline export function loadBE(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

export function copyWords(dst: usize, src: usize, words: i32): void {
  memory.copy(dst, src, <usize>words << 2);
}

/** W[from..to) from the 16 words before each. */
export function expand(w: usize, from: i32, to: i32): void {
  for (let t = from; t < to; t++) {
    const p = w + (<usize>t << 2);
    store<u32>(p, ssig1(load<u32>(p - 8)) + load<u32>(p - 28) + ssig0(load<u32>(p - 60)) + load<u32>(p - 64));
  }
}

/** Rounds [from, to) on the 8-word state at `st`, with schedule `w` (already expanded that far). */
export function rounds(st: usize, w: usize, from: i32, to: i32): void {
  let a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12);
  let e = load<u32>(st, 16), f = load<u32>(st, 20), g = load<u32>(st, 24), h = load<u32>(st, 28);
  let t = from;
  // Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)), and one round's a ^ b is the next one's b ^ c.
  let bc = b ^ c, ab: u32 = 0;
  // Single rounds until the rest is a whole number of 8-round blocks; inside a
  // block the variables trade roles instead of being shifted along.
  for (; (to - t) & 7; t++) {
    const o = <usize>t << 2;
    const t1 = h + bsig1(e) + ch(e, f, g) + load<u32>(K + o) + load<u32>(w + o);
    ab = a ^ b;
    const t2 = bsig0(a) + (b ^ (ab & bc));
    bc = ab;
    h = g; g = f; f = e; e = d + t1;
    d = c; c = b; b = a; a = t1 + t2;
  }
  for (; t < to; t += 8) {
    const k = K + (<usize>t << 2), p = w + (<usize>t << 2);
    let t1: u32;
    t1 = h + bsig1(e) + ch(e, f, g) + load<u32>(k, 0) + load<u32>(p, 0);
    ab = a ^ b;
    d += t1; h = t1 + bsig0(a) + (b ^ (ab & bc));
    t1 = g + bsig1(d) + ch(d, e, f) + load<u32>(k, 4) + load<u32>(p, 4);
    bc = h ^ a;
    c += t1; g = t1 + bsig0(h) + (a ^ (bc & ab));
    t1 = f + bsig1(c) + ch(c, d, e) + load<u32>(k, 8) + load<u32>(p, 8);
    ab = g ^ h;
    b += t1; f = t1 + bsig0(g) + (h ^ (ab & bc));
    t1 = e + bsig1(b) + ch(b, c, d) + load<u32>(k, 12) + load<u32>(p, 12);
    bc = f ^ g;
    a += t1; e = t1 + bsig0(f) + (g ^ (bc & ab));
    t1 = d + bsig1(a) + ch(a, b, c) + load<u32>(k, 16) + load<u32>(p, 16);
    ab = e ^ f;
    h += t1; d = t1 + bsig0(e) + (f ^ (ab & bc));
    t1 = c + bsig1(h) + ch(h, a, b) + load<u32>(k, 20) + load<u32>(p, 20);
    bc = d ^ e;
    g += t1; c = t1 + bsig0(d) + (e ^ (bc & ab));
    t1 = b + bsig1(g) + ch(g, h, a) + load<u32>(k, 24) + load<u32>(p, 24);
    ab = c ^ d;
    f += t1; b = t1 + bsig0(c) + (d ^ (ab & bc));
    t1 = a + bsig1(f) + ch(f, g, h) + load<u32>(k, 28) + load<u32>(p, 28);
    bc = b ^ c;
    e += t1; a = t1 + bsig0(b) + (c ^ (bc & ab));
  }
  store<u32>(st, a, 0); store<u32>(st, b, 4); store<u32>(st, c, 8); store<u32>(st, d, 12);
  store<u32>(st, e, 16); store<u32>(st, f, 20); store<u32>(st, g, 24); store<u32>(st, h, 28);
}

/** Adds the 8 words at `src` into the state at `st` (the feed-forward after a block). */
export function addState(st: usize, src: usize): void {
  for (let i: usize = 0; i < 32; i += 4) store<u32>(st + i, load<u32>(st + i) + load<u32>(src + i));
}

/** One full compression: `st` += rounds over the 16 words at `w` (expanded in place to 64). */
export function compress(st: usize, w: usize, scratch: usize): void {
  expand(w, 16, 64);
  copyWords(scratch, st, 8);
  rounds(st, w, 0, 64);
  addState(st, scratch);
}

// ---------------------------------------------------------------- 4 lanes

// @ts-ignore: decorator
@inline export function vrotr(x: v128, n: i32): v128 { return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n)); }
// @ts-ignore: decorator
@inline export function vbsig0(x: v128): v128 { return v128.xor(v128.xor(vrotr(x, 2), vrotr(x, 13)), vrotr(x, 22)); }
// @ts-ignore: decorator
@inline export function vbsig1(x: v128): v128 { return v128.xor(v128.xor(vrotr(x, 6), vrotr(x, 11)), vrotr(x, 25)); }
// @ts-ignore: decorator
@inline export function vssig0(x: v128): v128 { return v128.xor(v128.xor(vrotr(x, 7), vrotr(x, 18)), i32x4.shr_u(x, 3)); }
// @ts-ignore: decorator
@inline export function vssig1(x: v128): v128 { return v128.xor(v128.xor(vrotr(x, 17), vrotr(x, 19)), i32x4.shr_u(x, 10)); }
// @ts-ignore: decorator
@inline export function vsplat(x: u32): v128 { return i32x4.splat(<i32>x); }
/** Byte-swaps each 32-bit lane: SHA-256 words are big-endian, wasm loads are little-endian. */
// @ts-ignore: decorator
@inline export function vbswap(x: v128): v128 { return i8x16.shuffle(x, x, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12); }

/** K splatted to all four lanes, filled on first use by `initVectorK`. */
export const KV: usize = memory.data(64 * 16, 16);

export function initVectorK(): void {
  for (let t: usize = 0; t < 64; t++) v128.store(KV + (t << 4), vsplat(load<u32>(K + (t << 2))));
}

export function vexpand(w: usize, from: i32, to: i32): void {
  for (let t = from; t < to; t++) {
    const p = w + (<usize>t << 4);
    v128.store(p, i32x4.add(i32x4.add(vssig1(v128.load(p - 32)), v128.load(p - 112)), i32x4.add(vssig0(v128.load(p - 240)), v128.load(p - 256))));
  }
}

/**
 * The 4-lane twin of rounds(), same structure. Blocks of 8 rounds measured
 * faster than one round per iteration here; full unrolling and running two
 * groups of lanes interleaved were slower (register spills).
 */
export function vrounds(st: usize, w: usize, from: i32, to: i32): void {
  let a = v128.load(st, 0), b = v128.load(st, 16), c = v128.load(st, 32), d = v128.load(st, 48);
  let e = v128.load(st, 64), f = v128.load(st, 80), g = v128.load(st, 96), h = v128.load(st, 112);
  let t = from;
  let bc = v128.xor(b, c), ab = bc;
  for (; (to - t) & 7; t++) {
    const o = <usize>t << 4;
    const t1 = i32x4.add(i32x4.add(h, vbsig1(e)), i32x4.add(v128.bitselect(f, g, e), i32x4.add(v128.load(KV + o), v128.load(w + o))));
    ab = v128.xor(a, b);
    const t2 = i32x4.add(vbsig0(a), v128.xor(b, v128.and(ab, bc)));
    bc = ab;
    h = g; g = f; f = e; e = i32x4.add(d, t1);
    d = c; c = b; b = a; a = i32x4.add(t1, t2);
  }
  for (; t < to; t += 8) {
    const k = KV + (<usize>t << 4), p = w + (<usize>t << 4);
    let t1: v128;
    t1 = i32x4.add(i32x4.add(h, vbsig1(e)), i32x4.add(v128.bitselect(f, g, e), i32x4.add(v128.load(k, 0), v128.load(p, 0))));
    ab = v128.xor(a, b);
    d = i32x4.add(d, t1); h = i32x4.add(t1, i32x4.add(vbsig0(a), v128.xor(b, v128.and(ab, bc))));
    t1 = i32x4.add(i32x4.add(g, vbsig1(d)), i32x4.add(v128.bitselect(e, f, d), i32x4.add(v128.load(k, 16), v128.load(p, 16))));
    bc = v128.xor(h, a);
    c = i32x4.add(c, t1); g = i32x4.add(t1, i32x4.add(vbsig0(h), v128.xor(a, v128.and(bc, ab))));
    t1 = i32x4.add(i32x4.add(f, vbsig1(c)), i32x4.add(v128.bitselect(d, e, c), i32x4.add(v128.load(k, 32), v128.load(p, 32))));
    ab = v128.xor(g, h);
    b = i32x4.add(b, t1); f = i32x4.add(t1, i32x4.add(vbsig0(g), v128.xor(h, v128.and(ab, bc))));
    t1 = i32x4.add(i32x4.add(e, vbsig1(b)), i32x4.add(v128.bitselect(c, d, b), i32x4.add(v128.load(k, 48), v128.load(p, 48))));
    bc = v128.xor(f, g);
    a = i32x4.add(a, t1); e = i32x4.add(t1, i32x4.add(vbsig0(f), v128.xor(g, v128.and(bc, ab))));
    t1 = i32x4.add(i32x4.add(d, vbsig1(a)), i32x4.add(v128.bitselect(b, c, a), i32x4.add(v128.load(k, 64), v128.load(p, 64))));
    ab = v128.xor(e, f);
    h = i32x4.add(h, t1); d = i32x4.add(t1, i32x4.add(vbsig0(e), v128.xor(f, v128.and(ab, bc))));
    t1 = i32x4.add(i32x4.add(c, vbsig1(h)), i32x4.add(v128.bitselect(a, b, h), i32x4.add(v128.load(k, 80), v128.load(p, 80))));
    bc = v128.xor(d, e);
    g = i32x4.add(g, t1); c = i32x4.add(t1, i32x4.add(vbsig0(d), v128.xor(e, v128.and(bc, ab))));
    t1 = i32x4.add(i32x4.add(b, vbsig1(g)), i32x4.add(v128.bitselect(h, a, g), i32x4.add(v128.load(k, 96), v128.load(p, 96))));
    ab = v128.xor(c, d);
    f = i32x4.add(f, t1); b = i32x4.add(t1, i32x4.add(vbsig0(c), v128.xor(d, v128.and(ab, bc))));
    t1 = i32x4.add(i32x4.add(a, vbsig1(f)), i32x4.add(v128.bitselect(g, h, f), i32x4.add(v128.load(k, 112), v128.load(p, 112))));
    bc = v128.xor(b, c);
    e = i32x4.add(e, t1); a = i32x4.add(t1, i32x4.add(vbsig0(b), v128.xor(c, v128.and(bc, ab))));
  }
  v128.store(st, a, 0); v128.store(st, b, 16); v128.store(st, c, 32); v128.store(st, d, 48);
  v128.store(st, e, 64); v128.store(st, f, 80); v128.store(st, g, 96); v128.store(st, h, 112);
}

export function vaddState(st: usize, src: usize): void {
  for (let i: usize = 0; i < 128; i += 16) v128.store(st + i, i32x4.add(v128.load(st + i), v128.load(src + i)));
}

/**
 * Turns rows r0..r3 (one per lane, four consecutive words each) into four
 * vectors holding one word of every lane, and back: the transpose is its own inverse.
 */
// @ts-ignore: decorator
@inline export function transposeStore(dst: usize, step: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, vbswap(i32x4.shuffle(t0, t2, 0, 1, 4, 5)));
  v128.store(dst + step, vbswap(i32x4.shuffle(t0, t2, 2, 3, 6, 7)));
  v128.store(dst + 2 * step, vbswap(i32x4.shuffle(t1, t3, 0, 1, 4, 5)));
  v128.store(dst + 3 * step, vbswap(i32x4.shuffle(t1, t3, 2, 3, 6, 7)));
}

/**
 * The second SHA-256 of SHA256d, four lanes at once: the first digests in `st`
 * are hashed as 32-byte messages (`w`'s words 8..15 must already hold that
 * message's padding, which this never overwrites), from the lane IV at `iv`,
 * and lane j's digest is stored at out + 32j.
 */
export function vSecondHashStore(st: usize, w: usize, iv: usize, out: usize): void {
  memory.copy(w, st, 128);
  vexpand(w, 16, 64);
  memory.copy(st, iv, 128);
  vrounds(st, w, 0, 64);
  vaddState(st, iv);
  for (let g: usize = 0; g < 2; g++) {
    const s = st + (g << 6);
    transposeStore(out + (g << 4), 32, v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48));
  }
}

/** Four 64-byte message blocks lying back to back at `src`, one per lane, as words 0..15 of the lane schedule `w`. */
export function vLoadBlocks(w: usize, src: usize): void {
  for (let g: usize = 0; g < 64; g += 16) {
    transposeStore(w + (g << 2), 16, v128.load(src + g), v128.load(src + 64 + g), v128.load(src + 128 + g), v128.load(src + 192 + g));
  }
}
