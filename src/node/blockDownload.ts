// Which blocks we still need and from whom. Hashes arrive in chain order from a
// peer's `inv` answer to our `getblocks`; we keep a window of `getdata`
// requests in flight per peer and connect blocks as they come. A peer that
// holds requests past the stall timeout loses them to another peer.
import { bytesKey } from '../core/bytes.js';
import type { ProtocolPeer } from './peerPort.js';

interface InFlight {
  hash: Uint8Array;
  peer: ProtocolPeer;
  since: number;
}

export interface DownloadOptions {
  maxInFlightPerPeer: number;
  stallMs: number;
}

export class BlockDownload {
  private readonly queue = new Map<string, Uint8Array>();
  private readonly inFlight = new Map<string, InFlight>();
  private readonly lastDelivery = new Map<string, number>();

  constructor(private readonly o: DownloadOptions) {}

  get pending(): number { return this.queue.size + this.inFlight.size; }

  isWanted(hash: Uint8Array): boolean {
    const k = bytesKey(hash);
    return this.queue.has(k) || this.inFlight.has(k);
  }

  enqueue(hashes: Uint8Array[]): void {
    for (const h of hashes) { const k = bytesKey(h); if (!this.inFlight.has(k)) this.queue.set(k, h); }
  }

  /** Returns the hashes to request from this peer now (its window's free slots). */
  take(peer: ProtocolPeer, now: number): Uint8Array[] {
    let busy = 0;
    for (const f of this.inFlight.values()) if (f.peer === peer) busy++;
    const out: Uint8Array[] = [];
    // Refill only once half the window has drained: one getdata of many blocks
    // (read in batches by the peer) instead of one per block delivered.
    if (busy > this.o.maxInFlightPerPeer / 2) return out;
    for (const [k, h] of this.queue) {
      if (busy + out.length >= this.o.maxInFlightPerPeer) break;
      this.queue.delete(k);
      this.inFlight.set(k, { hash: h, peer, since: now });
      out.push(h);
    }
    if (!this.lastDelivery.has(peer.id)) this.lastDelivery.set(peer.id, now);
    return out;
  }

  /** A block arrived; true if we had asked anyone for it. */
  delivered(hash: Uint8Array, peer: ProtocolPeer, now: number): boolean {
    this.lastDelivery.set(peer.id, now);
    const k = bytesKey(hash);
    this.queue.delete(k);
    return this.inFlight.delete(k);
  }

  /**
   * The peer does not have these. They are dropped, not requeued: a hash only
   * returns when some peer announces it again, so made-up hashes cannot bounce
   * between peers forever.
   */
  notFound(hashes: Uint8Array[], peer: ProtocolPeer): void {
    for (const h of hashes) {
      const k = bytesKey(h);
      const f = this.inFlight.get(k);
      if (f && f.peer === peer) this.inFlight.delete(k);
    }
  }

  /** Peers holding requests with no delivery for stallMs. */
  stalledPeers(now: number): ProtocolPeer[] {
    const out = new Set<ProtocolPeer>();
    for (const f of this.inFlight.values()) {
      const last = Math.max(f.since, this.lastDelivery.get(f.peer.id) ?? 0);
      if (now - last > this.o.stallMs) out.add(f.peer);
    }
    return [...out];
  }

  /** Requeue everything the peer held (it left or stalled). */
  releasePeer(peer: ProtocolPeer): void {
    for (const [k, f] of this.inFlight) if (f.peer === peer) { this.inFlight.delete(k); this.queue.set(k, f.hash); }
    this.lastDelivery.delete(peer.id);
  }

  /** Drop everything we planned (e.g. the chain moved on by another route). */
  clearQueue(): void { this.queue.clear(); }
}
