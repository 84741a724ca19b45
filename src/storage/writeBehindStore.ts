// A KeyValueStore that lets its owner go on while a batch is still being
// written. `writeBehind` records the batch's puts and deletes in memory at
// once, so every read through this store sees them, and hands the batch to the
// inner store; it returns a promise that settles when the batch is durable.
// Batches reach the inner store one at a time, in the order they were given,
// so whenever the process dies the store holds a prefix of them, each whole.
//
// A range delete joins the queue like any batch and is a barrier there: it is
// written alone, after everything given before it and before everything given
// after it, and until it is durable reads see the keys in its range as deleted.
//
// Why: RocksDB acknowledges a batch only after its WAL append, and while it
// waits the chain has nothing to do. Writing block N behind lets block N+1 be
// read and validated in that time (docs/storage.md, "Write-behind").
import { bytesKey } from '../core/bytes.js';
import { BatchOp, KeyValueStore, RangeOptions } from './kvStore.js';
import { StorageError } from './errors.js';

interface Queued {
  ops: BatchOp[];
  /** What the batch writes, by bytesKey (null: deleted), for reads until it is durable. */
  values: Map<string, Uint8Array | null>;
  /** The batch's range deletes [gte, lt), as bytesKey strings (one char per byte, so they compare as the bytes do). */
  ranges: Array<{ gte: string; lt: string }>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Batches joined into one inner write at most: enough to amortise a WAL round trip, small enough to stay quick. */
const MAX_GROUP_OPS = 100_000;

export class WriteBehindStore implements KeyValueStore {
  /** Given, not yet handed to the inner store. */
  private queued: Queued[] = [];
  /** Handed to the inner store, not yet acknowledged. */
  private writing: Queued[] = [];
  /** Callers of room()/flushed() waiting for a write to finish. */
  private waiters: Array<() => void> = [];
  /** The inner store's own error: a write failed, so memory is ahead of disk and nothing more may be written. */
  private failure: Error | null = null;
  private closed = false;

  /** `onFailure` hears once of the first failed write, whoever gave it (a write behind may have no waiter left to tell). */
  constructor(private readonly inner: KeyValueStore, private readonly onFailure: (err: Error) => void = () => undefined) {}

  /** Batches given but not yet durable. */
  get unwritten(): number { return this.queued.length + this.writing.length; }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new StorageError('db-closed', 'the database is closed');
  }

  /**
   * Makes `ops` visible to reads now and writes them in the background. The
   * promise settles once they are durable; it rejects (as does every later
   * call) if the inner store failed, since what is in memory is then ahead of
   * disk. Batches given while another write is in flight are joined into one
   * inner batch (still in order, still atomic): group commit.
   */
  writeBehind(ops: BatchOp[]): Promise<void> {
    this.check();
    const values = new Map<string, Uint8Array | null>();
    const ranges: Queued['ranges'] = [];
    for (const op of ops) {
      if (op.type === 'put') values.set(bytesKey(op.key), op.value);
      else if (op.type === 'del') values.set(bytesKey(op.key), null);
      else {
        const range = { gte: bytesKey(op.gte), lt: bytesKey(op.lt) };
        // Keys this batch wrote before the range delete are deleted by it.
        for (const k of values.keys()) if (inRange(k, range)) values.set(k, null);
        ranges.push(range);
      }
    }
    const done = new Promise<void>((resolve, reject) => { this.queued.push({ ops, values, ranges, resolve, reject }); });
    this.pump();
    return done;
  }

  private pump(): void {
    if (this.writing.length > 0 || this.queued.length === 0) return;
    if (this.failure) {
      for (const q of this.queued.splice(0)) q.reject(this.failure);
      this.wake();
      return;
    }
    // A batch with a range delete is a barrier: it is written on its own.
    let count = 1;
    let size = this.queued[0]!.ops.length;
    const joins = (q: Queued): boolean => q.ranges.length === 0 && size + q.ops.length <= MAX_GROUP_OPS;
    if (this.queued[0]!.ranges.length === 0) {
      while (count < this.queued.length && joins(this.queued[count]!)) size += this.queued[count++]!.ops.length;
    }
    const group = this.queued.splice(0, count);
    this.writing = group;
    const ops = group.length === 1 ? group[0]!.ops : group.flatMap((q) => q.ops);
    let written: Promise<void>;
    try {
      written = this.inner.write(ops);
    } catch (err) {
      written = Promise.reject(err);
    }
    written.then(() => {
      this.writing = [];
      for (const q of group) q.resolve();
      this.wake();
      this.pump();
    }, (err: unknown) => {
      this.writing = [];
      if (!this.failure) {
        this.failure = err instanceof Error ? err : new StorageError('db-io', `a write to the database failed: ${String(err)}`);
        this.onFailure(this.failure);
      }
      for (const q of group) q.reject(this.failure);
      this.wake();
      this.pump();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private nextWrite(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves once every batch given so far is durable; rejects if one failed. */
  async flushed(): Promise<void> {
    while (this.unwritten > 0) await this.nextWrite();
    if (this.failure) throw this.failure;
  }

  /** Resolves once at most `max` batches are still unwritten. */
  async room(max: number): Promise<void> {
    while (this.unwritten > max) await this.nextWrite();
    if (this.failure) throw this.failure;
  }

  /** The newest unwritten value of `k`: a value, null for a delete, undefined when no unwritten batch has it. */
  private unwrittenValue(k: string): Uint8Array | null | undefined {
    for (let i = this.queued.length - 1; i >= 0; i--) {
      const v = valueIn(this.queued[i]!, k);
      if (v !== undefined) return v;
    }
    for (let i = this.writing.length - 1; i >= 0; i--) {
      const v = valueIn(this.writing[i]!, k);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  async get(key: Uint8Array): Promise<Uint8Array | null> {
    this.check();
    const v = this.unwritten > 0 ? this.unwrittenValue(bytesKey(key)) : undefined;
    return v !== undefined ? v : this.inner.get(key);
  }

  async getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | null>> {
    this.check();
    if (this.unwritten === 0) return this.inner.getMany(keys);
    const out: Array<Uint8Array | null> = new Array(keys.length).fill(null);
    const missing: number[] = [];
    keys.forEach((k, i) => {
      const v = this.unwrittenValue(bytesKey(k));
      if (v !== undefined) out[i] = v; else missing.push(i);
    });
    if (missing.length > 0) {
      const found = await this.inner.getMany(missing.map((i) => keys[i]!));
      missing.forEach((i, j) => { out[i] = found[j]!; });
    }
    return out;
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.write([{ type: 'put', key, value }]);
  }

  /** Durable on return, like the inner store's write. */
  write(ops: BatchOp[]): Promise<void> {
    return this.writeBehind(ops);
  }

  /** Iterates the inner store once everything given so far is on it. */
  async *iterate(range: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    await this.flushed();
    this.check();
    yield* this.inner.iterate(range);
  }

  /** Writes what is pending, then closes the inner store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushed().catch(() => undefined);
    await this.inner.close();
  }
}

const inRange = (k: string, r: { gte: string; lt: string }): boolean => k >= r.gte && k < r.lt;

/** What one unwritten batch says about `k`: a value, null (deleted, perhaps by a range), or undefined (nothing). */
function valueIn(q: Queued, k: string): Uint8Array | null | undefined {
  const v = q.values.get(k);
  if (v !== undefined) return v;
  return q.ranges.some((r) => inRange(k, r)) ? null : undefined;
}
