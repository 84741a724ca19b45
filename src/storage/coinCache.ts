// A bounded in-memory map of coins ('c' keys) in front of a KeyValueStore:
// read-through (a coin read from the inner store is kept) and write-through
// (every batch goes to the inner store unchanged, and once it is durable the
// cache takes its coin puts and deletes). Disk state and batches are exactly
// what they are without the cache, so crash safety is untouched: after a
// kill the cache is simply gone. Only reads get cheaper.
//
// Memory: values sit in fixed slots of one preallocated arena (no object per
// coin); the Map from key to slot costs ENTRY_OVERHEAD_BYTES per coin on top.
// When full, the oldest entry goes (insertion order, through one long-lived
// iterator, so eviction is O(1)). docs/storage.md, "Memory", says what it
// measured.
import { bytesKey } from '../core/bytes.js';
import { BatchOp, KeyValueStore, RangeOptions } from './kvStore.js';
import { PREFIX } from './layout.js';

/** serializeCoin's size: value u64 | pkh 20 | height u32 | coinbase u8. Other sizes are not cached. */
export const COIN_VALUE_BYTES = 33;
const COIN_KEY_BYTES = 37;
/** Heap bytes per entry beyond its value slot: the key string (~63) and the Map entry with its share of the table (37-45; the worst case, just past a power of two, measured 108 in all by test/storage.coinCache.test.ts). */
export const ENTRY_OVERHEAD_BYTES = 120;

const isCoinKey = (key: Uint8Array): boolean => key.length === COIN_KEY_BYTES && key[0] === PREFIX.coin;

export interface CoinCacheStats { hits: number; misses: number; entries: number; capacity: number; bytes: number }

export class CoinCache implements KeyValueStore {
  readonly capacity: number;
  private readonly slots = new Map<string, number>();
  private readonly arena: Uint8Array;
  private readonly free: Int32Array;
  private freeTop: number;
  /** Made at the first eviction, when the Map has its full size: an older iterator would keep every smaller table the Map grew out of. */
  private evictor: Iterator<[string, number]> | null = null;
  /** Keys a write in flight touches (count of such writes). A read meanwhile must not fill them. */
  private readonly pending = new Map<string, number>();
  /** Writes finished so far; a read fills only keys no write finished after it began. */
  private writesDone = 0;
  private readsInFlight = 0;
  /** Key -> writesDone when a write touching it finished, kept while reads are in flight. */
  private readonly finishedAt = new Map<string, number>();
  /** Range deletes (any one clears the cache) in flight, and writesDone when the last one finished. */
  private rangesPending = 0;
  private rangeFinishedAt = -1;
  private hits = 0;
  private misses = 0;

  constructor(private readonly inner: KeyValueStore, maxBytes: number) {
    this.capacity = Math.max(1, Math.floor(maxBytes / (COIN_VALUE_BYTES + ENTRY_OVERHEAD_BYTES)));
    this.arena = new Uint8Array(this.capacity * COIN_VALUE_BYTES);
    this.free = new Int32Array(this.capacity);
    for (let i = 0; i < this.capacity; i++) this.free[i] = this.capacity - 1 - i;
    this.freeTop = this.capacity;
  }

  stats(): CoinCacheStats {
    const entries = this.slots.size;
    return { hits: this.hits, misses: this.misses, entries, capacity: this.capacity, bytes: this.capacity * COIN_VALUE_BYTES + entries * ENTRY_OVERHEAD_BYTES };
  }

  private lookup(k: string): Uint8Array | undefined {
    const slot = this.slots.get(k);
    if (slot === undefined) return undefined;
    const at = slot * COIN_VALUE_BYTES;
    return this.arena.slice(at, at + COIN_VALUE_BYTES);
  }

  private set(k: string, value: Uint8Array): void {
    if (value.length !== COIN_VALUE_BYTES) { this.remove(k); return; }
    let slot = this.slots.get(k);
    if (slot === undefined) {
      if (this.freeTop === 0) this.evictOldest();
      slot = this.free[--this.freeTop]!;
      this.slots.set(k, slot);
    }
    this.arena.set(value, slot * COIN_VALUE_BYTES);
  }

  private remove(k: string): void {
    const slot = this.slots.get(k);
    if (slot === undefined) return;
    this.slots.delete(k);
    this.free[this.freeTop++] = slot;
  }

  private evictOldest(): void {
    let next = this.evictor?.next() ?? { done: true, value: undefined };
    if (next.done) { this.evictor = this.slots.entries(); next = this.evictor.next(); }
    this.remove(next.value![0]);
  }

  private clear(): void {
    this.slots.clear();
    for (let i = 0; i < this.capacity; i++) this.free[i] = this.capacity - 1 - i;
    this.freeTop = this.capacity;
    this.evictor = null;
  }

  /** Keeps what a read found, unless a write touched the key while the read was out. */
  private fill(k: string, value: Uint8Array | null, began: number): void {
    if (this.rangesPending > 0 || this.rangeFinishedAt > began) return;
    if (this.pending.has(k) || (this.finishedAt.get(k) ?? -1) > began) return;
    if (value) this.set(k, value);
  }

  private async readInner<T>(read: () => Promise<T>, fill: (result: T, began: number) => void): Promise<T> {
    const began = this.writesDone;
    this.readsInFlight++;
    try {
      const result = await read();
      fill(result, began);
      return result;
    } finally {
      if (--this.readsInFlight === 0) this.finishedAt.clear();
    }
  }

  async get(key: Uint8Array): Promise<Uint8Array | null> {
    if (!isCoinKey(key)) return this.inner.get(key);
    const k = bytesKey(key);
    const hit = this.lookup(k);
    if (hit) { this.hits++; return hit; }
    this.misses++;
    return this.readInner(() => this.inner.get(key), (v, began) => this.fill(k, v, began));
  }

  async getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | null>> {
    const out: Array<Uint8Array | null> = new Array(keys.length).fill(null);
    const missing: number[] = [];
    const missingKeys: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (!isCoinKey(key)) { missing.push(i); missingKeys.push(''); continue; }
      const k = bytesKey(key);
      const hit = this.lookup(k);
      if (hit) { this.hits++; out[i] = hit; } else { this.misses++; missing.push(i); missingKeys.push(k); }
    }
    if (missing.length === 0) return out;
    const found = await this.readInner(() => this.inner.getMany(missing.map((i) => keys[i]!)), (vs, began) => {
      vs.forEach((v, j) => { if (missingKeys[j] !== '') this.fill(missingKeys[j]!, v, began); });
    });
    missing.forEach((i, j) => { out[i] = found[j]!; });
    return out;
  }

  put(key: Uint8Array, value: Uint8Array): Promise<void> {
    return this.write([{ type: 'put', key, value }]);
  }

  /** The inner store's write; once it is durable, the coin ops apply to the cache in order. */
  async write(ops: BatchOp[]): Promise<void> {
    const touched: string[] = [];
    let ranged = false;
    for (const op of ops) {
      if (op.type === 'delRange') ranged = true;
      else if (isCoinKey(op.key)) touched.push(bytesKey(op.key));
    }
    for (const k of touched) this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
    if (ranged) this.rangesPending++;
    try {
      await this.inner.write(ops);
      let t = 0;
      for (const op of ops) {
        if (op.type === 'delRange') { this.clear(); continue; }
        if (!isCoinKey(op.key)) continue;
        const k = touched[t++]!;
        if (op.type === 'put') this.set(k, op.value); else this.remove(k);
      }
    } catch (err) {
      // What reached the disk is unknown: forget every key the batch touched.
      for (const k of touched) this.remove(k);
      if (ranged) this.clear();
      throw err;
    } finally {
      this.writesDone++;
      for (const k of touched) {
        const n = this.pending.get(k)! - 1;
        if (n === 0) this.pending.delete(k); else this.pending.set(k, n);
        if (this.readsInFlight > 0) this.finishedAt.set(k, this.writesDone);
      }
      if (ranged) { this.rangesPending--; this.rangeFinishedAt = this.writesDone; }
    }
  }

  iterate(range: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    return this.inner.iterate(range);
  }

  close(): Promise<void> {
    this.clear();
    return this.inner.close();
  }
}
