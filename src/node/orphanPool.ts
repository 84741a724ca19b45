// Blocks whose parent we do not have yet. Bounded by count and by serialized
// bytes (a parsed block takes several times its wire size): the oldest go
// first, so a peer flooding us with unconnectable blocks costs a fixed amount.
import { Block, blockSize } from '../core/block.js';
import { bytesKey } from '../core/bytes.js';
import { headerHash } from '../core/header.js';

export const DEFAULT_MAX_ORPHANS = 64;
export const DEFAULT_MAX_ORPHAN_BYTES = 8 * 1024 * 1024;

interface Orphan {
  block: Block;
  hash: Uint8Array;
  parentKey: string;
  bytes: number;
}

export class OrphanPool {
  private readonly byHash = new Map<string, Orphan>();
  private readonly byParent = new Map<string, Set<string>>();
  private bytes = 0;

  constructor(private readonly maxCount = DEFAULT_MAX_ORPHANS, private readonly maxBytes = DEFAULT_MAX_ORPHAN_BYTES) {
    if (!(maxCount >= 1)) throw new RangeError('an orphan pool holds at least one block');
  }

  get size(): number { return this.byHash.size; }
  get totalBytes(): number { return this.bytes; }

  has(hash: Uint8Array): boolean { return this.byHash.has(bytesKey(hash)); }

  /** False when the block is already held. */
  add(block: Block, hash: Uint8Array = headerHash(block.header)): boolean {
    const key = bytesKey(hash);
    if (this.byHash.has(key)) return false;
    const parentKey = bytesKey(block.header.prevHash);
    const bytes = blockSize(block);
    this.byHash.set(key, { block, hash, parentKey, bytes });
    this.bytes += bytes;
    let kids = this.byParent.get(parentKey);
    if (!kids) this.byParent.set(parentKey, (kids = new Set()));
    kids.add(key);
    while (this.byHash.size > this.maxCount || (this.bytes > this.maxBytes && this.byHash.size > 1)) this.removeKey(this.byHash.keys().next().value as string);
    return true;
  }

  remove(hash: Uint8Array): boolean {
    return this.removeKey(bytesKey(hash));
  }

  private removeKey(key: string): boolean {
    const o = this.byHash.get(key);
    if (!o) return false;
    this.byHash.delete(key);
    this.bytes -= o.bytes;
    const kids = this.byParent.get(o.parentKey);
    kids?.delete(key);
    if (kids && kids.size === 0) this.byParent.delete(o.parentKey);
    return true;
  }

  /** Removes and returns the orphans whose parent is `hash`, oldest first. */
  takeChildren(hash: Uint8Array): Block[] {
    const kids = this.byParent.get(bytesKey(hash));
    if (!kids) return [];
    const out: Block[] = [];
    for (const key of [...kids]) {
      out.push(this.byHash.get(key)!.block);
      this.removeKey(key);
    }
    return out;
  }

  /** The hash the orphan chain through `hash` is missing: what to ask a peer for. */
  missingAncestor(hash: Uint8Array): Uint8Array | null {
    let o = this.byHash.get(bytesKey(hash));
    if (!o) return null;
    // Bounded by the pool size, so a cycle of hashes (impossible with real PoW) cannot loop forever.
    for (let i = 0; i < this.byHash.size; i++) {
      const parent = this.byHash.get(o.parentKey);
      if (!parent) break;
      o = parent;
    }
    return o.block.header.prevHash;
  }
}
