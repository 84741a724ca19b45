// The field-by-field writer and reader behind every key of src/storage/layout.ts:
// a one-byte prefix, then fixed-width fields, integers big-endian so that key
// order is numeric order. Which keys exist is layout.ts's business alone.

/** Writes a key field by field; each field's width is checked. */
export class KeyWriter {
  readonly key: Uint8Array;
  private at = 1;
  /** `into`: the key's bytes, when the caller provides them (exactly 1 + width long). */
  constructor(prefix: number, width: number, into?: Uint8Array) {
    if (into && into.length !== 1 + width) throw new RangeError(`a key of width ${width} needs ${1 + width} bytes, got ${into.length}`);
    this.key = into ?? new Uint8Array(1 + width);
    this.key[0] = prefix;
  }
  bytes(b: Uint8Array, width: number, what: string): this {
    if (b.length !== width) throw new RangeError(`${what} needs ${width} bytes, got ${b.length}`);
    this.key.set(b, this.at);
    this.at += width;
    return this;
  }
  /** Steps over bytes the caller set itself. */
  skip(n: number): this { this.at += n; return this; }
  u32(v: number): this {
    const k = this.key;
    k[this.at] = v >>> 24; k[this.at + 1] = v >>> 16; k[this.at + 2] = v >>> 8; k[this.at + 3] = v;
    this.at += 4;
    return this;
  }
}

/** Reads a key field by field, after checking its prefix and length. */
export class KeyReader {
  private at = 1;
  constructor(private readonly key: Uint8Array, prefix: number, width: number, what: string) {
    if (key.length !== 1 + width || key[0] !== prefix) throw new RangeError(`not ${what} key (${key.length} bytes, prefix 0x${(key[0] ?? 0).toString(16)})`);
  }
  bytes(width: number): Uint8Array {
    const b = this.key.slice(this.at, this.at + width);
    this.at += width;
    return b;
  }
  u32(): number {
    const k = this.key;
    const v = ((k[this.at]! << 24) | (k[this.at + 1]! << 16) | (k[this.at + 2]! << 8) | k[this.at + 3]!) >>> 0;
    this.at += 4;
    return v;
  }
}
