// Relay of a new tip: one inv per burst of connected blocks, to every peer but
// the one that sent the tip block. The tip and its sender are taken together
// from the same 'tip' event, so blocks from several peers at once cannot mix
// one block's hash with another's sender.
import type { ProtocolPeer } from './peerPort.js';

/** Blocks connected within this window are announced with one inv. */
const ANNOUNCE_DELAY_MS = 20;

export class TipAnnouncer {
  private timer: NodeJS.Timeout | null = null;
  private next: { hash: Uint8Array; except: ProtocolPeer | null } | null = null;

  constructor(private readonly peers: () => ProtocolPeer[]) {}

  /** `hash` is the new tip; `except` sent it (null: our own block, or a tip no peer sent). */
  schedule(hash: Uint8Array, except: ProtocolPeer | null): void {
    this.next = { hash, except };
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const next = this.next;
      this.next = null;
      if (!next) return;
      for (const p of this.peers()) {
        if (p === next.except) continue;
        p.sendInv([{ kind: 'block', hash: next.hash }]);
      }
    }, ANNOUNCE_DELAY_MS);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
