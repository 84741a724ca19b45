// Signatures already verified for the mempool, so a transaction checked when
// it entered the mempool is not checked again when its block connects. The key
// is SHA-256 of the length-prefixed triple: 32 bytes per entry whatever the
// inputs, and no two different triples share a key. Bounded, least recently
// used first out (docs/consensus.md, "The signature cache").
//
// Eviction is O(1) at capacity. Order is kept in an append-only queue of keys
// (with lazy deletion) instead of a Map's insertion order: taking the oldest
// key of a Map walks every deleted slot at its head, which at capacity made
// each add cost the whole cache. Here a hit or re-add appends a fresh slot and
// leaves the old one stale; eviction pops slots off the head, skipping stale
// ones, and each slot is popped (or compacted away) at most once. `steps`
// counts those slot visits, so a test can hold the cost per add to a constant.
import { createHash } from 'node:crypto';
import type { SigCheck } from '../core/validate.js';

export const DEFAULT_SIG_CACHE_ENTRIES = 100_000;

/** Reused by every key: hashing copies it in before the next call can touch it. */
const lengths = Buffer.alloc(12);

export function sigCacheKey(c: SigCheck): string {
  // Lengths go in first so that moving a byte from one field to the next changes the key.
  lengths.writeUInt32LE(c.msg.length, 0);
  lengths.writeUInt32LE(c.signature.length, 4);
  lengths.writeUInt32LE(c.pubKey.length, 8);
  return createHash('sha256').update(lengths).update(c.msg).update(c.signature).update(c.pubKey).digest().toString('latin1');
}

export class SigCache {
  /** Key → absolute queue position of its live slot. */
  private readonly live = new Map<string, number>();
  /** Slots in use order, oldest at `head`; a slot is stale when `live` points elsewhere. */
  private queue: string[] = [];
  private head = 0;
  /** Absolute position of queue[0]. */
  private base = 0;
  /** Queue slots visited by eviction and compaction since construction: the cost of keeping order. */
  steps = 0;

  constructor(readonly maxEntries = DEFAULT_SIG_CACHE_ENTRIES) {
    if (!(Number.isInteger(maxEntries) && maxEntries > 0)) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  get size(): number {
    return this.live.size;
  }

  /** A hit moves the key to the young end, so entries in use outlive ones that are not. */
  has(key: string): boolean {
    if (!this.live.has(key)) return false;
    this.touch(key);
    return true;
  }

  add(key: string): void {
    this.touch(key);
    while (this.live.size > this.maxEntries) this.evictOldest();
  }

  clear(): void {
    this.live.clear();
    this.queue = [];
    this.head = 0;
    this.base = 0;
  }

  private touch(key: string): void {
    this.live.set(key, this.base + this.queue.length);
    this.queue.push(key);
    // Stale slots (from hits and re-adds) never outnumber the live ones by much:
    // past twice the bound the queue is rebuilt from its live slots, a cost
    // paid once per `maxEntries` appends at least.
    if (this.queue.length - this.head > 2 * this.maxEntries + 16) this.compact();
  }

  private evictOldest(): void {
    for (;;) {
      const key = this.queue[this.head]!;
      const pos = this.base + this.head;
      this.head++;
      this.steps++;
      if (this.live.get(key) === pos) {
        this.live.delete(key);
        break;
      }
    }
    // Popped slots are dropped in one slice once they are half the array.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.steps += this.queue.length - this.head;
      this.queue = this.queue.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  private compact(): void {
    const kept: string[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const key = this.queue[i]!;
      this.steps++;
      if (this.live.get(key) === this.base + i) kept.push(key);
    }
    this.base += this.queue.length;
    this.queue = kept;
    this.head = 0;
    kept.forEach((key, i) => this.live.set(key, this.base + i));
  }
}
