// When the node defers its address index and when it builds it
// (src/chain/addressIndex.ts): during initial block download, here "the best
// height we know of (headers, or a peer's handshake) is at least `deferGap`
// blocks above our tip, or at least MIN_DEFER blocks above it and more blocks
// are to come than we have", blocks skip the index's writes; once the node is
// within SYNC_GAP of that height again (and after a short grace at start, so
// peers can say how far ahead they are) it is built from the coins, with
// blocks connecting between the build's steps. Building costs one pass over
// the coins, so it pays once the blocks to come outnumber those we have (a
// fresh node, whatever the chain's length). Checked on every new tip, so the
// first blocks of a sync already skip the index, and on a timer.
import type { Chain } from '../chain/chain.js';
import type { Logger } from './logger.js';

export interface AddressIndexSyncOptions {
  chain: Chain;
  bestKnownHeight: () => number;
  log: Logger;
  /** Blocks behind that count as initial sync (default 1000; 0: never defer). */
  deferGap?: number;
  checkMs?: number;
  /** How long a node that opens with its index behind waits before building it. */
  graceMs?: number;
}

const SYNC_GAP = 2;
export const DEFAULT_DEFER_GAP = 1000;
/** Fewer blocks to come than this are never deferred for (a build and its log lines for nothing). */
export const MIN_DEFER = 100;

/** Whether a node `behind` blocks short of the best known height, at `height`, defers its index (`gap` 0: never). */
export function shouldDefer(behind: number, height: number, gap: number): boolean {
  return gap > 0 && (behind >= gap || (behind >= Math.min(gap, MIN_DEFER) && behind > height));
}

export class AddressIndexSync {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private readonly startedAt = Date.now();

  constructor(private readonly o: AddressIndexSyncOptions) {}

  start(): void {
    this.timer = setInterval(() => this.check(), this.o.checkMs ?? 1000);
    this.timer.unref();
    this.o.chain.on('tip', this.onTip);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.o.chain.off('tip', this.onTip);
  }

  /** Only the deferral is checked per tip (a few comparisons); the build waits for the timer's grace. */
  private readonly onTip = (): void => {
    if (this.o.chain.addressIndexState === 'current') this.check();
  };

  private check(): void {
    const { chain } = this.o;
    if (this.busy || !chain.tip) return;
    const behind = this.o.bestKnownHeight() - chain.tip.height;
    const state = chain.addressIndexState;
    if (shouldDefer(behind, chain.tip.height, this.o.deferGap ?? DEFAULT_DEFER_GAP) && state !== 'deferred') {
      this.run(chain.deferAddressIndex(), 'address index deferred during initial sync', { height: chain.tip.height, behind });
    } else if (behind < SYNC_GAP && state !== 'current' && Date.now() - this.startedAt >= (this.o.graceMs ?? 5000)) {
      const started = Date.now();
      this.o.log.info({ height: chain.tip.height }, 'building the address index from the coins');
      this.run(chain.buildAddressIndex(), 'address index built', { height: chain.tip.height }, started);
    }
  }

  private run(job: Promise<void>, done: string, fields: Record<string, unknown>, started?: number): void {
    this.busy = true;
    job.then(
      () => this.o.log.info({ ...fields, state: this.o.chain.addressIndexState, ...(started ? { ms: Date.now() - started } : {}) }, done),
      (err: unknown) => {
        // A node closing under a build stops it between steps; the marker resumes it on the next open.
        const code = (err as { code?: string }).code;
        if (code !== 'chain-closed' && code !== 'db-closed') this.o.log.error({ err }, 'address index job failed');
      },
    ).finally(() => { this.busy = false; });
  }
}
