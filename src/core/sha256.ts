// SHA-256 (FIPS 180-4) in plain JavaScript, for the small messages consensus
// hashes by the thousand per block: txids, sighashes and their digests,
// Merkle pairs, public keys. A WASM hasher pays a fixed toll per call (copying
// into its memory, a fresh digest array, and, for a small on-heap Uint8Array,
// V8 moving its bytes off the heap when `.buffer` is read), which outweighs its
// faster rounds below a few hundred bytes; hash.ts sends longer messages there.
// Nothing here allocates per call but the 32-byte result.

const K = Int32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
);
const IV = Int32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);

/** The message schedule, the chaining state, and the padded last block(s). */
const W = new Int32Array(64);
const S = new Int32Array(8);
const TAIL = new Uint8Array(128);

/** One compression of the 16 words in W[0..16) into S. */
function compress(): void {
  for (let t = 16; t < 64; t++) {
    const x = W[t - 2]!;
    const y = W[t - 15]!;
    const s1 = ((x >>> 17) | (x << 15)) ^ ((x >>> 19) | (x << 13)) ^ (x >>> 10);
    const s0 = ((y >>> 7) | (y << 25)) ^ ((y >>> 18) | (y << 14)) ^ (y >>> 3);
    W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0;
  }
  let a = S[0]!, b = S[1]!, c = S[2]!, d = S[3]!, e = S[4]!, f = S[5]!, g = S[6]!, h = S[7]!;
  for (let t = 0; t < 64; t++) {
    const e1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + e1 + (g ^ (e & (f ^ g))) + K[t]! + W[t]!) | 0;
    const a0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (a0 + ((a & b) | (c & (a | b)))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  S[0] = (S[0]! + a) | 0; S[1] = (S[1]! + b) | 0; S[2] = (S[2]! + c) | 0; S[3] = (S[3]! + d) | 0;
  S[4] = (S[4]! + e) | 0; S[5] = (S[5]! + f) | 0; S[6] = (S[6]! + g) | 0; S[7] = (S[7]! + h) | 0;
}

function loadBlock(buf: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4) W[i] = (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
}

/** S = SHA-256 state after all of `msg`, padding included. */
function hashInto(msg: Uint8Array): void {
  S.set(IV);
  const n = msg.length;
  let at = 0;
  for (; at + 64 <= n; at += 64) { loadBlock(msg, at); compress(); }
  const rest = n - at;
  const end = rest + 9 <= 64 ? 64 : 128;
  for (let i = 0; i < rest; i++) TAIL[i] = msg[at + i]!;
  TAIL[rest] = 0x80;
  TAIL.fill(0, rest + 1, end - 8);
  // The length in bits, a 64-bit big-endian integer (messages here stay far below 2^53 bits).
  const hi = Math.floor(n / 0x20000000);
  const lo = (n << 3) >>> 0;
  TAIL[end - 8] = hi >>> 24; TAIL[end - 7] = hi >>> 16; TAIL[end - 6] = hi >>> 8; TAIL[end - 5] = hi;
  TAIL[end - 4] = lo >>> 24; TAIL[end - 3] = lo >>> 16; TAIL[end - 2] = lo >>> 8; TAIL[end - 1] = lo;
  loadBlock(TAIL, 0); compress();
  if (end === 128) { loadBlock(TAIL, 64); compress(); }
}

function digest(out: Uint8Array, o: number): Uint8Array {
  for (let i = 0; i < 8; i++, o += 4) {
    const v = S[i]!;
    out[o] = v >>> 24; out[o + 1] = v >>> 16; out[o + 2] = v >>> 8; out[o + 3] = v;
  }
  return out;
}

export function sha256Js(msg: Uint8Array, out: Uint8Array = new Uint8Array(32), at = 0): Uint8Array {
  hashInto(msg);
  return digest(out, at);
}

/** SHA-256 of SHA-256: the second pass hashes the first's state words directly, one block. */
export function sha256dJs(msg: Uint8Array, out: Uint8Array = new Uint8Array(32), at = 0): Uint8Array {
  hashInto(msg);
  for (let i = 0; i < 8; i++) W[i] = S[i]!;
  W[8] = 0x80000000 | 0;
  for (let i = 9; i < 15; i++) W[i] = 0;
  W[15] = 256;
  S.set(IV);
  compress();
  return digest(out, at);
}
