// Relay of a new tip: one inv per burst of connected blocks, to every peer but
// the one that sent the tip block. The tip and its sender are taken together
// from the same 'tip' event, so blocks from several peers at once cannot mix
// one block's hash with another's sender. While the node is still catching up
// (`catchingUp`: blocks of a better header chain still to connect) it announces
// nothing, as Bitcoin Core does not during initial download: its peers gain
// nothing from thousands of tips of an old chain. The last tip is announced
// once it has caught up, or once the tip has not moved for HOLD_MAX_MS (a
// download that stalls does not keep a new block of ours unannounced).
import type { ProtocolPeer } from './peerPort.js';

/** Blocks connected within this window are announced with one inv. */
const ANNOUNCE_DELAY_MS = 20;
export const HOLD_MAX_MS = 2000;

export class TipAnnouncer {
  private timer: NodeJS.Timeout | null = null;
  private next: { hash: Uint8Array; except: ProtocolPeer | null; at: number } | null = null;

  constructor(private readonly peers: () => ProtocolPeer[], private readonly catchingUp: () => boolean = () => false, private readonly holdMaxMs = HOLD_MAX_MS) {}

  /** `hash` is the new tip; `except` sent it (null: our own block, or a tip no peer sent). */
  schedule(hash: Uint8Array, except: ProtocolPeer | null): void {
    this.next = { hash, except, at: Date.now() };
    if (!this.timer) this.arm(ANNOUNCE_DELAY_MS);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.fire(), ms);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    const next = this.next;
    if (!next) return;
    if (this.catchingUp() && Date.now() - next.at < this.holdMaxMs) { this.arm(ANNOUNCE_DELAY_MS); return; }
    this.next = null;
    for (const p of this.peers()) {
      if (p === next.except) continue;
      p.sendInv([{ kind: 'block', hash: next.hash }]);
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.next = null;
  }
}
