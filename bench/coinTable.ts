// A fixed-size hash table of coins in typed arrays, for the coin cache
// (coinCache.ts): no object per coin, so its memory is what it allocates up
// front and the garbage collector never walks it. Keys are coin keys ('c' |
// txid | vout, 37 bytes; the prefix is not stored), values serialized coins
// (33 bytes). Open addressing with linear probing and backward-shift deletion
// over an index of 2-4 slots per entry; the hash is seeded per process, so
// txids ground to collide cannot turn probes into scans. When full, a clock
// hand over the entry slots picks the one to evict.
import { randomBytes } from 'node:crypto';

export const COIN_KEY_BYTES = 37;
export const COIN_VALUE_BYTES = 33;
const KEY = COIN_KEY_BYTES - 1;
const ENTRY = KEY + COIN_VALUE_BYTES;
/** Per entry: its slot, its used flag and free-list cell; the index adds 8-16 more. */
const FIXED_PER_ENTRY = ENTRY + 1 + 4;
const INDEX_CELL = 4;

const seeds = new Uint32Array(Uint8Array.from(randomBytes(8)).buffer);
const SEED_A = seeds[0]!;
const SEED_B = seeds[1]! | 1;

export class CoinTable {
  readonly capacity: number;
  /** Bytes allocated, all of it up front. */
  readonly bytes: number;
  size = 0;
  private readonly entries: Uint8Array;
  private readonly used: Uint8Array;
  private readonly free: Int32Array;
  private freeTop: number;
  /** entry + 1, or 0 for an empty cell. */
  private readonly index: Int32Array;
  private readonly mask: number;
  private hand = 0;

  /** The largest table that fits in `maxBytes`. */
  constructor(maxBytes: number) {
    let cap = Math.max(1, Math.floor(maxBytes / (FIXED_PER_ENTRY + 2 * INDEX_CELL)));
    let cells = 2 ** Math.ceil(Math.log2(2 * cap));
    if (cap * FIXED_PER_ENTRY + cells * INDEX_CELL > maxBytes) cap = Math.max(1, Math.floor((maxBytes - cells * INDEX_CELL) / FIXED_PER_ENTRY));
    if (cap < 1) { cap = 1; cells = 2; }
    this.capacity = cap;
    this.mask = cells - 1;
    this.entries = new Uint8Array(cap * ENTRY);
    this.used = new Uint8Array(cap);
    this.free = new Int32Array(cap);
    this.index = new Int32Array(cells);
    this.freeTop = 0;
    this.resetFree();
    this.bytes = cap * FIXED_PER_ENTRY + cells * INDEX_CELL;
  }

  private resetFree(): void {
    for (let i = 0; i < this.capacity; i++) this.free[i] = this.capacity - 1 - i;
    this.freeTop = this.capacity;
  }

  /** Seeded mix of the 36 key bytes at `buf[off..]`. */
  private hash(buf: Uint8Array, off: number): number {
    let h = SEED_A;
    for (let i = 0; i < KEY; i += 4) {
      const w = buf[off + i]! | (buf[off + i + 1]! << 8) | (buf[off + i + 2]! << 16) | (buf[off + i + 3]! << 24);
      h = Math.imul(h ^ Math.imul(w, SEED_B), 0x9e3779b1);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
    return (h ^ (h >>> 16)) & this.mask;
  }

  private sameKey(entry: number, key: Uint8Array, off: number): boolean {
    const at = entry * ENTRY;
    for (let i = 0; i < KEY; i++) if (this.entries[at + i] !== key[off + i]) return false;
    return true;
  }

  /** The index cell holding the key at `key[off..]`, or the empty cell where it would go. */
  private probe(key: Uint8Array, off: number): number {
    let i = this.hash(key, off);
    for (;;) {
      const e = this.index[i]!;
      if (e === 0 || this.sameKey(e - 1, key, off)) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** A copy of the value of a coin key, or null. */
  get(key: Uint8Array): Uint8Array | null {
    const e = this.index[this.probe(key, 1)]!;
    if (e === 0) return null;
    const at = (e - 1) * ENTRY + KEY;
    return this.entries.slice(at, at + COIN_VALUE_BYTES);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    let cell = this.probe(key, 1);
    let e = this.index[cell]!;
    if (e === 0) {
      if (this.freeTop === 0) { this.evictOne(); cell = this.probe(key, 1); }
      const entry = this.free[--this.freeTop]!;
      // Byte by byte: a subarray would move a small key's bytes off the heap.
      for (let i = 0, at = entry * ENTRY; i < KEY; i++) this.entries[at + i] = key[1 + i]!;
      this.used[entry] = 1;
      this.index[cell] = entry + 1;
      this.size++;
      e = entry + 1;
    }
    this.entries.set(value, (e - 1) * ENTRY + KEY);
  }

  delete(key: Uint8Array): void {
    const cell = this.probe(key, 1);
    if (this.index[cell] !== 0) this.removeAt(cell);
  }

  clear(): void {
    this.index.fill(0);
    this.used.fill(0);
    this.resetFree();
    this.size = 0;
  }

  private evictOne(): void {
    while (this.used[this.hand] === 0) this.hand = (this.hand + 1) % this.capacity;
    const entry = this.hand;
    this.hand = (this.hand + 1) % this.capacity;
    this.removeAt(this.probe(this.entries, entry * ENTRY));
  }

  /** Empties an index cell and shifts later cells of the run back, so no probe ever stops short. */
  private removeAt(cell: number): void {
    const entry = this.index[cell]! - 1;
    this.used[entry] = 0;
    this.free[this.freeTop++] = entry;
    this.size--;
    let hole = cell;
    for (let j = (cell + 1) & this.mask; ; j = (j + 1) & this.mask) {
      const f = this.index[j]!;
      if (f === 0) break;
      const home = this.hash(this.entries, (f - 1) * ENTRY);
      if (((j - home) & this.mask) >= ((j - hole) & this.mask)) { this.index[hole] = f; hole = j; }
    }
    this.index[hole] = 0;
  }
}
