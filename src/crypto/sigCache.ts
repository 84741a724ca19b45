// Signatures already verified, so a transaction checked when it entered the
// mempool is not checked again when its block connects. The key is SHA-256 of
// the length-prefixed triple: 32 bytes per entry whatever the inputs, and no
// two different triples share a key. Bounded, least recently used first out.
import { createHash } from 'node:crypto';
import type { SigCheck } from '../core/validate.js';

export const DEFAULT_SIG_CACHE_ENTRIES = 100_000;

export function sigCacheKey(c: SigCheck): string {
  // Lengths go in first so that moving a byte from one field to the next changes the key.
  const lengths = Buffer.alloc(12);
  lengths.writeUInt32LE(c.msg.length, 0);
  lengths.writeUInt32LE(c.signature.length, 4);
  lengths.writeUInt32LE(c.pubKey.length, 8);
  return createHash('sha256').update(lengths).update(c.msg).update(c.signature).update(c.pubKey).digest().toString('latin1');
}

export class SigCache {
  private readonly entries = new Map<string, true>();

  constructor(readonly maxEntries = DEFAULT_SIG_CACHE_ENTRIES) {
    if (!(Number.isInteger(maxEntries) && maxEntries > 0)) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** A hit moves the key to the young end, so entries in use outlive ones that are not. */
  has(key: string): boolean {
    if (!this.entries.has(key)) return false;
    this.entries.delete(key);
    this.entries.set(key, true);
    return true;
  }

  add(key: string): void {
    this.entries.delete(key);
    this.entries.set(key, true);
    // Map iterates in insertion order: the first key is the least recently used.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }
}
