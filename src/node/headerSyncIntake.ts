// Block intake of headers-first sync: the blocks of the header path that
// arrive (HeaderSync.onBlock) wait in the download window
// (headerSyncDownload.ts) until their turn, and go to the chain in path
// order, so they connect in order. The next block is handed over before the
// last one has connected: the chain validates it while the last one's batch
// is written. A block the chain refuses, and remembers as invalid, ends the
// header branch above it.
import type { Block } from '../core/block.js';
import { bytesEqual } from '../core/bytes.js';
import type { Chain } from '../chain/chain.js';
import type { HeaderChain, HeaderEntry } from './headerSyncChain.js';
import { keyOf, type DownloadWindow } from './headerSyncDownload.js';
import type { Logger } from './logger.js';
import type { ProtocolPeer } from './peerPort.js';

export interface IntakeHost {
  headers: HeaderChain;
  window: DownloadWindow;
  chain: Chain;
  log: Logger;
  /** Validates and connects a block (BlockSync.onBlockReceived): false when it was not taken. */
  submit: (block: Block, from: ProtocolPeer, hash: Uint8Array) => Promise<boolean>;
  /** Asks peers for what the window can take now (HeaderSync.fill). */
  fill: () => void;
}

export class BlockIntake {
  /** The height of the next block to hand to the chain (a hint: checked against the path). */
  private nextHeight = 0;

  constructor(private readonly o: IntakeHost) {}

  /**
   * Whether an arrived block waits in the window: only one we asked for (of any peer, now or
   * before), or the one the chain needs next. Any other (a side branch's, or one past the
   * window) is ignored, as Core ignores an unrequested block not close to its tip: waiting
   * there, it would hold the window's bytes and nothing would drain it.
   */
  accepts(hash: Uint8Array): boolean {
    return this.o.window.wasAsked(hash) || this.isNext(hash);
  }

  /** An accepted block arrived: it waits in the window, and every block whose turn it is goes to the chain. */
  deliver(peer: ProtocolPeer, block: Block, hash: Uint8Array, size: number): void {
    if (this.o.window.deliver(hash, { block, size, from: peer })) this.drain();
  }

  /** Whether this is the block of the path the chain needs next. */
  private isNext(hash: Uint8Array): boolean {
    const e = this.o.headers.pathAt(this.firstUnsubmitted());
    return !!e && bytesEqual(e.hash, hash);
  }

  /** Hands the chain every arrived block whose turn it is, in path order. */
  drain(): void {
    const { headers: h, window: w, chain } = this.o;
    const end = Math.min(h.pathLength, w.o.windowBlocks);
    for (let i = this.firstUnsubmitted(); i < end; i++) {
      const e = h.pathAt(i)!;
      const k = keyOf(e);
      if (w.submitted.has(k)) continue;
      // Connected by another route (the older flow, or an orphan's parent): nothing waits for it here.
      if (chain.isIndexed(e.hash)) { if (w.arrived.has(k)) w.discard(e.hash); continue; }
      const a = w.submit(e.hash, k);
      if (!a) break;
      void this.process(e, k, a);
      this.nextHeight = e.height + 1;
    }
  }

  /** Where on the path the blocks not yet handed to the chain begin (those before are handed over, in order). */
  firstUnsubmitted(): number {
    const h = this.o.headers;
    const first = h.pathAt(0);
    if (!first) return 0;
    const i = this.nextHeight - first.height;
    // Past the path's end: the path was rebuilt on another branch, so scan it from the start.
    return i > 0 && i <= h.pathLength && this.o.window.submitted.has(keyOf(h.pathAt(i - 1)!)) ? i : 0;
  }

  private async process(e: HeaderEntry, k: string, a: { block: Block; from: ProtocolPeer }): Promise<void> {
    const { headers, window, chain } = this.o;
    try {
      const taken = await this.o.submit(a.block, a.from, e.hash);
      if (!taken && !chain.isIndexed(e.hash) && (await chain.hasBlock(e.hash))) {
        // Refused and remembered as invalid: the header branch above it is dead.
        for (let i = 0; i < headers.pathLength; i++) { const x = headers.pathAt(i)!; if (x.height > e.height) window.discard(x.hash); }
        await headers.invalidate(e.hash);
      }
    } catch (err) {
      this.o.log.debug({ err }, 'headers-first block not processed');
    } finally {
      window.settled(e.hash, k);
      headers.advance();
      this.drain();
      this.o.fill();
    }
  }
}
