// What an operator watches: sync progress (height against the best height any
// peer announced, blocks/s, time left) and the miner's hash rate. On a
// terminal with pretty logs, sync is a progress bar; otherwise the same
// figures go out as periodic log lines. Nothing is logged per block or hash.
import { SingleBar } from 'cli-progress';
import type { Chain } from '../chain/chain.js';
import { EV } from './logEvents.js';
import type { Logger } from './logger.js';
import type { MinerLoop } from './minerLoop.js';

export interface ProgressSources {
  chain: Chain;
  bestKnownHeight: () => number;
  miner: MinerLoop | null;
  log: Logger;
  /** Where the hash-rate lines go (the miner's module logger); `log` when absent. */
  minerLog?: Logger;
  /** A progress bar on stderr (a terminal with human-readable logs); log lines otherwise. */
  bar: boolean;
  /** How often figures are sampled, and logged off a terminal (tests shorten these). */
  intervals?: Partial<ProgressIntervals>;
}

export interface ProgressIntervals {
  tickMs: number;
  syncLogMs: number;
  minerLogMs: number;
}

/** A node counts as syncing while peers know this many blocks more than it has. */
const SYNC_GAP = 2;
const DEFAULT_INTERVALS: ProgressIntervals = { tickMs: 1000, syncLogMs: 10_000, minerLogMs: 30_000 };

export class NodeProgress {
  private timer: NodeJS.Timeout | null = null;
  private bar: SingleBar | null = null;
  private lastHeight = 0;
  private lastAt = Date.now();
  private rate = 0;
  private lastLog = 0;
  private lastMinerLog = Date.now();

  private readonly every: ProgressIntervals;

  constructor(private readonly s: ProgressSources) {
    this.every = { ...DEFAULT_INTERVALS, ...s.intervals };
  }

  start(): void {
    this.lastHeight = this.s.chain.tip?.height ?? 0;
    this.timer = setInterval(() => this.tick(), this.s.bar ? Math.min(500, this.every.tickMs) : this.every.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.bar?.stop();
    this.bar = null;
  }

  private tick(): void {
    const now = Date.now();
    const height = this.s.chain.tip?.height ?? 0;
    const best = Math.max(this.s.bestKnownHeight(), height);
    const dt = (now - this.lastAt) / 1000;
    // A smoothed rate: a burst or a pause of one interval does not swing the estimate.
    const instant = dt > 0 ? Math.max(0, height - this.lastHeight) / dt : 0;
    this.rate = this.rate === 0 ? instant : this.rate * 0.7 + instant * 0.3;
    this.lastHeight = height;
    this.lastAt = now;
    const syncing = best - height >= SYNC_GAP;
    const eta = this.rate > 0 ? Math.round((best - height) / this.rate) : null;
    if (this.s.bar) this.drawBar(syncing, height, best);
    else if (syncing && now - this.lastLog >= this.every.syncLogMs) {
      this.lastLog = now;
      this.s.log.info({ event: EV.syncProgress, height, best, blocksPerSec: Math.round(this.rate), etaSeconds: eta }, 'sync progress');
    }
    const miner = this.s.miner;
    if (miner && now - this.lastMinerLog >= this.every.minerLogMs) {
      this.lastMinerLog = now;
      (this.s.minerLog ?? this.s.log).info({ event: EV.minerHashRate, hashRate: Math.round(miner.hashRate), blocksFound: miner.blocksFound, mining: miner.mining }, 'miner hash rate');
    }
  }

  private drawBar(syncing: boolean, height: number, best: number): void {
    if (!syncing) {
      if (this.bar) { this.bar.update(best, { rate: Math.round(this.rate) }); this.bar.stop(); this.bar = null; }
      return;
    }
    if (!this.bar) {
      this.bar = new SingleBar({
        format: 'sync |{bar}| {value}/{total} blocks | {rate} blocks/s | {eta_formatted} left',
        stream: process.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 50,
      });
      this.bar.start(best, height, { rate: 0 });
    }
    this.bar.setTotal(best);
    this.bar.update(height, { rate: Math.round(this.rate) });
  }
}
