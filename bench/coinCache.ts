// A prototype, kept for bench/coinCacheProbe.ts only: the node does not use
// it, because the probe showed no gain (docs/storage.md, "Memory").
//
// A bounded in-memory map of coins ('c' keys) in front of a KeyValueStore:
// read-through (a coin read from the inner store is kept) and write-through
// (every batch goes to the inner store unchanged, and once it is durable the
// cache takes its coin puts and deletes). Disk state and batches are exactly
// what they are without the cache, so crash safety is untouched: after a
// kill the cache is simply gone. Only reads get cheaper.
//
// Memory: the coins sit in a CoinTable (coinTable.ts): typed arrays allocated
// up front, so what the cache holds is `stats().bytes` and nothing grows
// behind it. docs/storage.md, "Memory", says what it measured.
import { bytesKey } from '../src/core/bytes.js';
import { BatchOp, KeyValueStore, RangeOptions } from '../src/storage/kvStore.js';
import { PREFIX } from '../src/storage/layout.js';
import { COIN_KEY_BYTES, COIN_VALUE_BYTES, CoinTable } from './coinTable.js';

export { COIN_VALUE_BYTES } from './coinTable.js';

const isCoinKey = (key: Uint8Array): boolean => key.length === COIN_KEY_BYTES && key[0] === PREFIX.coin;

export interface CoinCacheStats { hits: number; misses: number; entries: number; capacity: number; bytes: number }

export class CoinCache implements KeyValueStore {
  private readonly table: CoinTable;
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
    this.table = new CoinTable(maxBytes);
  }

  get capacity(): number { return this.table.capacity; }

  stats(): CoinCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.table.size, capacity: this.table.capacity, bytes: this.table.bytes };
  }

  private set(key: Uint8Array, value: Uint8Array): void {
    if (value.length === COIN_VALUE_BYTES) this.table.set(key, value); else this.table.delete(key);
  }

/** Keeps what a read found, unless a write touched the key while the read was out. */
  private fill(key: Uint8Array, k: string, value: Uint8Array | null, began: number): void {
    if (this.rangesPending > 0 || this.rangeFinishedAt > began) return;
    if (this.pending.has(k) || (this.finishedAt.get(k) ?? -1) > began) return;
    if (value) this.set(key, value);
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
    const hit = this.table.get(key);
    if (hit) { this.hits++; return hit; }
    this.misses++;
    return this.readInner(() => this.inner.get(key), (v, began) => this.fill(key, bytesKey(key), v, began));
  }

  async getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | null>> {
    const out: Array<Uint8Array | null> = new Array(keys.length).fill(null);
    const missing: number[] = [];
    const missingKeys: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (!isCoinKey(key)) { missing.push(i); missingKeys.push(''); continue; }
      const hit = this.table.get(key);
      if (hit) { this.hits++; out[i] = hit; } else { this.misses++; missing.push(i); missingKeys.push(bytesKey(key)); }
    }
    if (missing.length === 0) return out;
    const found = await this.readInner(() => this.inner.getMany(missing.map((i) => keys[i]!)), (vs, began) => {
      vs.forEach((v, j) => { if (missingKeys[j] !== '') this.fill(keys[missing[j]!]!, missingKeys[j]!, v, began); });
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
      for (const op of ops) {
        if (op.type === 'delRange') this.table.clear();
        else if (!isCoinKey(op.key)) continue;
        else if (op.type === 'put') this.set(op.key, op.value);
        else this.table.delete(op.key);
      }
    } catch (err) {
      // What reached the disk is unknown: forget every key the batch touched.
      for (const op of ops) if (op.type !== 'delRange' && isCoinKey(op.key)) this.table.delete(op.key);
      if (ranged) this.table.clear();
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
    this.table.clear();
    return this.inner.close();
  }
}
