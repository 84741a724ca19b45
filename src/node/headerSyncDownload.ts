// The parallel block download of headers-first sync: a moving window over the
// best header path (headerSyncChain.ts), its blocks requested from every peer
// whose headers reach them, at most `maxInFlightPerPeer` per peer. A request
// unanswered for `blockStallMs` goes to another peer that has the block (the
// slow peer is remembered for that block, so it is the last one asked again).
// Blocks that arrive before their turn wait in `arrived` (only blocks we asked
// for, or the chain's next: HeaderSync ignores any other); the window (in
// blocks, and in bytes of blocks held) bounds what waits, and past its byte
// bound only the holes before the first block waiting are asked for, so a
// full buffer still drains. While blocks are
// small a peer may hold more requests, up to `maxInFlightBytesPerPeer` of
// blocks of the average size seen so far, and at most `maxInFlightSmall`:
// sixteen near-empty blocks are one round trip's worth of nothing, and each
// getdata costs both sides a system call and a batch read.
import type { Block } from '../core/block.js';
import { bytesKey } from '../core/bytes.js';
import type { HeaderEntry } from '../chain/blockIndex.js';
import type { ProtocolPeer } from './peerPort.js';

export interface WindowOptions {
  /** Requests per peer before any block size is known, and the least it gets however large blocks are. */
  maxInFlightPerPeer: number;
  /** The most requests per peer, however small blocks are. */
  maxInFlightSmall: number;
  /** Bytes of blocks (at the average size delivered so far) a peer may have in flight. */
  maxInFlightBytesPerPeer: number;
  /** How far past the first block we still need the window reaches, in blocks. */
  windowBlocks: number;
  /** Bytes of blocks arrived or handed to the chain but not yet connected; no new requests past it. */
  maxBufferBytes: number;
  blockStallMs: number;
}

export const DEFAULT_WINDOW: WindowOptions = { maxInFlightPerPeer: 16, maxInFlightSmall: 512, maxInFlightBytesPerPeer: 4 * 1024 * 1024, windowBlocks: 1024, maxBufferBytes: 32 * 1024 * 1024, blockStallMs: 2000 };

interface Request { peer: ProtocolPeer; since: number }

/** Each path entry's map key, made once (plan and the intake walk the window on every refill and delivery). */
const keys = new WeakMap<HeaderEntry, string>();
export function keyOf(e: HeaderEntry): string {
  let k = keys.get(e);
  if (k === undefined) { k = bytesKey(e.hash); keys.set(e, k); }
  return k;
}
export interface Arrived { block: Block; size: number; from: ProtocolPeer }

export class DownloadWindow {
  private readonly requests = new Map<string, Request>();
  private readonly busy = new Map<ProtocolPeer, number>();
  /** Peers that let a request for this block stall. */
  private readonly stalledOn = new Map<string, Set<ProtocolPeer>>();
  readonly arrived = new Map<string, Arrived>();
  /** Handed to the chain, not connected yet: hash → bytes. */
  readonly submitted = new Map<string, number>();
  private bufferedBytes = 0;
  /** A request was given back undelivered (stalled, notfound, its peer gone) or a block dropped: a hole the free count cannot see. */
  private gaveBack = false;
  /** A moving average of delivered block sizes (0 until the first). */
  private avgSize = 0;
  /** Rotates which of equally busy peers is asked first. */
  private turn = 0;

  constructor(readonly o: WindowOptions) {}

  /** Requests a peer may have in flight now: more while the blocks delivered are small. */
  get maxInFlight(): number {
    const { maxInFlightPerPeer: least, maxInFlightSmall: most } = this.o;
    if (this.avgSize === 0 || most <= least) return least;
    return Math.max(least, Math.min(most, Math.floor(this.o.maxInFlightBytesPerPeer / this.avgSize)));
  }

  get inFlight(): number { return this.requests.size; }
  inFlightOf(peer: ProtocolPeer): number { return this.busy.get(peer) ?? 0; }
  isRequested(hash: Uint8Array): boolean { return this.requests.has(bytesKey(hash)); }
  /** Asked for now, or before (a request that stalled: the slow peer's late block is as good). */
  wasAsked(hash: Uint8Array): boolean { const k = bytesKey(hash); return this.requests.has(k) || this.stalledOn.has(k); }

  /**
   * New requests per peer: the first `windowBlocks` entries of `path` that are
   * neither requested, arrived, handed over nor in the base (`have`). `reach`
   * gives how far along the path each peer's headers go (-1: not at all).
   * A peer's window is refilled once a quarter of it has drained, and the
   * moving window once it has slid by as much. `from` is
   * where the entries not yet handed to the chain begin.
   */
  plan(path: { pathLength: number; pathAt(i: number): HeaderEntry | undefined }, from: number, reach: Map<ProtocolPeer, number>, have: (hash: Uint8Array) => boolean, now: number): Map<ProtocolPeer, HeaderEntry[]> {
    const out = new Map<ProtocolPeer, HeaderEntry[]>();
    const max = this.maxInFlight;
    const ready = [...reach.keys()].filter((p) => !p.closed && this.inFlightOf(p) <= (max * 3) / 4);
    if (ready.length === 0) return out;
    // Over the byte bound, only the holes before the first block waiting are asked for: the chain
    // needs them before anything held, and without them the window could never drain.
    const full = this.bufferedBytes > this.o.maxBufferBytes;
    // Equally busy peers take turns at the next run (the first in this order wins a tie).
    const turn = this.turn++ % ready.length;
    const open = [...ready.slice(turn), ...ready.slice(0, turn)];
    const end = Math.min(path.pathLength, this.o.windowBlocks);
    if (this.waiting(path.pathLength, from)) return out;
    // The entries nobody was asked for, in path order, as many as the open peers can take, up to
    // the furthest any of them reaches (a probed peer's reach lags while headers arrive: the
    // walk must not go over the rest of the window on every call, only to give nothing).
    const room = open.reduce((n, p) => n + max - this.inFlightOf(p), 0);
    const reachable = Math.min(end, open.reduce((n, p) => Math.max(n, (reach.get(p) ?? -1) + 1), 0));
    const free: Array<{ i: number; e: HeaderEntry; k: string }> = [];
    let i = from;
    for (; i < reachable && free.length < room; i++) {
      const e = path.pathAt(i)!;
      const k = keyOf(e);
      if (full && this.arrived.has(k)) break;
      if (!this.requests.has(k) && !this.arrived.has(k) && !this.submitted.has(k) && !have(e.hash)) free.push({ i, e, k });
    }
    let unasked = i < end;
    // Runs of the path go to one peer at a time (the least busy first) while it has room: one
    // getdata of many blocks, which it reads in one batch, rather than the same blocks spread
    // over every peer, a getdata and a read each.
    let last: ProtocolPeer | null = null;
    for (const { i, e, k } of free) {
      const stalled = this.stalledOn.get(k);
      let pick: ProtocolPeer | null = null;
      for (const p of open) {
        if ((reach.get(p) ?? -1) < i || this.inFlightOf(p) >= max) continue;
        if (!pick || (stalled?.has(pick) && !stalled.has(p)) || (!!stalled?.has(pick) === !!stalled?.has(p) && this.inFlightOf(p) < this.inFlightOf(pick))) pick = p;
      }
      // The run's peer keeps it unless it stalled on this block and the best other did not.
      if (pick && last && last !== pick && (reach.get(last) ?? -1) >= i && this.inFlightOf(last) < max && (!stalled?.has(last) || stalled.has(pick))) pick = last;
      last = pick;
      if (!pick) {
        unasked = true;
        if (open.every((p) => this.inFlightOf(p) >= max)) break;
        continue;
      }
      this.requests.set(k, { peer: pick, since: now });
      this.busy.set(pick, this.inFlightOf(pick) + 1);
      const list = out.get(pick) ?? [];
      list.push(e);
      out.set(pick, list);
    }
    // Every entry of the window is asked for: no hole is left for the count to miss.
    if (!unasked) this.gaveBack = false;
    return out;
  }

  /**
   * Whether a plan would ask for nothing now, whoever is ready (the caller may skip it). While
   * blocks are on their way or waiting for the chain, the window waits until it has slid by a
   * batch: a block connected must not cost a getdata of one block (and the peer a read of
   * one), as it would when connecting is what holds the window back. The free slots are
   * counted without a walk (requested and arrived blocks lie in the window), unless a request
   * was given back undelivered: that hole is asked for again at once.
   */
  waiting(pathLength: number, from: number): boolean {
    const end = Math.min(pathLength, this.o.windowBlocks);
    const batch = Math.max(1, Math.floor(this.maxInFlight / 4));
    const occupied = this.requests.size + this.arrived.size;
    const sliding = end < pathLength && occupied + this.submitted.size > 0;
    return sliding && !this.gaveBack && occupied <= end - from && end - from - occupied < batch;
  }

  /** A block we may want arrived: true when it is new to the window (kept in `arrived`). */
  deliver(hash: Uint8Array, a: Arrived): boolean {
    const k = bytesKey(hash);
    this.release(k);
    if (this.arrived.has(k) || this.submitted.has(k)) return false;
    this.arrived.set(k, a);
    this.bufferedBytes += a.size;
    // Weighted 1/8 to the newest: a run of large blocks cuts the window within a few deliveries.
    this.avgSize = this.avgSize === 0 ? a.size : this.avgSize + (a.size - this.avgSize) / 8;
    this.stalledOn.delete(k);
    return true;
  }

  /** The block leaves `arrived` for the chain (null: it has not arrived). `k` is the hash's key, when the caller has it. */
  submit(hash: Uint8Array, k = bytesKey(hash)): Arrived | null {
    const a = this.arrived.get(k);
    if (!a) return null;
    this.arrived.delete(k);
    this.submitted.set(k, a.size);
    return a;
  }

  /** The chain is done with the block (connected, stored or refused). */
  settled(hash: Uint8Array, k = bytesKey(hash)): void {
    const size = this.submitted.get(k);
    if (size !== undefined) { this.submitted.delete(k); this.bufferedBytes -= size; }
  }

  /** Drops an arrived block (its branch turned out invalid). */
  discard(hash: Uint8Array): void { this.discardKey(bytesKey(hash)); }

  private discardKey(k: string): void {
    const a = this.arrived.get(k);
    if (a) { this.arrived.delete(k); this.bufferedBytes -= a.size; }
    this.release(k);
    this.stalledOn.delete(k);
    this.gaveBack = true;
  }

  /** Blocks whose requests stalled and that have not arrived since (what `wasAsked` remembers besides live requests). */
  get stalledCount(): number { return this.stalledOn.size; }

  /**
   * Drops arrived blocks that are not among the first `end` entries of the path any more (it
   * moved to another branch, or they connected by another route): nothing would drain them.
   * Returns how many. Which peers stalled on such a block is forgotten too (it may never come).
   */
  dropOffPath(path: { pathAt(i: number): HeaderEntry | undefined }, end: number): number {
    if (this.arrived.size === 0 && this.stalledOn.size === 0) return 0;
    const on = new Set<string>();
    for (let i = 0; i < end; i++) on.add(keyOf(path.pathAt(i)!));
    for (const k of this.stalledOn.keys()) if (!on.has(k)) this.stalledOn.delete(k);
    let n = 0;
    for (const k of [...this.arrived.keys()]) if (!on.has(k)) { this.discardKey(k); n++; }
    return n;
  }

  /** Requests unanswered for blockStallMs go back to the pool; returns the peers that held them. */
  reassignStalled(now: number): ProtocolPeer[] {
    const slow = new Set<ProtocolPeer>();
    for (const [k, r] of this.requests) {
      if (now - r.since <= this.o.blockStallMs) continue;
      const set = this.stalledOn.get(k) ?? new Set<ProtocolPeer>();
      set.add(r.peer);
      this.stalledOn.set(k, set);
      slow.add(r.peer);
      this.release(k);
      this.gaveBack = true;
    }
    return [...slow];
  }

  /** The peer does not have these (notfound) or left: its requests go back to the pool. */
  releasePeer(peer: ProtocolPeer, only?: Uint8Array[]): void {
    const keys = only ? only.map(bytesKey) : [...this.requests.keys()];
    for (const k of keys) if (this.requests.get(k)?.peer === peer) { this.release(k); this.gaveBack = true; }
    if (!only) {
      this.busy.delete(peer);
      for (const [k, s] of this.stalledOn) if (s.delete(peer) && s.size === 0) this.stalledOn.delete(k);
    }
  }

  private release(k: string): void {
    const r = this.requests.get(k);
    if (!r) return;
    this.requests.delete(k);
    const n = this.inFlightOf(r.peer) - 1;
    if (n > 0) this.busy.set(r.peer, n); else this.busy.delete(r.peer);
  }
}
