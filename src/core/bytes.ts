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

/** Grows on demand; callers that know the size up front pass it to avoid copies. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(size = 256) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this { this.ensure(1); this.buf[this.pos++] = v; return this; }
  u32(v: number): this { this.ensure(4); this.view.setUint32(this.pos, v >>> 0, true); this.pos += 4; return this; }
  /** Amounts fit in 2^53 (see amount.ts), so a JS number carries them exactly. */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 out of range: ${v}`);
    this.ensure(8);
    this.view.setUint32(this.pos, v % 0x100000000, true);
    this.view.setUint32(this.pos + 4, Math.floor(v / 0x100000000), true);
    this.pos += 8;
    return this;
  }
  varint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint out of range: ${n}`);
    if (n < 0xfd) return this.u8(n);
    if (n <= 0xffff) { this.u8(0xfd); this.ensure(2); this.view.setUint16(this.pos, n, true); this.pos += 2; return this; }
    if (n <= 0xffffffff) return this.u8(0xfe).u32(n);
    return this.u8(0xff).u64(n);
  }
  bytes(b: Uint8Array): this { this.ensure(b.length); this.buf.set(b, this.pos); this.pos += b.length; return this; }
  varBytes(b: Uint8Array): this { return this.varint(b.length).bytes(b); }
  finish(): Uint8Array { return this.buf.subarray(0, this.pos); }
  /** Starts over in the same buffer: what finish() returned before is overwritten by the next writes. */
  reset(): this { this.pos = 0; return this; }
}

/**
 * A writer reused for bytes that are hashed and dropped at once (txids,
 * sighashes): a new buffer per call cost more than the hashing of small
 * messages. Synchronous callers only, and never kept past the hash.
 */
export const scratchWriter = new ByteWriter(4096);

/** Every read failure is a typed, ban-scored error: a peer's bytes must never throw anything else. */
export class ByteReader {
  private readonly view: DataView;
  pos = 0;

  constructor(readonly buf: Uint8Array, private readonly what = 'data') {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ValidationError('bad-encoding', `${this.what} is truncated`, 20);
  }

  get remaining(): number { return this.buf.length - this.pos; }
  u8(): number { this.need(1); return this.buf[this.pos++]!; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  u64(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    if (hi >= 0x200000) throw new ValidationError('bad-encoding', `${this.what} holds an integer above 2^53`, 20);
    return hi * 0x100000000 + lo;
  }
  varint(): number {
    const first = this.u8();
    let n: number;
    let min: number;
    if (first < 0xfd) return first;
    if (first === 0xfd) { this.need(2); n = this.view.getUint16(this.pos, true); this.pos += 2; min = 0xfd; }
    else if (first === 0xfe) { n = this.u32(); min = 0x10000; }
    else { n = this.u64(); min = 0x100000000; }
    if (n < min) throw new ValidationError('bad-encoding', `${this.what} has a non-minimal length prefix`, 20);
    return n;
  }
  bytes(n: number): Uint8Array { this.need(n); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  /** `max` bounds allocation before we trust a length read from the wire. */
  varBytes(max: number): Uint8Array {
    const n = this.varint();
    if (n > max) throw new ValidationError('bad-encoding', `${this.what} has a field of ${n} bytes (max ${max})`, 20);
    return this.bytes(n);
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
