// The block index as a tree: entries by hash, the main chain by height, and
// walks along a branch (ancestors, the part above the main chain, the bits and
// median time a child must have). Bounded caches sit in front of the store;
// the chain updates them as it writes. Every indexed hash is also held in a
// set, so asking for a block we have never seen (every new block, every inv
// item) is answered without a store read, as full nodes keep their index in memory.
import { bytesEqual, bytesKey, hashToHex } from '../core/bytes.js';
import { isRetargetHeight, medianTimePast, retargetBits } from '../core/difficulty.js';
import type { BlockHeader } from '../core/header.js';
import { NetworkParams } from '../core/params.js';
import { StorageError } from '../storage/errors.js';
import { BlockIndexEntry } from './blockIndex.js';
import { BoundedMap } from './boundedMap.js';
import type { ChainStore } from './chainStore.js';

export class BlockTree {
  private readonly entries: BoundedMap<string, BlockIndexEntry>;
  private readonly heights: BoundedMap<number, Uint8Array>;
  /** Every hash in the index (bytesKey strings); null until loadKnown(). */
  private known: Set<string> | null = null;
  /** The last child context's parent and its lastTimes, oldest first (lastTimes()). */
  private carried: { hash: Uint8Array; times: number[] } | null = null;

  constructor(private readonly db: ChainStore, private readonly params: NetworkParams, cacheSize: number) {
    this.entries = new BoundedMap(cacheSize);
    this.heights = new BoundedMap(cacheSize);
  }

  /** Reads the hashes of the whole index once, at open. */
  async loadKnown(): Promise<void> {
    this.known = await this.db.indexedHashes();
  }

  async get(hash: Uint8Array): Promise<BlockIndexEntry | null> {
    if (hash.length !== 32) return null;
    const key = bytesKey(hash);
    const cached = this.entries.get(key);
    if (cached) return cached;
    if (this.known && !this.known.has(key)) return null;
    const entry = await this.db.getIndexEntry(hash);
    if (entry) this.entries.set(key, entry);
    return entry;
  }

  /** Many entries at once: the cached ones from memory, the rest in one batched read. */
  async getMany(hashes: Uint8Array[]): Promise<Array<BlockIndexEntry | null>> {
    const out: Array<BlockIndexEntry | null> = [];
    const read: number[] = [];
    for (const h of hashes) {
      const key = h.length === 32 ? bytesKey(h) : null;
      const cached = key ? this.entries.get(key) : undefined;
      if (key && !cached && (!this.known || this.known.has(key))) read.push(out.length);
      out.push(cached ?? null);
    }
    if (read.length === 0) return out;
    const found = await this.db.getIndexEntries(read.map((i) => hashes[i]!));
    found.forEach((e, j) => {
      if (!e) return;
      out[read[j]!] = e;
      this.entries.set(bytesKey(e.hash), e);
    });
    return out;
  }

  /** Whether the index holds `hash`, answered from memory (false until loadKnown() unless cached). */
  isKnown(hash: Uint8Array): boolean {
    if (hash.length !== 32) return false;
    const key = bytesKey(hash);
    return this.known ? this.known.has(key) : this.entries.has(key);
  }

  async must(hash: Uint8Array): Promise<BlockIndexEntry> {
    const e = await this.get(hash);
    if (!e) throw new StorageError('db-corrupt', `block index entry ${hashToHex(hash)} is missing`);
    return e;
  }

  /** After a write: the entry as stored now. */
  remember(entry: BlockIndexEntry): void {
    const key = bytesKey(entry.hash);
    this.entries.set(key, entry);
    this.known?.add(key);
  }

  setMain(height: number, hash: Uint8Array): void { this.heights.set(height, hash); }
  unsetMain(height: number): void { this.heights.delete(height); }

  /** The main-chain hash at `height`; heights above the tip are never stored, so null there. */
  async hashAt(height: number): Promise<Uint8Array | null> {
    const cached = this.heights.get(height);
    if (cached) return cached;
    const hash = await this.db.getMainHash(height);
    if (hash) this.heights.set(height, hash);
    return hash;
  }

  /** Main-chain hashes at heights that must exist (at or below the tip). */
  async hashesAt(heights: number[]): Promise<Uint8Array[]> {
    const missing = heights.filter((h) => !this.heights.has(h));
    if (missing.length > 0) {
      const found = await this.db.getMainHashes(missing);
      found.forEach((hash, i) => {
        if (!hash) throw new StorageError('db-corrupt', `main-chain hash at height ${missing[i]} is missing`);
        this.heights.set(missing[i]!, hash);
      });
    }
    return heights.map((h) => this.heights.get(h)!);
  }

  async isOnMainChain(entry: BlockIndexEntry): Promise<boolean> {
    const h = await this.hashAt(entry.height);
    return h !== null && bytesEqual(h, entry.hash);
  }

  /** The ancestor of `entry` at `height`, on entry's own branch. */
  async ancestor(entry: BlockIndexEntry, height: number): Promise<BlockIndexEntry> {
    if (height > entry.height || height < this.params.genesisHeight) throw new RangeError(`no ancestor at height ${height}`);
    let e = entry;
    // Walk down the branch until it meets the main chain; from there it is one lookup.
    while (e.height > height && !(await this.isOnMainChain(e))) e = await this.must(e.header.prevHash);
    return e.height === height ? e : this.must((await this.hashAt(height))!);
  }

  /** Entries from just above the main chain up to and including `entry`, oldest first. */
  async branchFrom(entry: BlockIndexEntry): Promise<BlockIndexEntry[]> {
    const out: BlockIndexEntry[] = [];
    let e = entry;
    while (!(await this.isOnMainChain(e))) {
      out.push(e);
      e = await this.must(e.header.prevHash);
    }
    return out.reverse();
  }

  /**
   * Bits and median time past that a child of `parent` must respect. `pending`:
   * blocks not in the index yet that `parent` may descend from (prepared ahead
   * of the tip, oldest first: pipeline.ts); the oldest one's parent is indexed.
   */
  childContext(parent: BlockIndexEntry, pending: readonly BlockIndexEntry[] = []): Promise<ChildContext> {
    const inFlight = (hash: Uint8Array): BlockIndexEntry | undefined => pending.find((e) => bytesEqual(e.hash, hash));
    const parentOf = (e: BlockIndexEntry): Promise<BlockIndexEntry> => {
      const p = inFlight(e.header.prevHash);
      return p ? Promise.resolve(p) : this.must(e.header.prevHash);
    };
    // Below the pending blocks the branch is indexed, and ancestor() may jump there.
    const ancestorAt = async (e: BlockIndexEntry, height: number): Promise<BlockIndexEntry> => {
      while (e.height > height && inFlight(e.hash)) e = await parentOf(e);
      return e.height === height ? e : this.ancestor(e, height);
    };
    const times = this.lastTimes(parent, inFlight);
    if (!times) return childContextOn(this.params, parent, parentOf, ancestorAt);
    if (!isRetargetHeight(this.params, parent.height + 1)) return Promise.resolve(childContextFrom(this.params, parent, times, noRetarget));
    return ancestorAt(parent, parent.height + 1 - this.params.retargetInterval)
      .then((first) => childContextFrom(this.params, parent, times, () => first.header.time));
  }

  /**
   * The times of the last medianTimeSpan blocks ending at `parent` (fewer near
   * genesis), with no await: carried forward from the previous call when
   * `parent` is that call's parent or its child (blocks connecting one after
   * another), else walked through the cached entries; null when one is not in
   * memory. A hash names its whole branch, so what is carried stays right
   * across reorgs: a parent on another branch simply misses and walks.
   */
  private lastTimes(parent: BlockIndexEntry, inFlight: (hash: Uint8Array) => BlockIndexEntry | undefined): readonly number[] | null {
    const c = this.carried;
    const span = this.params.medianTimeSpan;
    if (c && bytesEqual(c.hash, parent.hash)) return c.times;
    if (c && bytesEqual(c.hash, parent.header.prevHash)) {
      // A fresh array: the one handed out last time is left as it was.
      const times = c.times.length >= span ? c.times.slice(1) : c.times.slice();
      times.push(parent.header.time);
      this.carried = { hash: parent.hash, times };
      return times;
    }
    const newestFirst: number[] = [];
    let e = parent;
    for (;;) {
      newestFirst.push(e.header.time);
      if (newestFirst.length >= span || e.height <= this.params.genesisHeight) break;
      const p = inFlight(e.header.prevHash) ?? this.entries.get(bytesKey(e.header.prevHash));
      if (!p) return null;
      e = p;
    }
    const times = newestFirst.reverse();
    this.carried = { hash: parent.hash, times };
    return times;
  }
}

const noRetarget = (): number => { throw new RangeError('no retarget here'); };

export interface ChildContext { bits: number; medianTimePast: number }
interface Linked { height: number; header: BlockHeader }

/**
 * The rule itself, written once: the bits and median time past a child of
 * `parent` must respect, from the times of the last `medianTimeSpan` blocks
 * ending at the parent (fewer near genesis) and, at a retarget height, the
 * time of the previous window's first block (`windowFirstTime`).
 */
export function childContextFrom(params: NetworkParams, parent: Linked, lastTimes: readonly number[], windowFirstTime: () => number): ChildContext {
  const bits = isRetargetHeight(params, parent.height + 1) ? retargetBits(params, parent.header.bits, windowFirstTime(), parent.header.time) : parent.header.bits;
  return { bits, medianTimePast: medianTimePast(lastTimes) };
}

/**
 * Bits and median time past that a child of `parent` must respect, on any
 * branch that `parentOf` walks (the block index here). `ancestorAt` may jump
 * straight to the retarget window's first entry; by default it walks.
 */
export async function childContextOn<E extends Linked>(
  params: NetworkParams, parent: E, parentOf: (e: E) => Promise<E>, ancestorAt?: (e: E, height: number) => Promise<E>,
): Promise<ChildContext> {
  let firstTime = 0;
  if (isRetargetHeight(params, parent.height + 1)) {
    const at = parent.height + 1 - params.retargetInterval;
    let first = parent;
    if (ancestorAt) first = await ancestorAt(parent, at);
    else while (first.height > at) first = await parentOf(first);
    firstTime = first.header.time;
  }
  const times: number[] = [];
  let e: E | null = parent;
  while (e && times.length < params.medianTimeSpan) {
    times.push(e.header.time);
    e = e.height > params.genesisHeight ? await parentOf(e) : null;
  }
  return childContextFrom(params, parent, times, () => firstTime);
}

/**
 * The synchronous path along a branch being extended one entry at a time (the
 * header chain of headers-first sync, src/node/headerSyncChain.ts): the times
 * of the last max(medianTimeSpan, retargetInterval) entries ending at the
 * current tip of the branch, so each child's context needs no lookup and no
 * await. Filled once from an entry by `BranchTimes.of`, walking its parents.
 */
export class BranchTimes {
  /** Oldest first; the last is the current parent's. */
  private times: number[];
  private readonly keep: number;

  private constructor(private readonly params: NetworkParams, private parent: Linked, oldestFirst: number[]) {
    this.keep = Math.max(params.medianTimeSpan, params.noRetarget ? 0 : params.retargetInterval);
    this.times = oldestFirst;
  }

  static async of<E extends Linked>(params: NetworkParams, parent: E, parentOf: (e: E) => Promise<E>): Promise<BranchTimes> {
    const keep = Math.max(params.medianTimeSpan, params.noRetarget ? 0 : params.retargetInterval);
    const times: number[] = [];
    let e: E | null = parent;
    while (e && times.length < keep) {
      times.push(e.header.time);
      e = e.height > params.genesisHeight ? await parentOf(e) : null;
    }
    return new BranchTimes(params, parent, times.reverse());
  }

  /** What a child of the current parent must respect. */
  childContext(): ChildContext {
    const t = this.times;
    const n = t.length;
    // The previous window's first block is retargetInterval - 1 steps below the parent.
    return childContextFrom(this.params, this.parent, t.slice(Math.max(0, n - this.params.medianTimeSpan)), () => t[n - this.params.retargetInterval]!);
  }

  /** `child` (a child of the current parent) becomes the parent. */
  push(child: Linked): void {
    this.parent = child;
    this.times.push(child.header.time);
    if (this.times.length >= this.keep * 4) this.times = this.times.slice(this.times.length - this.keep);
  }
}
