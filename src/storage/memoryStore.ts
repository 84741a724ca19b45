// The in-memory twin of RocksStore, for unit tests and as the reference in the
// connect benchmark. Keys are held as latin1 strings: one char per byte, so
// JavaScript's string order is exactly RocksDB's bytewise order.
import { BatchOp, KeyValueStore, RangeOptions, resolveRange } from './kvStore.js';
import { StorageError } from './errors.js';

const asKey = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const asBytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

export class MemoryStore implements KeyValueStore {
  private readonly map = new Map<string, Uint8Array>();
  /** Sorted lazily: a connect writes thousands of keys and rarely iterates. */
  private sorted: string[] | null = [];
  private closed = false;

  get size(): number { return this.map.size; }

  private check(): void {
    if (this.closed) throw new StorageError('db-closed', 'the in-memory database is closed');
  }

  async get(key: Uint8Array): Promise<Uint8Array | null> {
    this.check();
    return this.map.get(asKey(key)) ?? null;
  }

  async getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | null>> {
    this.check();
    return keys.map((k) => this.map.get(asKey(k)) ?? null);
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.write([{ type: 'put', key, value }]);
  }

  async write(ops: BatchOp[]): Promise<void> {
    this.check();
    for (const op of ops) {
      if (op.type === 'put') {
        const k = asKey(op.key);
        if (!this.map.has(k)) this.sorted = null;
        this.map.set(k, Uint8Array.from(op.value));
      } else if (op.type === 'del') {
        if (this.map.delete(asKey(op.key))) this.sorted = null;
      } else {
        const keys = this.keysIn(asKey(op.gte), asKey(op.lt));
        for (const k of keys) this.map.delete(k);
        if (keys.length > 0) this.sorted = null;
      }
    }
  }

  private sortedKeys(): string[] {
    if (this.sorted === null) this.sorted = [...this.map.keys()].sort();
    return this.sorted;
  }

  private keysIn(gte: string | null, lt: string | null): string[] {
    const keys = this.sortedKeys();
    let lo = 0;
    let hi = keys.length;
    if (gte !== null) {
      while (lo < hi) { const mid = (lo + hi) >>> 1; if (keys[mid]! < gte) lo = mid + 1; else hi = mid; }
    }
    const out: string[] = [];
    for (let i = lo; i < keys.length; i++) {
      const k = keys[i]!;
      if (lt !== null && k >= lt) break;
      out.push(k);
    }
    return out;
  }

  async *iterate(range: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    this.check();
    const { gte, lt } = resolveRange(range);
    const keys = this.keysIn(gte && asKey(gte), lt && asKey(lt));
    const limit = range.limit ?? Infinity;
    let n = 0;
    for (const k of keys) {
      if (n >= limit) return;
      const v = this.map.get(k);
      // Deleted since the iteration began: a snapshot-free iterator simply skips it.
      if (v === undefined) continue;
      n++;
      yield [asBytes(k), v];
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
