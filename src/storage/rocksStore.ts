// KeyValueStore on RocksDB through rocksdb-native (why this binding and not
// `rocksdb`: docs/storage.md). RocksDB appends every batch to its write-ahead
// log before acknowledging it, so a batch survives the process being killed
// right after `write` resolves; one batch is one WAL record, so it is atomic.
import fs from 'node:fs/promises';
import path from 'node:path';
import RocksDB from 'rocksdb-native';
import { BatchOp, KeyValueStore, RangeOptions, resolveRange } from './kvStore.js';
import { DatabaseLockedError, StorageError, storageFailure } from './errors.js';

/** Keys per native round trip while iterating: large scans amortise the crossing. */
const ITERATOR_CAPACITY = 512;

/**
 * V8 keeps a typed array of up to 64 bytes on the JS heap; the binding asks for
 * its bytes through napi_get_typedarray_info, which first moves them into a
 * fresh off-heap backing store (one allocation, and later one free in GC, per
 * key and per value). Copying a batch's small keys and values into one
 * off-heap slab and handing over views of it costs one allocation per batch.
 */
const IN_HEAP_MAX = 64;

class Slab {
  private buf: Uint8Array;
  private at = 0;
  constructor(bytes: number) { this.buf = new Uint8Array(new ArrayBuffer(Math.max(bytes, 1))); }
  /**
   * `b` itself when it is large or a view into a larger buffer (off the heap
   * already, as the chain's key arenas are: chain/utxoSet.ts), else a view of
   * its copy in the slab. A small array V8 keeps on its heap has offset 0.
   */
  place(b: Uint8Array): Uint8Array {
    const n = b.length;
    if (n > IN_HEAP_MAX || b.byteOffset !== 0) return b;
    const d = this.buf;
    const o = this.at;
    for (let i = 0; i < n; i++) d[o + i] = b[i]!;
    this.at = o + n;
    return new Uint8Array(d.buffer, o, n);
  }
  static sizeOf(b: Uint8Array): number { return b.length > IN_HEAP_MAX || b.byteOffset !== 0 ? 0 : b.length; }
}

/** A plain Uint8Array view (no copy), so both stores hand out the same type. */
const plain = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

// RocksDB takes an fcntl lock on <dir>/LOCK and fails (never waits) when it is
// held: "While lock file: …: Resource temporarily unavailable" from another
// process, "lock hold by current process" from this one.
function isLockFailure(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /While lock file|lock hold by current process/i.test(msg);
}

/** --dbcache default, MiB: what RocksDB may hold in memory for data (memtables + block cache). */
export const DEFAULT_DBCACHE_MIB = 300;
/** rocksdb-native can switch the block cache off but not size it: RocksDB then makes its default 32 MiB LRU cache. */
export const BLOCK_CACHE_MIB = 32;
/** Memtables per column family (rocksdb-native's default), each up to the write buffer size. */
const WRITE_BUFFERS = 2;
/** The write buffer size rocksdb-native uses by default, kept when the budget allows it. */
const MAX_WRITE_BUFFER_MIB = 64;
const MIN_WRITE_BUFFER_MIB = 4;
export const MIN_DBCACHE_MIB = BLOCK_CACHE_MIB + WRITE_BUFFERS * MIN_WRITE_BUFFER_MIB;

export interface RocksOptions {
  /** Bound in MiB on the block cache plus the memtables (default 300): docs/storage.md, "Memory". */
  dbcacheMiB?: number;
}

/** The memtable size that keeps block cache + memtables within `dbcacheMiB`. */
export function writeBufferMiB(dbcacheMiB: number): number {
  if (!(Number.isInteger(dbcacheMiB) && dbcacheMiB >= MIN_DBCACHE_MIB)) throw new RangeError(`dbcache must be a whole number of MiB, at least ${MIN_DBCACHE_MIB}, got ${dbcacheMiB}`);
  return Math.min(MAX_WRITE_BUFFER_MIB, Math.floor((dbcacheMiB - BLOCK_CACHE_MIB) / WRITE_BUFFERS));
}

/** How long close() waits for operations in flight. */
const CLOSE_WAIT_MS = 5000;

export class RocksStore implements KeyValueStore {
  private closed = false;
  /** Reads, writes and iterators not finished yet: close() waits for them, because
   * closing the native handle under a pending operation aborts the process. */
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(private readonly db: RocksDB, readonly dir: string) {}

  static async open(dir: string, opts: RocksOptions = {}): Promise<RocksStore> {
    const abs = path.resolve(dir);
    const writeBufferSize = writeBufferMiB(opts.dbcacheMiB ?? DEFAULT_DBCACHE_MIB) * 2 ** 20;
    try {
      await fs.mkdir(abs, { recursive: true });
    } catch (e) {
      throw new StorageError('db-open', `cannot create the database directory ${abs}: ${(e as Error).message}`, { dir: abs });
    }
    const db = new RocksDB(abs, { createIfMissing: true, writeBufferSize, maxWriteBufferNumber: WRITE_BUFFERS });
    try {
      await db.ready();
    } catch (e) {
      // A failed open leaves nothing to release; close() only rethrows the open error.
      await db.close().catch(() => undefined);
      if (isLockFailure(e)) throw new DatabaseLockedError(abs);
      throw storageFailure(e, abs, 'db-open', 'opening');
    }
    return new RocksStore(db, abs);
  }

  private check(): void {
    if (this.closed) throw new StorageError('db-closed', `the database at ${this.dir} is closed`);
  }

  /** Every native operation goes through here: close() waits for it, and its failure is named (a full disk, a damaged file). */
  private track<T>(op: Promise<T>, doing: string): Promise<T> {
    this.inFlight.add(op);
    const done = (): void => { this.inFlight.delete(op); };
    op.then(done, done);
    return op.catch((e: unknown) => { throw storageFailure(e, this.dir, 'db-io', doing); });
  }

  async get(key: Uint8Array): Promise<Uint8Array | null> {
    this.check();
    const v = await this.track(this.db.get(key), 'reading');
    return v ? plain(v) : null;
  }

  async getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | null>> {
    this.check();
    if (keys.length === 0) return [];
    const batch = this.db.read({ capacity: keys.length, autoDestroy: true });
    let bytes = 0;
    for (const k of keys) bytes += Slab.sizeOf(k);
    const slab = new Slab(bytes);
    const pending = keys.map((k) => batch.get(slab.place(k)));
    batch.tryFlush();
    return (await this.track(Promise.all(pending), 'reading')).map((v) => (v ? plain(v) : null));
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.write([{ type: 'put', key, value }]);
  }

  async write(ops: BatchOp[]): Promise<void> {
    this.check();
    if (ops.length === 0) return;
    const batch = this.db.write({ capacity: ops.length, autoDestroy: true });
    let bytes = 0;
    for (const op of ops) {
      if (op.type === 'put') bytes += Slab.sizeOf(op.key) + Slab.sizeOf(op.value);
      else if (op.type === 'del') bytes += Slab.sizeOf(op.key);
    }
    const slab = new Slab(bytes);
    for (const op of ops) {
      if (op.type === 'put') batch.tryPut(slab.place(op.key), slab.place(op.value));
      else if (op.type === 'del') batch.tryDelete(slab.place(op.key));
      else batch.tryDeleteRange(op.gte, op.lt);
    }
    await this.track(batch.flush(), 'writing to');
  }

  async *iterate(range: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    this.check();
    const { gte, lt } = resolveRange(range);
    const bounds: { gte?: Uint8Array; lt?: Uint8Array } = {};
    if (gte) bounds.gte = gte;
    if (lt) bounds.lt = lt;
    const limit = range.limit ?? Infinity;
    if (limit <= 0) return;
    const capacity = Math.max(1, Math.min(ITERATOR_CAPACITY, limit));
    const it = this.db.iterator(bounds, Number.isFinite(limit) ? { limit, capacity } : { capacity });
    let finish!: () => void;
    this.track(new Promise<void>((resolve) => { finish = resolve; }), 'reading');
    try {
      for await (const { key, value } of it) yield [plain(key), plain(value)];
    } catch (e) {
      throw storageFailure(e, this.dir, 'db-io', 'reading');
    } finally {
      finish();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // New operations fail with db-closed from here; those already started finish first
    // (bounded: an iterator abandoned by its reader must not hold the close forever).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_WAIT_MS); }),
    ]);
    clearTimeout(timer);
    await this.db.close();
  }
}
