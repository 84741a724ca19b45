// Variable difficulty per connection: aim at `sharesPerMinute` accepted shares.
// Every `retargetMs` (or sooner, once a burst of shares shows the difficulty is
// far too low) the difficulty moves by the observed rate over the wanted one,
// at most x4 per step, within [min, max]; max is the block's own difficulty,
// so a share that is a block is never refused as too hard.

export interface VardiffOptions {
  sharesPerMinute: number;
  retargetMs: number;
  min: number;
}

export class Vardiff {
  private windowStart: number;
  private shares = 0;

  constructor(private readonly o: VardiffOptions, public difficulty: number, now: number) {
    this.windowStart = now;
  }

  /** Counts an accepted share; returns a new difficulty when it should change. */
  onShare(now: number, max: number): number | null {
    this.shares++;
    const wanted = (this.o.sharesPerMinute * Math.max(1, now - this.windowStart)) / 60_000;
    // A burst far above the rate is answered at once, before the window ends.
    if (this.shares >= 8 && this.shares > wanted * 4) return this.retarget(now, max);
    return now - this.windowStart >= this.o.retargetMs ? this.retarget(now, max) : null;
  }

  /** Called now and then without a share: a silent miner gets an easier difficulty. */
  onTick(now: number, max: number): number | null {
    return now - this.windowStart >= this.o.retargetMs ? this.retarget(now, max) : null;
  }

  /** Clamps the current difficulty to a new ceiling (the block's difficulty can change). */
  clamp(max: number): number | null {
    const d = Math.max(Math.min(this.difficulty, max), Math.min(this.o.min, max));
    if (d === this.difficulty) return null;
    this.difficulty = d;
    return d;
  }

  private retarget(now: number, max: number): number | null {
    const elapsed = Math.max(1, now - this.windowStart);
    const wanted = (this.o.sharesPerMinute * elapsed) / 60_000;
    const ratio = Math.min(4, Math.max(0.25, this.shares / wanted));
    this.windowStart = now;
    this.shares = 0;
    if (ratio > 0.5 && ratio < 2) return null;
    const next = Math.max(Math.min(this.difficulty * ratio, max), Math.min(this.o.min, max));
    if (next === this.difficulty) return null;
    this.difficulty = next;
    return next;
  }
}
