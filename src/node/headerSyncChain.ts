// The best header chain of headers-first sync. Headers from peers are checked
// one by one (proof of work against their own bits, the bits the retarget rule
// expects, time after the median of the last 11 and not too far ahead), then
// kept as header-only entries: in memory and on disk (prefix 'H', one batch per
// message). They hang off a base: the block index of a full node (whose blocks
// we have), or, for a light wallet, nothing but the genesis. `path` is the best
// branch above the base, oldest first: what the download fetches.
//
// A full node writes its entries behind (`writeDelayMs`): those whose blocks
// connect before then are never written, nor deleted again; a crash loses at
// most that many seconds of headers, which peers send again.
//
// Memory is bounded. A peer's headers are stored only once their cumulative
// work beats both our tip and `minimumChainWork`; until then they are held for
// that peer alone, at most `maxHeldPerPeer` of them, and a peer that goes past
// the bound loses them all (the caller penalises it). So a chain of cheap
// headers costs us at most one bound per peer, and storing headers costs a
// peer more work than our own chain has.
import { bytesEqual, bytesKey, hashToHex } from '../core/bytes.js';
import { checkBlockTime } from '../core/difficulty.js';
import { ValidationError } from '../core/errors.js';
import { BlockHeader, headerHash } from '../core/header.js';
import type { NetworkParams } from '../core/params.js';
import { workFromBits } from '../core/pow.js';
import { checkProofOfWork } from '../core/validate.js';
import type { HeaderEntry } from '../chain/blockIndex.js';
import { BranchTimes } from '../chain/blockTree.js';
import { BoundedMap } from '../chain/boundedMap.js';

export type { HeaderEntry } from '../chain/blockIndex.js';

/** What the headers hang off. A full node's is its block index; entries there are never held here. */
export interface HeaderBase {
  /** Answered from memory: whether the base holds this hash. */
  has(hash: Uint8Array): boolean;
  get(hash: Uint8Array): Promise<(HeaderEntry & { failed?: boolean }) | null>;
  /** The work a branch must beat to be stored: the tip's. */
  tipWork(): bigint;
}

export interface HeaderStorePort {
  headerEntries(): Promise<HeaderEntry[]>;
  writeHeaderEntries(put: HeaderEntry[], del?: Uint8Array[]): Promise<void>;
}

export interface HeaderChainOptions {
  params: NetworkParams;
  base: HeaderBase;
  store: HeaderStorePort;
  /** Unix seconds. */
  now?: () => number;
  minimumChainWork?: bigint;
  maxHeldPerPeer?: number;
  /** Stored entries are written this long after they are taken (0, the default: at once, one batch per call). */
  writeDelayMs?: number;
}

export type AcceptResult =
  /** The first header's parent is unknown: ask again with a locator. */
  | { kind: 'unconnected' }
  /** `last` is the peer's last header (new or known); `added` were stored now. */
  | { kind: 'stored' | 'held'; last: HeaderEntry; added: number }
  /** The peer's held low-work headers went past the bound and were dropped. */
  | { kind: 'low-work'; held: number };

export const DEFAULT_MAX_HELD_PER_PEER = 20_000;
/** Headers messages in a row that do not connect before a peer pays for them (it may be on a fork we are still learning). */
const MAX_UNCONNECTED = 10;

/**
 * The one rule for a headers answer that extended nothing, on full and light
 * nodes alike: an unconnected one asks again with a locator (until too many
 * in a row cost ban score), a low-work chain past the bound costs the peer
 * 100. True when the answer stored or held headers and the caller goes on.
 */
export function headersAnswered(
  r: AcceptResult, peer: { misbehave(score: number, reason: string): void }, st: { unconnected: number }, askAgain: () => void,
): r is Extract<AcceptResult, { last: HeaderEntry }> {
  if (r.kind === 'unconnected') {
    if (++st.unconnected > MAX_UNCONNECTED) peer.misbehave(20, `${st.unconnected} headers messages that do not connect`);
    else askAgain();
    return false;
  }
  if (r.kind === 'low-work') {
    peer.misbehave(100, `a low-work header chain (${r.held} headers held without beating our chain's work)`);
    return false;
  }
  return true;
}
/** Deleted entries (their blocks are in the base) are written out in batches of this many. */
const PRUNE_BATCH = 1000;

const bad = (why: string, score = 100): ValidationError => new ValidationError('malformed-message', `bad headers: ${why}`, score);

export class HeaderChain {
  private readonly entries = new Map<string, HeaderEntry>();
  private readonly held = new Map<string, Map<string, HeaderEntry>>();
  private readonly failed = new BoundedMap<string, true>(10_000);
  private pruned: Uint8Array[] = [];
  /** Entries taken and not written yet (writeDelayMs), by key: one whose block connects first is forgotten, not deleted. */
  private readonly unwritten = new Map<string, HeaderEntry>();
  private writeTimer: NodeJS.Timeout | null = null;
  private best: HeaderEntry | null = null;
  /** The best branch above the base, oldest first, from `head` on (the front is dropped by moving `head`). */
  private pathArr: HeaderEntry[] = [];
  private head = 0;
  private readonly maxHeld: number;

  constructor(private readonly o: HeaderChainOptions) {
    this.maxHeld = o.maxHeldPerPeer ?? DEFAULT_MAX_HELD_PER_PEER;
  }

  /** Loads the stored entries; those whose blocks reached the base meanwhile are deleted. */
  async open(): Promise<void> {
    const all = await this.o.store.headerEntries();
    const byKey = new Map(all.map((e) => [bytesKey(e.hash), e]));
    const drop: Uint8Array[] = [];
    for (const e of all) {
      // An entry must lead down to the base through other entries; anything else is garbage.
      let p: HeaderEntry | undefined = e;
      while (p && !this.o.base.has(p.header.prevHash)) p = byKey.get(bytesKey(p.header.prevHash));
      if (!p || this.o.base.has(e.hash)) drop.push(e.hash);
      else this.entries.set(bytesKey(e.hash), e);
    }
    for (const e of this.entries.values()) if (!this.best || e.work > this.best.work) this.best = e;
    this.rebuildPath();
    if (drop.length > 0) await this.o.store.writeHeaderEntries([], drop);
  }

  /** Header-only entries stored (on disk too, once the write-behind delay has passed). */
  get size(): number { return this.entries.size; }
  /** Headers held for peers whose branch has not yet beaten our work. */
  get heldCount(): number { let n = 0; for (const h of this.held.values()) n += h.size; return n; }
  /** The best stored header, or null when every header we know has its block in the base. */
  get bestHeader(): HeaderEntry | null { return this.best; }

  /** The best branch above the base, oldest first: its length, and its i-th entry. */
  get pathLength(): number { return this.pathArr.length - this.head; }
  pathAt(i: number): HeaderEntry | undefined { return this.pathArr[this.head + i]; }

  has(hash: Uint8Array): boolean { return this.entries.has(bytesKey(hash)); }
  entry(hash: Uint8Array): HeaderEntry | null { return this.entries.get(bytesKey(hash)) ?? null; }

  /**
   * The path entry at the place of a block with header `h` (found by its parent, with no
   * hash of `h`): for headerHashFrom, which takes the entry's hash only if the headers are equal.
   */
  pathEntryOf(h: BlockHeader): HeaderEntry | null {
    const first = this.pathAt(0);
    if (!first) return null;
    const parent = this.entries.get(bytesKey(h.prevHash));
    const i = parent ? parent.height + 1 - first.height : 0;
    const e = i >= 0 ? this.pathAt(i) : undefined;
    return e && bytesEqual(e.header.prevHash, h.prevHash) ? e : null;
  }

  forgetPeer(peer: string): void { this.held.delete(peer); }

  /**
   * Checks and takes a peer's headers (in chain order, each the parent of the next).
   * Only the first parent's ancestry is looked up (awaited); each header is then
   * hashed once and checked synchronously against the times of the branch so far
   * (BranchTimes), unless its block is in the base already.
   */
  async accept(peer: string, headers: BlockHeader[]): Promise<AcceptResult> {
    if (headers.length === 0) throw bad('empty', 0);
    const held = this.held.get(peer) ?? new Map<string, HeaderEntry>();
    const lookup = async (hash: Uint8Array): Promise<(HeaderEntry & { failed?: boolean }) | null> => {
      const k = bytesKey(hash);
      return this.lookupHere(hash, k, held) ?? (this.o.base.has(hash) ? this.o.base.get(hash) : null);
    };
    const first = await lookup(headers[0]!.prevHash);
    if (!first) return { kind: 'unconnected' };
    let prev: HeaderEntry & { failed?: boolean } = first;
    const branch = await BranchTimes.of(this.o.params, first, async (x) => {
      const e = await lookup(x.header.prevHash);
      if (!e) throw bad(`ancestor ${hashToHex(x.header.prevHash)} is unknown`, 0);
      return e;
    });
    const fresh: HeaderEntry[] = [];
    const now = (this.o.now ?? (() => Math.floor(Date.now() / 1000)))();
    let prevHash: Uint8Array | null = null;
    for (const h of headers) {
      if (prevHash && !bytesEqual(h.prevHash, prevHash)) throw bad('they do not form a chain', 20);
      const hash = headerHash(h);
      prevHash = hash;
      const k = bytesKey(hash);
      const known = this.lookupHere(hash, k, held) ?? (this.o.base.has(hash) ? await this.o.base.get(hash) : null);
      if (known?.failed || prev.failed) throw new ValidationError('bad-prevblk', `header ${hashToHex(hash)} is on an invalid branch`, 100);
      if (known) { prev = known; branch.push(known); continue; }
      checkProofOfWork(hash, h.bits, this.o.params);
      const ctx = branch.childContext();
      if (h.bits !== ctx.bits) throw new ValidationError('bad-diffbits', `header bits 0x${h.bits.toString(16)} differ from the expected 0x${ctx.bits.toString(16)}`, 100);
      checkBlockTime(this.o.params, h.time, ctx.medianTimePast, now);
      const e: HeaderEntry = { hash, height: prev.height + 1, work: prev.work + workFromBits(h.bits), header: h };
      held.set(k, e);
      fresh.push(e);
      branch.push(e);
      prev = e;
    }
    const last = prev;
    const floor = this.o.minimumChainWork ?? 0n;
    const needed = floor > this.o.base.tipWork() ? floor : this.o.base.tipWork();
    if (last.work > needed) {
      const all = [...held.values()];
      this.held.delete(peer);
      if (all.length > 0) await this.store(all);
      return { kind: 'stored', last, added: all.length };
    }
    if (fresh.length === 0) return { kind: 'held', last, added: 0 };
    if (held.size > this.maxHeld) { this.held.delete(peer); return { kind: 'low-work', held: held.size }; }
    this.held.set(peer, held);
    return { kind: 'held', last, added: 0 };
  }

  /** An entry held here or for this peer (no store read); a hash on an invalid branch throws. */
  private lookupHere(hash: Uint8Array, k: string, held: Map<string, HeaderEntry>): (HeaderEntry & { failed?: boolean }) | null {
    if (this.failed.has(k)) throw new ValidationError('bad-prevblk', `header ${hashToHex(hash)} is on an invalid branch`, 100);
    return this.entries.get(k) ?? held.get(k) ?? null;
  }

  private async store(all: HeaderEntry[]): Promise<void> {
    if (this.o.writeDelayMs) {
      for (const e of all) this.unwritten.set(bytesKey(e.hash), e);
      if (!this.writeTimer) { this.writeTimer = setTimeout(() => { void this.flush().catch(() => undefined); }, this.o.writeDelayMs); this.writeTimer.unref(); }
    } else await this.o.store.writeHeaderEntries(all, this.takePruned());
    const before = this.best;
    for (const e of all) {
      this.entries.set(bytesKey(e.hash), e);
      if (!this.best || e.work > this.best.work) this.best = e;
    }
    if (this.best !== before) this.extendPath();
  }

  /** The best entry changed: append to the path when it grew from the path's end, or rebuild it. */
  private extendPath(): void {
    const end = this.pathLength > 0 ? this.pathArr[this.pathArr.length - 1] : undefined;
    const added: HeaderEntry[] = [];
    let e: HeaderEntry | undefined = this.best ?? undefined;
    while (e && !(end && bytesEqual(e.hash, end.hash))) {
      added.push(e);
      e = this.entries.get(bytesKey(e.header.prevHash));
    }
    if (e) for (let i = added.length - 1; i >= 0; i--) this.pathArr.push(added[i]!);
    else { this.pathArr = added.reverse(); this.head = 0; }
  }

  private rebuildPath(): void {
    this.pathArr = [];
    this.head = 0;
    this.extendPath();
  }

  /** Drops the front of the path (and any entry) whose block the base now holds. */
  advance(): void {
    const start = this.head;
    while (this.head < this.pathArr.length && this.o.base.has(this.pathArr[this.head]!.hash)) this.drop(this.pathArr[this.head++]!);
    if (this.head === start) return;
    if (this.head > 4096 && this.head * 2 > this.pathArr.length) { this.pathArr = this.pathArr.slice(this.head); this.head = 0; }
    if (this.pathLength === 0) this.best = null;
    if (this.pruned.length >= PRUNE_BATCH) void this.o.store.writeHeaderEntries([], this.takePruned()).catch(() => undefined);
  }

  /** The block of this entry broke a rule: it and every entry above it on the path are gone. */
  async invalidate(hash: Uint8Array): Promise<void> {
    this.failed.set(bytesKey(hash), true);
    const path = this.pathArr.slice(this.head);
    const at = path.findIndex((e) => bytesEqual(e.hash, hash));
    const gone = at >= 0 ? path.slice(at) : [];
    const own = this.entry(hash);
    if (at < 0 && own) gone.push(own);
    for (const e of gone) { this.failed.set(bytesKey(e.hash), true); this.drop(e); }
    this.best = null;
    for (const e of this.entries.values()) if (!this.best || e.work > this.best.work) this.best = e;
    this.rebuildPath();
    await this.o.store.writeHeaderEntries([], this.takePruned());
  }

  private drop(e: HeaderEntry): void {
    const k = bytesKey(e.hash);
    this.entries.delete(k);
    if (!this.unwritten.delete(k)) this.pruned.push(e.hash);
  }

  /** Writes the entries held back (writeDelayMs) and the deletions due, now (on a timer, and when sync stops). */
  flush(): Promise<void> {
    if (this.writeTimer) { clearTimeout(this.writeTimer); this.writeTimer = null; }
    if (this.unwritten.size === 0 && this.pruned.length === 0) return Promise.resolve();
    const put = [...this.unwritten.values()];
    this.unwritten.clear();
    return this.o.store.writeHeaderEntries(put, this.takePruned());
  }

  private takePruned(): Uint8Array[] {
    const out = this.pruned;
    this.pruned = [];
    return out;
  }
}
