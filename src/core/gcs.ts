// BIP158 Golomb-Rice coded sets with the basic filter's parameters (P = 19,
// M = 784931). A filter is CompactSize(N) followed by the N sorted hashed
// values' deltas, each Golomb-Rice coded: the quotient delta >> P in unary
// (that many 1 bits, then a 0), then the P low bits, most significant first.
// Bits fill each byte from its top bit; the last byte is padded with zeros.
// An element hashes to [0, N·M) as (SipHash-2-4(key, element) · N·M) >> 64.
import { ByteReader, ByteWriter, bytesKey, concatBytes } from './bytes.js';
import { ValidationError } from './errors.js';
import { sha256d } from './hash.js';
import { siphash24, SipKey, sipKey } from './siphash.js';

export const GCS_P = 19;
export const GCS_M = 784931;
const TWO_P = 2 ** GCS_P;
/** Every coded element takes at least P + 1 bits, which bounds N by the filter's length. */
const MIN_BITS = GCS_P + 1;

/** (hash · F) >> 64: the hash mapped uniformly onto [0, F). F < 2^53, so the result is an exact number. */
function hashToRange(key: SipKey, element: Uint8Array, f: bigint): number {
  return Number((siphash24(key, element) * f) >> 64n);
}

/** The elements' values in [0, N·M), sorted, after removing duplicate elements. */
function hashedSet(elements: Iterable<Uint8Array>, key: SipKey): number[] {
  const unique = new Map<string, Uint8Array>();
  for (const e of elements) unique.set(bytesKey(e), e);
  const f = BigInt(unique.size) * BigInt(GCS_M);
  const values: number[] = [];
  for (const e of unique.values()) values.push(hashToRange(key, e, f));
  return values.sort((a, b) => a - b);
}

class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private used = 0;
  bit(b: number): void {
    this.acc = (this.acc << 1) | b;
    if (++this.used === 8) this.flush();
  }
  /** `n` (≤ 31) low bits of `v`, top bit first. */
  bits(v: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) this.bit((v >>> i) & 1);
  }
  private flush(): void {
    this.bytes.push(this.acc);
    this.acc = 0;
    this.used = 0;
  }
  finish(): Uint8Array {
    if (this.used > 0) {
      this.acc <<= 8 - this.used;
      this.flush();
    }
    return Uint8Array.from(this.bytes);
  }
}

class BitReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  get remaining(): number { return this.buf.length * 8 - this.pos; }
  bit(): number {
    if (this.pos >= this.buf.length * 8) throw new ValidationError('bad-encoding', 'compact filter is truncated', 20);
    const b = (this.buf[this.pos >>> 3]! >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }
  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
}

/** The basic filter of `elements` (raw bytes; duplicates count once) under the 16-byte key. */
export function buildFilter(elements: Iterable<Uint8Array>, key16: Uint8Array): Uint8Array {
  const values = hashedSet(elements, sipKey(key16));
  const w = new BitWriter();
  let last = 0;
  for (const v of values) {
    const delta = v - last;
    last = v;
    let q = Math.floor(delta / TWO_P);
    while (q-- > 0) w.bit(1);
    w.bit(0);
    w.bits(delta % TWO_P, GCS_P);
  }
  return concatBytes(new ByteWriter(9).varint(values.length).finish(), w.finish());
}

/** A filter decoded: its element count and sorted values. Hostile bytes give a 'bad-encoding' error, never a hang. */
export function decodeFilter(filter: Uint8Array): { n: number; values: number[] } {
  const r = new ByteReader(filter, 'compact filter');
  const n = r.varint();
  const body = filter.subarray(r.pos);
  if (n * MIN_BITS > body.length * 8) throw new ValidationError('bad-encoding', `compact filter claims ${n} elements, more than its ${body.length} bytes hold`, 20);
  const bits = new BitReader(body);
  const values: number[] = new Array(n);
  let last = 0;
  for (let i = 0; i < n; i++) {
    let q = 0;
    while (bits.bit() === 1) q++;
    last += q * TWO_P + bits.bits(GCS_P);
    values[i] = last;
  }
  if (bits.remaining >= 8) throw new ValidationError('bad-encoding', `compact filter has ${bits.remaining >> 3} trailing bytes`, 20);
  return { n, values };
}

/** Whether any of `queries` is (probably: false positives at 1/M) in the filter. */
export function filterMatchesAny(filter: Uint8Array, key16: Uint8Array, queries: Uint8Array[]): boolean {
  const { n, values } = decodeFilter(filter);
  if (n === 0 || queries.length === 0) return false;
  const key = sipKey(key16);
  const f = BigInt(n) * BigInt(GCS_M);
  const wanted = queries.map((q) => hashToRange(key, q, f)).sort((a, b) => a - b);
  let i = 0;
  let j = 0;
  while (i < values.length && j < wanted.length) {
    if (values[i] === wanted[j]) return true;
    if (values[i]! < wanted[j]!) i++;
    else j++;
  }
  return false;
}

/** How many of `queries` the filter matches (each counted once per query, duplicates included). */
export function countMatches(filter: Uint8Array, key16: Uint8Array, queries: Uint8Array[]): number {
  const { n, values } = decodeFilter(filter);
  if (n === 0) return 0;
  const key = sipKey(key16);
  const f = BigInt(n) * BigInt(GCS_M);
  const wanted = queries.map((q) => hashToRange(key, q, f)).sort((a, b) => a - b);
  let count = 0;
  let i = 0;
  for (const w of wanted) {
    while (i < values.length && values[i]! < w) i++;
    if (i < values.length && values[i] === w) count++;
  }
  return count;
}

/** BIP157: a filter's hash is SHA256d of its bytes, and its header SHA256d(filter hash ‖ previous header). */
export const filterHash = (filter: Uint8Array): Uint8Array => sha256d(filter);

export function filterHeader(filter: Uint8Array, prevHeader: Uint8Array): Uint8Array {
  return sha256d(concatBytes(filterHash(filter), prevHeader));
}

/** The previous filter header of the first block (the genesis block): 32 zero bytes. */
export const GENESIS_PREV_FILTER_HEADER = new Uint8Array(32);
