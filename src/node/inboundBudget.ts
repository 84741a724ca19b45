// Bounds the work peers can queue. Every message a peer sends is handled
// asynchronously (blocks wait for the chain, getdata for the database), so a
// fast sender could pile up work, and memory, without limit. Each message
// holds a share of a per-peer and a global budget until its handling ends;
// a peer over its share, or any peer while the node is over the global
// budget, stops being read (TCP then pushes back on the sender) until the
// work drains. Nothing is dropped, and an honest peer only slows down.
import type { Message } from '../p2p/messages.js';

export interface Pausable {
  pauseReading(): void;
  resumeReading(): void;
}

/** Weight of a message in bytes of work: what it holds, or what answering it costs. */
export function messageWeight(m: Message): number {
  switch (m.command) {
    case 'block': return m.block.length * 8; // parsed objects take several times the wire bytes
    case 'tx': return m.tx.length * 8;
    case 'getdata': return m.items.length * 256; // a lookup, and maybe a block or notfound entry, per item
    case 'inv': return m.items.length * 64;
    case 'getblocks': return 64 * 1024;
    case 'headers': return m.headers.length * 256; // parsed headers, taken one message at a time per peer
    case 'getcfilters': case 'getcfheaders': case 'getcfcheckpt': return 64 * 1024; // up to 1000 filters or 2000 hashes
    default: return 1024;
  }
}

export const PEER_BUDGET_BYTES = 32 * 1024 * 1024;
export const GLOBAL_BUDGET_BYTES = 256 * 1024 * 1024;

export class InboundBudget<P extends Pausable = Pausable> {
  private readonly held = new Map<P, number>();
  private readonly paused = new Set<P>();
  private total = 0;

  constructor(private readonly perPeer = PEER_BUDGET_BYTES, private readonly global = GLOBAL_BUDGET_BYTES) {}

  /** Charges `bytes` to `peer`; call the returned function when the work is done. */
  take(peer: P, bytes: number): () => void {
    const mine = (this.held.get(peer) ?? 0) + bytes;
    this.held.set(peer, mine);
    this.total += bytes;
    if ((mine > this.perPeer || this.total > this.global) && !this.paused.has(peer)) {
      this.paused.add(peer);
      peer.pauseReading();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= bytes;
      const left = (this.held.get(peer) ?? bytes) - bytes;
      if (left <= 0) this.held.delete(peer); else this.held.set(peer, left);
      this.resumeWhatFits();
    };
  }

  /** A peer that has gone: its work may still finish, but it is never resumed. */
  forget(peer: P): void {
    this.paused.delete(peer);
  }

  get pendingBytes(): number { return this.total; }
  isPaused(peer: P): boolean { return this.paused.has(peer); }

  private resumeWhatFits(): void {
    if (this.paused.size === 0 || this.total > this.global / 2) return;
    for (const p of this.paused) {
      if ((this.held.get(p) ?? 0) <= this.perPeer / 2) {
        this.paused.delete(p);
        p.resumeReading();
      }
    }
  }
}
