// Byte helpers and the strict reader/writer behind every canonical encoding.
// The reader rejects anything a canonical writer would not produce (non-minimal
// varints, trailing bytes, truncation), so one logical object has one encoding.
import { ValidationError } from './errors.js';

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError(`not a hex string: ${hex.slice(0, 80)}`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function reversed(b: Uint8Array): Uint8Array {
  return Uint8Array.from(b).reverse();
}

/** Hashes are kept in the order they are hashed and shown byte-reversed, as Bitcoin does. */
export function hashToHex(hash: Uint8Array): string {
  return toHex(reversed(hash));
}

export function hexToHash(hex: string): Uint8Array {
  if (hex.length !== 64) throw new TypeError(`a hash is 64 hex characters, got ${hex.length}`);
  return reversed(fromHex(hex));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function varintSize(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/**
 * Grows on demand; callers that know the size up front pass it to avoid copies.
 * Integers are written byte by byte, never through a DataView: a DataView reads
 * `.buffer`, which makes V8 move a small array's bytes off the heap, and that
 * (with the backing store GC must later free) cost more than the writes.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private pos = 0;

  /** `into`: write into these bytes (finish() gives them back once they are filled exactly) instead of a new array. */
  constructor(size = 256, into?: Uint8Array) {
    this.buf = into ?? new Uint8Array(size);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf);
    this.buf = next;
  }

  u8(v: number): this { this.ensure(1); this.buf[this.pos++] = v; return this; }
  u32(v: number): this {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v; b[p + 1] = v >>> 8; b[p + 2] = v >>> 16; b[p + 3] = v >>> 24;
    this.pos = p + 4;
    return this;
  }
  /** Amounts fit in 2^53 (see amount.ts), so a JS number carries them exactly. */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 out of range: ${v}`);
    this.u32(v % 0x100000000);
    return this.u32(Math.floor(v / 0x100000000));
  }
  varint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint out of range: ${n}`);
    if (n < 0xfd) return this.u8(n);
    if (n <= 0xffff) { this.u8(0xfd); this.ensure(2); this.buf[this.pos++] = n; this.buf[this.pos++] = n >>> 8; return this; }
    if (n <= 0xffffffff) return this.u8(0xfe).u32(n);
    return this.u8(0xff).u64(n);
  }
  bytes(b: Uint8Array): this {
    const n = b.length;
    this.ensure(n);
    // A loop beats TypedArray#set for the 20- and 32-byte fields that make up most writes.
    if (n <= 64) { const d = this.buf; let p = this.pos; for (let i = 0; i < n; i++) d[p++] = b[i]!; }
    else this.buf.set(b, this.pos);
    this.pos += n;
    return this;
  }
  varBytes(b: Uint8Array): this { return this.varint(b.length).bytes(b); }
  /** Bytes [from, to) of `b`, without a view of them. */
  range(b: Uint8Array, from: number, to: number): this {
    this.ensure(to - from);
    const d = this.buf;
    let p = this.pos;
    for (let i = from; i < to; i++) d[p++] = b[i]!;
    this.pos = p;
    return this;
  }
  /** Chars [from, to) of a bytesKey-style string (one char per byte, as bytesKey makes them), as bytes. */
  latin1(s: string, from: number, to: number): this {
    this.ensure(to - from);
    const d = this.buf;
    let p = this.pos;
    for (let i = from; i < to; i++) d[p++] = s.charCodeAt(i);
    this.pos = p;
    return this;
  }
  /** Bytes written so far. */
  get length(): number { return this.pos; }
  /** The bytes written: the whole buffer when it was sized exactly, else a view of its start. */
  finish(): Uint8Array { return this.pos === this.buf.length ? this.buf : this.buf.subarray(0, this.pos); }
  /** Starts over in the same buffer: what finish() returned before is overwritten by the next writes. */
  reset(): this { this.pos = 0; return this; }
}

/**
 * A writer reused for bytes that are hashed and dropped at once (txids,
 * sighashes): a new buffer per call cost more than the hashing of small
 * messages. Synchronous callers only, and never kept past the hash.
 */
export const scratchWriter = new ByteWriter(4096);

/** Every read failure is a typed, ban-scored error: a peer's bytes must never throw anything else. Integers are read byte by byte (no DataView: see ByteWriter). */
export class ByteReader {
  pos = 0;

  constructor(readonly buf: Uint8Array, private readonly what = 'data') {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ValidationError('bad-encoding', `${this.what} is truncated`, 20);
  }

  get remaining(): number { return this.buf.length - this.pos; }
  u8(): number { this.need(1); return this.buf[this.pos++]!; }
  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }
  u64(): number {
    this.need(8);
    const lo = this.u32();
    const hi = this.u32();
    if (hi >= 0x200000) throw new ValidationError('bad-encoding', `${this.what} holds an integer above 2^53`, 20);
    return hi * 0x100000000 + lo;
  }
  varint(): number {
    const first = this.u8();
    let n: number;
    let min: number;
    if (first < 0xfd) return first;
    if (first === 0xfd) { this.need(2); n = this.buf[this.pos]! | (this.buf[this.pos + 1]! << 8); this.pos += 2; min = 0xfd; }
    else if (first === 0xfe) { n = this.u32(); min = 0x10000; }
    else { n = this.u64(); min = 0x100000000; }
    if (n < min) throw new ValidationError('bad-encoding', `${this.what} has a non-minimal length prefix`, 20);
    return n;
  }
  bytes(n: number): Uint8Array { this.need(n); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  /** A copy of the next `n` bytes, owning its memory (what a parsed object keeps). */
  copy(n: number): Uint8Array {
    this.need(n);
    const out = new Uint8Array(n);
    const b = this.buf;
    for (let i = 0, p = this.pos; i < n; i++) out[i] = b[p + i]!;
    this.pos += n;
    return out;
  }
  /** `max` bounds allocation before we trust a length read from the wire. */
  varBytes(max: number): Uint8Array {
    return this.bytes(this.varLength(max));
  }
  /** varBytes, copied out. */
  varCopy(max: number): Uint8Array {
    return this.copy(this.varLength(max));
  }
  private varLength(max: number): number {
    const n = this.varint();
    if (n > max) throw new ValidationError('bad-encoding', `${this.what} has a field of ${n} bytes (max ${max})`, 20);
    return n;
  }
  end(): void {
    if (this.pos !== this.buf.length) throw new ValidationError('bad-encoding', `${this.what} has ${this.remaining} trailing bytes`, 20);
  }
}

/** A Map/Set key for bytes: latin1, one char per byte, so equal bytes give equal keys and string order is byte order. */
export function bytesKey(b: Uint8Array): string {
  // Buffer's latin1Slice reads any Uint8Array in place: no Buffer view is made per key (the hot path's garbage).
  return latin1Slice ? latin1Slice.call(b, 0, b.length) : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;
