// "new tip" log lines, at most one per interval while blocks stream in during
// sync (thousands a second), and always the last one: a reader of the log (an
// operator, or the tests waiting for a height) sees the final tip within the
// interval (at once when sync has caught up), without a line and a write per block.
import { hashToHex } from '../core/bytes.js';
import type { BlockIndexEntry } from '../chain/chain.js';
import { EV } from './logEvents.js';
import type { Logger } from './logger.js';

export const TIP_LOG_INTERVAL_MS = 200;

export class TipLog {
  private last = 0;
  private pending: BlockIndexEntry | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly log: Logger, private readonly intervalMs = TIP_LOG_INTERVAL_MS) {}

  /** `settled`: nothing more is on its way (sync caught up, or a single new block): log at once. */
  report(entry: BlockIndexEntry, settled = false): void {
    const now = Date.now();
    if (settled) {
      if (this.timer) { clearTimeout(this.timer); this.timer = null; }
      this.pending = null;
      this.write(entry, now);
      return;
    }
    if (now - this.last >= this.intervalMs && !this.timer) {
      this.write(entry, now);
      return;
    }
    this.pending = entry;
    if (!this.timer) this.timer = setTimeout(() => this.flush(), Math.max(0, this.intervalMs - (now - this.last)));
  }

  /** Writes the held-back tip now (on a timer, and when the node stops). */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.pending) { const e = this.pending; this.pending = null; this.write(e, Date.now()); }
  }

  private write(entry: BlockIndexEntry, now: number): void {
    this.last = now;
    this.log.info({ event: EV.newTip, height: entry.height, hash: hashToHex(entry.hash) }, 'new tip');
  }
}
