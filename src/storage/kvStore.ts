// The small key-value interface the chain is written against. Keys and values
// are raw bytes; keys sort bytewise, so a key prefix selects a contiguous range.
// Two implementations: RocksStore (every real run) and MemoryStore (unit tests,
// and the in-memory reference in bench/connect.ts).

export type BatchOp =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array }
  /** Deletes every key k with gte <= k < lt. */
  | { type: 'delRange'; gte: Uint8Array; lt: Uint8Array };

export interface RangeOptions {
  /** Shorthand for gte = prefix, lt = prefixEnd(prefix). */
  prefix?: Uint8Array;
  gte?: Uint8Array;
  lt?: Uint8Array;
  limit?: number;
}

export interface KeyValueStore {
  get(key: Uint8Array): Promise<Uint8Array | null>;
  /** One round trip for many keys; results line up with `keys`. */
  getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | null>>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  /** All of `ops` become visible together, or none do (also across a crash). */
  write(ops: BatchOp[]): Promise<void>;
  /** Ascending key order. Breaking out of the loop releases the iterator. */
  iterate(range: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]>;
  close(): Promise<void>;
}

/** Collects operations for one atomic write. */
export class WriteBatch {
  readonly ops: BatchOp[] = [];
  put(key: Uint8Array, value: Uint8Array): this { this.ops.push({ type: 'put', key, value }); return this; }
  del(key: Uint8Array): this { this.ops.push({ type: 'del', key }); return this; }
  delRange(gte: Uint8Array, lt: Uint8Array): this { this.ops.push({ type: 'delRange', gte, lt }); return this; }
  get length(): number { return this.ops.length; }
}

/** The smallest key above every key that starts with `prefix` (null: no bound, prefix is all 0xff). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | null {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) { end[i]!++; return end.subarray(0, i + 1); }
  }
  return null;
}

/** Resolves prefix/gte/lt into explicit bounds (null = unbounded). */
export function resolveRange(range: RangeOptions): { gte: Uint8Array | null; lt: Uint8Array | null } {
  if (range.prefix) {
    if (range.gte || range.lt) throw new RangeError('give either a prefix or gte/lt bounds, not both');
    return { gte: range.prefix, lt: prefixEnd(range.prefix) };
  }
  return { gte: range.gte ?? null, lt: range.lt ?? null };
}
