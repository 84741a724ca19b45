// The Stratum server's settings, with the defaults a public node would use.
import { difficultyForTarget } from './share.js';
import type { StratumTemplate } from './jobs.js';

export interface StratumOptions {
  port: number;
  /** 127.0.0.1 unless told otherwise. */
  bind?: string;
  maxConnections?: number;
  maxLineBytes?: number;
  /** A connection must subscribe and authorize within this time. */
  subscribeTimeoutMs?: number;
  /** New mempool transactions refresh the job at most this often. */
  refreshMs?: number;
  /** Some job goes out at least this often (miners give up on a server silent for ~120 s). */
  keepaliveMs?: number;
  /** Vardiff aims at this many accepted shares per minute per connection. */
  sharesPerMinute?: number;
  retargetMs?: number;
  initialDifficulty?: number;
  minDifficulty?: number;
  submitsPerSecond?: number;
  submitBurst?: number;
  /** Submitted ntime may be this far ahead of the clock (the chain's own limit). */
  maxFutureSeconds?: number;
}

export interface ResolvedStratumOptions extends Required<StratumOptions> {
  /** Shares are never harder than the block itself. */
  maxDifficulty(t: StratumTemplate): number;
}

export function resolveOptions(o: StratumOptions): ResolvedStratumOptions {
  return {
    bind: '127.0.0.1', maxConnections: 1000, maxLineBytes: 16 * 1024, subscribeTimeoutMs: 30_000,
    refreshMs: 5_000, keepaliveMs: 30_000, sharesPerMinute: 12, retargetMs: 30_000,
    initialDifficulty: 1, minDifficulty: 2 ** -32, submitsPerSecond: 50, submitBurst: 200, maxFutureSeconds: 7200,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    port: o.port,
    maxDifficulty: (t) => difficultyForTarget(t.base.target),
  } as ResolvedStratumOptions;
}
